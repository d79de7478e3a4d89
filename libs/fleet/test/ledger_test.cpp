// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/fleet/ledger.hpp"

#include <gtest/gtest.h>

namespace {
using namespace apsecu::fleet;

Accounted normal(std::vector<double> inc) {
  Accounted a;
  a.kind = SampleKind::Normal;
  for (double v : inc) a.inputs.push_back({0, v});
  return a;
}

TEST(Ledger, AddsIncreasesToTodayAndLifetime) {
  Ledger l(2);
  (void)l.roll_to(20260621);
  l.add(normal({10, 5}));
  l.add(normal({1, 1}));
  EXPECT_DOUBLE_EQ(l.today_total_wh(), 17.0);
  EXPECT_DOUBLE_EQ(l.lifetime_total_wh(), 17.0);
}

TEST(Ledger, MidnightClosesTheDayAndKeepsLifetime) {
  Ledger l(2);
  (void)l.roll_to(20260621);
  l.add(normal({10, 5}));
  const auto closed = l.roll_to(20260622);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->day, 20260621);
  EXPECT_DOUBLE_EQ(closed->total_wh(), 15.0);
  EXPECT_DOUBLE_EQ(l.today_total_wh(), 0.0);
  EXPECT_DOUBLE_EQ(l.lifetime_total_wh(), 15.0);
}

TEST(Ledger, RejectedSamplesAndUnusedInputsAddNothing) {
  Ledger l(2);
  (void)l.roll_to(20260621);
  auto rejected = normal({100, 100});
  rejected.kind = SampleKind::Rejected;
  l.add(rejected);
  l.add(normal({3, 4}), {true, false});
  EXPECT_DOUBLE_EQ(l.today_total_wh(), 3.0);
}

TEST(Ledger, ClockGoingBackADayNeverLowersToday) {
  Ledger l(1);
  (void)l.roll_to(20260622);
  l.add(normal({7}));
  EXPECT_FALSE(l.roll_to(20260621).has_value());
  EXPECT_DOUBLE_EQ(l.today_total_wh(), 7.0);
}

TEST(Ledger, PersistedStateContinuesTheDay) {
  Ledger before(2);
  (void)before.roll_to(20260621);
  before.add(normal({10, 5}));
  Ledger after(2, before.state());
  EXPECT_FALSE(after.roll_to(20260621).has_value());
  after.add(normal({1, 1}));
  EXPECT_DOUBLE_EQ(after.today_total_wh(), 17.0);
}
}  // namespace
