// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/emulator/inverter_sim.hpp"

#include <algorithm>
#include <cmath>

#include "apsecu/aps/l2.hpp"
#include "apsecu/aps/telemetry.hpp"
#include "model_behaviour.hpp"
#include "rng.hpp"

namespace apsecu::emulator {
namespace {

// A micro-inverter starts when its panels give enough voltage and power, which happens at a
// few tens of W/m²; it goes back to sleep only after a sustained dark spell, so a passing
// cloud at noon does not restart it but dusk (or a dark cloud at twilight) does.
constexpr double kWakeIrradianceW_m2 = 25;
constexpr double kSleepIrradianceW_m2 = 10;
constexpr double kSleepAfterDarkS = 120;
// Grid checks before feeding in after a (re)start.
constexpr auto kGridConnectDelay = std::chrono::seconds{60};
// Losses between the panel's STC rating and the inverter input (temperature, soiling, wiring).
constexpr double kSystemDerate = 0.9;
constexpr double kThermalTimeConstantS = 600;

// raw40 top 24 bits count 8.311 J (kadzsol's model); DS3 counts 1.66e-5 Wh.
constexpr double kYcJoulesPerTopUnit = 8.311;
constexpr double kDs3JoulesPerUnit = 1.66e-5 * 3600;
constexpr std::uint64_t kMax40 = (std::uint64_t{1} << 40) - 1;

// The DS3's answers to a set-power command, L2 as sniffed from an ECU-C
// (ESP32-read-APS-inverters #34): FBFB 06 DE 02 00 00 00 00 0000 FEFE accepted,
// FBFB 06 DF 00 03 00 00 00 0000 FEFE refused. Both carry 00 00 where a checksum would be.
constexpr std::uint8_t kAckAccepted = 0xDE;
constexpr std::uint8_t kAckRefused = 0xDF;
constexpr std::array<std::uint8_t, 5> kAckAcceptedBody{0x02, 0x00, 0x00, 0x00, 0x00};
constexpr std::array<std::uint8_t, 5> kAckRefusedBody{0x00, 0x03, 0x00, 0x00, 0x00};

std::uint16_t pan_of(const EcuRev& rev) noexcept {
  return static_cast<std::uint16_t>(rev[5] | (rev[4] << 8));  // E0 E1 little-endian (§3.1)
}

}  // namespace

InverterSim::InverterSim(InverterConfig config, const EcuRev& preset_ecu, std::uint64_t seed)
    : config_(std::move(config)),
      serial_(*aps::Serial::parse(config_.serial)),
      seed_(splitmix64(seed ^ config_.short_address)),
      limit_per_panel_w_(config_.power_limit_per_panel_w.value_or(rated_ac_per_input_w(config_.model))),
      output_on_(config_.output_on),
      inputs_(config_.panel_peak_w.size()) {
  // Pre-paired = heard all four steps of that ECU at some time before.
  if (config_.paired) {
    paired_ecu_ = preset_ecu;
    paired_pan_ = pan_of(preset_ecu);
  }
  // Distinct inputs also make a swapped channel mapping on the host side visible.
  for (std::size_t i = 0; i < inputs_.size(); ++i) mismatch_.push_back(0.96 + 0.08 * unit_hash(seed_, 100 + i));
}

void InverterSim::power_up(util::WallTime t) noexcept {
  awake_ = true;
  powered_up_at_ = t;
  grid_connect_at_ = t + kGridConnectDelay;
  grid_connected_ = false;
  ++power_ups_;
  for (auto& in : inputs_) in.energy_j = 0;
}

void InverterSim::restart(util::WallTime t) noexcept {
  if (awake_) power_up(t);
}

bool InverterSim::near_transition(util::WallTime t, double poa_w_m2) const noexcept {
  if (!awake_) return poa_w_m2 >= kWakeIrradianceW_m2 / 2;
  if (output_on_ && !grid_connected_ && t >= grid_connect_at_ - kGridConnectDelay / 2) return true;
  return dark_for_s_ > 0 || poa_w_m2 < 2 * kSleepIrradianceW_m2;
}

void InverterSim::turn_on(util::WallTime t) noexcept {
  output_on_ = true;
  restart(t);
}

void InverterSim::turn_off() noexcept {
  output_on_ = false;
  grid_connected_ = false;
  for (auto& in : inputs_) in.ac_power_w = 0;
}

void InverterSim::hear_join_offer(const EcuRev& ecu, std::uint16_t pan) noexcept { offer_ = JoinOffer{ecu, pan}; }

bool InverterSim::hear_join_confirmation(const EcuRev& ecu) noexcept {
  if (!offer_ || offer_->ecu != ecu) return false;
  paired_ecu_ = offer_->ecu;
  paired_pan_ = offer_->pan;
  offer_.reset();
  return true;
}

util::Bytes InverterSim::set_power_limit(double limit_per_panel_w) {
  const auto& b = behaviour(config_.model);
  const bool in_range = limit_per_panel_w >= kMinLimitPerPanelW && limit_per_panel_w <= b.max_limit_per_panel_w;
  const bool accepted = in_range && config_.limit_mode != LimitMode::Refuse;
  if (accepted) limit_per_panel_w_ = limit_per_panel_w;
  if (b.set_reply == SetReply::ParameterPage) return parameters_payload();
  const auto l2 = accepted ? aps::encode_l2(kAckAccepted, kAckAcceptedBody, 0x0000)
                           : aps::encode_l2(kAckRefused, kAckRefusedBody, 0x0000);
  util::Bytes out(serial_.bytes().begin(), serial_.bytes().end());
  out.insert(out.end(), l2.begin(), l2.end());
  return out;
}

void InverterSim::step(util::WallTime t, double dt_s, double poa_w_m2, double ambient_c,
                       std::span<double> energy_j) {
  if (!awake_) {
    if (poa_w_m2 >= kWakeIrradianceW_m2) {
      power_up(t);
      dark_for_s_ = 0;
    }
  } else {
    dark_for_s_ = poa_w_m2 < kSleepIrradianceW_m2 ? dark_for_s_ + dt_s : 0;
    if (dark_for_s_ >= kSleepAfterDarkS) {
      awake_ = false;
      offer_.reset();  // a half-done pairing does not survive the night [U]
    }
  }
  grid_connected_ = awake_ && output_on_ && t >= grid_connect_at_;
  update_inputs(awake_ ? poa_w_m2 : 0, ambient_c);

  double total_ac = 0;
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    const double e = inputs_[i].ac_power_w * dt_s;
    inputs_[i].energy_j += e;
    if (i < energy_j.size()) energy_j[i] += e;
    total_ac += inputs_[i].ac_power_w;
  }
  const double rated = behaviour(config_.model).rated_ac_w;
  const double target = ambient_c + (awake_ ? 3.0 + 30.0 * total_ac / rated : 0.0);
  temperature_c_ += (target - temperature_c_) * std::min(1.0, dt_s / kThermalTimeConstantS);
}

void InverterSim::update_inputs(double poa_w_m2, double ambient_c) {
  const auto& phys = behaviour(config_.model);
  // The limit is per panel (OpenAPS codec/setpower.go, RPI-APS-inverters #139 "per channel"):
  // each input's tracker backs off on its own, whatever the other input yields.
  double per_input_ac_max = rated_ac_per_input_w(config_.model);
  if (config_.limit_mode != LimitMode::Ignore) per_input_ac_max = std::min(per_input_ac_max, limit_per_panel_w_);

  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    const double available_dc = config_.panel_peak_w[i] * mismatch_[i] * poa_w_m2 / 1000.0 * kSystemDerate;
    inputs_[i].ac_power_w =
        grid_connected_ ? std::clamp(available_dc * phys.efficiency, 0.0, per_input_ac_max) : 0.0;
  }

  const double cell_c = ambient_c + 0.03 * poa_w_m2;
  const double thermal = 1.0 - 0.004 * (cell_c - 25.0);
  const double light = 1.0 + 0.045 * std::log(std::max(poa_w_m2, 5.0) / 1000.0);
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    auto& in = inputs_[i];
    in.dc_power_w = in.ac_power_w / phys.efficiency;
    if (poa_w_m2 <= 0 || config_.panel_peak_w[i] <= 0) {
      in.dc_voltage_v = 0;
    } else if (in.dc_power_w <= 0) {
      in.dc_voltage_v = 1.2 * phys.vmp_v * thermal;  // open circuit while not feeding
    } else {
      in.dc_voltage_v = phys.vmp_v * light * thermal;
    }
    in.dc_current_a = in.dc_voltage_v > 1 ? in.dc_power_w / in.dc_voltage_v : 0;
  }
}

std::uint64_t InverterSim::counter_raw(double energy_j) const noexcept {
  if (config_.model == aps::Model::Ds3) {
    return static_cast<std::uint64_t>(std::floor(energy_j / kDs3JoulesPerUnit)) & 0xFFFFFFFFULL;
  }
  const double raw = std::floor(energy_j * 65536.0 / kYcJoulesPerTopUnit);
  return std::min(static_cast<std::uint64_t>(raw), kMax40);
}

double InverterSim::jitter(util::WallTime t, std::uint64_t channel) const noexcept {
  const auto second = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return 2.0 * unit_hash(seed_, channel, static_cast<std::uint64_t>(second)) - 1.0;
}

std::uint32_t InverterSim::uptime_s(util::WallTime now) const noexcept {
  if (!awake_ || now < powered_up_at_) return 0;
  return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(now - powered_up_at_).count());
}

std::uint8_t InverterSim::link_quality(util::WallTime now) const noexcept {
  const double lqi = config_.link_quality + 6.0 * jitter(now, 7);
  return static_cast<std::uint8_t>(std::clamp(std::lround(lqi), 0L, 255L));
}

util::Bytes InverterSim::telemetry_payload(util::WallTime now) const {
  aps::PhysicalState ps;
  ps.serial = serial_;
  ps.model = config_.model;
  ps.temperature_c = temperature_c_;
  double total_ac = 0;
  for (const auto& in : inputs_) {
    ps.inputs.push_back({.dc_voltage_v = in.dc_voltage_v, .dc_current_a = in.dc_current_a,
                         .energy_wh = in.energy_j / 3600.0});
    total_ac += in.ac_power_w;
  }
  ps.frequency_hz = 50.0 + 0.02 * jitter(now, 1);
  ps.ac_voltage_v = 230.0 + 3.0 * jitter(now, 2) + 0.004 * total_ac;
  ps.uptime_s = uptime_s(now);
  ps.ac_power_w = total_ac;

  auto raw = aps::to_raw(ps);
  // The counters are set from the exact accumulators, not re-derived from rounded Wh.
  for (std::size_t i = 0; i < raw.inputs.size() && i < inputs_.size(); ++i) {
    raw.inputs[i].energy_raw = counter_raw(inputs_[i].energy_j);
  }
  raw.uptime_s = ps.uptime_s;
  if (config_.qs1_zero_grid) {
    raw.frequency_raw = 0;
    raw.ac_voltage_raw = 0;
  }
  return aps::encode_raw(raw);
}

util::Bytes InverterSim::parameters_payload() const {
  return aps::encode_parameters_reply(serial_, config_.model, limit_per_panel_w_);
}

InverterStatus InverterSim::status(util::WallTime now) const {
  InverterStatus s;
  s.serial = serial_;
  s.model = config_.model;
  s.short_address = config_.short_address;
  s.awake = awake_;
  s.grid_connected = grid_connected_;
  s.output_on = output_on_;
  s.paired_ecu = paired_ecu_;
  s.paired_pan = paired_pan_;
  if (offer_) s.join_offer = offer_->ecu;
  s.uptime_s = uptime_s(now);
  s.powered_up_at = powered_up_at_;
  s.power_ups = power_ups_;
  s.power_limit_per_panel_w = limit_per_panel_w_;
  s.power_limit_w = limit_per_panel_w_ * static_cast<double>(inputs_.size());
  s.temperature_c = temperature_c_;
  s.inputs = inputs_;
  for (auto& in : s.inputs) {
    in.energy_raw = counter_raw(in.energy_j);
    s.ac_power_w += in.ac_power_w;
  }
  return s;
}

}  // namespace apsecu::emulator
