// SPDX-License-Identifier: GPL-3.0-or-later
// merge_from: a backup restored a week later keeps the week; a backup merged into an empty
// store restores everything; merging twice changes nothing; edits, wipes and retention are
// respected; a bad file is refused and changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "merge_support.hpp"

namespace {
using namespace apsecu::store;
using namespace apsecu::store::test;
using ::testing::HasSubstr;

constexpr std::int32_t kFirstDay = 20240610;
constexpr std::int32_t kLastDay = 20240621;
constexpr int kDays = 12;
constexpr std::size_t kCyclesPerDay = 32;
const std::string kQs1 = "408000111111";
const std::string kYc600 = "806000222222";

std::size_t at(int day_index, std::size_t cycle = 0) { return static_cast<std::size_t>(day_index) * kCyclesPerDay + cycle; }

void write_range(Store& store, const SiteSim& sim, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to && i < sim.cycles.size(); ++i) {
    auto st = store.write_cycle(sim.cycles[i]);
    ASSERT_TRUE(st) << "cycle " << i << ": " << st.error().describe();
  }
}

Store open_store(const std::string& path) {
  auto s = Store::open(path);
  if (!s) throw std::runtime_error(s.error().describe());
  return std::move(*s);
}

AuditNote restore_note() { return AuditNote{1'800'000'000, "cli", "restore of a backup"}; }

std::int64_t sample_count(const std::string& path) {
  auto info = inspect_database(path);
  return info ? info->samples : -1;
}

void raw(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

class StoreMerge : public ::testing::Test {
 protected:
  TempDir dir_;
  SiteSim sim_ = make_site(kFirstDay, kDays, 11);
};

TEST_F(StoreMerge, ABackupRestoredAWeekLaterKeepsTheWeekAndDuplicatesNothing) {
  const auto live_path = dir_.file("live.db");
  const auto backup = dir_.file("backup.db");
  auto live = open_store(live_path);
  register_all(live, sim_);
  write_range(live, sim_, 0, at(4, 16));  // the backup is taken mid-day
  ASSERT_TRUE(live.set_day_total(kQs1, 20240611, 4321, note("before the backup")));
  ASSERT_TRUE(live.put_state(kQs1, R"({"backup":true})", sim_.cycles[at(4, 15)].time_s));
  ASSERT_TRUE(live.backup_to(backup));
  write_range(live, sim_, at(4, 16), sim_.cycles.size());  // the week goes on
  ASSERT_TRUE(live.set_day_total(kYc600, 20240619, 999, note("after the backup")));
  const auto before = dump(live_path);

  auto report = live.merge_from(backup, restore_note());
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->samples_added, 0);
  EXPECT_EQ(report->samples_present, sample_count(backup));
  EXPECT_GT(report->samples_present, 0);
  EXPECT_EQ(report->inverters_added, 0);
  EXPECT_EQ(report->days_recomputed, 0);
  EXPECT_EQ(report->inverter_days_changed, 0);
  EXPECT_EQ(report->events_added, 0);
  EXPECT_EQ(report->audit_added, 0);
  EXPECT_EQ(report->lifetimes_raised, 0);
  EXPECT_EQ(report->states_added, 0);
  EXPECT_FALSE(report->source_migrated);
  expect_same(dump(live_path, false), before, "after merging an older backup");

  auto audit = live.audit_log(1);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 1U);
  EXPECT_EQ((*audit)[0].action, "merge");
  EXPECT_EQ((*audit)[0].actor, "cli");
  EXPECT_THAT((*audit)[0].old_value, HasSubstr("backup.db"));
  EXPECT_THAT((*audit)[0].new_value, HasSubstr(R"("samples_added":0)"));
}

TEST_F(StoreMerge, MergingIntoAnEmptyStoreRestoresEverything) {
  const auto source_path = dir_.file("source.db");
  {
    auto source = open_store(source_path);
    register_all(source, sim_);
    sim_.cycles[40].corrections.push_back({kQs1, "inverter_reset", "uptime went backwards", "5400", "120"});
    write_range(source, sim_, 0, sim_.cycles.size());
    ASSERT_TRUE(source.set_day_total(kQs1, 20240612, 5000, note()));
    ASSERT_TRUE(source.set_day_total(kYc600, 20240501, 900, note("filled in from the portal")));
    const std::int64_t carried[] = {9'000'000'000, 9'000'000'000, 9'000'000'000, 9'000'000'000};
    ASSERT_TRUE(source.set_lifetime(kQs1, carried, note("carried over from the old ECU")));
    ASSERT_TRUE(source.put_state(kQs1, R"({"today_wh":12.5})", 1'718'000'000));
    ASSERT_TRUE(source.append_event({0, 1'718'000'100, EventLevel::Warning, "zigbee", "coordinator reset"}));
  }
  const auto target_path = dir_.file("target.db");
  auto target = open_store(target_path);
  auto report = target.merge_from(source_path, restore_note());
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->inverters_added, 3);
  EXPECT_EQ(report->samples_added, sample_count(source_path));
  EXPECT_EQ(report->samples_present, 0);
  EXPECT_EQ(report->days_recomputed, kDays + 1);  // the filled-in day has no samples
  EXPECT_EQ(report->first_day, 20240501);
  EXPECT_EQ(report->last_day, kLastDay);
  EXPECT_EQ(report->states_added, 1);
  EXPECT_EQ(report->lifetimes_raised, 3);
  EXPECT_EQ(report->audit_added, 4);  // the correction, two edits, the lifetime
  EXPECT_EQ(target.inverters(), sim_.inverters);
  expect_same(dump(target_path, false), dump(source_path), "empty store after the merge");
  expect_aggregates_match_samples(target, kFirstDay, kLastDay);
}

TEST_F(StoreMerge, AfterALostCardTheBackupAndTheNewHistoryJoinExactly) {
  // The card died after a mid-day backup; the new card started polling later that day.
  const auto backup = dir_.file("backup.db");
  {
    auto old = open_store(backup);
    register_all(old, sim_);
    write_range(old, sim_, 0, at(5, 16));
  }
  const auto fresh_path = dir_.file("fresh.db");
  auto fresh = open_store(fresh_path);
  register_all(fresh, sim_);
  write_range(fresh, sim_, at(5, 20), sim_.cycles.size());
  // What a store that saw all of it would hold.
  const auto reference_path = dir_.file("reference.db");
  {
    auto reference = open_store(reference_path);
    register_all(reference, sim_);
    write_range(reference, sim_, 0, at(5, 16));
    write_range(reference, sim_, at(5, 20), sim_.cycles.size());
  }

  auto report = fresh.merge_from(backup, restore_note());
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->samples_added, sample_count(backup));
  EXPECT_EQ(report->days_recomputed, 6);  // five whole days and the shared one
  EXPECT_EQ(report->lifetimes_raised, 3);
  auto merged = dump(fresh_path);
  const auto want = dump(reference_path);
  for (const char* table : {"sample", "lifetime", "inverter_day", "site_day", "inverter_month", "site_month",
                            "inverter_curve", "site_curve"}) {
    EXPECT_EQ(merged[table], want.at(table)) << table;
  }
  expect_aggregates_match_samples(fresh, kFirstDay, kLastDay);

  // Merging the same file again finds nothing to do.
  const auto once = dump(fresh_path, false);
  auto again = fresh.merge_from(backup, restore_note());
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->samples_added, 0);
  EXPECT_EQ(again->days_recomputed, 0);
  EXPECT_EQ(again->lifetimes_raised, 0);
  expect_same(dump(fresh_path, false), once, "after merging the same backup twice");
}

// The daemon keeps writing through its own connection while a restore merges: the plan
// reads without the write lock, the transaction holds only the writes, and both end up in
// the store.
TEST_F(StoreMerge, MergesWhileAnotherConnectionWrites) {
  const auto backup = dir_.file("backup.db");
  {
    auto old = open_store(backup);
    register_all(old, sim_);
    write_range(old, sim_, 0, at(6));
  }
  const auto live_path = dir_.file("live.db");
  auto live = open_store(live_path);
  register_all(live, sim_);
  write_range(live, sim_, 0, at(2));
  std::atomic<bool> failed{false};
  std::thread daemon([&] {
    auto writer = Store::open(live_path);
    if (!writer) {
      failed = true;
      return;
    }
    for (std::size_t i = at(6); i < sim_.cycles.size(); ++i) {
      if (!writer->write_cycle(sim_.cycles[i])) failed = true;
    }
  });
  auto report = live.merge_from(backup, restore_note());
  daemon.join();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_FALSE(failed);
  std::int64_t missing = 0;  // days 2..5: in the backup, not yet here
  for (std::size_t i = at(2); i < at(6); ++i) missing += static_cast<std::int64_t>(sim_.cycles[i].samples.size());
  EXPECT_EQ(report->samples_added, missing);
  auto days = live.daily_energy(kFirstDay, kLastDay);
  ASSERT_TRUE(days);
  EXPECT_EQ(days->site.size(), static_cast<std::size_t>(kDays));
  expect_aggregates_match_samples(live, kFirstDay, kLastDay);
}

TEST_F(StoreMerge, AnEditHereIsKeptAndAnEditThereArrives) {
  const auto backup = dir_.file("backup.db");
  {
    auto old = open_store(backup);
    register_all(old, sim_);
    write_range(old, sim_, 0, at(5, 16));
    ASSERT_TRUE(old.set_day_total(kQs1, 20240611, 4321, note("edited before the card died")));
  }
  auto fresh = open_store(dir_.file("fresh.db"));
  register_all(fresh, sim_);
  write_range(fresh, sim_, at(5, 20), sim_.cycles.size());
  ASSERT_TRUE(fresh.set_day_total(kQs1, 20240615, 777, note("edited on the new card")));

  auto report = fresh.merge_from(backup, restore_note());
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->edited_days_kept, 1);
  auto qs1 = fresh.daily_energy(20240611, 20240615, kQs1);
  ASSERT_TRUE(qs1);
  ASSERT_EQ(qs1->inverters[0].days.size(), 5U);
  EXPECT_EQ(qs1->inverters[0].days[0].energy_mwh, 4'321'000);  // the edit from the backup
  EXPECT_EQ(qs1->inverters[0].days[4].energy_mwh, 777'000);    // the edit made here
  expect_aggregates_match_samples(fresh, kFirstDay, kLastDay);  // per input the samples still add up
  auto audit = fresh.audit_log();
  ASSERT_TRUE(audit);
  EXPECT_EQ(std::count_if(audit->begin(), audit->end(), [](const AuditEntry& e) { return e.action == "set_day_total"; }),
            2);
}

TEST_F(StoreMerge, SamplesPrunedByRetentionComeBackWithoutBeingCountedTwice) {
  const auto live_path = dir_.file("live.db");
  const auto backup = dir_.file("backup.db");
  auto live = open_store(live_path);
  register_all(live, sim_);
  write_range(live, sim_, 0, sim_.cycles.size());
  ASSERT_TRUE(live.backup_to(backup));
  auto pruned = live.apply_retention(sim_.cycles.back().time_s, 5);
  ASSERT_TRUE(pruned);
  ASSERT_GT(pruned->samples_deleted, 0);
  auto before = dump(live_path);

  auto report = live.merge_from(backup, restore_note());
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->samples_added, pruned->samples_deleted);
  EXPECT_EQ(report->days_recomputed, 0);
  EXPECT_EQ(report->lifetimes_raised, 0);
  auto after = dump(live_path, false);
  after.erase("sample");
  before.erase("sample");
  expect_same(after, before, "totals after the pruned samples came back");
}

TEST_F(StoreMerge, AnInverterWipedHereStaysWiped) {
  const auto live_path = dir_.file("live.db");
  const auto backup = dir_.file("backup.db");
  auto live = open_store(live_path);
  register_all(live, sim_);
  write_range(live, sim_, 0, sim_.cycles.size());
  ASSERT_TRUE(live.backup_to(backup));
  ASSERT_TRUE(live.wipe_inverter(kYc600, AuditNote{sim_.cycles.back().time_s + 60, "web:admin", "garbage readings"}));
  const auto before = dump(live_path);

  auto report = live.merge_from(backup, restore_note());
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->samples_added, 0);
  EXPECT_EQ(report->samples_skipped_wiped, static_cast<std::int64_t>(kDays) * static_cast<std::int64_t>(kCyclesPerDay));
  expect_same(dump(live_path, false), before, "after merging a backup from before the wipe");
  auto life = live.lifetime_mwh(kYc600);
  ASSERT_TRUE(life);
  EXPECT_EQ(*life, (std::vector<std::int64_t>{0, 0}));
}

TEST_F(StoreMerge, AnOlderSchemaIsMigratedOnATemporaryCopy) {
  const auto old_path = dir_.file("v3.db");
  {
    auto old = open_store(old_path);
    register_all(old, sim_);
    write_range(old, sim_, 0, at(3));
  }
  raw(old_path, "DROP INDEX audit_time; PRAGMA user_version = 3");
  const auto target_dir = dir_.file("target");
  std::filesystem::create_directory(target_dir);
  auto target = open_store(target_dir + "/apsecu.db");
  auto report = target.merge_from(old_path, restore_note());
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_TRUE(report->source_migrated);
  EXPECT_EQ(report->source_schema_version, 3);
  EXPECT_EQ(report->days_recomputed, 3);
  auto info = inspect_database(old_path);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->schema_version, 3);  // the other file is never changed
  for (const auto& e : std::filesystem::directory_iterator(target_dir)) {
    EXPECT_THAT(e.path().filename().string(), ::testing::StartsWith("apsecu.db")) << "left behind: " << e.path();
  }
  // Into a memory store too (its temporary copy goes to the temp directory).
  auto memory = open_store(":memory:");
  auto into_memory = memory.merge_from(old_path, restore_note());
  ASSERT_TRUE(into_memory) << into_memory.error().describe();
  auto a = memory.statistics();
  auto b = target.statistics();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->total_mwh, b->total_mwh);
  EXPECT_GT(a->total_mwh, 0);
}

class StoreMergeRefusal : public StoreMerge {
 protected:
  void SetUp() override {
    live_ = std::make_unique<Store>(open_store(live_path_));
    register_all(*live_, sim_);
    write_range(*live_, sim_, 0, at(6));
    ASSERT_TRUE(live_->backup_to(good_));
    before_ = dump(live_path_);
  }
  void expect_refused(const std::string& path, Errc code, const std::string& words) {
    auto r = live_->merge_from(path, restore_note());
    ASSERT_FALSE(r) << path << " was merged";
    EXPECT_EQ(r.error().code, code) << r.error().describe();
    EXPECT_THAT(r.error().describe(), HasSubstr(words));
    expect_same(dump(live_path_), before_, path.c_str());
    for (const auto& e : std::filesystem::directory_iterator(dir_.file(""))) {
      EXPECT_EQ(e.path().filename().string().rfind(".apsecu-merge", 0), std::string::npos) << e.path();
    }
  }
  void copy_good(const std::string& to) { std::filesystem::copy_file(good_, to); }

  std::string live_path_ = dir_.file("live.db");
  std::string good_ = dir_.file("good.db");
  std::unique_ptr<Store> live_;
  std::map<std::string, std::string> before_;
};

TEST_F(StoreMergeRefusal, AMissingFile) { expect_refused(dir_.file("nope.db"), Errc::InvalidArgument, "does not exist"); }

TEST_F(StoreMergeRefusal, ATextFile) {
  std::ofstream(dir_.file("notes.txt")) << "not a database, just a line long enough to fill an SQLite header....\n";
  expect_refused(dir_.file("notes.txt"), Errc::Corrupt, "not an SQLite database");
}

TEST_F(StoreMergeRefusal, ADamagedFile) {
  const auto bad = dir_.file("damaged.db");
  copy_good(bad);
  {
    std::fstream f(bad, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 3);
    const std::string junk(4096 * 4, '\xA5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  expect_refused(bad, Errc::Corrupt, "damaged");
}

TEST_F(StoreMergeRefusal, ATruncatedFile) {
  const auto bad = dir_.file("truncated.db");
  copy_good(bad);
  std::filesystem::resize_file(bad, std::filesystem::file_size(bad) / 2);
  expect_refused(bad, Errc::Corrupt, "truncated.db");
}

TEST_F(StoreMergeRefusal, AnotherProgramsDatabase) {
  raw(dir_.file("other.db"), "CREATE TABLE readings(t INTEGER, v REAL)");
  expect_refused(dir_.file("other.db"), Errc::NotApsecuFile, "another program");
  raw(dir_.file("empty.db"), "PRAGMA user_version = 0");
  expect_refused(dir_.file("empty.db"), Errc::NotApsecuFile, "no apsecu history");
}

TEST_F(StoreMergeRefusal, ANewerSchema) {
  const auto future = dir_.file("future.db");
  copy_good(future);
  raw(future, "PRAGMA user_version = 99");
  expect_refused(future, Errc::SchemaTooNew, "99");
}

TEST_F(StoreMergeRefusal, AnInverterWithOtherInputs) {
  const auto other = dir_.file("other-inputs.db");
  {
    auto s = open_store(other);
    ASSERT_TRUE(s.add_inverter({kQs1, "QS1", 2}));
  }
  expect_refused(other, Errc::InvalidArgument, "4 inputs here and 2");
}

// The bad sample is the last one read: everything imported before it is rolled back.
TEST_F(StoreMergeRefusal, AnImpossibleSampleRollsBackEverything) {
  const auto bad = dir_.file("bad-sample.db");
  {
    auto full = open_store(bad);
    register_all(full, sim_);
    write_range(full, sim_, 0, sim_.cycles.size());
  }
  raw(bad, "UPDATE sample SET energy1_mwh = -5 WHERE time = (SELECT max(time) FROM sample)");
  expect_refused(bad, Errc::InvalidArgument, "impossible sample");
}

TEST(StoreInspect, ReportsWhatAGoodFileHolds) {
  TempDir dir;
  const auto sim = make_site(kFirstDay, 2);
  {
    auto s = open_store(dir.file("a.db"));
    register_all(s, sim);
    write_range(s, sim, 0, sim.cycles.size());
  }
  auto info = inspect_database(dir.file("a.db"));
  ASSERT_TRUE(info) << info.error().describe();
  EXPECT_EQ(info->inverters, 3);
  EXPECT_EQ(info->days, 2);
  EXPECT_EQ(info->first_day, kFirstDay);
  EXPECT_EQ(info->last_day, kFirstDay + 1);
  EXPECT_EQ(info->samples, 2 * 32 * 3);
  EXPECT_GT(info->bytes, 0);
  auto quick = inspect_database(dir.file("a.db"), {.check_integrity = false});
  ASSERT_TRUE(quick);
  EXPECT_EQ(quick->samples, 0);  // only counted with the full check
}

TEST(StoreReadOnly, OpensBesideAWriterAndNeverWrites) {
  TempDir dir;
  const auto path = dir.file("h.db");
  const auto sim = make_site(kFirstDay, 1);
  auto writer = open_store(path);
  register_all(writer, sim);
  write_range(writer, sim, 0, 10);
  auto reader = Store::open(path, {.read_only = true});
  ASSERT_TRUE(reader) << reader.error().describe();
  EXPECT_EQ(reader->inverters(), sim.inverters);
  write_range(writer, sim, 10, 20);
  auto days = reader->daily_energy(kFirstDay, kFirstDay);
  ASSERT_TRUE(days);
  EXPECT_EQ(days->site.size(), 1U);
  EXPECT_FALSE(reader->append_event({0, 1, EventLevel::Info, "x", "y"}));
  auto missing = Store::open(dir.file("absent.db"), {.read_only = true});
  ASSERT_FALSE(missing);
  EXPECT_FALSE(std::filesystem::exists(dir.file("absent.db")));
}

}  // namespace
