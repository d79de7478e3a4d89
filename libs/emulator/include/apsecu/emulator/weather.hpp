// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Passing clouds as a pure function of (seed, time): the same seed replays the same sky, and
// any instant can be evaluated without stepping through the ones before it.

#include <cstdint>

#include "apsecu/util/clock.hpp"

namespace apsecu::emulator {

class Weather {
 public:
  // cloudiness 0 = always clear, 1 = always overcast.
  Weather(std::uint64_t seed, double cloudiness) noexcept : seed_(seed), cloudiness_(cloudiness) {}

  // Share of the clear-sky irradiance that reaches the panels, 0.2..1.
  [[nodiscard]] double transmission(util::WallTime t) const noexcept;

 private:
  std::uint64_t seed_;
  double cloudiness_;
};

}  // namespace apsecu::emulator
