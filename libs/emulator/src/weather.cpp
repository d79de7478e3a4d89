// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/emulator/weather.hpp"

#include <algorithm>
#include <cmath>

#include "rng.hpp"

namespace apsecu::emulator {
namespace {

// Smoothly interpolated value noise: random knots every `period_s`, cosine-blended.
double value_noise(std::uint64_t seed, std::uint64_t layer, double t_s, double period_s) noexcept {
  const double x = t_s / period_s;
  const double k = std::floor(x);
  const double f = x - k;
  const auto knot = static_cast<std::uint64_t>(static_cast<std::int64_t>(k));
  const double a = unit_hash(seed, layer, knot);
  const double b = unit_hash(seed, layer, knot + 1);
  const double w = (1 - std::cos(f * 3.141592653589793)) / 2;
  return a + (b - a) * w;
}

constexpr double kDeepestShade = 0.8;  // a thick cloud still lets ~20 % through (diffuse light)
constexpr double kEdgeWidth = 0.12;    // how gradually a cloud edge dims the panels

}  // namespace

double Weather::transmission(util::WallTime t) const noexcept {
  if (cloudiness_ <= 0) return 1.0;
  const double t_s = std::chrono::duration<double>(t.time_since_epoch()).count();
  // Weather fronts (40 min), single clouds (6 min) and ragged edges (70 s).
  const double cover = 0.55 * value_noise(seed_, 1, t_s, 2400) + 0.35 * value_noise(seed_, 2, t_s, 360) +
                       0.10 * value_noise(seed_, 3, t_s, 70);
  const double threshold = 1.0 - cloudiness_;
  const double depth = std::clamp((cover - threshold) / kEdgeWidth, 0.0, 1.0);
  return 1.0 - kDeepestShade * depth;
}

}  // namespace apsecu::emulator
