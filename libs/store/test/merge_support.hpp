// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Merge test helpers: a table-by-table text dump of a store file (to prove "nothing
// changed" and "everything arrived"), and the checks that the aggregates still equal the
// samples after a merge.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <string>
#include <utility>

#include "support.hpp"

namespace apsecu::store::test {

// One line per row, ids of the journal and the audit trail left out (a merge renumbers them).
inline std::string dump_table(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return "<" + std::string(sqlite3_errmsg(db)) + ">";
  std::string out;
  while (sqlite3_step(s) == SQLITE_ROW) {
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      const auto* t = sqlite3_column_text(s, c);
      out += t == nullptr ? "NULL" : reinterpret_cast<const char*>(t);
      out += '|';
    }
    out += '\n';
  }
  sqlite3_finalize(s);
  return out;
}

inline std::map<std::string, std::string> dump(const std::string& path, bool with_merge_audit = true) {
  sqlite3* db = nullptr;
  std::map<std::string, std::string> out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return {{"error", "cannot open " + path}};
  }
  const std::pair<const char*, const char*> tables[] = {
      {"inverter", "SELECT id, serial, model, inputs FROM inverter ORDER BY id"},
      {"sample", "SELECT * FROM sample ORDER BY time, inverter_id"},
      {"lifetime", "SELECT * FROM lifetime ORDER BY inverter_id"},
      {"inverter_state", "SELECT * FROM inverter_state ORDER BY inverter_id"},
      {"inverter_day", "SELECT * FROM inverter_day ORDER BY inverter_id, day"},
      {"site_day", "SELECT * FROM site_day ORDER BY day"},
      {"inverter_month", "SELECT * FROM inverter_month ORDER BY inverter_id, month"},
      {"site_month", "SELECT * FROM site_month ORDER BY month"},
      {"inverter_curve", "SELECT day, inverter_id, hex(points) FROM inverter_curve ORDER BY day, inverter_id"},
      {"site_curve", "SELECT day, hex(points) FROM site_curve ORDER BY day"},
      {"event", "SELECT time, level, source, message FROM event ORDER BY 1, 2, 3, 4"},
  };
  for (const auto& [name, sql] : tables) out[name] = dump_table(db, sql);
  out["audit"] = dump_table(db, std::string("SELECT time, actor, action, reason, old_value, new_value FROM audit") +
                                    (with_merge_audit ? "" : " WHERE action <> 'merge'") + " ORDER BY 1, 2, 3, 4, 5, 6");
  sqlite3_close(db);
  return out;
}

inline void expect_same(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b,
                        const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (const auto& [table, rows] : a) {
    EXPECT_EQ(rows, b.at(table)) << what << ": table " << table << " differs";
  }
}

// Day totals, per input too, equal the sum of the counted samples, for every inverter and
// day of the range; site days equal the sum of their inverters.
inline void expect_aggregates_match_samples(Store& store, std::int32_t from, std::int32_t to) {
  std::map<std::pair<std::string, std::int32_t>, std::vector<std::int64_t>> sums;
  auto samples = store.export_samples(from, to);
  ASSERT_TRUE(samples) << samples.error().describe();
  for (;;) {
    auto row = samples->next();
    ASSERT_TRUE(row);
    if (!*row) break;
    const auto& s = (*row)->sample;
    auto& v = sums[{s.serial, (*row)->day}];
    v.resize(s.inputs.size(), 0);
    for (std::size_t i = 0; i < s.inputs.size(); ++i) {
      if (counts_as_production(s.kind)) v[i] += s.inputs[i].increase_mwh;
    }
  }
  auto days = store.export_days(from, to);
  ASSERT_TRUE(days);
  std::map<std::int32_t, std::int64_t> site;
  std::size_t rows = 0;
  for (;;) {
    auto row = days->next();
    ASSERT_TRUE(row);
    if (!*row) break;
    const auto& d = **row;
    ++rows;
    site[d.day] += d.energy_mwh;
    const auto& want = sums[{d.serial, d.day}];
    std::int64_t total = 0;
    ASSERT_EQ(d.inputs.size(), want.size()) << d.serial << " " << d.day;
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(d.inputs[i].energy_mwh, want[i]) << d.serial << " " << d.day << " input " << i + 1;
      total += want[i];
    }
    if (!d.edited) {
      EXPECT_EQ(d.energy_mwh, total) << d.serial << " " << d.day;
    }
  }
  EXPECT_EQ(rows, sums.size());
  auto totals = store.daily_energy(from, to);
  ASSERT_TRUE(totals);
  for (const auto& d : totals->site) EXPECT_EQ(d.energy_mwh, site[d.day]) << d.day;
}

}  // namespace apsecu::store::test
