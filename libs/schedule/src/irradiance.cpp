// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/schedule/irradiance.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace apsecu::schedule {
namespace {

constexpr double kDegPerRad = 180.0 / std::numbers::pi;
constexpr double kSolarConstantW_m2 = 1353.0;  // Meinel's value, as used with his attenuation fit
constexpr double kDiffuseShareOfBeam = 0.1;     // clear-sky diffuse ≈ 10 % of the direct beam

double rad(double deg) noexcept { return deg / kDegPerRad; }

}  // namespace

double air_mass(double zenith_deg) noexcept {
  const double z = std::clamp(zenith_deg, 0.0, 90.0);
  return 1.0 / (std::cos(rad(z)) + 0.50572 * std::pow(96.07995 - z, -1.6364));
}

Irradiance clear_sky(const SunPosition& sun) noexcept {
  if (sun.zenith_deg >= 90.0) return {};
  const double dni = kSolarConstantW_m2 * std::pow(0.7, std::pow(air_mass(sun.zenith_deg), 0.678));
  const double dhi = kDiffuseShareOfBeam * dni;
  return {.direct_normal_w_m2 = dni,
          .diffuse_horizontal_w_m2 = dhi,
          .global_horizontal_w_m2 = dni * std::cos(rad(sun.zenith_deg)) + dhi};
}

double plane_of_array_w_m2(const SunPosition& sun, const PanelOrientation& panel, double albedo) noexcept {
  const auto sky = clear_sky(sun);
  if (sky.global_horizontal_w_m2 <= 0) return 0;
  const double tilt = rad(panel.tilt_deg);
  const double zenith = rad(sun.zenith_deg);
  const double cos_incidence = std::cos(zenith) * std::cos(tilt) +
                               std::sin(zenith) * std::sin(tilt) * std::cos(rad(sun.azimuth_deg - panel.azimuth_deg));
  const double beam = sky.direct_normal_w_m2 * std::max(0.0, cos_incidence);
  const double diffuse = sky.diffuse_horizontal_w_m2 * (1 + std::cos(tilt)) / 2;
  const double ground = sky.global_horizontal_w_m2 * albedo * (1 - std::cos(tilt)) / 2;
  return beam + diffuse + ground;
}

}  // namespace apsecu::schedule
