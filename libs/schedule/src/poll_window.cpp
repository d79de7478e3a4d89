// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/schedule/poll_window.hpp"

#include <cmath>

namespace apsecu::schedule {
namespace {

using std::chrono::minutes;

// The civil date at the site's mean solar time, so the window of "today" is the one around
// this solar noon even far from the time zone's meridian.
std::chrono::year_month_day solar_date(const GeoPosition& where, util::WallTime t) {
  const auto shift = minutes(static_cast<int>(std::lround(where.longitude_deg * 4.0)));  // 4 min per degree
  return std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(t + shift));
}

PollWindow window_for(const WindowPolicy& policy, std::chrono::year_month_day date) {
  PollWindow w;
  const auto sun = sun_times(*policy.where, date);
  w.sun = sun;
  if (sun.polar_day) {
    w.kind = PollWindow::Kind::AllDay;
  } else if (sun.polar_night || !sun.sunrise || !sun.sunset) {
    w.kind = PollWindow::Kind::None;
  } else {
    w.kind = PollWindow::Kind::Sun;
    w.start = *sun.sunrise + minutes(policy.sunrise_offset_min);
    w.end = *sun.sunset + minutes(policy.sunset_offset_min);
  }
  return w;
}

}  // namespace

bool PollWindow::contains(util::WallTime t) const noexcept {
  switch (kind) {
    case Kind::AllDay: return true;
    case Kind::None: return false;
    case Kind::Sun: return start && end && t >= *start && t < *end;
  }
  return true;
}

PollWindow poll_window(const WindowPolicy& policy, util::WallTime now) noexcept {
  if (!policy.where) return PollWindow{};  // unknown location: poll all day
  return window_for(policy, solar_date(*policy.where, now));
}

std::optional<util::WallTime> next_poll_time(const WindowPolicy& policy, util::WallTime now) noexcept {
  if (!policy.where) return now;
  const auto today = std::chrono::sys_days(solar_date(*policy.where, now));
  for (int d = 0; d <= 2; ++d) {
    const auto w = window_for(policy, std::chrono::year_month_day(today + std::chrono::days(d)));
    if (w.kind == PollWindow::Kind::AllDay) return d == 0 ? now : util::WallTime(today + std::chrono::days(d));
    if (w.kind == PollWindow::Kind::Sun) {
      if (now < *w.start) return *w.start;
      if (now < *w.end) return now;
    }
  }
  return std::nullopt;
}

}  // namespace apsecu::schedule
