// SPDX-License-Identifier: GPL-3.0-or-later
#include "schema.hpp"

#include <fmt/format.h>

#include <array>

#include "sqlite.hpp"

namespace apsecu::store::detail {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Append only: a released migration is never edited, a change is a new migration.
constexpr std::array kMigrations{
    // 1. Raw history. Why: samples are the truth everything else is derived from, so they
    // come first. One row per inverter per poll, integers in the unit the column names,
    // clustered on (time, inverter) so each poll cycle appends to the same leaf page
    // (one dirty page per cycle on the SD card) and retention deletes a contiguous
    // prefix. Inputs are four column groups rather than rows: a YC600's unused groups are
    // NULL (one header byte each), and a row per input would repeat the key four times.
    Migration{1, R"sql(
CREATE TABLE inverter(
  id INTEGER PRIMARY KEY,
  serial TEXT NOT NULL UNIQUE,
  model TEXT NOT NULL,
  inputs INTEGER NOT NULL CHECK (inputs BETWEEN 1 AND 4));
CREATE TABLE sample(
  time INTEGER NOT NULL,
  inverter_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  uptime_s INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  counter1 INTEGER, energy1_mwh INTEGER, power1_dw INTEGER, dc_voltage1_cv INTEGER, dc_current1_ma INTEGER,
  counter2 INTEGER, energy2_mwh INTEGER, power2_dw INTEGER, dc_voltage2_cv INTEGER, dc_current2_ma INTEGER,
  counter3 INTEGER, energy3_mwh INTEGER, power3_dw INTEGER, dc_voltage3_cv INTEGER, dc_current3_ma INTEGER,
  counter4 INTEGER, energy4_mwh INTEGER, power4_dw INTEGER, dc_voltage4_cv INTEGER, dc_current4_ma INTEGER,
  temperature_ddeg INTEGER, frequency_mhz INTEGER, ac_voltage_cv INTEGER, link_quality INTEGER,
  PRIMARY KEY (time, inverter_id)) WITHOUT ROWID;
CREATE TABLE lifetime(
  inverter_id INTEGER PRIMARY KEY,
  input1_mwh INTEGER NOT NULL DEFAULT 0, input2_mwh INTEGER NOT NULL DEFAULT 0,
  input3_mwh INTEGER NOT NULL DEFAULT 0, input4_mwh INTEGER NOT NULL DEFAULT 0);
CREATE TABLE inverter_state(
  inverter_id INTEGER PRIMARY KEY,
  updated_s INTEGER NOT NULL,
  state TEXT NOT NULL);
)sql"},
    // 2. Pre-aggregates. Why: charts and statistics must cost the rows they return, not
    // the history behind them (the seed's InfluxDB scanned raw points). Maintained in the
    // write_cycle transaction, so they can never disagree with the samples. Day curves
    // are one blob per inverter-day (7 bytes a point) appended every cycle: a day chart
    // reads ten rows instead of thousands. Curve tables are rowid tables because a summer
    // day's blob is larger than a WITHOUT ROWID cell may be before spilling to overflow
    // pages.
    Migration{2, R"sql(
CREATE TABLE inverter_day(
  inverter_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  energy_mwh INTEGER NOT NULL,
  peak_power_dw INTEGER NOT NULL,
  peak_time INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  edited INTEGER NOT NULL DEFAULT 0,
  input1_mwh INTEGER, input1_peak_dw INTEGER, input1_peak_time INTEGER,
  input2_mwh INTEGER, input2_peak_dw INTEGER, input2_peak_time INTEGER,
  input3_mwh INTEGER, input3_peak_dw INTEGER, input3_peak_time INTEGER,
  input4_mwh INTEGER, input4_peak_dw INTEGER, input4_peak_time INTEGER,
  PRIMARY KEY (inverter_id, day)) WITHOUT ROWID;
CREATE TABLE site_day(
  day INTEGER PRIMARY KEY,
  energy_mwh INTEGER NOT NULL,
  peak_power_dw INTEGER NOT NULL,
  peak_time INTEGER NOT NULL,
  first_time INTEGER,  -- NULL: a day that only has an edited total
  last_time INTEGER);
CREATE TABLE inverter_month(
  inverter_id INTEGER NOT NULL,
  month INTEGER NOT NULL,
  energy_mwh INTEGER NOT NULL,
  PRIMARY KEY (inverter_id, month)) WITHOUT ROWID;
CREATE TABLE site_month(
  month INTEGER PRIMARY KEY,
  energy_mwh INTEGER NOT NULL);
CREATE TABLE inverter_curve(
  id INTEGER PRIMARY KEY,
  day INTEGER NOT NULL,
  inverter_id INTEGER NOT NULL,
  points BLOB NOT NULL,
  UNIQUE (day, inverter_id));
CREATE TABLE site_curve(
  day INTEGER PRIMARY KEY,
  points BLOB NOT NULL);
)sql"},
    // 3. Journal and audit trail. Why: the seed kept its journal in RAM and lost it on
    // every reboot, and its database edits left no trace; both now live with the data
    // they explain. The time index serves "what happened on that day" without a scan.
    Migration{3, R"sql(
CREATE TABLE event(
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  level INTEGER NOT NULL,
  source TEXT NOT NULL,
  message TEXT NOT NULL);
CREATE INDEX event_time ON event(time);
CREATE TABLE audit(
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT);
)sql"},
    // 4. Audit by time. Why: the engine's automatic corrections (inverter resets, rejected
    // values, gap estimates) now land in the audit trail every day, so it grows with the
    // history; "what was corrected on that day", the newest-first listing and the
    // de-duplication of a merged backup's trail each seek by time instead of scanning it.
    Migration{4, R"sql(
CREATE INDEX audit_time ON audit(time);
)sql"},
};

util::Result<std::int64_t> pragma_int(sqlite3* db, const char* sql) {
  auto s = OwnedStmt::prepare(db, sql);
  if (!s) return s.error();
  const int rc = sqlite3_step(s->get());
  if (rc != SQLITE_ROW) return sqlite_error(db, rc, fmt::format("reading `{}`", sql));
  return sqlite3_column_int64(s->get(), 0);
}

util::Status apply(sqlite3* db, int from, int target) {
  for (const auto& m : kMigrations) {
    if (m.version <= from || m.version > target) continue;
    if (auto st = exec(db, m.sql, fmt::format("applying schema migration {}", m.version)); !st) return st;
    const auto set = fmt::format("PRAGMA user_version = {}", m.version);
    if (auto st = exec(db, set.c_str(), "recording the schema version"); !st) return st;
  }
  if (from == 0) {
    const auto set = fmt::format("PRAGMA application_id = {}", kApplicationId);
    if (auto st = exec(db, set.c_str(), "marking the file as an apsecu store"); !st) return st;
  }
  return {};
}

}  // namespace

int latest_schema_version() noexcept { return kMigrations.back().version; }

util::Result<FileHeader> read_header(sqlite3* db) {
  FileHeader h;
  auto app = pragma_int(db, "PRAGMA application_id");
  if (!app) return app.error();
  auto version = pragma_int(db, "PRAGMA user_version");
  if (!version) return version.error();
  auto objects = pragma_int(db, "SELECT count(*) FROM sqlite_schema");
  if (!objects) return objects.error();
  h.application_id = *app;
  h.version = *version;
  h.objects = *objects;
  return h;
}

util::Status check_header(const FileHeader& h) {
  if (h.application_id != 0 && h.application_id != kApplicationId) {
    return util::make_error(Errc::NotApsecuFile,
                            fmt::format("the file belongs to another program (application_id {:#x})", h.application_id));
  }
  if (h.application_id == 0 && h.objects > 0) {
    return util::make_error(Errc::NotApsecuFile, "the file already holds tables of another program");
  }
  if (h.version > latest_schema_version()) {
    return util::make_error(
        Errc::SchemaTooNew, fmt::format("the file has schema version {}, this apsecu knows up to {}; refusing to "
                                        "open it rather than risk damaging it",
                                        h.version, latest_schema_version()));
  }
  return {};
}

util::Result<int> migrate(sqlite3* db, int target) {
  // IMMEDIATE: two processes opening a fresh file at once must not both migrate it.
  if (auto st = exec(db, "BEGIN IMMEDIATE", "starting the schema migration"); !st) return st.error();
  auto fail = [db](util::Error e) -> util::Result<int> {
    (void)exec(db, "ROLLBACK", "rolling back the schema migration");
    return e;
  };

  auto header = read_header(db);
  if (!header) return fail(header.error());
  if (auto st = check_header(*header); !st) return fail(st.error());
  const int from = static_cast<int>(header->version);
  if (from < target) {
    if (auto st = apply(db, from, target); !st) return fail(st.error());
  }
  if (auto st = exec(db, "COMMIT", "committing the schema migration"); !st) return fail(st.error());
  return from < target ? target : from;
}

}  // namespace apsecu::store::detail
