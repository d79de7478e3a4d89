// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/store/day_key.hpp"

#include <gtest/gtest.h>

namespace {
using namespace apsecu::store;

TEST(DayKey, AcceptsRealCalendarDaysOnly) {
  EXPECT_TRUE(is_valid_day_key(20240229));
  EXPECT_FALSE(is_valid_day_key(20230229));
  EXPECT_TRUE(is_valid_day_key(20000229));   // divisible by 400
  EXPECT_FALSE(is_valid_day_key(21000229));  // divisible by 100 only
  EXPECT_FALSE(is_valid_day_key(20241301));
  EXPECT_FALSE(is_valid_day_key(20240100));
  EXPECT_FALSE(is_valid_day_key(20240431));
  EXPECT_FALSE(is_valid_day_key(0));
  EXPECT_FALSE(is_valid_day_key(-20240101));
  EXPECT_FALSE(is_valid_day_key(2024011));
  EXPECT_FALSE(is_valid_day_key(19691231));
  EXPECT_TRUE(is_valid_day_key(99991231));
}

TEST(DayKey, CivilConversionRoundTripsEveryDayOfFourCenturies) {
  const std::int64_t first = days_from_civil({1970, 1, 1});
  EXPECT_EQ(first, 0);
  const std::int64_t last = days_from_civil({2370, 12, 31});
  std::int32_t previous = 0;
  for (std::int64_t n = first; n <= last; ++n) {
    const CivilDay d = civil_from_days(n);
    ASSERT_EQ(days_from_civil(d), n);
    const std::int32_t key = make_day_key(d);
    ASSERT_TRUE(is_valid_day_key(key)) << key;
    ASSERT_GT(key, previous);
    previous = key;
  }
}

TEST(DayKey, LocalDayDependsOnTheCallersOffset) {
  const std::int64_t t = days_from_civil({2024, 6, 30}) * 86400 + 23 * 3600 + 30 * 60;  // 23:30 UTC
  EXPECT_EQ(day_key_of(t, 0), 20240630);
  EXPECT_EQ(day_key_of(t, 7200), 20240701);
  EXPECT_EQ(day_key_of(t - 24 * 3600, -10 * 3600), 20240629);
}

TEST(DayKey, AddDaysCrossesMonthsAndYears) {
  EXPECT_EQ(add_days(20231231, 1), 20240101);
  EXPECT_EQ(add_days(20240301, -1), 20240229);
  EXPECT_EQ(add_days(20240115, 30), 20240214);
  EXPECT_EQ(month_key_of_day(20240229), 202402);
}

}  // namespace
