// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The simulated CC2530 running kadzsol's Z-Stack 3.0.x ZNP image: fed with the host's bytes
// and the level of its reset pin, it answers with the frames of protocol §4 at realistic
// delays (real time, scaled by timing_scale), and relays AF traffic to the simulated
// inverters of a SolarPlant. It is a pure state machine: time is passed in, output is pulled
// with take_due(), and nothing here starts a thread or reads a clock. Not thread-safe.
//
// Every behaviour and its source (capture, field report or [U] choice) is in the table of
// docs/emulator.md. The two failure modes of the module:
//   * frozen ("mute"): hears nothing, SYS_RESET_REQ included, until the reset pin is pulsed
//     (zigbee2mqtt #4221, patience 2021-09-14);
//   * zombie: answers SYS/UTIL/ZB commands (ping, device state 9) but an AF data request gets
//     its SRSP 00 and nothing after it, until the reset pin is pulsed; a soft reset does not
//     cure it [U].

#include <array>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "apsecu/emulator/config.hpp"
#include "apsecu/emulator/faults.hpp"
#include "apsecu/emulator/solar_plant.hpp"
#include "apsecu/unpi/decoder.hpp"
#include "apsecu/util/bytes.hpp"
#include "apsecu/util/clock.hpp"

namespace apsecu::emulator {

class FaultShaper;
class OutputQueue;
struct PlannedFrame;

struct CoordinatorStatus {
  bool in_reset = false;      // reset pin held low
  bool frozen = false;
  bool zombie = false;
  std::uint8_t device_state = 0;  // 0 hold, 8 starting, 9 coordinator
  std::array<std::uint8_t, 8> ieee{};  // as written to NV 0x01 (LE on the wire)
  std::uint16_t pan_id = 0xFFFF;
  std::uint32_t channel_mask = 0;
  unsigned resets = 0;        // SYS_RESET_IND frames sent
  std::uint64_t frames_received = 0;
  FaultCounters faults;
};

class Cc2530 {
 public:
  // The plant must outlive the module; the caller advances it before feeding bytes.
  Cc2530(const EmulatorConfig& config, SolarPlant& plant);
  ~Cc2530();
  Cc2530(const Cc2530&) = delete;
  Cc2530& operator=(const Cc2530&) = delete;

  // Power-on: the module boots as after a hard reset (SYS_RESET_IND after the boot time).
  void power_on(util::SteadyTime now);
  // Bytes the host wrote, arriving at `now`.
  void receive(util::ByteView bytes, util::SteadyTime now);
  // The line has been quiet for a while: lets the frame decoder drop a false start.
  void line_idle();
  // RST pin level; a low→high edge reboots the module, even a frozen one.
  void set_reset_low(bool low, util::SteadyTime now);
  // Fault events.
  void freeze();
  void zombie();
  void spontaneous_reset(util::SteadyTime now);

  // Writes due at `now`, in order (each element is one write on the UART).
  [[nodiscard]] std::vector<util::Bytes> take_due(util::SteadyTime now);
  [[nodiscard]] std::optional<util::SteadyTime> next_due() const;
  [[nodiscard]] CoordinatorStatus status(util::SteadyTime now) const;

 private:
  using Frames = std::vector<PlannedFrame>;
  [[nodiscard]] std::chrono::nanoseconds scaled(double lo_ms, double hi_ms);
  void reboot(util::SteadyTime now, std::chrono::nanoseconds boot_time);
  void send(Frames frames, util::SteadyTime now, bool has_inverter_answer);
  void send_one(util::Bytes frame, std::chrono::nanoseconds at, util::SteadyTime now);
  void handle(std::uint8_t cmd0, std::uint8_t cmd1, util::ByteView data, util::SteadyTime now);

  // SYS / UTIL / ZB / ZDO (cc2530.cpp)
  void write_configuration(util::ByteView data, util::SteadyTime now);
  void read_configuration(util::ByteView data, util::SteadyTime now);
  void start_network(util::SteadyTime now, util::Bytes srsp);
  void device_info(std::uint8_t cmd0, util::SteadyTime now);
  [[nodiscard]] std::uint8_t device_state(util::SteadyTime now) const noexcept;

  // AF (cc2530_af.cpp)
  void af_register(util::ByteView data, util::SteadyTime now);
  void af_data_request(util::ByteView data, util::SteadyTime now);
  void af_data_request_ext(util::ByteView data, util::SteadyTime now);
  [[nodiscard]] std::uint8_t data_request_status(bool malformed, std::uint8_t src_ep,
                                                 util::SteadyTime now) const noexcept;
  // What the inverter does with an APS payload addressed to it, and the payload it answers.
  [[nodiscard]] std::optional<util::Bytes> inverter_reply(InverterSim& inv, util::ByteView payload);
  [[nodiscard]] bool reachable(const InverterSim& inv) const noexcept;
  [[nodiscard]] bool on_air(util::SteadyTime now) const noexcept;
  [[nodiscard]] std::optional<EcuRev> network_ecu() const noexcept;
  [[nodiscard]] std::uint32_t mac_timestamp(util::SteadyTime now) const noexcept;
  // The inverter's FF xx + serial answer on cluster 0x0101 (with its route report, for a DS3).
  void pairing_answer(Frames& frames, const InverterSim& inv, std::uint8_t second_byte, std::uint8_t src_ep,
                      std::uint8_t dst_ep, std::chrono::nanoseconds after, util::SteadyTime now);
  void corrupt_l2_checksum(util::Bytes& payload);

  const EmulatorConfig& config_;
  SolarPlant& plant_;
  std::unique_ptr<FaultShaper> faults_;
  std::unique_ptr<OutputQueue> out_;
  unpi::Decoder decoder_;

  // Pin and power.
  bool in_reset_ = false;
  bool frozen_ = false;
  bool zombie_ = false;  // survives soft resets; only the reset pin clears it
  util::SteadyTime listening_from_{};  // input before this is lost (module booting)
  util::SteadyTime booted_at_{};
  unsigned resets_ = 0;
  std::uint64_t frames_received_ = 0;

  // NV items as written by the host (ZB_WRITE_CONFIGURATION), id -> value.
  std::map<std::uint8_t, util::Bytes> nv_;
  std::set<std::uint8_t> endpoints_;
  bool network_started_ = false;
  util::SteadyTime coordinator_at_{};  // state 9 from then on
};

}  // namespace apsecu::emulator
