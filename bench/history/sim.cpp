// SPDX-License-Identifier: GPL-3.0-or-later
#include "sim.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "apsecu/store/day_key.hpp"

namespace apsecu::bench {
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;
constexpr double kWhPerRaw = 3.756e-8;  // QS1 40-bit accumulator scale (OpenAPS, protocol §5.6)
constexpr std::int64_t kCycleS = 300;

}  // namespace

SiteSimulator::SiteSimulator(SimConfig config) : config_(config), rng_(config.seed) {
  std::uniform_real_distribution<double> tilt(0.85, 1.05);
  for (int i = 0; i < config_.inverters; ++i) {
    inverters_.push_back({fmt::format("8020000{:05d}", 10000 + i * 137), "QS1", 4});
    for (int k = 0; k < 4; ++k) orientation_.push_back(tilt(rng_));
  }
  const auto n = static_cast<std::size_t>(config_.inverters);
  counter_.assign(n * 4, 0);
  uptime_.assign(n, 0);
  last_poll_.assign(n, 0);
  started_.assign(n, false);
  day_ = config_.first_day;
  last_day_ = store::add_days(config_.first_day, std::int64_t{config_.years} * 365 - 1);
  start_day();
}

std::int64_t SiteSimulator::local_midnight_utc(std::int32_t day) const noexcept {
  return store::days_from_civil(*store::parse_day_key(day)) * 86400 - config_.utc_offset_s;
}

void SiteSimulator::start_day() {
  const auto civil = *store::parse_day_key(day_);
  const double doy =
      static_cast<double>(store::days_from_civil(civil) - store::days_from_civil({civil.year, 1, 1}) + 1);
  declination_ = 23.44 * kDeg * std::sin(2 * std::numbers::pi * (284 + doy) / 365.0);
  const double lat = config_.latitude_deg * kDeg;
  const double cos_w0 = std::clamp(-std::tan(lat) * std::tan(declination_), -1.0, 1.0);
  const double half_day_s = std::acos(cos_w0) / kDeg / 15.0 * 3600.0;
  const std::int64_t midnight = local_midnight_utc(day_);
  solar_noon_utc_s_ = static_cast<double>(midnight) + (12.0 - config_.longitude_deg / 15.0) * 3600.0 +
                      config_.utc_offset_s;
  // Polls from 5 minutes before sunrise to 5 minutes after sunset, on 5-minute marks.
  const auto sunrise = static_cast<std::int64_t>(solar_noon_utc_s_ - half_day_s);
  const auto sunset = static_cast<std::int64_t>(solar_noon_utc_s_ + half_day_s);
  cycle_time_ = (sunrise - kCycleS) / kCycleS * kCycleS;
  day_end_ = sunset + kCycleS;

  std::uniform_real_distribution<double> u(0, 1);
  const double kind = u(rng_);
  weather_ = kind < 0.3 ? 0.95 : kind < 0.7 ? 0.55 + 0.3 * u(rng_) : 0.12 + 0.2 * u(rng_);
  cloud_ = weather_;
  std::fill(started_.begin(), started_.end(), false);
}

double SiteSimulator::clear_sky(std::int64_t t) const {
  const double lat = config_.latitude_deg * kDeg;
  const double hour_angle = (static_cast<double>(t) - solar_noon_utc_s_) / 3600.0 * 15.0 * kDeg;
  const double sin_elev =
      std::sin(lat) * std::sin(declination_) + std::cos(lat) * std::cos(declination_) * std::cos(hour_angle);
  if (sin_elev <= 0) return 0;
  // Air mass dims a low sun more than its geometry alone.
  return std::pow(sin_elev, 1.25) * 0.95;
}

bool SiteSimulator::next(store::Cycle& out) {
  while (cycle_time_ > day_end_) {
    if (day_ >= last_day_) return false;
    day_ = store::add_days(day_, 1);
    start_day();
  }
  out = store::Cycle{};
  out.time_s = cycle_time_;
  out.day = day_;
  std::normal_distribution<double> noise(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  // Passing clouds: a mean-reverting walk around the day's weather, clipped to [0.05, 1].
  cloud_ = std::clamp(cloud_ + 0.35 * (weather_ - cloud_) + (1.0 - weather_) * 0.35 * noise(rng_), 0.05, 1.0);
  const double sky = clear_sky(cycle_time_);
  for (int i = 0; i < config_.inverters; ++i) {
    const auto ui = static_cast<std::size_t>(i);
    const std::int64_t t = cycle_time_ + 3 + 2 * i;  // the coordinator polls one after another
    store::InverterSample s;
    s.serial = inverters_[ui].serial;
    s.time_s = t;
    std::uint32_t interval = 0;
    if (!started_[ui]) {
      // The inverter powered up a few minutes before this first poll: its counters
      // restarted, so the whole counter is new energy (an inverter reset).
      started_[ui] = true;
      interval = static_cast<std::uint32_t>(60 + u(rng_) * 240);
      uptime_[ui] = interval;
      for (int k = 0; k < 4; ++k) counter_[ui * 4 + static_cast<std::size_t>(k)] = 0;
      s.kind = store::SampleKind::InverterReset;
    } else {
      interval = static_cast<std::uint32_t>(t - last_poll_[ui]);
      uptime_[ui] += interval;
      s.kind = u(rng_) < 0.001 ? store::SampleKind::Rejected : store::SampleKind::Normal;
    }
    last_poll_[ui] = t;
    s.uptime_s = uptime_[ui];
    double total_w = 0;
    for (int k = 0; k < 4; ++k) {
      const auto idx = ui * 4 + static_cast<std::size_t>(k);
      const double w = std::max(0.0, config_.input_rated_w * sky * cloud_ * orientation_[idx] *
                                         (1.0 + 0.02 * noise(rng_)));
      total_w += w;
      const auto raw = static_cast<std::int64_t>(w * interval / 3600.0 / kWhPerRaw);
      const std::int64_t before = counter_[idx];
      counter_[idx] += raw;
      store::InputSample in;
      in.energy_counter_raw = counter_[idx];
      const double wh = static_cast<double>(s.kind == store::SampleKind::InverterReset ? counter_[idx]
                                                                                         : counter_[idx] - before) *
                        kWhPerRaw;
      in.increase_mwh = s.kind == store::SampleKind::Rejected ? 0 : std::llround(wh * 1000.0);
      in.power_dw = interval > 0 ? static_cast<std::int32_t>(in.increase_mwh * 36 / interval) : 0;
      const double v = w > 0.5 ? 30.5 + 5.0 * sky * cloud_ + 0.3 * noise(rng_) : 0.0;
      in.dc_voltage_cv = static_cast<std::int32_t>(std::lround(v * 100));
      in.dc_current_ma = v > 0 ? static_cast<std::int32_t>(std::lround(w / v * 1000)) : 0;
      s.inputs.push_back(in);
    }
    s.temperature_ddeg = static_cast<std::int32_t>(std::lround((12.0 + total_w / 40.0 + noise(rng_)) * 10));
    s.frequency_mhz = 50000 + static_cast<std::int32_t>(std::lround(20 * noise(rng_)));
    s.ac_voltage_cv = 23000 + static_cast<std::int32_t>(std::lround(250 * noise(rng_)));
    s.link_quality = std::clamp(150 + static_cast<int>(std::lround(25 * noise(rng_))), 0, 255);
    out.samples.push_back(std::move(s));
  }
  cycle_time_ += kCycleS;
  return true;
}

}  // namespace apsecu::bench
