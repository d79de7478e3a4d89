// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The history store: one SQLite file in WAL mode holding poll samples, pre-aggregated
// daily/monthly totals and day curves, per-inverter engine state, lifetime totals, the
// event journal and the audit trail (docs/store.md).
//
// Opening is instant: no index rebuild, statements are prepared on first use and then
// reused. Chart and statistics queries read pre-aggregates only, so their cost is the
// number of rows they return, not the amount of history.
//
// A Store is one connection and is not thread-safe; use it from one thread. A second
// Store on the same file (e.g. for exports or backups on another thread) is fine: WAL
// lets one writer and many readers work at the same time.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "apsecu/store/errors.hpp"
#include "apsecu/store/types.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::store {

struct OpenOptions {
  int busy_timeout_ms = 5000;
  // SQLite's page cache per connection, filled as pages are touched and kept for the life of
  // the connection. The charts read pre-aggregated tables and the poll loop appends, so a
  // small cache loses nothing: on 3 years x 9 QS1, bench_history measured the same query
  // and write times with 256 KiB as with 2 MiB, while the daemon's two connections at 2 MiB
  // each grew its resident memory by 3 MiB over four simulated months.
  int cache_kib = 256;
  // For exports and inspection beside a running daemon: never creates, migrates or writes
  // the file (writes fail). The file must already be an apsecu store.
  bool read_only = false;
};

class SampleCursor;
class DayCursor;

class Store {
 public:
  // Creates the file if needed and migrates it to the current schema. ":memory:" gives a
  // private in-memory database (tests).
  [[nodiscard]] static util::Result<Store> open(const std::string& path, const OpenOptions& options = {});

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  [[nodiscard]] int schema_version() const;

  // ---- inverters, state, lifetime -----------------------------------------------------
  // Registers an inverter or updates its model; the input count of an inverter that
  // already has samples cannot change (its history would no longer line up).
  util::Status add_inverter(const InverterInfo& info);
  [[nodiscard]] std::vector<InverterInfo> inverters() const;
  // Picks up inverters another connection registered since this one read its list (the
  // web pages read through their own connection while the engine writes). One cheap
  // PRAGMA when nothing changed.
  util::Status refresh();

  util::Status put_state(std::string_view serial, std::string_view state, std::int64_t time_s);
  [[nodiscard]] util::Result<std::optional<StoredState>> get_state(std::string_view serial);

  [[nodiscard]] util::Result<std::vector<std::int64_t>> lifetime_mwh(std::string_view serial);
  // Sets the lifetime totals (e.g. carried over from another ECU). Refused with
  // Errc::LifetimeDecrease if any input would go down. Audited.
  util::Status set_lifetime(std::string_view serial, std::span<const std::int64_t> mwh, const AuditNote& note);

  // ---- writing --------------------------------------------------------------------------
  // All samples, aggregates, curves, lifetime totals, states and events of one poll cycle
  // in one transaction. Nothing is written if anything is invalid.
  util::Status write_cycle(const Cycle& cycle);

  // ---- charts and statistics ------------------------------------------------------------
  [[nodiscard]] util::Result<DayCurve> day_curve(std::int32_t day, std::optional<std::string_view> serial = {});
  [[nodiscard]] util::Result<DailyEnergy> daily_energy(std::int32_t from_day, std::int32_t to_day,
                                                       std::optional<std::string_view> serial = {});
  // Per day of the month / per month of the year; site-wide unless a serial is given.
  [[nodiscard]] util::Result<std::vector<DayEnergy>> month(int year, int month,
                                                           std::optional<std::string_view> serial = {});
  [[nodiscard]] util::Result<std::vector<MonthEnergy>> year(int year, std::optional<std::string_view> serial = {});
  [[nodiscard]] util::Result<Statistics> statistics(const StatisticsQuery& query = {});

  // ---- corrections (audited) ------------------------------------------------------------
  // Replaces an inverter's total for a day (repairing a bad day, as the seed's SETENERGY);
  // the site day, the months and the audit trail follow in the same transaction.
  util::Status set_day_total(std::string_view serial, std::int32_t day, std::int64_t energy_wh,
                             const AuditNote& note);
  // Deletes every sample, aggregate, curve, state and lifetime total of an inverter (it
  // stays registered) and recomputes the site aggregates it contributed to.
  util::Status wipe_inverter(std::string_view serial, const AuditNote& note);

  // ---- journal --------------------------------------------------------------------------
  util::Status append_event(const Event& event);
  // Newest first.
  [[nodiscard]] util::Result<std::vector<Event>> events(std::int64_t from_time_s, std::int64_t to_time_s,
                                                        EventLevel min_level = EventLevel::Debug,
                                                        int limit = 200);
  [[nodiscard]] util::Result<std::vector<AuditEntry>> audit_log(int limit = 100);

  // ---- maintenance ----------------------------------------------------------------------
  // Deletes samples older than `samples_keep_days` before `now_s`, a batch per
  // transaction. Daily/monthly totals and curves are kept forever.
  [[nodiscard]] util::Result<RetentionReport> apply_retention(std::int64_t now_s, int samples_keep_days,
                                                              const RetentionOptions& options = {});
  // A consistent copy through SQLite's online backup API, written next to `path` and
  // renamed into place, so a crash never leaves a half-written backup under that name.
  util::Status backup_to(const std::string& path);
  // Moves the WAL into the main file and truncates it (shutdown, before measuring size).
  util::Status checkpoint();

  // ---- merge ------------------------------------------------------------------------------
  // Imports from another apsecu database (e.g. a restored backup) everything this one lacks,
  // in ONE transaction; on any error nothing changes (docs/store.md, "Merge"):
  //  - inverters, and the states of inverters this store does not know;
  //  - samples by (serial, time): present rows are kept, never overwritten;
  //  - journal events and audit entries not already here (identical rows collapse);
  //  - day totals and curves of every (inverter, day) that gained samples or exists only
  //    there, then the site days and months around them; a day edited here with
  //    set_day_total keeps its edited total;
  //  - lifetime totals: never lower than either file's.
  // History older than a wipe_inverter recorded here is not brought back. The other file
  // is validated first (inspect_database with the integrity check) and never modified; an
  // older schema is migrated on a temporary copy. The merge itself is audited.
  [[nodiscard]] util::Result<MergeReport> merge_from(const std::string& other_db_path, const AuditNote& note);

  // ---- export ---------------------------------------------------------------------------
  // Cursors borrow this Store's connection: do not let them outlive it, and do not write
  // through the same Store while one is open (use a second Store for long exports).
  [[nodiscard]] util::Result<SampleCursor> export_samples(std::int32_t from_day, std::int32_t to_day,
                                                          std::optional<std::string_view> serial = {});
  [[nodiscard]] util::Result<DayCursor> export_days(std::int32_t from_day, std::int32_t to_day,
                                                    std::optional<std::string_view> serial = {});

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct InspectOptions {
  // PRAGMA integrity_check reads every page: seconds for years of history on a Pi, so a
  // caller that only needs the header (version, owner) can skip it.
  bool check_integrity = true;
};

// Checks, without changing it, that a file is an intact apsecu store this version can read:
// it opens as SQLite (Errc::Corrupt if not), belongs to apsecu (NotApsecuFile), its schema
// is not newer than ours (SchemaTooNew), and the integrity check passes (Corrupt).
[[nodiscard]] util::Result<DatabaseInfo> inspect_database(const std::string& path, const InspectOptions& options = {});

// Forward-only row cursors for CSV/JSON export; next() gives nullopt at the end.
class SampleCursor {
 public:
  SampleCursor(SampleCursor&&) noexcept;
  SampleCursor& operator=(SampleCursor&&) noexcept;
  ~SampleCursor();
  [[nodiscard]] util::Result<std::optional<SampleRow>> next();

  struct State;

 private:
  friend class Store;
  explicit SampleCursor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class DayCursor {
 public:
  DayCursor(DayCursor&&) noexcept;
  DayCursor& operator=(DayCursor&&) noexcept;
  ~DayCursor();
  [[nodiscard]] util::Result<std::optional<DayRow>> next();

  struct State;

 private:
  friend class Store;
  explicit DayCursor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace apsecu::store
