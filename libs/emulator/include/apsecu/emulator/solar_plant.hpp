// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The simulated installation: the inverters at one location under one sky, integrated in
// small steps of simulated time, with the ground truth recorded from the same steps.
// Not thread-safe: the Emulator owns it under its lock.

#include <memory>
#include <vector>

#include "apsecu/emulator/config.hpp"
#include "apsecu/emulator/ground_truth.hpp"
#include "apsecu/emulator/inverter_sim.hpp"
#include "apsecu/emulator/weather.hpp"

namespace apsecu::emulator {

class SolarPlant {
 public:
  // `config` must have gone through finalize().
  explicit SolarPlant(const EmulatorConfig& config);

  // Sets the simulated time to `now`. With warm_start the plant is first simulated from the
  // local midnight before `now`, so inverters are already running (with counters) at noon.
  void start(util::WallTime now);
  // Integrates up to `t`; earlier times are ignored (simulated time never runs backwards).
  void advance_to(util::WallTime t);
  [[nodiscard]] util::WallTime time() const noexcept { return now_; }

  [[nodiscard]] std::vector<InverterSim>& inverters() noexcept { return inverters_; }
  [[nodiscard]] const std::vector<InverterSim>& inverters() const noexcept { return inverters_; }
  [[nodiscard]] InverterSim* find(std::uint16_t short_address) noexcept;
  [[nodiscard]] InverterSim* find(const aps::Serial& serial) noexcept;

  [[nodiscard]] GroundTruth& ground_truth() noexcept { return truth_; }
  [[nodiscard]] const GroundTruth& ground_truth() const noexcept { return truth_; }
  // Irradiance on a south-facing 35° panel right now, clouds included (for logs and demos).
  [[nodiscard]] double reference_irradiance_w_m2() const noexcept;

 private:
  void integrate_to(util::WallTime t, double step_s);
  void step(util::WallTime t, double dt_s);
  void step_inverter(std::size_t i, util::WallTime t, double dt_s);

  schedule::GeoPosition where_;
  Weather weather_;
  double step_s_;
  bool warm_start_;
  std::vector<InverterSim> inverters_;
  GroundTruth truth_;
  util::WallTime now_{};
  bool started_ = false;
  std::vector<double> scratch_j_;
};

}  // namespace apsecu::emulator
