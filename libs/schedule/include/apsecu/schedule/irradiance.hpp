// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Clear-sky irradiance, deliberately simple: Meinel's direct-beam attenuation with the
// Kasten–Young air mass, diffuse light as a fixed share of the beam, and an isotropic sky
// on the tilted panel. Good enough to give simulated inverters a believable daily curve;
// not a substitute for a PV yield model.

#include "apsecu/schedule/sun.hpp"

namespace apsecu::schedule {

struct PanelOrientation {
  double tilt_deg = 35;       // 0 = flat, 90 = vertical
  double azimuth_deg = 180;   // direction the panel faces, clockwise from north
};

struct Irradiance {
  double direct_normal_w_m2 = 0;
  double diffuse_horizontal_w_m2 = 0;
  double global_horizontal_w_m2 = 0;
};

// Kasten–Young relative air mass for a geometric zenith angle; large but finite near 90°.
[[nodiscard]] double air_mass(double zenith_deg) noexcept;

// Zero when the sun is below the horizon.
[[nodiscard]] Irradiance clear_sky(const SunPosition& sun) noexcept;

// Irradiance on a panel: beam on the panel plane + isotropic sky diffuse + ground reflection.
[[nodiscard]] double plane_of_array_w_m2(const SunPosition& sun, const PanelOrientation& panel,
                                         double albedo = 0.2) noexcept;

}  // namespace apsecu::schedule
