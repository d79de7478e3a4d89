// SPDX-License-Identifier: GPL-3.0-or-later
// Creating, migrating and reopening store files, and refusing files that are not ours.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "../src/schema.hpp"
#include "support.hpp"

namespace {
using namespace apsecu::store;
using namespace apsecu::store::test;
using ::testing::HasSubstr;

std::string pragma_text(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), SQLITE_OK);
  std::string out;
  if (sqlite3_step(s) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

void raw_exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(StoreSchema, EmptyFileIsCreatedAtTheLatestVersionInWalMode) {
  TempDir dir;
  const auto path = dir.file("history.db");
  {
    auto store = Store::open(path);
    ASSERT_TRUE(store) << store.error().describe();
    EXPECT_EQ(store->schema_version(), apsecu::store::detail::latest_schema_version());
  }
  EXPECT_EQ(pragma_text(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma_text(path, "PRAGMA user_version"), std::to_string(apsecu::store::detail::latest_schema_version()));
  EXPECT_EQ(pragma_text(path, "PRAGMA application_id"), std::to_string(apsecu::store::detail::kApplicationId));
  for (const char* table : {"inverter", "sample", "lifetime", "inverter_state", "inverter_day", "site_day",
                            "inverter_month", "site_month", "inverter_curve", "site_curve", "event", "audit"}) {
    const auto sql = std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '") + table + "'";
    EXPECT_EQ(pragma_text(path, sql.c_str()), "1") << table;
  }
}

TEST(StoreSchema, ReopeningKeepsDataAndVersion) {
  TempDir dir;
  const auto path = dir.file("history.db");
  const auto sim = make_site(20240110, 2);
  {
    auto store = Store::open(path);
    ASSERT_TRUE(store);
    register_all(*store, sim);
    write_all(*store, sim);
  }
  auto store = Store::open(path);
  ASSERT_TRUE(store) << store.error().describe();
  EXPECT_EQ(store->schema_version(), apsecu::store::detail::latest_schema_version());
  EXPECT_EQ(store->inverters(), sim.inverters);
  auto days = store->daily_energy(20240110, 20240111);
  ASSERT_TRUE(days);
  EXPECT_EQ(days->site.size(), 2U);
}

TEST(StoreSchema, OlderVersionIsMigratedInOrder) {
  TempDir dir;
  const auto path = dir.file("old.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    auto v = apsecu::store::detail::migrate(db, 1);
    ASSERT_TRUE(v) << v.error().describe();
    EXPECT_EQ(*v, 1);
    ASSERT_EQ(sqlite3_exec(db, "INSERT INTO inverter(serial, model, inputs) VALUES ('408000111111', 'QS1', 4)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_EQ(pragma_text(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'site_day'"), "0");
  auto store = Store::open(path);
  ASSERT_TRUE(store) << store.error().describe();
  EXPECT_EQ(store->schema_version(), apsecu::store::detail::latest_schema_version());
  ASSERT_EQ(store->inverters().size(), 1U);
  EXPECT_EQ(store->inverters()[0].serial, "408000111111");
  EXPECT_EQ(pragma_text(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'site_day'"), "1");
}

TEST(StoreSchema, NewerSchemaIsRefusedUntouched) {
  TempDir dir;
  const auto path = dir.file("future.db");
  { ASSERT_TRUE(Store::open(path)); }
  raw_exec(path, "PRAGMA user_version = 99");
  auto store = Store::open(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::SchemaTooNew);
  EXPECT_THAT(store.error().describe(), HasSubstr("99"));
  EXPECT_EQ(pragma_text(path, "PRAGMA user_version"), "99");
}

TEST(StoreSchema, SomeoneElsesDatabaseIsRefused) {
  TempDir dir;
  const auto tables = dir.file("other.db");
  raw_exec(tables, "CREATE TABLE readings(t INTEGER, v REAL)");
  auto a = Store::open(tables);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::NotApsecuFile);

  const auto marked = dir.file("marked.db");
  raw_exec(marked, "PRAGMA application_id = 1234");
  auto b = Store::open(marked);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::NotApsecuFile);

  const auto text = dir.file("notes.txt");
  std::ofstream(text) << "this is not a database, just a long enough line of text to fill a header\n";
  auto c = Store::open(text);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::Sqlite);
  EXPECT_THAT(c.error().describe(), HasSubstr("notes.txt"));
}

TEST(StoreSchema, MemoryDatabaseNeedsNoFile) {
  auto store = Store::open(":memory:");
  ASSERT_TRUE(store) << store.error().describe();
  EXPECT_EQ(store->schema_version(), apsecu::store::detail::latest_schema_version());
  EXPECT_TRUE(store->inverters().empty());
}

}  // namespace
