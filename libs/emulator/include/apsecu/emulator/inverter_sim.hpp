// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One simulated micro-inverter: DC power per input from the irradiance on its panels,
// power-up in the morning and sleep at night, uptime and energy counters as the real ones
// report them, power limit per panel, on/off and pairing state. Not thread-safe: the Emulator
// owns it under its lock.
//
// Pairing (protocol §4.4, read-APSystems-YC600-QS1-DS3 #19): step 3 offers the ECU's PAN and id,
// step 4 confirms the ECU id; only an inverter that heard both joins, and from then on answers
// polls carrying that ECU id on that PAN. An earlier pairing holds until a new one completes.
//
// Counters (protocol §5.3–5.6, §9.6):
//   uptime  = whole simulated seconds since the DC side powered up
//   YC600/QS1 energy = 40-bit accumulator whose top 24 bits count 8.311 J (raw40 = J × 2^16 / 8.311)
//   DS3 energy       = u32 counting 1.66e-5 Wh (the community scale)
// Both are the quantised integral of the same per-step AC energy the ground truth adds up.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "apsecu/aps/ids.hpp"
#include "apsecu/emulator/config.hpp"
#include "apsecu/util/bytes.hpp"
#include "apsecu/util/clock.hpp"

namespace apsecu::emulator {

using EcuRev = std::array<std::uint8_t, 6>;

struct InputState {
  double dc_power_w = 0;
  double dc_voltage_v = 0;
  double dc_current_a = 0;
  double ac_power_w = 0;
  double energy_j = 0;           // AC energy since the last power-up (what the counter holds)
  std::uint64_t energy_raw = 0;  // the counter as sent on the wire
};

struct InverterStatus {
  aps::Serial serial;
  aps::Model model = aps::Model::Yc600;
  std::uint16_t short_address = 0;
  bool awake = false;            // DC side powered: answers the radio
  bool grid_connected = false;   // feeding power (a minute after power-up or turn-on)
  bool output_on = true;         // false after a turn-off (C2)
  std::optional<EcuRev> paired_ecu;
  std::optional<std::uint16_t> paired_pan;
  std::optional<EcuRev> join_offer;  // step 3 heard, step 4 not yet
  std::uint32_t uptime_s = 0;
  util::WallTime powered_up_at;
  unsigned power_ups = 0;        // morning starts, twilight restarts and reboots
  double power_limit_per_panel_w = 0;  // as programmed (and reported in the DE page)
  double power_limit_w = 0;            // what that allows the whole inverter: per panel × inputs
  double ac_power_w = 0;
  double temperature_c = 0;
  std::vector<InputState> inputs;
};

class InverterSim {
 public:
  InverterSim(InverterConfig config, const EcuRev& preset_ecu, std::uint64_t seed);

  // One integration step of `dt_s` ending at `t`. `poa_w_m2` is the irradiance on the panel
  // plane (clouds included) for the step. Adds each input's AC energy in joules to `energy_j`.
  void step(util::WallTime t, double dt_s, double poa_w_m2, double ambient_c, std::span<double> energy_j);

  [[nodiscard]] bool awake() const noexcept { return awake_; }
  // Whether a step ending at `t` under this light may wake it, connect it to the grid or put
  // it to sleep: such a step must be integrated at the fine step, or the moment (and with it
  // the uptime the host measures intervals with) lands on the coarse step's grid.
  [[nodiscard]] bool near_transition(util::WallTime t, double poa_w_m2) const noexcept;
  [[nodiscard]] bool paired_with(const EcuRev& ecu) const noexcept { return paired_ecu_ && *paired_ecu_ == ecu; }
  [[nodiscard]] std::optional<std::uint16_t> pan() const noexcept { return paired_pan_; }
  // Pairing step 3 for this serial: the ECU offers its PAN and id.
  void hear_join_offer(const EcuRev& ecu, std::uint16_t pan) noexcept;
  [[nodiscard]] bool has_join_offer_from(const EcuRev& ecu) const noexcept { return offer_ && offer_->ecu == ecu; }
  // Pairing step 4: the ECU confirms its id. Joins when it matches the offer; true if it did.
  bool hear_join_confirmation(const EcuRev& ecu) noexcept;

  // Software restart (a scheduled fault): uptime and counters start again from 0.
  // Nothing happens while asleep.
  void restart(util::WallTime t) noexcept;
  // C1 (OpenAPS "turn on", the community "reboot"): the software restarts as restart() does
  // and the output is on again; it feeds after the grid check. C2: stops feeding at once.
  void turn_on(util::WallTime t) noexcept;
  void turn_off() noexcept;
  // A set-power command carrying `limit_per_panel_w`: applies it as limit_mode says and
  // returns the APS payload of the inverter's answer (acknowledgement or DE page).
  [[nodiscard]] util::Bytes set_power_limit(double limit_per_panel_w);

  // APS payloads (serial + L2 frame) of the answers to a BB poll and a DE query.
  [[nodiscard]] util::Bytes telemetry_payload(util::WallTime now) const;
  [[nodiscard]] util::Bytes parameters_payload() const;
  [[nodiscard]] std::uint8_t link_quality(util::WallTime now) const noexcept;

  [[nodiscard]] const InverterConfig& config() const noexcept { return config_; }
  [[nodiscard]] const aps::Serial& serial() const noexcept { return serial_; }
  [[nodiscard]] std::uint16_t short_address() const noexcept { return config_.short_address; }
  [[nodiscard]] std::uint32_t uptime_s(util::WallTime now) const noexcept;
  [[nodiscard]] InverterStatus status(util::WallTime now) const;

 private:
  void power_up(util::WallTime t) noexcept;
  void update_inputs(double poa_w_m2, double ambient_c);
  [[nodiscard]] std::uint64_t counter_raw(double energy_j) const noexcept;
  [[nodiscard]] double jitter(util::WallTime t, std::uint64_t channel) const noexcept;  // -1..1

  InverterConfig config_;
  aps::Serial serial_;
  std::uint64_t seed_;
  struct JoinOffer {
    EcuRev ecu;
    std::uint16_t pan;
  };
  std::optional<EcuRev> paired_ecu_;
  std::optional<std::uint16_t> paired_pan_;
  std::optional<JoinOffer> offer_;
  double limit_per_panel_w_;
  bool output_on_;

  bool awake_ = false;
  util::WallTime powered_up_at_{};
  util::WallTime grid_connect_at_{};
  unsigned power_ups_ = 0;
  double dark_for_s_ = 0;        // how long the irradiance has been below the sleep threshold
  double temperature_c_ = 15;
  bool grid_connected_ = false;
  std::vector<InputState> inputs_;
  std::vector<double> mismatch_;  // per input, 0.96..1.04: no two real panels yield the same
};

}  // namespace apsecu::emulator
