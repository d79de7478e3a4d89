// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/emulator/solar_plant.hpp"

#include <algorithm>

#include "apsecu/aps/ids.hpp"
#include "apsecu/schedule/irradiance.hpp"

namespace apsecu::emulator {
namespace {

// Warm-up runs with coarser steps: it only has to put the counters where a day of sunshine
// would have left them, and a late start must not stall the emulator. Steps near a wake,
// grid connection or sleep are still taken at the fine step (SolarPlant::step), so that a
// warm start puts the power-up, and hence the uptime, where a plant running since dawn had
// it: the host measures power over uptime, and a restarted demo once showed twice the power
// because the warm-up's 10-s grid moved the power-up by up to 14 s.
constexpr double kWarmUpStepS = 10;

std::vector<GroundTruth::Inverter> truth_rows(const EmulatorConfig& config) {
  std::vector<GroundTruth::Inverter> rows;
  for (const auto& inv : config.inverters) rows.push_back({inv.serial, inv.model, inv.panel_peak_w.size()});
  return rows;
}

// Air warms with the sunshine: 8 °C at night up to ~20 °C under a high summer sun.
double ambient_c(double global_horizontal_w_m2) noexcept { return 8.0 + 0.012 * global_horizontal_w_m2; }

}  // namespace

SolarPlant::SolarPlant(const EmulatorConfig& config)
    : where_(config.location),
      weather_(config.seed, config.cloudiness),
      step_s_(config.step_s),
      warm_start_(config.warm_start),
      truth_(truth_rows(config), std::chrono::minutes{config.day_utc_offset_min.value_or(0)}) {
  const auto ecu = aps::EcuId::parse(config.ecu_id);
  const EcuRev rev = ecu ? ecu->reversed() : EcuRev{};
  for (const auto& inv : config.inverters) inverters_.emplace_back(inv, rev, config.seed);
}

void SolarPlant::start(util::WallTime now) {
  now_ = warm_start_ ? truth_.day_start(now) : now;
  started_ = true;
  truth_.roll_to(now_);
  integrate_to(now, kWarmUpStepS);
}

void SolarPlant::advance_to(util::WallTime t) {
  if (!started_) start(t);
  if (t > now_) integrate_to(t, step_s_);
  truth_.roll_to(now_);
}

void SolarPlant::integrate_to(util::WallTime t, double step_s) {
  const auto dt = std::chrono::duration_cast<util::WallTime::duration>(std::chrono::duration<double>(step_s));
  while (now_ < t) {
    const auto next = std::min(t, now_ + dt);
    step(next, std::chrono::duration<double>(next - now_).count());
    now_ = next;
  }
}

void SolarPlant::step(util::WallTime t, double dt_s) {
  const auto mid = t - std::chrono::duration_cast<util::WallTime::duration>(std::chrono::duration<double>(dt_s / 2));
  const auto sun = schedule::sun_position(where_, mid);
  const double clouds = weather_.transmission(mid);
  const double air_c = ambient_c(schedule::clear_sky(sun).global_horizontal_w_m2 * clouds);
  for (std::size_t i = 0; i < inverters_.size(); ++i) {
    auto& inv = inverters_[i];
    const double poa = schedule::plane_of_array_w_m2(sun, *inv.config().orientation) * clouds;
    if (dt_s > step_s_ && inv.near_transition(t, poa)) {
      step_inverter(i, t, dt_s);
      continue;
    }
    scratch_j_.assign(inv.config().panel_peak_w.size(), 0.0);
    inv.step(t, dt_s, poa, air_c, scratch_j_);
    truth_.add(i, mid, scratch_j_);
  }
}

void SolarPlant::step_inverter(std::size_t i, util::WallTime t, double dt_s) {
  // One inverter through [t - dt_s, t] at the fine step, as the running plant would have.
  auto& inv = inverters_[i];
  const auto fine = std::chrono::duration_cast<util::WallTime::duration>(std::chrono::duration<double>(step_s_));
  auto at = t - std::chrono::duration_cast<util::WallTime::duration>(std::chrono::duration<double>(dt_s));
  while (at < t) {
    const auto next = std::min(t, at + fine);
    const double dt = std::chrono::duration<double>(next - at).count();
    const auto mid = at + (next - at) / 2;
    const auto sun = schedule::sun_position(where_, mid);
    const double clouds = weather_.transmission(mid);
    const double air_c = ambient_c(schedule::clear_sky(sun).global_horizontal_w_m2 * clouds);
    const double poa = schedule::plane_of_array_w_m2(sun, *inv.config().orientation) * clouds;
    scratch_j_.assign(inv.config().panel_peak_w.size(), 0.0);
    inv.step(next, dt, poa, air_c, scratch_j_);
    truth_.add(i, mid, scratch_j_);
    at = next;
  }
}

InverterSim* SolarPlant::find(std::uint16_t short_address) noexcept {
  for (auto& inv : inverters_) {
    if (inv.short_address() == short_address) return &inv;
  }
  return nullptr;
}

InverterSim* SolarPlant::find(const aps::Serial& serial) noexcept {
  for (auto& inv : inverters_) {
    if (inv.serial() == serial) return &inv;
  }
  return nullptr;
}

double SolarPlant::reference_irradiance_w_m2() const noexcept {
  const auto sun = schedule::sun_position(where_, now_);
  return schedule::plane_of_array_w_m2(sun, {35, where_.latitude_deg >= 0 ? 180.0 : 0.0}) *
         weather_.transmission(now_);
}

}  // namespace apsecu::emulator
