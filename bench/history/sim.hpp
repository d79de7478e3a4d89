// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A deterministic site for the history benchmark: QS1 inverters polled every 5 minutes
// from just before sunrise to just after sunset, with a seasonal sun, day-to-day weather
// and passing clouds. Replaying with the same seed yields the same cycles, so the store
// and InfluxDB are loaded with identical points without keeping years of data in RAM.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "apsecu/store/types.hpp"

namespace apsecu::bench {

struct SimConfig {
  int years = 3;
  int inverters = 9;
  std::uint32_t seed = 2024;
  std::int32_t first_day = 20220101;
  std::int32_t utc_offset_s = 3600;  // CET kept all year (the caller owns time zones)
  double latitude_deg = 52.0;
  double longitude_deg = 5.0;
  double input_rated_w = 300;        // QS1 input
};

class SiteSimulator {
 public:
  explicit SiteSimulator(SimConfig config);

  // Fills the next poll cycle; false when the simulated years are over.
  bool next(store::Cycle& out);

  [[nodiscard]] const std::vector<store::InverterInfo>& inverters() const noexcept { return inverters_; }
  [[nodiscard]] const SimConfig& config() const noexcept { return config_; }
  [[nodiscard]] std::int32_t last_day() const noexcept { return last_day_; }
  // UTC of local midnight starting `day`.
  [[nodiscard]] std::int64_t local_midnight_utc(std::int32_t day) const noexcept;

 private:
  void start_day();
  [[nodiscard]] double clear_sky(std::int64_t t) const;  // 0..1 of rated input power

  SimConfig config_;
  std::vector<store::InverterInfo> inverters_;
  std::vector<double> orientation_;  // per inverter × input
  std::mt19937_64 rng_;
  std::int32_t day_ = 0;
  std::int32_t last_day_ = 0;
  std::int64_t cycle_time_ = 0;
  std::int64_t day_end_ = 0;
  double declination_ = 0;
  double solar_noon_utc_s_ = 0;
  double weather_ = 1;  // day's mean clearness
  double cloud_ = 1;    // current cloud factor (AR(1) around weather_)
  std::vector<std::int64_t> counter_;  // raw 40-bit accumulators, restart every morning
  std::vector<std::uint32_t> uptime_;
  std::vector<std::int64_t> last_poll_;
  std::vector<bool> started_;
};

}  // namespace apsecu::bench
