// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// When to poll: from sunrise + offset to sunset + offset (inverters only answer with light
// on their panels). Fail-safe: without a location apsecu polls all day rather than never;
// on a polar day it polls all day, in a polar night not at all.

#include <optional>

#include "apsecu/schedule/sun.hpp"
#include "apsecu/util/clock.hpp"

namespace apsecu::schedule {

struct WindowPolicy {
  std::optional<GeoPosition> where;
  int sunrise_offset_min = 0;  // negative: start before sunrise
  int sunset_offset_min = 0;   // positive: stop after sunset
};

struct PollWindow {
  enum class Kind { Sun, AllDay, None } kind = Kind::AllDay;
  std::optional<util::WallTime> start;  // Kind::Sun only
  std::optional<util::WallTime> end;
  std::optional<SunTimes> sun;          // when a location is known

  [[nodiscard]] bool contains(util::WallTime t) const noexcept;
};

// The window of the solar day containing `now` (the date at the site's mean solar time).
[[nodiscard]] PollWindow poll_window(const WindowPolicy& policy, util::WallTime now) noexcept;

// The first moment at or after `now` inside a window, looking up to two days ahead;
// nullopt when there is none (polar night).
[[nodiscard]] std::optional<util::WallTime> next_poll_time(const WindowPolicy& policy, util::WallTime now) noexcept;

}  // namespace apsecu::schedule
