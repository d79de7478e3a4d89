// SPDX-License-Identifier: GPL-3.0-or-later
// The engine's automatic corrections in the audit trail: written with the cycle they belong
// to, in the same transaction, or not at all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "support.hpp"

namespace {
using namespace apsecu::store;
using namespace apsecu::store::test;
using ::testing::HasSubstr;

constexpr std::int32_t kDay = 20240612;

class StoreCorrections : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto opened = Store::open(GetParam() == Backend::File ? dir_.file("history.db") : ":memory:");
    ASSERT_TRUE(opened) << opened.error().describe();
    store_ = std::make_unique<Store>(std::move(*opened));
    register_all(*store_, sim_);
  }
  std::vector<AuditEntry> audit() {
    auto a = store_->audit_log(1000);
    EXPECT_TRUE(a) << a.error().describe();
    return a ? *a : std::vector<AuditEntry>{};
  }
  std::int64_t site_total() {
    auto s = store_->statistics();
    EXPECT_TRUE(s);
    return s ? s->total_mwh : -1;
  }

  TempDir dir_;
  SiteSim sim_ = make_site(kDay, 1);
  std::unique_ptr<Store> store_;
};

TEST_P(StoreCorrections, AreAuditedByTheEngineWithTheCycle) {
  Cycle c = sim_.cycles[5];
  c.corrections.push_back({"408000111111", "inverter_reset", "uptime went from 5400 s to 120 s",
                           R"({"uptime_s":5400})", R"({"uptime_s":120})"});
  c.corrections.push_back({"806000222222", "rejected", "input 2 rose 9 kWh in 15 minutes (rated 350 W)",
                           "123456", "not counted"});
  c.corrections.push_back({"703000333333", "rebaseline", "state lost after a crash", "", R"([1,2])"});
  ASSERT_TRUE(store_->write_cycle(c));

  const auto entries = audit();
  ASSERT_EQ(entries.size(), 3U);
  for (const auto& e : entries) {
    EXPECT_EQ(e.actor, "engine");
    EXPECT_EQ(e.time_s, c.time_s);
  }
  // Same time: newest id first.
  EXPECT_EQ(entries[2].action, "inverter_reset");
  EXPECT_EQ(entries[2].reason, "uptime went from 5400 s to 120 s");
  EXPECT_EQ(entries[2].old_value, R"({"serial":"408000111111","value":{"uptime_s":5400}})");
  EXPECT_EQ(entries[2].new_value, R"({"serial":"408000111111","value":{"uptime_s":120}})");
  // A JSON number stays a number; text that is not JSON becomes a JSON string.
  EXPECT_EQ(entries[1].old_value, R"({"serial":"806000222222","value":123456})");
  EXPECT_EQ(entries[1].new_value, R"({"serial":"806000222222","value":"not counted"})");
  // Empty is null.
  EXPECT_EQ(entries[0].old_value, R"({"serial":"703000333333","value":null})");
  EXPECT_EQ(entries[0].new_value, R"({"serial":"703000333333","value":[1,2]})");
}

TEST_P(StoreCorrections, AnInvalidCorrectionRefusesTheWholeCycle) {
  Cycle c = sim_.cycles[3];
  c.corrections.push_back({"408000999999", "inverter_reset", "unknown serial", "", ""});
  auto unknown = store_->write_cycle(c);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::UnknownSerial);

  c.corrections = {{"408000111111", "inverter_reset", "", "", ""}};
  auto no_reason = store_->write_cycle(c);
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().code, Errc::InvalidArgument);
  EXPECT_THAT(no_reason.error().describe(), HasSubstr("no reason"));

  c.corrections = {{"408000111111", "", "why", "", ""}};
  ASSERT_FALSE(store_->write_cycle(c));

  EXPECT_TRUE(audit().empty());
  EXPECT_EQ(site_total(), 0);
  auto days = store_->daily_energy(kDay, kDay);
  ASSERT_TRUE(days);
  EXPECT_TRUE(days->site.empty());
}

// The cycle fails inside its transaction, at its last correction (SQLite refuses the row, as
// it would on a full disk): the samples and the first correction, already written in the
// transaction, must not survive it.
TEST_P(StoreCorrections, AFailedCycleLeavesNoCorrectionBehind) {
  if (GetParam() == Backend::Memory) GTEST_SKIP() << "a refusing trigger needs a second connection to the file";
  ASSERT_TRUE(store_->write_cycle(sim_.cycles[4]));
  const auto total = site_total();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("history.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER refuse BEFORE INSERT ON audit WHEN NEW.action = 'refused_here'"
                         " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  Cycle failing = sim_.cycles[5];
  failing.corrections.push_back(
      {"408000111111", "gap_estimate", "added 12 Wh for a 6 minute restart gap", "0", "12"});
  failing.corrections.push_back({"806000222222", "refused_here", "the row SQLite refuses", "", ""});
  auto st = store_->write_cycle(failing);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::Sqlite);
  EXPECT_TRUE(audit().empty());
  EXPECT_EQ(site_total(), total);
  ASSERT_EQ(sqlite3_exec(db, "DROP TRIGGER refuse", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  Cycle next = sim_.cycles[5];
  next.corrections = {failing.corrections[0]};
  ASSERT_TRUE(store_->write_cycle(next));
  ASSERT_EQ(audit().size(), 1U);
  EXPECT_EQ(audit()[0].action, "gap_estimate");
}

TEST_P(StoreCorrections, TheTrailListsNewestFirstByTime) {
  Cycle early = sim_.cycles[2];
  early.corrections.push_back({"408000111111", "rejected", "early", "", ""});
  Cycle late = sim_.cycles[9];
  late.corrections.push_back({"408000111111", "rejected", "late", "", ""});
  ASSERT_TRUE(store_->write_cycle(late));
  ASSERT_TRUE(store_->write_cycle(early));  // written second, happened first
  const auto entries = audit();
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[0].reason, "late");
  EXPECT_EQ(entries[1].reason, "early");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreCorrections, ::testing::Values(Backend::File, Backend::Memory), backend_name);

}  // namespace
