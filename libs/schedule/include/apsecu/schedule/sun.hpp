// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Sun position and sunrise/sunset after the NOAA solar calculator (Meeus-based, good to
// about a minute between ±72° latitude). Pure functions: the caller passes the time, nothing
// here reads a clock.
//
// Conventions: latitude north positive, longitude east positive, all times UTC. Azimuth is
// measured clockwise from true north (90 = east, 180 = south).

#include <chrono>
#include <optional>

#include "apsecu/util/clock.hpp"

namespace apsecu::schedule {

struct GeoPosition {
  double latitude_deg = 0;
  double longitude_deg = 0;
};

struct SunPosition {
  double elevation_deg = 0;  // above the horizon, corrected for atmospheric refraction
  double azimuth_deg = 0;    // clockwise from north
  double zenith_deg = 90;    // geometric (unrefracted) zenith angle, for irradiance
};

[[nodiscard]] SunPosition sun_position(const GeoPosition& where, util::WallTime utc) noexcept;

// Sunrise and sunset of one solar day. The day is the one whose local solar noon falls on
// `date` when the clock is shifted by longitude/15 hours, so at longitude 170 E the sunrise
// may be on the previous UTC date. Sunrise/sunset use the standard altitude of −0.833°
// (refraction plus the sun's radius).
struct SunTimes {
  util::WallTime solar_noon;
  std::optional<util::WallTime> sunrise;  // nullopt on polar day or polar night
  std::optional<util::WallTime> sunset;
  bool polar_day = false;    // the sun stays above the horizon all day
  bool polar_night = false;  // the sun stays below the horizon all day
};

[[nodiscard]] SunTimes sun_times(const GeoPosition& where, std::chrono::year_month_day date) noexcept;

}  // namespace apsecu::schedule
