// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/fleet/fleet.hpp"

#include <gtest/gtest.h>

namespace {
using namespace apsecu;
using namespace std::chrono_literals;

const aps::Serial kYc = *aps::Serial::parse("408000158215");

fleet::InverterSpec yc600() {
  fleet::InverterSpec spec;
  spec.serial = kYc;
  spec.model = aps::Model::Yc600;
  spec.name = "roof";
  return spec;
}

aps::Telemetry telemetry(std::uint32_t uptime_s, double e1, double e2) {
  aps::Telemetry t;
  t.serial = kYc;
  t.model = aps::Model::Yc600;
  t.uptime_s = uptime_s;
  t.inputs = {aps::InputReading{.dc_voltage_v = 34.3, .dc_current_a = 0.8, .energy_counter_wh = e1},
              aps::InputReading{.dc_voltage_v = 34.7, .dc_current_a = 0.7, .energy_counter_wh = e2}};
  return t;
}

const util::WallTime kNoon = util::WallTime(std::chrono::sys_days(std::chrono::year{2026} / 6 / 21)) + 12h;

TEST(Fleet, BooksIncreasesIntoTodayAndShowsPower) {
  fleet::Fleet f({yc600()}, {});
  (void)f.apply(kYc, telemetry(20000, 100, 100), 44.3, kNoon, 20260621);
  const auto a = f.apply(kYc, telemetry(20300, 110, 105), 44.3, kNoon + 300s, 20260621);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->accounted.kind, fleet::SampleKind::Normal);
  const auto v = f.views().at(0);
  EXPECT_DOUBLE_EQ(v.today_wh, 15.0);
  EXPECT_DOUBLE_EQ(v.power_w, 180.0);  // 15 Wh in 300 s
  EXPECT_EQ(v.last_outcome, "ok");
  EXPECT_EQ(v.link_quality_pct, 44.3);
}

TEST(Fleet, RestartOfApsecuContinuesFromPersistedStateWithoutSpike) {
  fleet::Fleet before({yc600()}, {});
  (void)before.apply(kYc, telemetry(20000, 100, 100), {}, kNoon, 20260621);
  (void)before.apply(kYc, telemetry(20300, 110, 105), {}, kNoon + 300s, 20260621);
  const std::map<std::string, std::string> states{{kYc.str(), before.state_json(kYc)}};

  fleet::Fleet after({yc600()}, {}, states);
  EXPECT_DOUBLE_EQ(after.views().at(0).today_wh, 15.0);
  const auto a = after.apply(kYc, telemetry(20600, 120, 110), {}, kNoon + 600s, 20260621);
  EXPECT_EQ(a->accounted.kind, fleet::SampleKind::Normal);
  EXPECT_DOUBLE_EQ(a->accounted.increase_wh, 15.0);
  EXPECT_DOUBLE_EQ(after.views().at(0).today_wh, 30.0);
}

TEST(Fleet, InverterRestartAddsAnAuditedEstimateOfTheLostMinutes) {
  fleet::Fleet f({yc600()}, {});
  (void)f.apply(kYc, telemetry(20000, 100, 100), {}, kNoon, 20260621);
  (void)f.apply(kYc, telemetry(20300, 110, 110), {}, kNoon + 300s, 20260621);  // 120 W per input
  // Restarted 120 s after that poll; polled 180 s after the restart.
  const auto a = f.apply(kYc, telemetry(180, 6, 6), {}, kNoon + 600s, 20260621);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->accounted.kind, fleet::SampleKind::InverterReset);
  // 120 W before the gap, 120 W after the restart (6 Wh in 180 s): 120 s at 120 W per input.
  EXPECT_NEAR(a->estimated_gap_wh, 2 * 120.0 * 120 / 3600, 1e-9);
  EXPECT_NE(a->note.find("estimated"), std::string::npos);
  EXPECT_NEAR(f.views().at(0).today_wh, 20 + 12 + 8, 1e-9);
}

TEST(Fleet, MidnightClosesTheDayAndEndOfWindowZeroesPowerOnly) {
  fleet::Fleet f({yc600()}, {});
  (void)f.apply(kYc, telemetry(20000, 100, 100), {}, kNoon, 20260621);
  (void)f.apply(kYc, telemetry(20300, 110, 110), {}, kNoon + 300s, 20260621);
  f.zero_power();
  EXPECT_DOUBLE_EQ(f.views().at(0).power_w, 0.0);
  EXPECT_DOUBLE_EQ(f.views().at(0).today_wh, 20.0);
  const auto closed = f.roll_to(20260622);
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_DOUBLE_EQ(closed[0].second.total_wh(), 20.0);
  EXPECT_DOUBLE_EQ(f.views().at(0).today_wh, 0.0);
  EXPECT_DOUBLE_EQ(f.views().at(0).lifetime_wh, 20.0);
}

TEST(Fleet, FailuresAreCountedAndUnknownSerialsIgnored) {
  fleet::Fleet f({yc600()}, {});
  f.record_failure(kYc, "no_route", "asleep", kNoon);
  f.record_failure(kYc, "no_route", "asleep", kNoon + 300s);
  EXPECT_EQ(f.views().at(0).consecutive_failures, 2);
  EXPECT_EQ(f.views().at(0).last_outcome, "no_route");
  EXPECT_FALSE(f.apply(*aps::Serial::parse("801000000001"), telemetry(1, 0, 0), {}, kNoon, 20260621).has_value());
}

TEST(Fleet, DamagedStateIsIgnoredNotFatal) {
  const std::map<std::string, std::string> states{{kYc.str(), "{not json"}};
  fleet::Fleet f({yc600()}, {}, states);
  const auto a = f.apply(kYc, telemetry(20000, 100, 100), {}, kNoon, 20260621);
  EXPECT_EQ(a->accounted.kind, fleet::SampleKind::Baseline);
}
}  // namespace

namespace {
TEST(Fleet, NoEstimateAcrossANight) {
  fleet::Fleet f({yc600()}, {});
  (void)f.apply(kYc, telemetry(40000, 100, 100), {}, kNoon + 7h, 20260621);
  (void)f.apply(kYc, telemetry(40300, 101, 101), {}, kNoon + 7h + 300s, 20260621);
  // Next morning, 11 hours later: a new power-up, not a lost gap.
  const auto a = f.apply(kYc, telemetry(600, 2, 2), {}, kNoon + 18h + 300s, 20260622);
  EXPECT_EQ(a->accounted.kind, fleet::SampleKind::InverterReset);
  EXPECT_DOUBLE_EQ(a->estimated_gap_wh, 0.0);
}
}  // namespace

namespace {
// A restarted inverter checks the grid for a minute or more before it feeds again, so its
// counter's average since the restart reads low; the estimate must not take that for dusk.
TEST(Fleet, RestartEstimateIsNotDilutedByTheGridChecks) {
  fleet::Fleet f({yc600()}, {});
  (void)f.apply(kYc, telemetry(20000, 100, 100), {}, kNoon, 20260621);
  (void)f.apply(kYc, telemetry(20300, 110, 110), {}, kNoon + 300s, 20260621);  // 120 W per input
  // Restarted 240 s after that poll, fed nothing for 60 s, then 120 W: 1 Wh in 90 s (40 W
  // on average) while the inputs' DC side reads 120 W.
  auto t = telemetry(90, 1, 1);
  for (auto& in : t.inputs) {
    in.dc_voltage_v = 32.0;
    in.dc_current_a = 3.75;
  }
  const auto a = f.apply(kYc, t, {}, kNoon + 630s, 20260621);
  ASSERT_TRUE(a.has_value());
  EXPECT_NEAR(a->estimated_gap_wh, 2 * 120.0 * 240 / 3600, 1e-9);
}

TEST(Fleet, RestartPolledBeforeFeedingEstimatesFromThePowerBeforeTheGap) {
  fleet::Fleet f({yc600()}, {});
  (void)f.apply(kYc, telemetry(20000, 100, 100), {}, kNoon, 20260621);
  (void)f.apply(kYc, telemetry(20300, 110, 110), {}, kNoon + 300s, 20260621);  // 120 W per input
  // Still checking the grid 30 s after a restart that came 270 s after the last poll.
  auto t = telemetry(30, 0, 0);
  for (auto& in : t.inputs) in.dc_current_a = 0;
  const auto a = f.apply(kYc, t, {}, kNoon + 600s, 20260621);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->accounted.kind, fleet::SampleKind::InverterReset);
  EXPECT_NEAR(a->estimated_gap_wh, 2 * 120.0 * 270 / 3600, 1e-9);
}
}  // namespace

namespace {
const aps::Serial kDs3 = *aps::Serial::parse("703000327796");  // a DS3-H (RPI-APS-inverters #77)

fleet::InverterSpec ds3(std::vector<double> panel_peak_w = {}) {
  fleet::InverterSpec spec;
  spec.serial = kDs3;
  spec.model = aps::Model::Ds3;
  spec.name = "carport";
  spec.panel_peak_w = std::move(panel_peak_w);  // panel_power_w keeps its 300 W default
  return spec;
}

aps::Telemetry ds3_reading(std::uint32_t uptime_s, double e1, double e2, double v1, double a1, double v2, double a2) {
  aps::Telemetry t;
  t.serial = kDs3;
  t.model = aps::Model::Ds3;
  t.uptime_s = uptime_s;
  t.inputs = {aps::InputReading{.dc_voltage_v = v1, .dc_current_a = a1, .energy_counter_wh = e1},
              aps::InputReading{.dc_voltage_v = v2, .dc_current_a = a2, .energy_counter_wh = e2}};
  return t;
}

// A DS3-H at midday, 468 and 455 W per input (its 960 VA rating shared by two 500 W panels),
// polled every 5 minutes. The limit used to be the panel setting (300 W default) × 1.5 =
// 450 W: every sample was rejected and every third re-baselined, so the day lost all of it.
TEST(Fleet, MiddayOnADs3HIsCountedAgainstTheModelRatingNotThePanelDefault) {
  EXPECT_EQ(fleet::expected_input_power_w(ds3()), (std::vector<double>{480, 480}));
  fleet::Fleet f({ds3()}, {});
  double e1 = 53.95;
  double e2 = 52.46;
  std::uint32_t uptime = 14400;
  (void)f.apply(kDs3, ds3_reading(uptime, e1, e2, 40.1, 12.1, 39.8, 11.9), {}, kNoon, 20260621);
  for (int k = 1; k <= 6; ++k) {
    uptime += 300;
    e1 += 468.0 * 300 / 3600;
    e2 += 455.0 * 300 / 3600;
    const auto a = f.apply(kDs3, ds3_reading(uptime, e1, e2, 40.1, 12.1, 39.8, 11.9), {}, kNoon + k * 300s, 20260621);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->accounted.kind, fleet::SampleKind::Normal) << k << ": " << a->note;
  }
  const auto v = f.views().at(0);
  EXPECT_NEAR(v.today_wh, (468.0 + 455.0) * 1800 / 3600, 0.01);
  EXPECT_NEAR(v.power_w, 923.0, 0.5);
}

// A DS3-D carries two panels on each input; with the panels configured, 850 W per input is
// expected at once, and without, it is held one poll and then counted all the same.
TEST(Fleet, TwoPanelsPerInputAreExpectedWhenConfiguredAndCountedWhenNot) {
  EXPECT_EQ(fleet::expected_input_power_w(ds3({900, 900})), (std::vector<double>{900, 900}));
  for (const bool configured : {true, false}) {
    fleet::Fleet f({ds3(configured ? std::vector<double>{900, 900} : std::vector<double>{})}, {});
    double e = 100;
    (void)f.apply(kDs3, ds3_reading(20000, e, e, 41, 20.7, 41, 20.7), {}, kNoon, 20260621);
    std::vector<fleet::SampleKind> kinds;
    for (int k = 1; k <= 4; ++k) {
      e += 850.0 * 300 / 3600;
      kinds.push_back(f.apply(kDs3, ds3_reading(20000 + static_cast<std::uint32_t>(k) * 300, e, e, 41, 20.7, 41, 20.7), {}, kNoon + k * 300s,
                              20260621)
                          ->accounted.kind);
    }
    EXPECT_EQ(kinds.front(), configured ? fleet::SampleKind::Normal : fleet::SampleKind::Rejected);
    EXPECT_EQ(kinds.back(), fleet::SampleKind::Normal);
    EXPECT_NEAR(f.views().at(0).today_wh, 2 * 850.0 * 1200 / 3600, 0.01) << configured;
  }
}

TEST(Fleet, RenumberedInputsKeepTheirCountersAcrossTheChange) {
  fleet::Fleet before({yc600()}, {});
  (void)before.apply(kYc, telemetry(20000, 100, 200), {}, kNoon, 20260621);
  const std::map<std::string, std::string> states{{kYc.str(), before.state_json(kYc)}};

  // The owner swaps the inputs; the engine then decodes the inverter's input 2 as input 1.
  auto swapped = yc600();
  swapped.decode.input_order = {2, 1};
  fleet::Fleet after({swapped}, {}, states);
  const auto a = after.apply(kYc, telemetry(20300, 205, 110), {}, kNoon + 300s, 20260621);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->accounted.kind, fleet::SampleKind::Normal) << a->note;
  EXPECT_DOUBLE_EQ(a->accounted.inputs[0].increase_wh, 5.0);
  EXPECT_DOUBLE_EQ(a->accounted.inputs[1].increase_wh, 10.0);
  // The numbering the baseline is in travels with it.
  fleet::Fleet again({swapped}, {}, {{kYc.str(), after.state_json(kYc)}});
  EXPECT_EQ(again.apply(kYc, telemetry(20600, 210, 120), {}, kNoon + 600s, 20260621)->accounted.increase_wh, 15.0);
}
}  // namespace
