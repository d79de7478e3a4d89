// SPDX-License-Identifier: GPL-3.0-or-later
// Real archives end to end: what create_archive writes, a restore into an empty directory,
// a restore a week later that keeps the week, the settings policies, and a snapshot taken
// while another connection keeps writing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "../src/manifest.hpp"
#include "support.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::backup;
using namespace apsecu::backup::test;
using ::testing::HasSubstr;

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t total_mwh(store::Store& s) {
  auto st = s.statistics();
  EXPECT_TRUE(st) << st.error().describe();
  return st ? st->total_mwh : -1;
}

TEST(BackupCreate, OneArchiveWithManifestSettingsAndASnapshot) {
  DataDir data;
  const auto out = data.tmp.file("backups/first.tar.gz");
  auto report = create_archive(out, data.settings_path, *data.store, {.apsecu_version = "9.9.9", .created_s = 1'781'000'000});
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->path, out);
  EXPECT_EQ(names_in(data.tmp.file("backups")), std::vector<std::string>{"first.tar.gz"});  // no temporary left
  EXPECT_EQ(fs::status(out).permissions() & fs::perms::others_read, fs::perms::none);   // holds the MQTT password

  const auto entries = read_archive(out);
  ASSERT_EQ(entries.size(), 3U);
  EXPECT_EQ(entries[0].name, "manifest.json");  // first: its sizes come before the big file
  EXPECT_EQ(entries[1].name, "apsecu.json");
  EXPECT_EQ(entries[2].name, "apsecu.db");
  EXPECT_EQ(entries[1].data, read_text(data.settings_path));
  EXPECT_EQ(entries[2].data.substr(0, 15), "SQLite format 3");

  auto m = detail::parse_manifest(entries[0].data);
  ASSERT_TRUE(m) << m.error().describe();
  EXPECT_EQ(m->apsecu_version, "9.9.9");
  EXPECT_EQ(m->created_s, 1'781'000'000);
  EXPECT_EQ(m->schema_version, data.store->schema_version());
  EXPECT_EQ(m->inverters, 3);
  EXPECT_EQ(m->samples, 3 * 20 * 3);
  EXPECT_EQ(m->first_day, kFirstDay);
  EXPECT_EQ(m->last_day, kFirstDay + 2);
  ASSERT_EQ(m->files.size(), 2U);
  EXPECT_EQ(m->files[1].bytes, static_cast<std::int64_t>(entries[2].data.size()));
  EXPECT_THAT(entries[0].data, HasSubstr(R"("created": "2026-06-09T)"));
  EXPECT_THAT(describe(*report), HasSubstr("3 inverter(s), 180 sample(s), days 20260610 .. 20260612"));
}

TEST(BackupCreate, RefusesSettingsThatWouldNotRestore) {
  DataDir data;
  auto bad = settings(data.dir, 200);
  auto a = create_archive(data.tmp.file("a.tar.gz"), bad, *data.store);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::SettingsInvalid);
  EXPECT_THAT(a.error().describe(), HasSubstr("location.latitude"));
  auto b = create_archive(data.tmp.file("b.tar.gz"), data.tmp.file("missing.json"), *data.store);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::SettingsInvalid);
  EXPECT_THAT(b.error().describe(), HasSubstr("missing.json"));
  EXPECT_FALSE(fs::exists(data.tmp.file("a.tar.gz")));
  EXPECT_FALSE(fs::exists(data.tmp.file("b.tar.gz")));
}

TEST(BackupCreate, AnImpossibleDestinationIsAClearErrorAndLeavesNothing) {
  DataDir data;
  const auto before = names_in(data.tmp.path());
  auto r = create_archive(data.settings_path + "/b.tar.gz", data.settings_path, *data.store);  // under a file
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Io);
  EXPECT_THAT(r.error().describe(), HasSubstr("apsecu.json"));
  EXPECT_EQ(names_in(data.tmp.path()), before);
  if (::geteuid() == 0) return;  // root writes anywhere
  const auto locked = data.tmp.file("locked");
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  auto denied = create_archive(locked + "/b.tar.gz", data.settings_path, *data.store);
  fs::permissions(locked, fs::perms::owner_all);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, Errc::Io);
  EXPECT_THAT(denied.error().describe(), HasSubstr("locked"));
  EXPECT_TRUE(names_in(locked).empty());
}

// The daemon keeps writing through its own connection while the backup runs.
TEST(BackupCreate, TakenWhileAnotherConnectionWritesIsConsistent) {
  DataDir data(1);
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    auto s = store::Store::open(data.db_path);
    ASSERT_TRUE(s);
    for (int d = 1; d < 40 && !stop; ++d) {
      for (const auto& c : day_cycles(d)) {
        if (s->write_cycle(c)) ++written;
      }
    }
  });
  while (written < 40) std::this_thread::yield();
  auto report = create_archive(data.tmp.file("live.tar.gz"), data.settings_path, *data.store);
  stop = true;
  writer.join();
  ASSERT_TRUE(report) << report.error().describe();

  TempDir other;
  auto restored = restore_archive(report->path, other.path().string(), other.file("apsecu.json"));
  ASSERT_TRUE(restored) << restored.error().describe();
  EXPECT_EQ(restored->merge.samples_added, report->manifest.samples);
  EXPECT_GT(report->manifest.samples, 20 * 3);  // some of the concurrent writes made it in
  EXPECT_EQ(restored->merge.samples_added % 3, 0);  // whole cycles only: one snapshot
}

TEST(BackupRestore, IntoAnEmptyDirectoryRestoresHistoryAndSettings) {
  DataDir data;
  ASSERT_TRUE(data.store->set_day_total("806000222222", kFirstDay + 1, 1234, {1, "web:admin", "portal value"}));
  auto made = create_archive(data.tmp.file("b.tar.gz"), data.settings_path, *data.store);
  ASSERT_TRUE(made) << made.error().describe();

  TempDir fresh;
  const auto settings_path = fresh.file("etc/apsecu.json");
  fs::create_directories(fresh.file("etc"));
  auto r = restore_archive(made->path, fresh.file("data"), settings_path);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->settings, SettingsOutcome::Restored);
  EXPECT_EQ(r->merge.samples_added, 180);
  EXPECT_EQ(r->merge.inverters_added, 3);
  EXPECT_EQ(r->merge.days_recomputed, 3);
  EXPECT_THAT(describe(*r), HasSubstr("180 sample(s) added"));
  EXPECT_THAT(describe(*r), HasSubstr("settings: restored"));

  auto cfg = config::load_file(settings_path);
  ASSERT_TRUE(cfg) << cfg.error().describe();
  EXPECT_EQ(cfg->storage.data_dir, fresh.file("data"));  // points at where the history now is
  EXPECT_EQ(cfg->inverters.size(), 3U);
  auto restored = store::Store::open(fresh.file("data/apsecu.db"));
  ASSERT_TRUE(restored);
  EXPECT_EQ(total_mwh(*restored), total_mwh(*data.store));
  auto days = restored->daily_energy(kFirstDay + 1, kFirstDay + 1, "806000222222");
  ASSERT_TRUE(days);
  EXPECT_EQ(days->inverters[0].days[0].energy_mwh, 1'234'000);
  auto audit = restored->audit_log();
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 2U);
  EXPECT_EQ((*audit)[1].action, "set_day_total");
  EXPECT_EQ((*audit)[0].action, "merge");
  EXPECT_EQ((*audit)[0].actor, "restore");
  EXPECT_THAT((*audit)[0].reason, HasSubstr("b.tar.gz"));
  EXPECT_EQ(names_in(fresh.file("data")), (std::vector<std::string>{"apsecu.db", "apsecu.db-shm", "apsecu.db-wal"}));
}

TEST(BackupRestore, AWeekLaterKeepsTheWeekWhileTheStoreStaysOpen) {
  DataDir data(3);
  auto made = create_archive(data.tmp.file("backups/monday.tar.gz"), data.settings_path, *data.store);
  ASSERT_TRUE(made) << made.error().describe();
  write_days(*data.store, 3, 10);  // the daemon runs on for a week
  const auto before = total_mwh(*data.store);
  const auto settings_before = read_text(data.settings_path);

  // A second connection, as `apsecu restore` beside the running daemon.
  auto r = restore_archive(made->path, data.dir, data.settings_path);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->merge.samples_added, 0);
  EXPECT_EQ(r->merge.samples_present, 180);
  EXPECT_EQ(r->merge.days_recomputed, 0);
  EXPECT_EQ(r->settings, SettingsOutcome::KeptExisting);
  EXPECT_EQ(total_mwh(*data.store), before);
  EXPECT_EQ(read_text(data.settings_path), settings_before);
  auto days = data.store->daily_energy(kFirstDay, store::add_days(kFirstDay, 9));
  ASSERT_TRUE(days);
  EXPECT_EQ(days->site.size(), 10U);
  // The store the daemon holds keeps writing afterwards.
  write_days(*data.store, 10, 11);
  EXPECT_GT(total_mwh(*data.store), before);
  for (const auto& n : names_in(data.dir)) EXPECT_EQ(n.rfind(".restore-", 0), std::string::npos) << n;
}

TEST(BackupRestore, ReplacingSettingsKeepsTheOldFile) {
  DataDir data;
  auto made = create_archive(data.tmp.file("b.tar.gz"), settings(data.dir, 48.0), *data.store);
  ASSERT_TRUE(made) << made.error().describe();
  const auto old_text = read_text(data.settings_path);

  auto r = restore_archive(made->path, data.dir, data.settings_path, *data.store, with_settings(SettingsPolicy::Replace));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->settings, SettingsOutcome::Replaced);
  EXPECT_EQ(r->settings_backup_path, data.settings_path + ".bak");
  EXPECT_EQ(read_text(data.settings_path + ".bak"), old_text);
  auto cfg = config::load_file(data.settings_path);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->location.latitude, 48.0);
  EXPECT_FALSE(fs::exists(data.settings_path + ".bak.tmp"));

  auto keep = restore_archive(made->path, data.dir, data.settings_path, *data.store, with_settings(SettingsPolicy::Keep));
  ASSERT_TRUE(keep);
  EXPECT_EQ(keep->settings, SettingsOutcome::KeptExisting);
}

TEST(BackupVerify, ChecksEverythingAndLeavesNothing) {
  DataDir data;
  auto made = create_archive(data.tmp.file("b.tar.gz"), data.settings_path, *data.store);
  ASSERT_TRUE(made);
  TempDir scratch;
  auto m = verify_archive(made->path, scratch.path().string());
  ASSERT_TRUE(m) << m.error().describe();
  EXPECT_EQ(m->samples, 180);
  EXPECT_TRUE(names_in(scratch.path()).empty());
}

TEST(BackupErrors, CategoryNamesEveryCode) {
  EXPECT_STREQ(make_error_code(Errc::Unsafe).category().name(), "backup");
  for (int e = 1; e <= static_cast<int>(Errc::DatabaseInvalid); ++e) {
    EXPECT_NE(make_error_code(static_cast<Errc>(e)).message(), "unknown backup error");
  }
}

}  // namespace
