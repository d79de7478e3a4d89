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

struct Context {
  Store::Impl& impl;
  sqlite3* other = nullptr;
  MergeReport& report;
  std::unordered_map<std::int64_t, Mapped> inverters;  // by the other file's id
  std::map<DayKey, Added> added;
  std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> added_span;  // day -> first, last sample time
  std::map<std::int64_t, std::array<std::int64_t, kMaxInputs>> lifetime_delta;  // by id here
};

// Folds the other file's day totals and curves and the imported samples into this store's
// inverter days, then rebuilds the site days and months that changed.
util::Status merge_days(Context& ctx);

}  // namespace apsecu::store::detail::merge
