// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Store's connection, its statement cache and the in-memory inverter list.

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "apsecu/store/store.hpp"
#include "sqlite.hpp"

namespace apsecu::store {

namespace detail {

// Every statement the store runs more than once. Prepared on first use (so opening stays
// instant), kept for the life of the connection.
enum class Sql : std::size_t {
  Begin,
  Commit,
  Rollback,
  SelectInverters,
  DataVersion,
  InsertInverter,
  UpdateInverterModel,
  InsertLifetime,
  HasDayRows,
  InsertSample,
  SampleExists,
  UpsertInverterDay,
  AddInverterMonth,
  AppendInverterCurve,
  AddLifetime,
  SelectLifetime,
  SetLifetime,
  UpsertState,
  SelectState,
  UpsertSiteDay,
  AddSiteDay,
  AddSiteMonth,
  AppendSiteCurve,
  InsertEvent,
  SelectEvents,
  InsertAudit,
  InsertCorrection,
  SelectAudit,
  SelectSiteCurve,
  SelectInverterCurves,
  SelectInverterCurve,
  SelectSiteDays,
  SelectInverterDays,
  SelectSiteMonths,
  SelectInverterMonths,
  SelectSiteDayStats,
  SelectInverterDayStats,
  SelectInverterDay,
  SetInverterDayTotal,
  DeleteOldSamples,
  DeleteOldEvents,
  SelectDaysOf,
  DeleteSamplesOf,
  DeleteDaysOf,
  DeleteMonthsOf,
  DeleteCurvesOf,
  DeleteStateOf,
  ZeroLifetimeOf,
  SumDay,
  DeleteSiteDay,
  DeleteSiteCurve,
  RebuildSiteDay,
  ReplaceSiteCurve,
  DeleteSiteMonth,
  RebuildSiteMonth,
  Count,
};

[[nodiscard]] const char* sql_text(Sql q) noexcept;

struct Inverter {
  std::int64_t id = 0;
  InverterInfo info;
};

}  // namespace detail

struct Store::Impl {
  sqlite3* db = nullptr;
  std::array<sqlite3_stmt*, static_cast<std::size_t>(detail::Sql::Count)> stmts{};
  std::vector<detail::Inverter> inverters;  // registration order
  int schema_version = 0;
  std::int64_t data_version = -1;  // PRAGMA data_version when the inverter list was last read
  std::string path;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();

  [[nodiscard]] util::Result<detail::Stmt> use(detail::Sql q);
  [[nodiscard]] const detail::Inverter* find(std::string_view serial) const noexcept;
  [[nodiscard]] const detail::Inverter* find(std::int64_t id) const noexcept;
  [[nodiscard]] util::Result<const detail::Inverter*> require(std::string_view serial) const;
  util::Status load_inverters();

  util::Status begin();
  util::Status commit();
  void rollback() noexcept;
};

namespace detail {

// Rolls back unless committed: every early return inside a write leaves nothing behind.
class Transaction {
 public:
  explicit Transaction(Store::Impl& impl) : impl_(impl) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (open_) impl_.rollback();
  }
  util::Status begin() {
    auto st = impl_.begin();
    open_ = st.ok();
    return st;
  }
  util::Status commit() {
    auto st = impl_.commit();
    if (st) open_ = false;
    return st;
  }

 private:
  Store::Impl& impl_;
  bool open_ = false;
};

// Checks shared by the public entry points.
[[nodiscard]] util::Status check_day(std::int32_t day, std::string_view what);
[[nodiscard]] util::Status check_range(std::int32_t from_day, std::int32_t to_day);
// Audited operations need an actor and a reason.
[[nodiscard]] util::Status check_note(const AuditNote& note, std::string_view action);
util::Status write_audit(Store::Impl& impl, const AuditNote& note, std::string_view action, std::string_view old_value,
                         std::string_view new_value);

// Recomputes a site day (total, peak, curve) from the inverter days and curves it holds.
// The site curve's points give the cycle starts; each inverter point is added to the last
// start at or before it, as write_cycle summed it. Deletes the site day if no inverter has
// a row left.
util::Status rebuild_site_day(Store::Impl& impl, std::int32_t day);

// Opens another apsecu file read-only after the checks of inspect_database (inspect.cpp).
[[nodiscard]] util::Result<Connection> open_checked(const std::string& path, const InspectOptions& options,
                                                    DatabaseInfo& info);

}  // namespace detail
}  // namespace apsecu::store
