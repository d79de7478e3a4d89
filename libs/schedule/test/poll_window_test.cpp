// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/schedule/poll_window.hpp"

#include <gtest/gtest.h>

namespace {
using namespace apsecu;
using namespace std::chrono;

util::WallTime utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return sys_days(year{y} / month{m} / day{d}) + hours(h) + minutes(min);
}

const schedule::GeoPosition kUtrecht{52.1, 5.3};

TEST(PollWindow, UnknownLocationPollsAllDay) {
  const schedule::WindowPolicy p{};
  EXPECT_TRUE(schedule::poll_window(p, utc(2026, 11, 25, 2)).contains(utc(2026, 11, 25, 2)));
  EXPECT_EQ(schedule::next_poll_time(p, utc(2026, 11, 25, 2)), utc(2026, 11, 25, 2));
}

TEST(PollWindow, FollowsSunriseAndSunsetWithOffsets) {
  const schedule::WindowPolicy p{kUtrecht, -10, 10};
  const auto w = schedule::poll_window(p, utc(2026, 11, 25, 12));
  ASSERT_EQ(w.kind, schedule::PollWindow::Kind::Sun);
  ASSERT_TRUE(w.sun && w.sun->sunrise && w.sun->sunset);
  EXPECT_EQ(*w.start, *w.sun->sunrise - minutes(10));
  EXPECT_EQ(*w.end, *w.sun->sunset + minutes(10));
  EXPECT_FALSE(w.contains(utc(2026, 11, 25, 6)));
  EXPECT_TRUE(w.contains(utc(2026, 11, 25, 12)));
  EXPECT_FALSE(w.contains(utc(2026, 11, 25, 18)));
}

TEST(PollWindow, NextPollTimeAtNightIsTomorrowsStart) {
  const schedule::WindowPolicy p{kUtrecht, 0, 0};
  const auto next = schedule::next_poll_time(p, utc(2026, 11, 25, 20));
  ASSERT_TRUE(next.has_value());
  const auto tomorrow = schedule::poll_window(p, utc(2026, 11, 26, 12));
  EXPECT_EQ(*next, *tomorrow.start);
}

TEST(PollWindow, PolarDayAllDayPolarNightNever) {
  const schedule::WindowPolicy svalbard{schedule::GeoPosition{78.2, 15.6}, 0, 0};
  EXPECT_EQ(schedule::poll_window(svalbard, utc(2026, 6, 21, 0)).kind, schedule::PollWindow::Kind::AllDay);
  const auto night = schedule::poll_window(svalbard, utc(2026, 12, 21, 12));
  EXPECT_EQ(night.kind, schedule::PollWindow::Kind::None);
  EXPECT_FALSE(night.contains(utc(2026, 12, 21, 12)));
  EXPECT_FALSE(schedule::next_poll_time(svalbard, utc(2026, 12, 21, 12)).has_value());
}
}  // namespace
