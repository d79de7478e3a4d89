// SPDX-License-Identifier: GPL-3.0-or-later
// Bad input gives a clear error and writes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support.hpp"

namespace {
using namespace apsecu::store;
using namespace apsecu::store::test;
using ::testing::HasSubstr;

class StoreValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::open(":memory:");
    ASSERT_TRUE(opened);
    store_ = std::make_unique<Store>(std::move(*opened));
    register_all(*store_, sim_);
  }

  Cycle good_cycle() const { return sim_.cycles[5]; }

  void expect_nothing_written() {
    auto r = store_->daily_energy(20240101, 20241231);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->site.empty());
    EXPECT_TRUE(r->inverters.empty());
  }

  SiteSim sim_ = make_site(20240701, 1);
  std::unique_ptr<Store> store_;
};

TEST_F(StoreValidation, UnknownSerialIsNamedAndNothingIsWritten) {
  auto c = good_cycle();
  c.samples[1].serial = "999999999999";
  auto st = store_->write_cycle(c);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::UnknownSerial);
  EXPECT_THAT(st.error().describe(), HasSubstr("999999999999"));
  expect_nothing_written();

  for (auto r : {store_->day_curve(20240701, "1").ok(), store_->daily_energy(20240701, 20240701, "1").ok(),
                 store_->month(2024, 7, "1").ok(), store_->year(2024, "1").ok(),
                 store_->statistics({"1", {}, {}}).ok(), store_->lifetime_mwh("1").ok(),
                 store_->get_state("1").ok(), store_->set_day_total("1", 20240701, 5, note()).ok(),
                 store_->wipe_inverter("1", note()).ok(), store_->put_state("1", "{}", 1).ok()}) {
    EXPECT_FALSE(r);
  }
  auto e = store_->statistics({"nope", {}, {}});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, Errc::UnknownSerial);
  c = good_cycle();
  c.states.push_back({"nope", "{}"});
  auto s = store_->write_cycle(c);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::UnknownSerial);
  expect_nothing_written();
}

TEST_F(StoreValidation, RangesThatEndBeforeTheyStartAreRefused) {
  auto a = store_->daily_energy(20240710, 20240701);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::InvalidRange);
  EXPECT_THAT(a.error().describe(), HasSubstr("20240710"));
  auto b = store_->statistics({std::nullopt, 20240710, 20240701});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::InvalidRange);
  auto c = store_->export_samples(20240710, 20240701);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::InvalidRange);
  auto d = store_->events(10, 5);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Errc::InvalidRange);
}

TEST_F(StoreValidation, InvalidDayKeysAreRefusedEverywhere) {
  for (const std::int32_t bad : {20230229, 20240132, 0, 2024071, 202407011, -20240701}) {
    auto c = good_cycle();
    c.day = bad;
    auto w = store_->write_cycle(c);
    ASSERT_FALSE(w) << bad;
    EXPECT_EQ(w.error().code, Errc::InvalidDay);
    EXPECT_THAT(w.error().describe(), HasSubstr(std::to_string(bad)));
    auto q = store_->day_curve(bad);
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().code, Errc::InvalidDay);
    auto r = store_->daily_energy(bad, 20240701);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::InvalidDay);
    auto s = store_->set_day_total("408000111111", bad, 1, note());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, Errc::InvalidDay);
  }
  auto m = store_->month(2024, 13);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::InvalidDay);
  auto y = store_->year(1969);
  ASSERT_FALSE(y);
  EXPECT_EQ(y.error().code, Errc::InvalidDay);
  expect_nothing_written();
}

TEST_F(StoreValidation, MalformedCyclesAreRefusedWhole) {
  auto inputs = good_cycle();
  inputs.samples[0].inputs.pop_back();  // a QS1 with three inputs
  auto a = store_->write_cycle(inputs);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::InvalidArgument);
  EXPECT_THAT(a.error().describe(), HasSubstr("3 inputs given"));

  auto twice = good_cycle();
  twice.samples.push_back(twice.samples[0]);
  auto b = store_->write_cycle(twice);
  ASSERT_FALSE(b);
  EXPECT_THAT(b.error().describe(), HasSubstr("two samples"));

  auto power = good_cycle();
  power.samples[2].inputs[0].power_dw = -1;
  EXPECT_EQ(store_->write_cycle(power).error().code, Errc::InvalidArgument);

  auto time = good_cycle();
  time.samples[0].time_s = 0;
  EXPECT_EQ(store_->write_cycle(time).error().code, Errc::InvalidArgument);
  expect_nothing_written();

  // A second cycle with samples at the same (time, inverter) is not malformed: two polls can
  // fall in one second. It is merged into the stored samples, its increases added.
  ASSERT_TRUE(store_->write_cycle(good_cycle()));
  auto again = store_->write_cycle(good_cycle());
  ASSERT_TRUE(again) << again.error().describe();
  auto stats = store_->statistics();
  ASSERT_TRUE(stats);
  std::int64_t once = 0;
  for (const auto& s : good_cycle().samples) once += production_mwh(s);
  EXPECT_EQ(stats->total_mwh, 2 * once);
}

TEST_F(StoreValidation, InverterRegistrationIsChecked) {
  auto five = store_->add_inverter({"111", "QS1", 5});
  ASSERT_FALSE(five);
  EXPECT_EQ(five.error().code, Errc::InvalidArgument);
  EXPECT_FALSE(store_->add_inverter({"", "QS1", 4}));
  ASSERT_TRUE(store_->add_inverter({"408000111111", "QS1A", 4}));  // model rename keeps history
  EXPECT_EQ(store_->inverters()[0].model, "QS1A");
  ASSERT_TRUE(store_->write_cycle(good_cycle()));
  auto change = store_->add_inverter({"408000111111", "QS1", 2});
  ASSERT_FALSE(change);
  EXPECT_THAT(change.error().describe(), HasSubstr("wipe it"));
  ASSERT_TRUE(store_->add_inverter({"806000999999", "YC600", 2}));
  EXPECT_EQ(store_->inverters().size(), 4U);
}

TEST_F(StoreValidation, CorrectionsNeedAReason) {
  auto a = store_->set_day_total("408000111111", 20240701, 10, note(""));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::InvalidArgument);
  auto b = store_->wipe_inverter("408000111111", AuditNote{1, "", "why"});
  ASSERT_FALSE(b);
  auto c = store_->set_day_total("408000111111", 20240701, -1, note());
  ASSERT_FALSE(c);
  auto audit = store_->audit_log();
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->empty());
}

TEST(StoreErrors, CategoryNamesEveryCode) {
  EXPECT_STREQ(make_error_code(Errc::UnknownSerial).category().name(), "store");
  for (int e = 1; e <= static_cast<int>(Errc::DiskFull); ++e) {
    EXPECT_NE(make_error_code(static_cast<Errc>(e)).message(), "unknown store error");
  }
  EXPECT_STREQ(kind_name(SampleKind::InverterReset), "inverter_reset");
  EXPECT_STREQ(level_name(EventLevel::Warning), "warning");
}

}  // namespace
