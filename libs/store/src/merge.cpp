// SPDX-License-Identifier: GPL-3.0-or-later
// merge_from: brings another apsecu database (a restored backup, an old SD card) into this
// one without losing or duplicating anything, in one transaction. This half validates the
// other file, maps its inverters and imports samples, journal, audit trail, states and
// lifetime totals; merge_days.cpp folds the result into the aggregates.
//
// The other file is read through a connection of its own (read-only), never ATTACHed:
// nothing can write to it, and this connection's cached statements stay as they are.
#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "apsecu/store/day_key.hpp"
#include "curve.hpp"
#include "merge.hpp"
#include "schema.hpp"

namespace apsecu::store {

using detail::Sql;
namespace merge = detail::merge;

namespace {

constexpr std::int64_t kMaxTime = 0xFFFF'FFFF;             // curve blobs hold u32 times
constexpr std::int64_t kMaxIncreaseMwh = 100'000'000;      // as write_cycle accepts
constexpr int kSampleColumns = 29;

constexpr const char* kSampleColumnList =
    "time, inverter_id, day, uptime_s, kind,"
    " counter1, energy1_mwh, power1_dw, dc_voltage1_cv, dc_current1_ma,"
    " counter2, energy2_mwh, power2_dw, dc_voltage2_cv, dc_current2_ma,"
    " counter3, energy3_mwh, power3_dw, dc_voltage3_cv, dc_current3_ma,"
    " counter4, energy4_mwh, power4_dw, dc_voltage4_cv, dc_current4_ma,"
    " temperature_ddeg, frequency_mhz, ac_voltage_cv, link_quality";

util::Error invalid(std::string message) { return util::make_error(Errc::InvalidArgument, std::move(message)); }

// A migrated copy of an older file, removed (with its WAL files) on every path.
class TempCopy {
 public:
  TempCopy() = default;
  TempCopy(const TempCopy&) = delete;
  TempCopy& operator=(const TempCopy&) = delete;
  ~TempCopy() {
    if (path_.empty()) return;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path_ + suffix).c_str());
  }
  // Next to this store's file (same file system, no tmpfs filling up on a Pi).
  util::Status create(const std::string& near) {
    const bool file = !near.empty() && near != ":memory:" && near.front() != ':';
    const auto dir = file ? std::filesystem::absolute(near).parent_path() : std::filesystem::temp_directory_path();
    std::string tmpl = (dir / ".apsecu-merge-XXXXXX").string();
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) return invalid(fmt::format("cannot create a temporary copy in '{}'", dir.string()));
    ::close(fd);
    path_ = tmpl;
    return {};
  }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

// Copies `src` (read-only, older schema) into `copy` and migrates the copy.
util::Status migrate_copy(sqlite3* src, const std::string& copy) {
  {
    auto dest = detail::Connection::open(copy, SQLITE_OPEN_READWRITE);
    if (!dest) return dest.error();
    sqlite3_backup* b = sqlite3_backup_init(dest->get(), "main", src, "main");
    if (b == nullptr) return detail::sqlite_error(dest->get(), sqlite3_errcode(dest->get()), "copying for migration");
    const int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) return detail::sqlite_error(dest->get(), rc, "copying for migration");
  }
  auto migrated = Store::open(copy);
  if (!migrated) return migrated.error();
  return {};
}

bool valid_sample(sqlite3_stmt* s, int inputs) {
  const std::int64_t time = sqlite3_column_int64(s, 0);
  const std::int64_t kind = sqlite3_column_int64(s, 4);
  if (time <= 0 || time > kMaxTime || kind < 0 || kind > 3) return false;
  if (!is_valid_day_key(static_cast<std::int32_t>(sqlite3_column_int64(s, 2)))) return false;
  for (int i = 0; i < static_cast<int>(kMaxInputs); ++i) {
    const int base = 5 + i * 5;
    const bool used = sqlite3_column_type(s, base) != SQLITE_NULL;
    if (used != (i < inputs)) return false;
    if (!used) continue;
    const std::int64_t mwh = sqlite3_column_int64(s, base + 1);
    const std::int64_t dw = sqlite3_column_int64(s, base + 2);
    if (mwh < 0 || mwh > kMaxIncreaseMwh || dw < 0 || dw > detail::kMaxCurvePowerDw) return false;
  }
  return true;
}

// Adds one imported sample to its (inverter, day), as write_cycle would have.
void accumulate(merge::Context& ctx, const merge::Mapped& m, sqlite3_stmt* s) {
  const std::int64_t time = sqlite3_column_int64(s, 0);
  const auto day = static_cast<std::int32_t>(sqlite3_column_int64(s, 2));
  const bool counts = counts_as_production(static_cast<SampleKind>(sqlite3_column_int(s, 4)));
  auto& a = ctx.added[{m.id, day}];
  ++a.samples;
  a.first_time = std::min(a.first_time, time);
  a.last_time = std::max(a.last_time, time);
  std::int32_t power = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(m.inputs); ++i) {
    const int base = 5 + static_cast<int>(i) * 5;
    const std::int32_t dw = counts ? sqlite3_column_int(s, base + 2) : 0;
    if (counts) a.mwh[i] += sqlite3_column_int64(s, base + 1);
    power += dw;
    if (dw > a.input_peak_dw[i]) {
      a.input_peak_dw[i] = dw;
      a.input_peak_time[i] = time;
    }
  }
  if (power > a.peak_dw) {
    a.peak_dw = power;
    a.peak_time = time;
  }
  if (counts && !m.use_other_totals()) a.points.push_back({time, power});
  auto [span, fresh] = ctx.added_span.try_emplace(day, time, time);
  if (!fresh) {
    span->second.first = std::min(span->second.first, time);
    span->second.second = std::max(span->second.second, time);
  }
}

// A deferred transaction: one consistent read of this store for the whole plan, without
// the write lock the daemon's cycles would wait for.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(sqlite3* db) : db_(db) {}
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  ~ReadSnapshot() {
    if (open_) (void)detail::exec(db_, "ROLLBACK", "ending the merge plan");
  }
  util::Status begin() {
    auto st = detail::exec(db_, "BEGIN DEFERRED", "starting the merge plan");
    open_ = st.ok();
    return st;
  }
  void end() {
    if (open_) (void)detail::exec(db_, "COMMIT", "ending the merge plan");
    open_ = false;
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

class Importer {
 public:
  Importer(merge::Context& ctx, std::string source) : ctx_(ctx), source_(std::move(source)) {}

  // Maps the other file's inverters to this store's. With `register_new`, unknown ones are
  // registered (in the write transaction); without, they map to id 0 (the plan).
  util::Status inverters(bool register_new) {
    ctx_.inverters.clear();
    auto wiped = detail::OwnedStmt::prepare(
        here(),
        "SELECT max(time) FROM audit WHERE action = 'wipe_inverter'"
        " AND CASE WHEN json_valid(old_value) THEN json_extract(old_value, '$.serial') END = ?1");
    if (!wiped) return wiped.error();
    auto list = detail::OwnedStmt::prepare(ctx_.other, "SELECT id, serial, model, inputs FROM inverter ORDER BY id");
    if (!list) return list.error();
    auto rows = detail::use(*list);
    for (;;) {
      auto row = rows.step("reading the other database's inverters");
      if (!row) return row.error();
      if (!*row) return {};
      merge::Mapped m;
      m.serial = rows.text(1);
      const std::string model = rows.text(2);
      m.inputs = rows.i32(3);
      if (m.serial.empty() || m.serial.size() > 32 || m.inputs < 1 || m.inputs > static_cast<int>(kMaxInputs)) {
        return invalid(fmt::format("'{}' lists an impossible inverter ('{}', {} inputs)", source_, m.serial, m.inputs));
      }
      if (const auto known = find_here(m.serial)) {
        if (known->inputs != m.inputs) {
          return invalid(fmt::format("inverter {} has {} inputs here and {} in '{}'; its histories cannot be merged",
                                     m.serial, known->inputs, m.inputs, source_));
        }
        m.id = known->id;
        m.known_before = true;
        auto w = detail::use(*wiped);
        w.bind_text(1, m.serial);
        auto found = w.step("looking for wipes of the inverter");
        if (!found) return found.error();
        if (*found) m.wiped_at = w.opt_i64(0);
      } else if (register_new) {
        auto ins = ctx_.impl.use(Sql::InsertInverter);
        if (!ins) return ins.error();
        ins->bind_text(1, m.serial).bind_text(2, model).bind(3, std::int64_t{m.inputs});
        if (auto st = ins->run("registering a merged inverter"); !st) return st;
        m.id = sqlite3_last_insert_rowid(here());
        auto life = ctx_.impl.use(Sql::InsertLifetime);
        if (!life) return life.error();
        life->bind(1, m.id);
        if (auto st = life->run("creating lifetime totals"); !st) return st;
        ++ctx_.report.inverters_added;
      }
      ctx_.inverters.emplace(rows.i64(0), std::move(m));
    }
  }

  // Every sample of the other file is read and checked here, before the write lock: which
  // are missing, and whether any is impossible (then nothing is written at all).
  util::Status plan_samples(merge::Plan& plan) {
    auto read = detail::OwnedStmt::prepare(
        ctx_.other, fmt::format("SELECT {} FROM sample ORDER BY time, inverter_id", kSampleColumnList));
    if (!read) return read.error();
    auto exists = detail::OwnedStmt::prepare(
        here(), "SELECT EXISTS (SELECT 1 FROM sample WHERE time = ?1 AND inverter_id = ?2)");
    if (!exists) return exists.error();
    sqlite3_stmt* r = read->get();
    for (;;) {
      const int rc = sqlite3_step(r);
      if (rc == SQLITE_DONE) return {};
      if (rc != SQLITE_ROW) return detail::sqlite_error(ctx_.other, rc, "reading the other database's samples");
      ++plan.samples_in_other;
      const std::int64_t time = sqlite3_column_int64(r, 0);
      const std::int64_t other_id = sqlite3_column_int64(r, 1);
      auto m = check_sample(r);
      if (!m) return m.error();
      if ((*m)->wiped_at && time < *(*m)->wiped_at) {
        ++plan.samples_skipped_wiped;
        continue;
      }
      if ((*m)->known_before) {
        auto e = detail::use(*exists);
        e.bind(1, time).bind(2, (*m)->id);
        auto found = e.step("looking for a sample");
        if (!found) return found.error();
        if (*found && e.i64(0) != 0) {
          ++plan.samples_present;
          continue;
        }
      }
      plan.samples.emplace_back(time, other_id);
    }
  }

  // The planned samples, by key when they are few (a backup restored a week later), by one
  // scan when they are many (a backup restored into an empty store). INSERT OR IGNORE keeps
  // anything that arrived here since the plan.
  util::Status samples(const merge::Plan& plan) {
    if (plan.samples.empty()) return {};
    const bool by_key = plan.samples.size() * 8 < static_cast<std::size_t>(plan.samples_in_other);
    auto read = detail::OwnedStmt::prepare(
        ctx_.other, by_key ? fmt::format("SELECT {} FROM sample WHERE time = ?1 AND inverter_id = ?2", kSampleColumnList)
                           : fmt::format("SELECT {} FROM sample ORDER BY time, inverter_id", kSampleColumnList));
    if (!read) return read.error();
    auto write = detail::OwnedStmt::prepare(
        here(), fmt::format("INSERT OR IGNORE INTO sample({}) VALUES ({})", kSampleColumnList, placeholders()));
    if (!write) return write.error();
    sqlite3_stmt* r = read->get();
    auto next = plan.samples.begin();
    while (next != plan.samples.end()) {
      if (by_key) {
        sqlite3_reset(r);
        sqlite3_bind_int64(r, 1, next->first);
        sqlite3_bind_int64(r, 2, next->second);
      }
      const int rc = sqlite3_step(r);
      if (rc == SQLITE_DONE && by_key) {  // gone from the other file: it is read-only, so never
        ++next;
        continue;
      }
      if (rc != SQLITE_ROW) return detail::sqlite_error(ctx_.other, rc, "reading the other database's samples");
      const std::pair<std::int64_t, std::int64_t> key{sqlite3_column_int64(r, 0), sqlite3_column_int64(r, 1)};
      if (key != *next) continue;  // scanning: not a planned one
      ++next;
      auto m = check_sample(r);
      if (!m) return m.error();
      if ((*m)->wiped_at && key.first < *(*m)->wiped_at) {  // wiped here since the plan
        ++ctx_.report.samples_skipped_wiped;
        continue;
      }
      merge::bind_row(write->get(), r, kSampleColumns, 0);
      sqlite3_bind_int64(write->get(), 2, (*m)->id);
      const int done = sqlite3_step(write->get());
      sqlite3_reset(write->get());
      if (done != SQLITE_DONE) return detail::sqlite_error(here(), done, "importing a sample");
      if (sqlite3_changes(here()) == 0) {
        ++ctx_.report.samples_present;
        continue;
      }
      ++ctx_.report.samples_added;
      accumulate(ctx_, **m, r);
    }
    return {};
  }

 private:
  [[nodiscard]] sqlite3* here() const noexcept { return ctx_.impl.db; }

  struct Here {
    std::int64_t id;
    int inputs;
  };
  [[nodiscard]] std::optional<Here> find_here(const std::string& serial) const {
    const auto* inv = ctx_.impl.find(serial);
    if (inv == nullptr) return std::nullopt;
    return Here{inv->id, inv->info.inputs};
  }

  // The mapped inverter of a sample row, after checking its values as write_cycle would.
  util::Result<const merge::Mapped*> check_sample(sqlite3_stmt* r) const {
    const auto it = ctx_.inverters.find(sqlite3_column_int64(r, 1));
    if (it == ctx_.inverters.end()) {
      return invalid(fmt::format("'{}' has samples of inverter #{}, which it does not list", source_,
                                 sqlite3_column_int64(r, 1)));
    }
    if (!valid_sample(r, it->second.inputs)) {
      return invalid(fmt::format("'{}' holds an impossible sample of {} at {}", source_, it->second.serial,
                                 sqlite3_column_int64(r, 0)));
    }
    return &it->second;
  }

  static std::string placeholders() {
    std::string out;
    for (int i = 1; i <= kSampleColumns; ++i) out += fmt::format("{}?{}", i == 1 ? "" : ", ", i);
    return out;
  }

  merge::Context& ctx_;
  std::string source_;
};

std::string report_json(const MergeReport& r) {
  return fmt::format(
      R"({{"inverters_added":{},"samples_added":{},"samples_present":{},"samples_skipped_wiped":{},)"
      R"("inverter_days_changed":{},"days_recomputed":{},"months_recomputed":{},"edited_days_kept":{},)"
      R"("events_added":{},"audit_added":{},"lifetimes_raised":{},"states_added":{},"first_day":{},"last_day":{}}})",
      r.inverters_added, r.samples_added, r.samples_present, r.samples_skipped_wiped, r.inverter_days_changed,
      r.days_recomputed, r.months_recomputed, r.edited_days_kept, r.events_added, r.audit_added, r.lifetimes_raised,
      r.states_added, r.first_day, r.last_day);
}

}  // namespace

util::Result<MergeReport> Store::merge_from(const std::string& other_db_path, const AuditNote& note) {
  if (auto st = detail::check_note(note, "merge"); !st) return st.error();
  MergeReport report;
  TempCopy copy;  // outlives the connection to it
  DatabaseInfo info;
  auto other = detail::open_checked(other_db_path, {}, info);
  if (!other) return other.error();
  report.source_schema_version = info.schema_version;
  if (info.schema_version < detail::latest_schema_version()) {
    if (auto st = copy.create(impl_->path); !st) return st.error();
    if (auto st = migrate_copy(other->get(), copy.path()); !st) return st.error();
    DatabaseInfo migrated;
    auto reopened = detail::open_checked(copy.path(), {.check_integrity = false}, migrated);
    if (!reopened) return reopened.error();
    other = std::move(reopened);
    report.source_migrated = true;
  }

  // Another process (the daemon) may have registered inverters since this Store opened.
  if (auto st = impl_->load_inverters(); !st) return st.error();
  merge::Context ctx{*impl_, other->get(), report, {}, {}, {}, {}};
  Importer importer(ctx, other_db_path);

  // The plan: everything read, compared and checked without the write lock.
  merge::Plan plan;
  {
    ReadSnapshot snapshot(impl_->db);
    if (auto st = snapshot.begin(); !st) return st.error();
    if (auto st = importer.inverters(false); !st) return st.error();
    if (auto st = importer.plan_samples(plan); !st) return st.error();
    if (auto st = merge::plan_days(*impl_, ctx.other, ctx.inverters, plan.days); !st) return st.error();
    if (auto st = merge::plan_journal(ctx, other_db_path, plan); !st) return st.error();
    snapshot.end();
  }
  report.samples_present = plan.samples_present;
  report.samples_skipped_wiped = plan.samples_skipped_wiped;

  // The writes, in one transaction.
  detail::Transaction txn(*impl_);
  if (auto st = txn.begin(); !st) return st.error();
  if (auto st = importer.inverters(true); !st) return st.error();
  if (auto st = importer.samples(plan); !st) return st.error();
  if (auto st = merge::merge_days(ctx, plan.days); !st) return st.error();
  if (auto st = merge::merge_lifetimes(ctx); !st) return st.error();
  if (auto st = merge::merge_states(ctx); !st) return st.error();
  if (auto st = merge::copy_journal(ctx, plan); !st) return st.error();
  {
    auto a = detail::OwnedStmt::prepare(
        impl_->db,
        "INSERT INTO audit(time, actor, action, reason, old_value, new_value)"
        " VALUES (?1, ?2, 'merge', ?3, json_object('source', ?4, 'schema_version', ?5), ?6)");
    if (!a) return a.error();
    auto s = detail::use(*a);
    s.bind(1, note.time_s).bind_text(2, note.actor).bind_text(3, note.reason).bind_text(4, other_db_path);
    s.bind(5, std::int64_t{report.source_schema_version}).bind_text(6, report_json(report));
    if (auto st = s.run("auditing the merge"); !st) return st.error();
  }
  if (auto st = txn.commit(); !st) return st.error();
  if (auto st = impl_->load_inverters(); !st) return st.error();
  return report;
}

}  // namespace apsecu::store
