// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "apsecu/emulator/config.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::emulator;

TEST(Config, DefaultsGiveThreeModelsWithDistinctAddresses) {
  const auto c = finalize({});
  ASSERT_TRUE(c) << c.error().describe();
  ASSERT_EQ(c->inverters.size(), 3U);
  EXPECT_EQ(c->inverters[0].model, aps::Model::Yc600);
  EXPECT_EQ(c->inverters[1].model, aps::Model::Qs1);
  EXPECT_EQ(c->inverters[2].model, aps::Model::Ds3);
  EXPECT_EQ(c->inverters[1].panel_peak_w.size(), 4U);
  EXPECT_EQ(*c->day_utc_offset_min, 0);
}

TEST(Config, JsonOverlaysTheDefaults) {
  const auto c = config_from_json(R"({
    "ecu_id": "D6B3011B9780", "location": {"lat": -33.9, "lon": 151.2}, "start": "2026-12-21T20:00Z",
    "speed": 600, "timing_scale": 0.05, "seed": 42, "cloudiness": 0.5, "ground_truth": "/tmp/x.csv",
    "inverters": [{"serial": "408000158215", "model": "yc600", "short_address": "0x103A", "panels_w": [300, 310]},
                  {"serial": "801000000001", "model": "QS1", "qs1_zero_grid": true}],
    "faults": {"drop_rate": 0.1, "late_min_ms": 2500},
    "events": [{"at": "2026-12-22T02:00Z", "kind": "freeze"},
               {"at": "2026-12-22T03:00Z", "kind": "reset_inverter", "serial": "408000158215"}]
  })");
  ASSERT_TRUE(c) << c.error().describe();
  const auto f = finalize(*c);
  ASSERT_TRUE(f) << f.error().describe();
  EXPECT_EQ(f->ecu_id, "D6B3011B9780");
  EXPECT_EQ(f->speed, 600);
  EXPECT_EQ(f->inverters[0].short_address, 0x103A);
  EXPECT_NE(f->inverters[1].short_address, 0);
  EXPECT_TRUE(f->inverters[1].qs1_zero_grid);
  EXPECT_EQ(f->inverters[0].orientation->azimuth_deg, 0.0);  // southern hemisphere faces north
  EXPECT_EQ(*f->day_utc_offset_min, 600);
  EXPECT_EQ(f->faults.late_min.count(), 2500);
  ASSERT_EQ(f->events.size(), 2U);
  EXPECT_EQ(format_utc(f->events[1].at), "2026-12-22T03:00:00Z");
}

TEST(Config, MistakesAreReportedTogether) {
  EXPECT_FALSE(config_from_json(R"({"inverterz": []})"));
  EmulatorConfig c;
  InverterConfig bad;
  bad.serial = "12345";
  bad.panel_peak_w = {300};
  c.inverters = {bad};
  c.faults.drop_rate = 2;
  const auto r = finalize(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("12 digits"), std::string::npos);
  EXPECT_NE(r.error().message.find("fault rates"), std::string::npos);
}

TEST(Config, InverterControlKeysAndTheZombieEvent) {
  const auto c = config_from_json(R"({
    "inverters": [{"serial": "703000021300", "model": "DS3", "power_limit_per_panel_w": 250, "output_on": false,
                   "limit_mode": "ignore", "pair_answer_after_step2": false}],
    "faults": {"bad_l2_checksum_rate": 0.5},
    "events": [{"at": "2026-06-21T12:00Z", "kind": "zombie"}]
  })");
  ASSERT_TRUE(c) << c.error().describe();
  const auto& inv = c->inverters.at(0);
  EXPECT_EQ(*inv.power_limit_per_panel_w, 250);
  EXPECT_FALSE(inv.output_on);
  EXPECT_EQ(inv.limit_mode, LimitMode::Ignore);
  EXPECT_EQ(inv.pair_answer_after_step2, false);
  EXPECT_EQ(c->faults.bad_l2_checksum_rate, 0.5);
  EXPECT_EQ(c->events.at(0).kind, EventKind::ZombieCoordinator);

  // The whole-inverter key is gone; saying so beats "unknown key".
  const auto old = config_from_json(R"({"inverters": [{"serial": "703000021300", "power_limit_w": 600}]})");
  ASSERT_FALSE(old);
  EXPECT_NE(old.error().message.find("power_limit_per_panel_w"), std::string::npos);
  EXPECT_FALSE(config_from_json(R"({"inverters": [{"serial": "703000021300", "limit_mode": "maybe"}]})"));
}

TEST(Config, ParsesUtcTimes) {
  EXPECT_EQ(format_utc(*parse_utc("2026-06-21T04:00Z")), "2026-06-21T04:00:00Z");
  EXPECT_EQ(format_utc(*parse_utc("2026-06-21T04:00:30")), "2026-06-21T04:00:30Z");
  EXPECT_FALSE(parse_utc("2026-06-21 04:00"));
  EXPECT_FALSE(parse_utc("2026-13-01T00:00Z"));
}

}  // namespace
