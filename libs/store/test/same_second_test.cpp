// SPDX-License-Identifier: GPL-3.0-or-later
// Two poll cycles in the same second (a double-clicked "Poll now" on a real clock): the
// samples share the (time, inverter) key, and the second must be merged into the first,
// never refused and lost with its increases, its state and its journal entries.
#include <gtest/gtest.h>

#include "support.hpp"

namespace {
using namespace apsecu::store;
using namespace apsecu::store::test;

constexpr std::int32_t kDay = 20240701;
const std::string kYc600 = "806000222222";

InverterSample yc600_sample(std::int64_t time_s, SampleKind kind, std::int64_t mwh1, std::int64_t mwh2,
                            std::int32_t dw1, std::int32_t dw2, std::int64_t counter) {
  InverterSample s;
  s.serial = kYc600;
  s.time_s = time_s;
  s.uptime_s = 3600;
  s.kind = kind;
  s.inputs = {{.energy_counter_raw = counter, .increase_mwh = mwh1, .power_dw = dw1, .dc_voltage_cv = 3106,
               .dc_current_ma = 3646},
              {.energy_counter_raw = counter + 1, .increase_mwh = mwh2, .power_dw = dw2, .dc_voltage_cv = 3100,
               .dc_current_ma = 3600}};
  return s;
}

Cycle one_sample_cycle(std::int64_t time_s, InverterSample s, std::string state, std::string event) {
  Cycle c;
  c.time_s = time_s;
  c.day = kDay;
  c.samples.push_back(std::move(s));
  c.states.push_back({kYc600, std::move(state)});
  c.events.push_back({0, time_s, EventLevel::Info, "poll", std::move(event)});
  return c;
}

class StoreSameSecond : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto opened = Store::open(GetParam() == Backend::File ? dir_.file("history.db") : ":memory:");
    ASSERT_TRUE(opened) << opened.error().describe();
    store_ = std::make_unique<Store>(std::move(*opened));
    ASSERT_TRUE(store_->add_inverter({kYc600, "YC600", 2}));
  }

  std::vector<SampleRow> samples() {
    std::vector<SampleRow> rows;
    auto cursor = store_->export_samples(kDay, kDay);
    EXPECT_TRUE(cursor);
    if (!cursor) return rows;
    for (;;) {
      auto row = cursor->next();
      EXPECT_TRUE(row);
      if (!row || !*row) break;
      rows.push_back(**row);
    }
    return rows;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  const std::int64_t t_ = local_midnight_utc(kDay) + 12 * 3600;
};

TEST_P(StoreSameSecond, TwoProducingPollsInOneSecondAreMergedAndBothIncreasesCount) {
  ASSERT_TRUE(store_->write_cycle(one_sample_cycle(t_ - 300, yc600_sample(t_ - 300, SampleKind::Normal, 9000, 9100,
                                                                          1080, 1092, 100),
                                                   "{\"n\":0}", "poll at noon")));
  ASSERT_TRUE(store_->write_cycle(one_sample_cycle(t_, yc600_sample(t_, SampleKind::Normal, 9400, 9500, 1128, 1140, 200),
                                                   "{\"n\":1}", "first click")));
  auto st = store_->write_cycle(
      one_sample_cycle(t_, yc600_sample(t_, SampleKind::Normal, 30, 31, 1200, 1210, 201), "{\"n\":2}", "second click"));
  ASSERT_TRUE(st) << st.error().describe();

  const auto rows = samples();
  ASSERT_EQ(rows.size(), 2U);
  const auto& merged = rows[1].sample;
  EXPECT_EQ(merged.time_s, t_);
  EXPECT_EQ(merged.kind, SampleKind::Normal);
  EXPECT_EQ(merged.inputs[0].increase_mwh, 9430);
  EXPECT_EQ(merged.inputs[1].increase_mwh, 9531);
  EXPECT_EQ(merged.inputs[0].energy_counter_raw, 201);  // the later reading
  EXPECT_EQ(merged.inputs[0].power_dw, 1200);

  auto days = store_->daily_energy(kDay, kDay);
  ASSERT_TRUE(days);
  ASSERT_EQ(days->site.size(), 1U);
  EXPECT_EQ(days->site[0].energy_mwh, 9000 + 9100 + 9430 + 9531);
  auto life = store_->lifetime_mwh(kYc600);
  ASSERT_TRUE(life);
  EXPECT_EQ(*life, (std::vector<std::int64_t>{18430, 18631}));
  // One row per stored sample, as a backup merge expects when it compares the two.
  auto day_rows = store_->export_days(kDay, kDay, kYc600);
  ASSERT_TRUE(day_rows);
  auto day = day_rows->next();
  ASSERT_TRUE(day && *day);
  EXPECT_EQ((*day)->samples, 2);
  EXPECT_EQ((*day)->energy_mwh, 9000 + 9100 + 9430 + 9531);

  auto state = store_->get_state(kYc600);
  ASSERT_TRUE(state && state->has_value());
  EXPECT_EQ((*state)->state, "{\"n\":2}");
  auto events = store_->events(t_ - 1, t_ + 1);
  ASSERT_TRUE(events);
  EXPECT_EQ(events->size(), 2U);
}

TEST_P(StoreSameSecond, ARepeatedAnswerInTheSameSecondKeepsTheCountedSample) {
  ASSERT_TRUE(store_->write_cycle(
      one_sample_cycle(t_, yc600_sample(t_, SampleKind::Normal, 9400, 9500, 1128, 1140, 200), "{}", "first click")));
  auto st = store_->write_cycle(
      one_sample_cycle(t_, yc600_sample(t_, SampleKind::Rejected, 0, 0, 0, 0, 200), "{}", "second click"));
  ASSERT_TRUE(st) << st.error().describe();
  const auto rows = samples();
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].sample.kind, SampleKind::Normal);
  EXPECT_EQ(rows[0].sample.inputs[0].increase_mwh, 9400);
  EXPECT_EQ(rows[0].sample.inputs[0].power_dw, 1128);
  auto days = store_->daily_energy(kDay, kDay);
  ASSERT_TRUE(days);
  ASSERT_EQ(days->site.size(), 1U);
  EXPECT_EQ(days->site[0].energy_mwh, 18900);
}

TEST_P(StoreSameSecond, ABaselineFollowedByACountedPollInTheSameSecondBecomesCounted) {
  ASSERT_TRUE(store_->write_cycle(
      one_sample_cycle(t_, yc600_sample(t_, SampleKind::Baseline, 0, 0, 0, 0, 200), "{}", "first click")));
  ASSERT_TRUE(store_->write_cycle(
      one_sample_cycle(t_, yc600_sample(t_, SampleKind::InverterReset, 50, 60, 900, 910, 210), "{}", "second")));
  const auto rows = samples();
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].sample.kind, SampleKind::InverterReset);
  EXPECT_EQ(rows[0].sample.inputs[1].increase_mwh, 60);
  EXPECT_EQ(rows[0].sample.inputs[1].power_dw, 910);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreSameSecond, ::testing::Values(Backend::File, Backend::Memory), backend_name);

}  // namespace

namespace {
// The engine writes the states after the cycle's last poll; a demo resumes its simulated
// clock after this time, so it must not be the cycle's start, or the emulated world would
// replay the minute behind the later polls.
TEST(StoreStates, AreAsOfTheCyclesLastPoll) {
  auto opened = Store::open(":memory:");
  ASSERT_TRUE(opened);
  ASSERT_TRUE(opened->add_inverter({kYc600, "YC600", 2}));
  const std::int64_t t = local_midnight_utc(kDay) + 12 * 3600;
  auto c = one_sample_cycle(t, yc600_sample(t + 40, SampleKind::Normal, 10, 10, 100, 100, 5), "{}", "noon");
  ASSERT_TRUE(opened->write_cycle(c));
  auto state = opened->get_state(kYc600);
  ASSERT_TRUE(state && state->has_value());
  EXPECT_EQ((*state)->time_s, t + 40);
}
}  // namespace
