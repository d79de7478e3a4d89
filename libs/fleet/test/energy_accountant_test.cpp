// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/fleet/energy_accountant.hpp"

#include <gtest/gtest.h>

namespace {
using namespace apsecu::fleet;

AccountingPolicy two_inputs(double rated_w = 300) { return AccountingPolicy{.rated_power_w = {rated_w, rated_w}}; }

TEST(EnergyAccountant, FirstSampleIsABaselineWithoutSpike) {
  EnergyAccountant acc(two_inputs());
  const auto r = acc.apply({.uptime_s = 29903, .energy_counter_wh = {222.44, 218.69}});
  EXPECT_EQ(r.kind, SampleKind::Baseline);
  EXPECT_EQ(r.increase_wh, 0.0);
  EXPECT_EQ(r.power_w, 0.0);
}

TEST(EnergyAccountant, PowerIsCounterDeltaOverUptimeDelta) {
  EnergyAccountant acc(two_inputs());
  (void)acc.apply({.uptime_s = 1000, .energy_counter_wh = {10, 20}});
  const auto r = acc.apply({.uptime_s = 1300, .energy_counter_wh = {20, 25}});
  ASSERT_EQ(r.kind, SampleKind::Normal);
  EXPECT_DOUBLE_EQ(r.inputs[0].power_w, 120.0);  // 10 Wh in 300 s
  EXPECT_DOUBLE_EQ(r.inputs[1].power_w, 60.0);
  EXPECT_DOUBLE_EQ(r.increase_wh, 15.0);
  EXPECT_EQ(r.interval_s, 300U);
}

TEST(EnergyAccountant, UptimeGoingBackwardsIsAResetNotNegativeEnergy) {
  EnergyAccountant acc(two_inputs());
  (void)acc.apply({.uptime_s = 20000, .energy_counter_wh = {500, 480}});
  const auto r = acc.apply({.uptime_s = 120, .energy_counter_wh = {3, 2}});
  EXPECT_EQ(r.kind, SampleKind::InverterReset);
  EXPECT_DOUBLE_EQ(r.increase_wh, 5.0);
  EXPECT_DOUBLE_EQ(r.inputs[0].power_w, 90.0);  // 3 Wh in 120 s
  EXPECT_EQ(acc.reset_count(), 1U);
  EXPECT_FALSE(r.reason.empty());
}

TEST(EnergyAccountant, NegativeIncreaseIsRejectedAndTheBaselineKept) {
  EnergyAccountant acc(two_inputs());
  (void)acc.apply({.uptime_s = 1000, .energy_counter_wh = {10, 10}});
  const auto bad = acc.apply({.uptime_s = 1300, .energy_counter_wh = {5, 12}});
  EXPECT_EQ(bad.kind, SampleKind::Rejected);
  EXPECT_NE(bad.reason.find("went down"), std::string::npos);
  const auto good = acc.apply({.uptime_s = 1600, .energy_counter_wh = {20, 20}});
  EXPECT_EQ(good.kind, SampleKind::Normal);
  EXPECT_DOUBLE_EQ(good.increase_wh, 20.0);  // measured against the kept baseline
}

TEST(EnergyAccountant, ImplausibleJumpIsRejected) {
  EnergyAccountant acc(two_inputs(300));
  (void)acc.apply({.uptime_s = 1000, .energy_counter_wh = {10, 10}});
  // 300 W for 300 s is 25 Wh; 2500 Wh is a corrupt counter.
  const auto r = acc.apply({.uptime_s = 1300, .energy_counter_wh = {2510, 20}});
  EXPECT_EQ(r.kind, SampleKind::Rejected);
  EXPECT_EQ(acc.rejected_count(), 1U);
}

TEST(EnergyAccountant, RepeatedAnswerIsRejected) {
  EnergyAccountant acc(two_inputs());
  (void)acc.apply({.uptime_s = 1000, .energy_counter_wh = {10, 10}});
  EXPECT_EQ(acc.apply({.uptime_s = 1000, .energy_counter_wh = {10, 10}}).kind, SampleKind::Rejected);
}

TEST(EnergyAccountant, RebaselinesAfterRepeatedRejections) {
  EnergyAccountant acc(two_inputs());
  (void)acc.apply({.uptime_s = 1000, .energy_counter_wh = {100, 100}});
  EXPECT_EQ(acc.apply({.uptime_s = 1300, .energy_counter_wh = {50, 100}}).kind, SampleKind::Rejected);
  EXPECT_EQ(acc.apply({.uptime_s = 1600, .energy_counter_wh = {52, 100}}).kind, SampleKind::Rejected);
  EXPECT_EQ(acc.apply({.uptime_s = 1900, .energy_counter_wh = {54, 100}}).kind, SampleKind::Baseline);
  const auto r = acc.apply({.uptime_s = 2200, .energy_counter_wh = {56, 101}});
  EXPECT_EQ(r.kind, SampleKind::Normal);
  EXPECT_DOUBLE_EQ(r.increase_wh, 3.0);
}

TEST(EnergyAccountant, PersistedStateAvoidsASpikeAfterRestart) {
  EnergyAccountant before(two_inputs());
  (void)before.apply({.uptime_s = 1000, .energy_counter_wh = {10, 10}});
  (void)before.apply({.uptime_s = 1300, .energy_counter_wh = {15, 15}});
  EnergyAccountant after(two_inputs(), before.state());
  const auto r = after.apply({.uptime_s = 1600, .energy_counter_wh = {20, 20}});
  EXPECT_EQ(r.kind, SampleKind::Normal);
  EXPECT_DOUBLE_EQ(r.increase_wh, 10.0);
}
}  // namespace

namespace {
TEST(EnergyAccountant, FreshInverterCountsItsWholeCounterOnTheFirstSample) {
  auto policy = two_inputs();
  policy.fresh_start_max_uptime_s = 600;
  EnergyAccountant fresh(policy);
  const auto r = fresh.apply({.uptime_s = 300, .energy_counter_wh = {2, 1}});
  EXPECT_EQ(r.kind, SampleKind::InverterReset);
  EXPECT_DOUBLE_EQ(r.increase_wh, 3.0);
  EnergyAccountant old(policy);
  EXPECT_EQ(old.apply({.uptime_s = 30000, .energy_counter_wh = {200, 100}}).kind, SampleKind::Baseline);
}
}  // namespace
