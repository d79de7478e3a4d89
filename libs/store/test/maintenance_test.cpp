// SPDX-License-Identifier: GPL-3.0-or-later
// Audited corrections, lifetime monotonicity, retention, backup and crash consistency.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "support.hpp"

namespace {
using namespace apsecu::store;
using namespace apsecu::store::test;
using ::testing::HasSubstr;

constexpr std::int32_t kFirstDay = 20240325;
constexpr int kDays = 12;
constexpr std::int32_t kLastDay = 20240405;

class StoreMaintenance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto opened = Store::open(path());
    ASSERT_TRUE(opened) << opened.error().describe();
    store_ = std::make_unique<Store>(std::move(*opened));
    register_all(*store_, sim_);
    write_all(*store_, sim_);
  }
  std::string path() const { return GetParam() == Backend::File ? dir_.file("history.db") : ":memory:"; }

  std::int64_t site_day(std::int32_t day) {
    auto r = store_->daily_energy(day, day);
    EXPECT_TRUE(r);
    return r->site.empty() ? -1 : r->site[0].energy_mwh;
  }

  TempDir dir_;
  SiteSim sim_ = make_site(kFirstDay, kDays, 7);
  std::unique_ptr<Store> store_;
};

TEST_P(StoreMaintenance, SetDayTotalMovesSiteAndMonthsAndIsAudited) {
  const std::string serial = "806000222222";
  auto before = store_->daily_energy(20240330, 20240330, serial);
  ASSERT_TRUE(before);
  const std::int64_t old_mwh = before->inverters[0].days[0].energy_mwh;
  const std::int64_t site_before = site_day(20240330);
  auto march_before = store_->year(2024);
  ASSERT_TRUE(march_before);

  ASSERT_TRUE(store_->set_day_total(serial, 20240330, 1234, note()));

  auto after = store_->daily_energy(20240330, 20240330, serial);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->inverters[0].days[0].energy_mwh, 1'234'000);
  EXPECT_EQ(site_day(20240330), site_before - old_mwh + 1'234'000);
  auto march_after = store_->year(2024);
  ASSERT_TRUE(march_after);
  EXPECT_EQ((*march_after)[0].energy_mwh, (*march_before)[0].energy_mwh - old_mwh + 1'234'000);
  auto inv_month = store_->month(2024, 3, serial);
  ASSERT_TRUE(inv_month);

  auto audit = store_->audit_log();
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 1U);
  EXPECT_EQ((*audit)[0].action, "set_day_total");
  EXPECT_EQ((*audit)[0].actor, "test");
  EXPECT_EQ((*audit)[0].reason, "repair after a zigbee outage");
  EXPECT_THAT((*audit)[0].old_value, HasSubstr(std::to_string(old_mwh)));
  EXPECT_THAT((*audit)[0].new_value, HasSubstr("1234000"));

  auto days = store_->export_days(20240330, 20240330, serial);
  ASSERT_TRUE(days);
  auto row = days->next();
  ASSERT_TRUE(row && row->has_value());
  EXPECT_TRUE((*row)->edited);

  // A day the inverter never answered can be filled in too (e.g. from the vendor portal).
  ASSERT_TRUE(store_->set_day_total(serial, 20240501, 900, note("copied from the portal")));
  EXPECT_EQ(site_day(20240501), 900'000);
  auto may = store_->year(2024, serial);
  ASSERT_TRUE(may);
  EXPECT_EQ(may->back(), (MonthEnergy{5, 900'000}));
  auto stats = store_->statistics({serial, 20240501, 20240501});
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->days_with_production, 1);
  EXPECT_FALSE(stats->peak.has_value());
}

TEST_P(StoreMaintenance, WipeRemovesAnInverterAndRebuildsTheSite) {
  const std::string gone = "408000111111";
  ASSERT_TRUE(store_->put_state(gone, "{\"x\":1}", 1));
  ASSERT_TRUE(store_->wipe_inverter(gone, note("panel replaced, start over")));

  // Independently: what the site would be without that inverter.
  std::map<std::int32_t, std::int64_t> site;
  std::map<std::int32_t, std::vector<CurvePoint>> curve;
  for (const auto& c : sim_.cycles) {
    std::int32_t dw = 0;
    bool produced = false;
    for (const auto& s : c.samples) {
      if (s.serial == gone) continue;
      site[c.day] += production_mwh(s);
      if (!counts_as_production(s.kind)) continue;
      produced = true;
      dw += production_dw(s);
    }
    if (produced) curve[c.day].push_back({c.time_s, dw});
  }
  auto r = store_->daily_energy(kFirstDay, kLastDay);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->site.size(), site.size());
  for (const auto& d : r->site) EXPECT_EQ(d.energy_mwh, site.at(d.day)) << d.day;
  for (const auto& inv : r->inverters) EXPECT_NE(inv.serial, gone);
  for (const auto& [day, points] : curve) {
    auto c = store_->day_curve(day);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->site, points) << day;
  }
  std::int64_t march = 0;
  for (const auto& [day, mwh] : site) march += day / 100 == 202403 ? mwh : 0;
  auto year = store_->year(2024);
  ASSERT_TRUE(year);
  EXPECT_EQ((*year)[0].energy_mwh, march);

  auto l = store_->lifetime_mwh(gone);
  ASSERT_TRUE(l);
  EXPECT_EQ(*l, (std::vector<std::int64_t>{0, 0, 0, 0}));
  auto st = store_->get_state(gone);
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->has_value());
  auto samples = store_->export_samples(kFirstDay, kLastDay, gone);
  ASSERT_TRUE(samples);
  auto first = samples->next();
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->has_value());
  EXPECT_EQ(store_->inverters().size(), 3U);  // still registered, ready to start over

  auto audit = store_->audit_log();
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 1U);
  EXPECT_EQ((*audit)[0].action, "wipe_inverter");
  EXPECT_EQ((*audit)[0].reason, "panel replaced, start over");
  EXPECT_THAT((*audit)[0].old_value, HasSubstr(gone));
}

TEST_P(StoreMaintenance, LifetimeNeverDecreases) {
  const std::string serial = "806000222222";
  auto before = store_->lifetime_mwh(serial);
  ASSERT_TRUE(before);
  std::vector<std::int64_t> lower = *before;
  lower[1] -= 1;
  auto refused = store_->set_lifetime(serial, lower, note("import"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::LifetimeDecrease);
  EXPECT_THAT(refused.error().describe(), HasSubstr("input 2"));
  EXPECT_EQ(*store_->lifetime_mwh(serial), *before);

  Cycle c;
  c.day = 20240410;
  c.time_s = local_midnight_utc(c.day) + 9 * 3600;
  InverterSample s;
  s.serial = serial;
  s.time_s = c.time_s + 1;
  s.inputs = {{100, 500, 20, {}, {}}, {100, -5, 0, {}, {}}};
  c.samples.push_back(s);
  auto bad = store_->write_cycle(c);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::LifetimeDecrease);
  EXPECT_THAT(bad.error().describe(), HasSubstr(serial));
  EXPECT_EQ(*store_->lifetime_mwh(serial), *before);
  EXPECT_EQ(site_day(20240410), -1);  // nothing of the cycle was written

  std::vector<std::int64_t> higher = *before;
  higher[0] += 5'000'000;
  ASSERT_TRUE(store_->set_lifetime(serial, higher, note("carried over from the old ECU")));
  EXPECT_EQ(*store_->lifetime_mwh(serial), higher);
  auto audit = store_->audit_log();
  ASSERT_TRUE(audit);
  EXPECT_EQ((*audit)[0].action, "set_lifetime");
}

TEST_P(StoreMaintenance, RetentionDeletesOldSamplesInBatchesButKeepsTotalsAndCurves) {
  auto totals_before = store_->daily_energy(kFirstDay, kLastDay);
  auto curve_before = store_->day_curve(kFirstDay);
  ASSERT_TRUE(totals_before && curve_before);
  const std::int32_t keep_from = 20240401;
  const std::int64_t now = local_midnight_utc(20240406) + 3600;
  // Keep 5 days: everything polled before 20240401 01:00 local goes.
  auto report = store_->apply_retention(now, 5, {.batch_rows = 50, .events_keep_days = 3});
  ASSERT_TRUE(report) << report.error().describe();

  std::int64_t old_samples = 0;
  std::int64_t old_events = 0;
  for (const auto& c : sim_.cycles) {
    for (const auto& s : c.samples) old_samples += s.time_s < now - 5 * 86400 ? 1 : 0;
    for (const auto& e : c.events) old_events += e.time_s < now - 3 * 86400 ? 1 : 0;
  }
  EXPECT_EQ(report->samples_deleted, old_samples);
  EXPECT_EQ(report->events_deleted, old_events);
  EXPECT_GE(report->batches, static_cast<int>(old_samples / 50));

  auto left = store_->export_samples(kFirstDay, kLastDay);
  ASSERT_TRUE(left);
  std::int64_t remaining = 0;
  while (auto r = left->next()) {
    if (!*r) break;
    EXPECT_GE((*r)->day, keep_from);
    ++remaining;
  }
  std::int64_t total = 0;
  for (const auto& c : sim_.cycles) total += static_cast<std::int64_t>(c.samples.size());
  EXPECT_EQ(remaining, total - old_samples);

  auto totals_after = store_->daily_energy(kFirstDay, kLastDay);
  auto curve_after = store_->day_curve(kFirstDay);
  ASSERT_TRUE(totals_after && curve_after);
  EXPECT_EQ(totals_after->site, totals_before->site);
  EXPECT_EQ(curve_after->site, curve_before->site);

  auto again = store_->apply_retention(now, 5);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->samples_deleted, 0);
}

TEST_P(StoreMaintenance, BackupIsAConsistentDatabaseWithTheSameAnswers) {
  const auto copy = dir_.file("backup.db");
  ASSERT_TRUE(store_->backup_to(copy));
  EXPECT_FALSE(std::filesystem::exists(copy + ".part"));
  ASSERT_TRUE(store_->set_day_total("806000222222", 20240401, 1, note()));  // after the snapshot
  auto b = Store::open(copy);
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->inverters(), store_->inverters());
  auto stats = b->statistics();
  ASSERT_TRUE(stats);
  auto audit = b->audit_log();
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->empty());  // the edit came after the backup
  ASSERT_TRUE(store_->wipe_inverter("806000222222", note()));
  ASSERT_TRUE(b->wipe_inverter("806000222222", note()));
  auto mine = store_->statistics();
  auto theirs = b->statistics();
  ASSERT_TRUE(mine && theirs);
  EXPECT_EQ(mine->total_mwh, theirs->total_mwh);
  auto c1 = store_->day_curve(20240328);
  auto c2 = b->day_curve(20240328);
  ASSERT_TRUE(c1 && c2);
  EXPECT_EQ(c1->site, c2->site);
  EXPECT_GT(stats->total_mwh, theirs->total_mwh);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreMaintenance, ::testing::Values(Backend::File, Backend::Memory), backend_name);

// A process killed after its commits, without closing or checkpointing: every committed
// cycle must be in the file when the next process opens it.
TEST(StoreCrash, CommittedCyclesSurviveAKilledWriter) {
  TempDir dir;
  const auto path = dir.file("history.db");
  const auto sim = make_site(20240601, 3);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = Store::open(path);
    if (!store) _exit(2);
    for (const auto& inv : sim.inverters) {
      if (!store->add_inverter(inv)) _exit(3);
    }
    for (const auto& c : sim.cycles) {
      if (!store->write_cycle(c)) _exit(4);
    }
    _exit(0);  // no destructor, no close, no checkpoint
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_GT(std::filesystem::file_size(path + "-wal"), 0U);  // the data is still only in the WAL

  auto store = Store::open(path);
  ASSERT_TRUE(store) << store.error().describe();
  std::int64_t want = 0;
  for (const auto& c : sim.cycles) {
    for (const auto& s : c.samples) want += production_mwh(s);
  }
  auto stats = store->statistics();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->total_mwh, want);
  EXPECT_EQ(stats->days_with_data, 3);
  auto samples = store->export_samples(20240601, 20240603);
  ASSERT_TRUE(samples);
  std::size_t n = 0;
  while (auto r = samples->next()) {
    if (!*r) break;
    ++n;
  }
  EXPECT_EQ(n, sim.cycles.size() * 3);
}

}  // namespace
