// SPDX-License-Identifier: GPL-3.0-or-later
// An accepted limit is judged on the polls after it: two in a row within limit + 5 % + 2 W
// confirm it, two in a row above it say it was not applied.
#include "apsecu/engine/limit_watch.hpp"

#include <gtest/gtest.h>

namespace {
using apsecu::engine::LimitVerdict;
using apsecu::engine::LimitWatch;

TEST(LimitWatch, TheFirstPollOnlyMarksTheStart) {
  LimitWatch w(100, {});
  // Its interval began before the limit: 300 W says nothing.
  EXPECT_EQ(w.add({300, 300}), LimitVerdict::Pending);
  EXPECT_EQ(w.add({90, 80}), LimitVerdict::Pending);
  EXPECT_EQ(w.add({95, 101}), LimitVerdict::Obeyed);
}

TEST(LimitWatch, ToleranceIsFivePercentPlusTwoWatts) {
  LimitWatch w(200, {});
  EXPECT_DOUBLE_EQ(w.allowed_w(), 212.0);
  (void)w.add({});
  EXPECT_EQ(w.add({212, 10}), LimitVerdict::Pending);
  EXPECT_EQ(w.add({211.9, 0}), LimitVerdict::Obeyed);
}

TEST(LimitWatch, OneInputAboveInTwoPollsIsNotApplied) {
  LimitWatch w(100, {});
  (void)w.add({100, 100, 100, 100});
  EXPECT_EQ(w.add({50, 50, 180, 50}), LimitVerdict::Pending);
  EXPECT_EQ(w.add({50, 50, 170, 50}), LimitVerdict::Exceeded);
  EXPECT_DOUBLE_EQ(w.max_seen_w(), 180.0);
}

TEST(LimitWatch, AMixedRunKeepsWatching) {
  LimitWatch w(100, {.polls = 2});
  (void)w.add({0});
  EXPECT_EQ(w.add({150}), LimitVerdict::Pending);
  EXPECT_EQ(w.add({90}), LimitVerdict::Pending);
  EXPECT_EQ(w.add({150}), LimitVerdict::Pending);
  EXPECT_EQ(w.add({150}), LimitVerdict::Exceeded);
}

TEST(LimitWatch, PollsWithoutPowerAreIgnored) {
  LimitWatch w(100, {});
  (void)w.add({0});
  EXPECT_EQ(w.add({}), LimitVerdict::Pending);
  EXPECT_EQ(w.add({10}), LimitVerdict::Pending);
  EXPECT_EQ(w.add({10}), LimitVerdict::Obeyed);
}

}  // namespace
