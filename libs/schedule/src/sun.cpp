// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/schedule/sun.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace apsecu::schedule {
namespace {

constexpr double kDegPerRad = 180.0 / std::numbers::pi;
constexpr double kSecondsPerDay = 86400.0;
constexpr double kUnixEpochJulianDay = 2440587.5;
constexpr double kJ2000JulianDay = 2451545.0;
// Standard altitude of the sun's upper limb at rise/set: 34' refraction + 16' radius.
constexpr double kRiseSetZenithDeg = 90.833;

double rad(double deg) noexcept { return deg / kDegPerRad; }
double deg(double radians) noexcept { return radians * kDegPerRad; }

double unix_seconds(util::WallTime t) noexcept {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

util::WallTime from_unix_seconds(double s) noexcept {
  return util::WallTime{std::chrono::duration_cast<util::WallTime::duration>(std::chrono::duration<double>(s))};
}

// The two quantities every NOAA formula needs, for one instant.
struct SolarTerms {
  double declination_deg;
  double equation_of_time_min;
};

SolarTerms solar_terms(double unix_s) noexcept {
  const double jd = unix_s / kSecondsPerDay + kUnixEpochJulianDay;
  const double t = (jd - kJ2000JulianDay) / 36525.0;  // Julian centuries since J2000

  const double mean_long = std::fmod(280.46646 + t * (36000.76983 + t * 0.0003032), 360.0);
  const double mean_anom = 357.52911 + t * (35999.05029 - 0.0001537 * t);
  const double ecc = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  const double center = std::sin(rad(mean_anom)) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
                        std::sin(rad(2 * mean_anom)) * (0.019993 - 0.000101 * t) +
                        std::sin(rad(3 * mean_anom)) * 0.000289;
  const double true_long = mean_long + center;
  const double omega = 125.04 - 1934.136 * t;
  const double apparent_long = true_long - 0.00569 - 0.00478 * std::sin(rad(omega));
  const double mean_obliq = 23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0;
  const double obliq = mean_obliq + 0.00256 * std::cos(rad(omega));

  const double decl = deg(std::asin(std::sin(rad(obliq)) * std::sin(rad(apparent_long))));
  const double y = std::pow(std::tan(rad(obliq / 2)), 2);
  const double l0 = rad(mean_long);
  const double m = rad(mean_anom);
  const double eot = 4.0 * deg(y * std::sin(2 * l0) - 2 * ecc * std::sin(m) +
                               4 * ecc * y * std::sin(m) * std::cos(2 * l0) - 0.5 * y * y * std::sin(4 * l0) -
                               1.25 * ecc * ecc * std::sin(2 * m));
  return {decl, eot};
}

// NOAA's piecewise refraction fit, in degrees.
double refraction_deg(double elevation_deg) noexcept {
  if (elevation_deg > 85.0) return 0.0;
  const double te = std::tan(rad(elevation_deg));
  double arcsec = 0;
  if (elevation_deg > 5.0) {
    arcsec = 58.1 / te - 0.07 / std::pow(te, 3) + 0.000086 / std::pow(te, 5);
  } else if (elevation_deg > -0.575) {
    const double e = elevation_deg;
    arcsec = 1735.0 + e * (-518.2 + e * (103.4 + e * (-12.79 + e * 0.711)));
  } else {
    arcsec = -20.772 / te;
  }
  return arcsec / 3600.0;
}

// cos of the hour angle at which the sun centre sits at kRiseSetZenithDeg; outside [-1, 1]
// means the sun never crosses that altitude that day.
double cos_rise_hour_angle(double latitude_deg, double declination_deg) noexcept {
  const double lat = rad(latitude_deg);
  const double dec = rad(declination_deg);
  return std::cos(rad(kRiseSetZenithDeg)) / (std::cos(lat) * std::cos(dec)) - std::tan(lat) * std::tan(dec);
}

}  // namespace

SunPosition sun_position(const GeoPosition& where, util::WallTime utc) noexcept {
  const double s = unix_seconds(utc);
  const auto terms = solar_terms(s);
  const double day_minutes = std::fmod(std::fmod(s, kSecondsPerDay) + kSecondsPerDay, kSecondsPerDay) / 60.0;
  const double true_solar_min =
      std::fmod(day_minutes + terms.equation_of_time_min + 4.0 * where.longitude_deg + 2 * 1440.0, 1440.0);
  const double hour_angle = true_solar_min / 4.0 < 0 ? true_solar_min / 4.0 + 180.0 : true_solar_min / 4.0 - 180.0;

  const double lat = rad(where.latitude_deg);
  const double dec = rad(terms.declination_deg);
  const double cos_zenith = std::clamp(
      std::sin(lat) * std::sin(dec) + std::cos(lat) * std::cos(dec) * std::cos(rad(hour_angle)), -1.0, 1.0);
  const double zenith = deg(std::acos(cos_zenith));
  const double elevation = 90.0 - zenith;

  double azimuth = 0;
  const double denom = std::cos(lat) * std::sin(rad(zenith));
  if (std::abs(denom) > 0.001) {
    const double c = std::clamp((std::sin(lat) * cos_zenith - std::sin(dec)) / denom, -1.0, 1.0);
    azimuth = 180.0 - deg(std::acos(c));
    if (hour_angle > 0) azimuth = -azimuth;
  } else {
    azimuth = where.latitude_deg > 0 ? 180.0 : 0.0;  // sun at the zenith or observer at a pole
  }
  if (azimuth < 0) azimuth += 360.0;

  return {.elevation_deg = elevation + refraction_deg(elevation), .azimuth_deg = azimuth, .zenith_deg = zenith};
}

SunTimes sun_times(const GeoPosition& where, std::chrono::year_month_day date) noexcept {
  const double midnight = unix_seconds(std::chrono::sys_days{date});
  auto event_at = [&](double minutes) { return midnight + minutes * 60.0; };

  // Solar noon, refined once with the terms evaluated at the first estimate.
  double noon_min = 720.0 - 4.0 * where.longitude_deg;
  for (int i = 0; i < 2; ++i) noon_min = 720.0 - 4.0 * where.longitude_deg - solar_terms(event_at(noon_min)).equation_of_time_min;

  SunTimes out;
  out.solar_noon = from_unix_seconds(event_at(noon_min));
  const double c = cos_rise_hour_angle(where.latitude_deg, solar_terms(event_at(noon_min)).declination_deg);
  if (c > 1.0) {
    out.polar_night = true;
    return out;
  }
  if (c < -1.0) {
    out.polar_day = true;
    return out;
  }

  // Each event is refined with the declination and equation of time at its own instant;
  // near the polar circles the refined hour angle may not exist, then the estimate stays.
  auto refine = [&](double sign) {
    double minutes = noon_min + sign * 4.0 * deg(std::acos(c));
    for (int i = 0; i < 3; ++i) {
      const auto terms = solar_terms(event_at(minutes));
      const double ci = cos_rise_hour_angle(where.latitude_deg, terms.declination_deg);
      if (ci < -1.0 || ci > 1.0) break;
      minutes = 720.0 - 4.0 * where.longitude_deg - terms.equation_of_time_min + sign * 4.0 * deg(std::acos(ci));
    }
    return from_unix_seconds(event_at(minutes));
  };
  out.sunrise = refine(-1.0);
  out.sunset = refine(+1.0);
  return out;
}

}  // namespace apsecu::schedule
