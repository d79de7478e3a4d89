// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the two halves of merge_from share: merge.cpp maps inverters and imports samples,
// journal, audit trail, lifetime totals and states; merge_days.cpp folds what arrived into
// the day totals, curves, site days and months.

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "impl.hpp"

namespace apsecu::store::detail::merge {

// An inverter of the other file, as it is known here.
struct Mapped {
  std::int64_t id = 0;  // here
  std::string serial;
  int inputs = 0;
  bool known_before = false;  // registered here before the merge
  // Set when this store recorded a wipe_inverter of it: samples older than the wipe are not
  // imported and the other file's totals and curves of it are not used.
  std::optional<std::int64_t> wiped_at;
  [[nodiscard]] bool use_other_totals() const noexcept { return !wiped_at.has_value(); }
};

// What the samples imported into one (inverter, day) add, accumulated as write_cycle would.
struct Added {
  std::int64_t samples = 0;
  std::array<std::int64_t, kMaxInputs> mwh{};
  std::int32_t peak_dw = -1;  // -1: none yet
  std::int64_t peak_time = 0;
  std::array<std::int32_t, kMaxInputs> input_peak_dw{-1, -1, -1, -1};
  std::array<std::int64_t, kMaxInputs> input_peak_time{};
  std::int64_t first_time = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_time = 0;
  std::vector<CurvePoint> points;  // kept only when the other file's curve is not used
};

using DayKey = std::pair<std::int64_t, std::int32_t>;  // (inverter id here, day)
using OtherDay = std::pair<std::int64_t, std::int32_t>;  // (the other file's inverter id, day)

// What the merge will have to do, found before the write transaction starts: reading both
// files takes no lock the daemon's writes wait for, so the transaction (which they do wait
// for, up to their busy timeout) holds only the writes. A backup restored a week later is
// mostly present already: its transaction is then nearly empty.
struct Plan {
  std::vector<std::pair<std::int64_t, std::int64_t>> samples;  // (time, other id) missing here, in scan order
  std::int64_t samples_in_other = 0;
  std::int64_t samples_present = 0;
  std::int64_t samples_skipped_wiped = 0;
  std::vector<OtherDay> days;      // rows of the other file that may change a row or curve here
  std::vector<std::int64_t> events;  // ids in the other file of rows not found here
  std::vector<std::int64_t> audit;
};

struct Context {
  Store::Impl& impl;
  sqlite3* other = nullptr;
  MergeReport& report;
  std::unordered_map<std::int64_t, Mapped> inverters;  // by the other file's id
  std::map<DayKey, Added> added;
  std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> added_span;  // day -> first, last sample time
  std::map<std::int64_t, std::array<std::int64_t, kMaxInputs>> lifetime_delta;  // by id here
};

// Binds the columns of `from` to `to`, shifted by `skip` leading columns of `from`.
inline void bind_row(sqlite3_stmt* to, sqlite3_stmt* from, int columns, int skip) {
  for (int c = 0; c < columns; ++c) sqlite3_bind_value(to, c + 1, sqlite3_column_value(from, c + skip));
}

// merge_rows.cpp. Journal and audit entries not found here: found by the plan, copied
// (after checking again) in the transaction. Identical rows collapse.
util::Status plan_journal(Context& ctx, const std::string& source, Plan& plan);
util::Status copy_journal(Context& ctx, const Plan& plan);
// Never below either file's totals, nor below this store's plus what the merge added.
util::Status merge_lifetimes(Context& ctx);
// Only for inverters this store did not know.
util::Status merge_states(Context& ctx);

// The other file's day rows whose merge could change something here (Plan::days).
// `inverters` may list inverters not registered here yet (id 0, known_before false).
util::Status plan_days(Store::Impl& impl, sqlite3* other, const std::unordered_map<std::int64_t, Mapped>& inverters,
                       std::vector<OtherDay>& out);

// Folds the planned day rows of the other file and the imported samples into this store's
// inverter days, then rebuilds the site days and months that changed.
util::Status merge_days(Context& ctx, const std::vector<OtherDay>& days);

}  // namespace apsecu::store::detail::merge
