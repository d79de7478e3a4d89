// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The only place where APS payloads meet ZNP exchanges: polling, pairing and the other
// inverter commands, each with a typed outcome instead of an exception.
//
//   poll:  AF_DATA_REQUEST(addr, cluster 0x0006, ecu_rev + L2 BB)
//            -> SRSP status       (module accepted the frame)
//            -> AF_DATA_CONFIRM   (00 delivered, CD no route / asleep, E9 no MAC ack)
//            -> AF_INCOMING_MSG   (cluster 0x0106 from addr: serial + L2 telemetry)
//   pair:  four inter-PAN broadcasts (AF_DATA_REQUEST_EXT); the inverter answers on cluster
//          0x0101 from its own short address (protocol §4.4).
//
// Every waiter is registered before its request is written. Not thread-safe: one engine
// owns the radio and calls these one at a time.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

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
  std::chrono::milliseconds pair_answer{3000};    // after the last step
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
  std::uint16_t short_address = 0;
  int attempts_used = 0;
  std::string detail;
};

class Radio {
 public:
  using Sleeper = std::function<void(std::chrono::milliseconds)>;

  Radio(znp::ZnpClient& client, aps::EcuId ecu, RadioTimings timings = {}, Sleeper sleep = {});

  [[nodiscard]] PollResult poll(std::uint16_t short_address, const aps::Serial& serial,
                                const aps::DecodeOptions& options);
  [[nodiscard]] PairResult pair(const aps::Serial& serial, const PairOptions& options = {});
  [[nodiscard]] util::Status reboot(std::uint16_t short_address);
  [[nodiscard]] util::Result<double> read_power_limit(std::uint16_t short_address, aps::Model model);
  // Sends the limit, reads it back and checks it within ±2 W (the seed family's check).
  [[nodiscard]] util::Result<double> set_power_limit(std::uint16_t short_address, aps::Model model, double limit_w);

  [[nodiscard]] const aps::EcuId& ecu() const noexcept { return ecu_; }

 private:
  struct Exchange {
    PollOutcome outcome = PollOutcome::Ok;
    std::optional<znp::AfIncomingMsg> answer;
    std::optional<std::uint8_t> confirm_status;
    std::string detail;
  };
  // AF_DATA_REQUEST to `short_address` and the chain of replies up to the inverter's answer.
  [[nodiscard]] Exchange exchange(std::uint16_t short_address, const util::Bytes& payload, bool want_answer);

  znp::ZnpClient& client_;
  aps::EcuId ecu_;
  RadioTimings timings_;
  Sleeper sleep_;
};

[[nodiscard]] std::string_view outcome_name(PollOutcome o) noexcept;
// A short address as people write it: "0x7C3A".
[[nodiscard]] std::string address_text(std::uint16_t short_address);
[[nodiscard]] std::string_view outcome_name(PairOutcome o) noexcept;

}  // namespace apsecu::engine
