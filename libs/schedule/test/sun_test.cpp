// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/schedule/sun.hpp"

#include <gtest/gtest.h>

namespace {
using namespace apsecu;
using namespace std::chrono;
using schedule::GeoPosition;

// Minutes after UTC midnight of `date` (negative or > 1440 when the event is on another UTC date).
double minutes_of(util::WallTime t, year_month_day date) {
  return duration<double, std::ratio<60>>(t - sys_days{date}).count();
}

constexpr double kToleranceMin = 2.0;

struct Golden {
  const char* place;
  GeoPosition where;
  year_month_day date;
  double sunrise_min;  // UTC, minutes after midnight of `date`
  double sunset_min;
};

// Published almanac times (rounded to the minute) for places on several latitudes.
const Golden kGolden[] = {
    // NOAA's calculator gives 07:16 / 15:35 here; "about 07:15 / 15:33" was the planning estimate.
    {"Utrecht area, late autumn", {52.1, 5.3}, 2026y / November / 25, 7 * 60 + 15.7, 15 * 60 + 35.4},
    {"London, June solstice", {51.5074, -0.1278}, 2024y / June / 21, 3 * 60 + 43, 20 * 60 + 21},
    {"New York, December solstice", {40.7128, -74.0060}, 2024y / December / 21, 12 * 60 + 16, 21 * 60 + 32},
    {"Equator at Greenwich, March equinox", {0.0, 0.0}, 2026y / March / 20, 6 * 60 + 4, 18 * 60 + 11},
    // Sydney: local solar day of 21 Dec; the sunrise is on the previous UTC date.
    {"Sydney, southern summer", {-33.8688, 151.2093}, 2024y / December / 21, -(5 * 60 + 19), 9 * 60 + 5},
};

TEST(SunTimes, MatchAlmanacTimesWithinTwoMinutes) {
  for (const auto& g : kGolden) {
    const auto t = schedule::sun_times(g.where, g.date);
    ASSERT_TRUE(t.sunrise && t.sunset) << g.place;
    EXPECT_NEAR(minutes_of(*t.sunrise, g.date), g.sunrise_min, kToleranceMin) << g.place;
    EXPECT_NEAR(minutes_of(*t.sunset, g.date), g.sunset_min, kToleranceMin) << g.place;
    EXPECT_FALSE(t.polar_day || t.polar_night) << g.place;
  }
}

TEST(SunTimes, SolarNoonLiesBetweenSunriseAndSunset) {
  const auto t = schedule::sun_times({52.1, 5.3}, 2026y / June / 21);
  ASSERT_TRUE(t.sunrise && t.sunset);
  EXPECT_LT(*t.sunrise, t.solar_noon);
  EXPECT_LT(t.solar_noon, *t.sunset);
  // 5.3 E: noon about 21 minutes before 12:00 UTC, plus the equation of time (~ +2 min in June).
  EXPECT_NEAR(minutes_of(t.solar_noon, 2026y / June / 21), 720 - 21.2 + 1.8, 1.0);
}

TEST(SunTimes, PolarNightInTromsoInDecember) {
  const auto t = schedule::sun_times({69.65, 18.96}, 2026y / December / 21);
  EXPECT_TRUE(t.polar_night);
  EXPECT_FALSE(t.polar_day);
  EXPECT_FALSE(t.sunrise.has_value());
  EXPECT_FALSE(t.sunset.has_value());
}

TEST(SunTimes, PolarDayInTromsoInJune) {
  const auto t = schedule::sun_times({69.65, 18.96}, 2026y / June / 21);
  EXPECT_TRUE(t.polar_day);
  EXPECT_FALSE(t.polar_night);
  EXPECT_FALSE(t.sunrise.has_value());
}

TEST(SunTimes, SouthPoleIsDarkInJuneAndLightInDecember) {
  EXPECT_TRUE(schedule::sun_times({-89.9, 0}, 2026y / June / 21).polar_night);
  EXPECT_TRUE(schedule::sun_times({-89.9, 0}, 2026y / December / 21).polar_day);
}

TEST(SunPosition, ElevationNearZeroAtSunriseAndPeakAtNoon) {
  const GeoPosition where{52.1, 5.3};
  const auto date = 2026y / November / 25;
  const auto t = schedule::sun_times(where, date);
  ASSERT_TRUE(t.sunrise && t.sunset);
  // At sunrise the refracted centre is 0.833° below... minus the 0.27° radius: about −0.27°.
  EXPECT_NEAR(schedule::sun_position(where, *t.sunrise).elevation_deg, -0.27, 0.25);
  EXPECT_NEAR(schedule::sun_position(where, *t.sunset).elevation_deg, -0.27, 0.25);

  const auto noon = schedule::sun_position(where, t.solar_noon);
  // Declination on 25 Nov ≈ −20.8°: 90 − 52.1 − 20.8 ≈ 17.1°.
  EXPECT_NEAR(noon.elevation_deg, 17.1, 0.5);
  EXPECT_NEAR(noon.azimuth_deg, 180.0, 0.5);
}

TEST(SunPosition, MorningSunIsEastAndEveningSunIsWest) {
  const GeoPosition where{52.1, 5.3};
  const auto day = sys_days{2026y / June / 21};
  EXPECT_LT(schedule::sun_position(where, day + 6h).azimuth_deg, 100.0);
  EXPECT_GT(schedule::sun_position(where, day + 6h).azimuth_deg, 60.0);
  EXPECT_GT(schedule::sun_position(where, day + 18h).azimuth_deg, 260.0);
  EXPECT_LT(schedule::sun_position(where, day).elevation_deg, 0.0);  // midnight
}

TEST(SunPosition, SouthernHemisphereNoonSunIsNorth) {
  const auto t = schedule::sun_times({-33.8688, 151.2093}, 2024y / June / 21);
  EXPECT_NEAR(schedule::sun_position({-33.8688, 151.2093}, t.solar_noon).azimuth_deg, 0.0, 1.0);
}

}  // namespace
