// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/schedule/irradiance.hpp"

#include <gtest/gtest.h>

namespace {
using namespace apsecu::schedule;

SunPosition sun_at(double elevation_deg, double azimuth_deg = 180) {
  return {.elevation_deg = elevation_deg, .azimuth_deg = azimuth_deg, .zenith_deg = 90 - elevation_deg};
}

TEST(AirMass, IsOneOverheadAndAboutThirtyEightAtTheHorizon) {
  EXPECT_NEAR(air_mass(0), 1.0, 1e-3);
  EXPECT_NEAR(air_mass(60), 2.0, 0.01);
  EXPECT_NEAR(air_mass(90), 38.0, 0.2);
}

TEST(ClearSky, ZeroAtNightAndAboutAThousandAtHighSun) {
  EXPECT_EQ(clear_sky(sun_at(-5)).global_horizontal_w_m2, 0.0);
  const auto high = clear_sky(sun_at(90));
  EXPECT_NEAR(high.direct_normal_w_m2, 947, 5);  // 1353 × 0.7
  EXPECT_GT(high.global_horizontal_w_m2, 1000);
  EXPECT_LT(clear_sky(sun_at(5)).global_horizontal_w_m2, 100);
}

TEST(PlaneOfArray, GrowsWithElevationAndFacesTheSun) {
  const PanelOrientation south{35, 180};
  double previous = 0;
  for (double elevation = 1; elevation <= 60; elevation += 5) {
    const double poa = plane_of_array_w_m2(sun_at(elevation), south);
    EXPECT_GT(poa, previous) << elevation;
    previous = poa;
  }
  // The sun behind a north-facing panel leaves only diffuse and reflected light.
  const PanelOrientation north{35, 0};
  EXPECT_LT(plane_of_array_w_m2(sun_at(30), north), 0.2 * plane_of_array_w_m2(sun_at(30), south));
  EXPECT_EQ(plane_of_array_w_m2(sun_at(-1), south), 0.0);
}

}  // namespace
