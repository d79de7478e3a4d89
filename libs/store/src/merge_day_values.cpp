// SPDX-License-Identifier: GPL-3.0-or-later
#include "merge_day_values.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "apsecu/store/day_key.hpp"

namespace apsecu::store::detail::merge {

void take_peak(std::optional<std::int32_t>& dw, std::optional<std::int64_t>& time, std::int32_t cand_dw,
               std::int64_t cand_time) {
  if (!dw || cand_dw > *dw) {
    dw = cand_dw;
    time = cand_time;
  }
}

std::int64_t input_sum(const DayValues& d) {
  std::int64_t sum = 0;
  for (const auto& in : d.inputs) sum += in.mwh.value_or(0);
  return sum;
}

DayValues combine(const std::optional<DayValues>& here, const Added* added, const std::optional<DayValues>& there,
                  bool here_complete, int inputs) {
  DayValues r = here.value_or(DayValues{});
  std::optional<std::int32_t> peak_dw;
  std::optional<std::int64_t> peak_time;
  if (here) {
    peak_dw = here->peak_dw;
    peak_time = here->peak_time;
  }
  const auto n = static_cast<std::size_t>(inputs);
  if (added != nullptr) {
    if (here_complete) {  // otherwise the added samples may be ones this store pruned after counting
      r.samples += added->samples;
      for (std::size_t i = 0; i < n; ++i) r.inputs[i].mwh = r.inputs[i].mwh.value_or(0) + added->mwh[i];
    }
    if (added->peak_dw >= 0) take_peak(peak_dw, peak_time, added->peak_dw, added->peak_time);
    for (std::size_t i = 0; i < n; ++i) {
      if (added->input_peak_dw[i] >= 0) {
        take_peak(r.inputs[i].peak_dw, r.inputs[i].peak_time, added->input_peak_dw[i], added->input_peak_time[i]);
      }
    }
  }
  if (there) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!r.inputs[i].mwh) r.inputs[i].mwh = there->inputs[i].mwh;
    }
    if (input_sum(*there) > input_sum(r)) {
      for (std::size_t i = 0; i < n; ++i) r.inputs[i].mwh = there->inputs[i].mwh;
    }
    r.samples = std::max(r.samples, there->samples);
    take_peak(peak_dw, peak_time, there->peak_dw, there->peak_time);
    for (std::size_t i = 0; i < n; ++i) {
      if (there->inputs[i].peak_dw) {
        take_peak(r.inputs[i].peak_dw, r.inputs[i].peak_time, *there->inputs[i].peak_dw,
                  there->inputs[i].peak_time.value_or(0));
      }
    }
  }
  r.peak_dw = peak_dw.value_or(0);
  r.peak_time = peak_time.value_or(0);
  if (here && here->edited) {
    r.energy_mwh = here->energy_mwh;
    r.edited = true;
  } else if (there && there->edited) {
    r.energy_mwh = there->energy_mwh;
    r.edited = true;
  } else {
    r.energy_mwh = input_sum(r);
    r.edited = false;
  }
  return r;
}

util::Status check_day_values(const DayValues& d, const Mapped& m, std::int32_t day) {
  bool ok = is_valid_day_key(day) && d.energy_mwh >= 0 && d.samples >= 0;
  for (const auto& in : d.inputs) ok = ok && in.mwh.value_or(0) >= 0;
  if (ok) return {};
  return util::make_error(Errc::InvalidArgument,
                          fmt::format("the other database's day {} of {} holds impossible values", day, m.serial));
}

// The stable sort keeps this store's point first among equal times.
std::vector<CurvePoint> union_points(std::vector<CurvePoint> here, const std::vector<CurvePoint>& extra) {
  std::vector<CurvePoint> out = std::move(here);
  out.insert(out.end(), extra.begin(), extra.end());
  std::stable_sort(out.begin(), out.end(), [](const CurvePoint& a, const CurvePoint& b) { return a.time_s < b.time_s; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const CurvePoint& a, const CurvePoint& b) { return a.time_s == b.time_s; }),
            out.end());
  return out;
}

}  // namespace apsecu::store::detail::merge
