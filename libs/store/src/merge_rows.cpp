// SPDX-License-Identifier: GPL-3.0-or-later
// merge_from, the smaller tables: journal and audit entries (found by the plan, copied in
// the transaction), lifetime totals and engine states.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "merge.hpp"

namespace apsecu::store::detail::merge {
namespace {

// The other file's rows are read as (id, compared columns...); the rest of each query
// compares or inserts exactly those columns.
struct Table {
  const char* scan;    // all rows, id first
  const char* by_id;   // one row, id first
  const char* exists;  // ?1.. = the compared columns
  const char* insert;  // ?1.. = the compared columns
  int columns;
};

constexpr Table kEvents{
    "SELECT id, time, level, source, message FROM event ORDER BY time, id",
    "SELECT id, time, level, source, message FROM event WHERE id = ?1",
    "SELECT EXISTS (SELECT 1 FROM event WHERE time = ?1 AND level = ?2 AND source = ?3 AND message = ?4)",
    "INSERT INTO event(time, level, source, message) VALUES (?1, ?2, ?3, ?4)",
    4,
};

constexpr Table kAudit{
    "SELECT id, time, actor, action, reason, old_value, new_value FROM audit ORDER BY time, id",
    "SELECT id, time, actor, action, reason, old_value, new_value FROM audit WHERE id = ?1",
    "SELECT EXISTS (SELECT 1 FROM audit WHERE time = ?1 AND actor = ?2 AND action = ?3 AND reason = ?4"
    " AND old_value IS ?5 AND new_value IS ?6)",
    "INSERT INTO audit(time, actor, action, reason, old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    6,
};

util::Result<bool> present_here(const OwnedStmt& exists, sqlite3_stmt* row, int columns) {
  bind_row(exists.get(), row, columns, 1);
  const int rc = sqlite3_step(exists.get());
  const bool present = rc == SQLITE_ROW && sqlite3_column_int(exists.get(), 0) != 0;
  sqlite3_reset(exists.get());
  if (rc != SQLITE_ROW) return sqlite_error(exists.db(), rc, "comparing journal entries");
  return present;
}

// Ids of the other file's rows not found here. Identical rows collapse: there is nothing
// to tell two of them apart.
util::Status find_missing(Context& ctx, const std::string& source, const Table& t, std::vector<std::int64_t>& out) {
  auto read = OwnedStmt::prepare(ctx.other, t.scan);
  auto exists = OwnedStmt::prepare(ctx.impl.db, t.exists);
  if (!read || !exists) return (!read ? read : exists).error();
  sqlite3_stmt* r = read->get();
  std::set<std::vector<std::string>> seen;
  for (;;) {
    const int rc = sqlite3_step(r);
    if (rc == SQLITE_DONE) return {};
    if (rc != SQLITE_ROW) return sqlite_error(ctx.other, rc, "reading the other database's journal");
    if (&t == &kEvents && (sqlite3_column_int64(r, 2) < 0 || sqlite3_column_int64(r, 2) > 3)) {
      return util::make_error(Errc::InvalidArgument,
                              fmt::format("'{}' holds a journal entry with an impossible level", source));
    }
    auto present = present_here(*exists, r, t.columns);
    if (!present) return present.error();
    if (*present) continue;
    std::vector<std::string> key;
    for (int c = 1; c <= t.columns; ++c) {
      const auto* text = sqlite3_column_text(r, c);
      key.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "\x01null");
    }
    if (seen.insert(std::move(key)).second) out.push_back(sqlite3_column_int64(r, 0));
  }
}

// Checks again: the daemon may have written the same entry since the plan.
util::Status copy_rows(Context& ctx, const Table& t, const std::vector<std::int64_t>& ids, std::int64_t& added) {
  if (ids.empty()) return {};
  auto read = OwnedStmt::prepare(ctx.other, t.by_id);
  auto exists = OwnedStmt::prepare(ctx.impl.db, t.exists);
  auto insert = OwnedStmt::prepare(ctx.impl.db, t.insert);
  if (!read || !exists || !insert) return (!read ? read : !exists ? exists : insert).error();
  sqlite3_stmt* r = read->get();
  for (const auto id : ids) {
    sqlite3_reset(r);
    sqlite3_bind_int64(r, 1, id);
    const int rc = sqlite3_step(r);
    if (rc == SQLITE_DONE) continue;
    if (rc != SQLITE_ROW) return sqlite_error(ctx.other, rc, "reading the other database's journal");
    auto present = present_here(*exists, r, t.columns);
    if (!present) return present.error();
    if (*present) continue;
    bind_row(insert->get(), r, t.columns, 1);
    const int done = sqlite3_step(insert->get());
    sqlite3_reset(insert->get());
    if (done != SQLITE_DONE) return sqlite_error(ctx.impl.db, done, "importing a journal entry");
    ++added;
  }
  return {};
}

}  // namespace

util::Status plan_journal(Context& ctx, const std::string& source, Plan& plan) {
  if (auto st = find_missing(ctx, source, kEvents, plan.events); !st) return st;
  return find_missing(ctx, source, kAudit, plan.audit);
}

util::Status copy_journal(Context& ctx, const Plan& plan) {
  if (auto st = copy_rows(ctx, kEvents, plan.events, ctx.report.events_added); !st) return st;
  return copy_rows(ctx, kAudit, plan.audit, ctx.report.audit_added);
}

util::Status merge_lifetimes(Context& ctx) {
  std::map<std::int64_t, std::array<std::int64_t, kMaxInputs>> theirs;
  auto read =
      OwnedStmt::prepare(ctx.other, "SELECT inverter_id, input1_mwh, input2_mwh, input3_mwh, input4_mwh FROM lifetime");
  if (!read) return read.error();
  auto rows = use(*read);
  for (;;) {
    auto row = rows.step("reading the other database's lifetime totals");
    if (!row) return row.error();
    if (!*row) break;
    auto& t = theirs[rows.i64(0)];
    for (std::size_t i = 0; i < kMaxInputs; ++i) t[i] = std::max<std::int64_t>(0, rows.i64(static_cast<int>(i) + 1));
  }
  for (const auto& [other_id, m] : ctx.inverters) {
    auto get = ctx.impl.use(Sql::SelectLifetime);
    if (!get) return get.error();
    get->bind(1, m.id);
    auto row = get->step("reading lifetime totals");
    if (!row) return row.error();
    std::array<std::int64_t, kMaxInputs> mine{};
    for (std::size_t i = 0; *row && i < kMaxInputs; ++i) mine[i] = get->i64(static_cast<int>(i));
    const auto delta = ctx.lifetime_delta[m.id];
    const auto their = theirs.find(other_id);
    auto merged = mine;
    for (std::size_t i = 0; i < static_cast<std::size_t>(m.inputs); ++i) {
      merged[i] = std::max(mine[i], mine[i] + delta[i]);
      if (m.use_other_totals() && their != theirs.end()) merged[i] = std::max(merged[i], their->second[i]);
    }
    if (merged == mine) continue;
    auto set = ctx.impl.use(Sql::SetLifetime);
    if (!set) return set.error();
    set->bind(1, m.id);
    for (std::size_t i = 0; i < kMaxInputs; ++i) set->bind(static_cast<int>(i) + 2, merged[i]);
    if (auto st = set->run("merging lifetime totals"); !st) return st;
    ++ctx.report.lifetimes_raised;
  }
  return {};
}

// A known inverter's state describes this store's history, which the engine continues from.
util::Status merge_states(Context& ctx) {
  auto read = OwnedStmt::prepare(ctx.other, "SELECT inverter_id, updated_s, state FROM inverter_state");
  if (!read) return read.error();
  auto rows = use(*read);
  for (;;) {
    auto row = rows.step("reading the other database's engine states");
    if (!row) return row.error();
    if (!*row) return {};
    const auto it = ctx.inverters.find(rows.i64(0));
    if (it == ctx.inverters.end() || it->second.known_before) continue;
    auto put = ctx.impl.use(Sql::UpsertState);
    if (!put) return put.error();
    put->bind(1, it->second.id).bind(2, rows.i64(1)).bind_text(3, rows.text(2));
    if (auto st = put->run("importing an engine state"); !st) return st;
    ++ctx.report.states_added;
  }
}

}  // namespace apsecu::store::detail::merge
