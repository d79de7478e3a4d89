// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The only place where APS payloads meet ZNP exchanges: polling, pairing and the other
// inverter commands, each with a typed outcome instead of an exception.
//
//   poll:  AF_DATA_REQUEST(addr, cluster 0x0006, ecu_rev + L2 BB)
//            -> SRSP status       (module accepted the frame)
//            -> AF_DATA_CONFIRM   (00 delivered, CD no route / asleep, E9 no MAC ack)
//            -> AF_INCOMING_MSG   (cluster 0x0106 from addr: serial + L2 telemetry)
//   pair:  four inter-PAN broadcasts (AF_DATA_REQUEST_EXT), always all four, about 1.5 s apart
//          (ESP-ECU, ESP32-ECU, RPI-ECU); the inverter answers on cluster 0x0101 from its own
//          short address, a DS3 after step 2 (FF 1A) and again after step 3 (FF FF,
//          read-APSystems-YC600-QS1-DS3 #19). The last answer counts (protocol §4.4).
//   set:   power limit or on/off, unicast; the inverter's answer to the set itself says
//          accepted or refused (ESP32-read-APS-inverters #34); a limit is then read back with
//          the DE query after a pause, as the ESP32-ECU does (protocol §4.7).
//
// Every waiter is registered before its request is written. Not thread-safe: one engine
// owns the radio and calls these one at a time.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apsecu/aps/ids.hpp"
#include "apsecu/aps/telemetry.hpp"
#include "apsecu/znp/client.hpp"
#include "apsecu/znp/msg_af.hpp"

namespace apsecu::engine {

struct RadioTimings {
  std::chrono::milliseconds srsp{1000};
  std::chrono::milliseconds confirm{3000};   // hosts wait 2 s for the first byte, then read on
  std::chrono::milliseconds answer{3000};    // after the confirm
  std::chrono::milliseconds pair_step_gap{1500};  // ESP waits 1.5 s after each pairing step
  std::chrono::milliseconds pair_answer{3000};    // after the last step, when none answered yet
  // Between the answer to a set power limit and the DE read-back. The ESP32-ECU (SETPOWER)
  // reads for 500 ms after the first byte of the set's answer, sends a zero-checksum DE and
  // reads 500 ms again before its real query: about 1 s.
  std::chrono::milliseconds read_back_pause{1000};
};

enum class PollOutcome : std::uint8_t {
  Ok,
  NoRoute,      // confirm 0xCD: inverter asleep (night) or out of reach
  NoAck,        // confirm 0xE9: no MAC acknowledgement
  BadStatus,    // the module refused the request or another confirm status
  NoConfirm,    // no AF_DATA_CONFIRM in time
  NoAnswer,     // confirmed, but no telemetry came back
  Malformed,    // an answer came but does not decode
  WrongSerial,  // an answer from that address, but another inverter's serial
  LinkDown,     // the serial link failed
};

struct PollResult {
  PollOutcome outcome = PollOutcome::NoAnswer;
  std::optional<aps::Telemetry> telemetry;
  std::optional<std::uint8_t> link_quality;  // LQI 0..255 as the coordinator reported it
  std::optional<double> link_quality_pct;
  std::optional<std::uint8_t> confirm_status;
  std::string detail;  // for the journal: what was awaited or what was wrong
  std::chrono::milliseconds elapsed{0};
  // The reply's L2 checksum was neither its sum nor the 00 00 that the model's firmware sends
  // (protocol §4.6): the reply is not used (outcome Malformed) and counted.
  bool checksum_mismatch = false;
  std::uint64_t checksum_mismatches = 0;  // this inverter's count since the radio was made

  [[nodiscard]] bool ok() const noexcept { return outcome == PollOutcome::Ok; }
};

enum class PairOutcome : std::uint8_t { Paired, NoAnswer, NotDaylight, Failed };

struct PairOptions {
  int attempts = 3;
  std::optional<bool> daylight;  // false: refuse, inverters only answer with sun on their panels
  bool force = false;            // try even when daylight is false
};

struct PairResult {
  PairOutcome outcome = PairOutcome::NoAnswer;
  std::uint16_t short_address = 0;  // from the last valid answer
  int attempts_used = 0;
  int steps_sent = 0;               // in the last attempt; 4 unless the link failed
  std::vector<int> answered_after;  // step (1..4) after which each valid answer came, last attempt
  std::string detail;
};

// The outcome of a power limit set, in watts per panel (per input).
struct LimitOutcome {
  bool accepted = false;  // the inverter acknowledged it and (when it answered) read it back
  std::optional<double> read_back_per_panel_w;
  std::string detail;     // what the inverter answered, for a person
};

struct OutputOutcome {
  bool acknowledged = false;  // the inverter answered the on/off with an acceptance
  std::string detail;
};

class Radio {
 public:
  using Sleeper = std::function<void(std::chrono::milliseconds)>;

  Radio(znp::ZnpClient& client, aps::EcuId ecu, RadioTimings timings = {}, Sleeper sleep = {});

  [[nodiscard]] PollResult poll(std::uint16_t short_address, const aps::Serial& serial,
                                const aps::DecodeOptions& options);
  [[nodiscard]] PairResult pair(const aps::Serial& serial, const PairOptions& options = {});
  // Grid output on (C1) or off (C2). A refusal is Errc::Refused; no answer is not an error
  // (no capture shows what an inverter answers to on/off).
  [[nodiscard]] util::Result<OutputOutcome> set_output(std::uint16_t short_address, bool on);
  // The programmed limit in watts per panel (DE query).
  [[nodiscard]] util::Result<double> read_power_limit(std::uint16_t short_address, aps::Model model);
  // Sends the limit (watts per panel), takes the set's own answer, pauses, reads the limit back
  // and checks it within ±2 W (the seed family's check). A refusal or a read-back that differs
  // is an outcome with accepted = false; an error means nothing is known (the module refused
  // the frame, no route, or neither an answer nor a read-back came).
  [[nodiscard]] util::Result<LimitOutcome> set_power_limit(std::uint16_t short_address, aps::Model model,
                                                           double limit_per_panel_w);

  [[nodiscard]] const aps::EcuId& ecu() const noexcept { return ecu_; }

 private:
  struct Exchange {
    PollOutcome outcome = PollOutcome::Ok;
    std::optional<znp::AfIncomingMsg> answer;
    std::optional<std::uint8_t> confirm_status;
    std::string detail;
  };
  // AF_DATA_REQUEST to `short_address` and the chain of replies up to the inverter's answer
  // (`answer`; none: only up to the confirm).
  [[nodiscard]] Exchange exchange(std::uint16_t short_address, const util::Bytes& payload,
                                  std::optional<znp::Match> answer);
  struct PairAttempt {
    bool link_down = false;
    std::string refused;                 // the first step the module refused, for the journal
    std::vector<std::uint16_t> answers;  // source address of each valid answer, in order
  };
  // One run of the four steps, all four whatever arrives in between.
  [[nodiscard]] PairAttempt pair_attempt(const aps::Serial& serial, PairResult& result);
  // True (and counted) when the answer's L2 checksum is a real mismatch for its model.
  bool checksum_mismatch(PollResult& result, const aps::Serial& serial, const znp::AfIncomingMsg& answer);

  znp::ZnpClient& client_;
  aps::EcuId ecu_;
  RadioTimings timings_;
  Sleeper sleep_;
  std::map<aps::Serial, std::uint64_t> checksum_mismatches_;
};

[[nodiscard]] std::string_view outcome_name(PollOutcome o) noexcept;
// A short address as people write it: "0x7C3A".
[[nodiscard]] std::string address_text(std::uint16_t short_address);
[[nodiscard]] std::string_view outcome_name(PairOutcome o) noexcept;

}  // namespace apsecu::engine
