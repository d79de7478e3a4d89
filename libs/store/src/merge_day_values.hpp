// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// merge_from's rules for one (inverter, day), without SQL: the merged row is
//
//   here + what the imported samples add      (when this store still holds all the day's
//                                              samples it counted: the exact union)
//   at least the other file's row              (it may know samples that retention has
//                                              since pruned from both files)
//
// never less than either side, never a sample counted twice. A day edited here keeps its
// edited total; a day edited only there takes that edit. Curves are the union of both
// files' points by time.

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "merge.hpp"

namespace apsecu::store::detail::merge {

struct InputValues {
  std::optional<std::int64_t> mwh;
  std::optional<std::int32_t> peak_dw;
  std::optional<std::int64_t> peak_time;
  bool operator==(const InputValues&) const = default;
};

// One inverter_day row.
struct DayValues {
  std::int64_t energy_mwh = 0;
  std::int32_t peak_dw = 0;
  std::int64_t peak_time = 0;
  std::int64_t samples = 0;
  bool edited = false;
  std::array<InputValues, kMaxInputs> inputs{};
  bool operator==(const DayValues&) const = default;
};

[[nodiscard]] std::int64_t input_sum(const DayValues& d);

// The first strictly higher power wins, as in write_cycle's upsert.
void take_peak(std::optional<std::int32_t>& dw, std::optional<std::int64_t>& time, std::int32_t cand_dw,
               std::int64_t cand_time);

[[nodiscard]] DayValues combine(const std::optional<DayValues>& here, const Added* added,
                                const std::optional<DayValues>& there, bool here_complete, int inputs);

// Refuses values no apsecu could have written (a damaged or forged file).
[[nodiscard]] util::Status check_day_values(const DayValues& d, const Mapped& m, std::int32_t day);

// Points of both curves, by time; where both have a point, this store's stays.
[[nodiscard]] std::vector<CurvePoint> union_points(std::vector<CurvePoint> here, const std::vector<CurvePoint>& extra);

}  // namespace apsecu::store::detail::merge
