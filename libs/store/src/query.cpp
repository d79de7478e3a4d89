// SPDX-License-Identifier: GPL-3.0-or-later
// Chart and statistics queries. Each reads pre-aggregated rows only: a day curve is one
// blob per inverter plus one for the site, a month is at most 31 day rows, a year at most
// 12 month rows, statistics one row per day in the range.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "apsecu/store/day_key.hpp"
#include "apsecu/store/store.hpp"
#include "curve.hpp"
#include "impl.hpp"

namespace apsecu::store {

using detail::Sql;

namespace {

util::Result<std::vector<DayEnergy>> read_days(Store::Impl& impl, Sql q, std::optional<std::int64_t> inverter_id,
                                               std::int64_t from, std::int64_t to) {
  auto s = impl.use(q);
  if (!s) return s.error();
  int i = 1;
  if (inverter_id) s->bind(i++, *inverter_id);
  s->bind(i, from).bind(i + 1, to);
  std::vector<DayEnergy> out;
  for (;;) {
    auto row = s->step("reading day totals");
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({s->i32(0), s->i64(1)});
  }
  return out;
}

util::Result<std::vector<MonthEnergy>> read_months(Store::Impl& impl, std::optional<std::int64_t> inverter_id,
                                                   int year) {
  auto s = impl.use(inverter_id ? Sql::SelectInverterMonths : Sql::SelectSiteMonths);
  if (!s) return s.error();
  int i = 1;
  if (inverter_id) s->bind(i++, *inverter_id);
  s->bind(i, std::int64_t{year} * 100 + 1).bind(i + 1, std::int64_t{year} * 100 + 12);
  std::vector<MonthEnergy> out;
  for (;;) {
    auto row = s->step("reading month totals");
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({s->i32(0) % 100, s->i64(1)});
  }
  return out;
}

util::Result<std::optional<std::int64_t>> optional_inverter(Store::Impl& impl, std::optional<std::string_view> serial) {
  if (!serial) return std::optional<std::int64_t>{};
  auto inv = impl.require(*serial);
  if (!inv) return inv.error();
  return std::optional<std::int64_t>{(*inv)->id};
}

}  // namespace

util::Result<DayCurve> Store::day_curve(std::int32_t day, std::optional<std::string_view> serial) {
  if (auto st = detail::check_day(day, "day curve"); !st) return st.error();
  DayCurve out;
  out.day = day;
  if (serial) {
    auto inv = impl_->require(*serial);
    if (!inv) return inv.error();
    auto s = impl_->use(Sql::SelectInverterCurve);
    if (!s) return s.error();
    s->bind(1, std::int64_t{day}).bind(2, (*inv)->id);
    auto row = s->step("reading a day curve");
    if (!row) return row.error();
    if (*row) {
      out.inverters.push_back({(*inv)->info.serial, {}});
      detail::decode_points(s->blob(0), out.inverters.back().points);
    }
    return out;
  }
  {
    auto s = impl_->use(Sql::SelectInverterCurves);
    if (!s) return s.error();
    s->bind(1, std::int64_t{day});
    for (;;) {
      auto row = s->step("reading day curves");
      if (!row) return row.error();
      if (!*row) break;
      const auto* inv = impl_->find(s->i64(0));
      out.inverters.push_back({inv != nullptr ? inv->info.serial : std::string{}, {}});
      detail::decode_points(s->blob(1), out.inverters.back().points);
    }
  }
  auto s = impl_->use(Sql::SelectSiteCurve);
  if (!s) return s.error();
  s->bind(1, std::int64_t{day});
  auto row = s->step("reading the site day curve");
  if (!row) return row.error();
  if (*row) detail::decode_points(s->blob(0), out.site);
  return out;
}

util::Result<DailyEnergy> Store::daily_energy(std::int32_t from_day, std::int32_t to_day,
                                              std::optional<std::string_view> serial) {
  if (auto st = detail::check_range(from_day, to_day); !st) return st.error();
  DailyEnergy out;
  if (serial) {
    auto inv = impl_->require(*serial);
    if (!inv) return inv.error();
    auto days = read_days(*impl_, Sql::SelectInverterDays, (*inv)->id, from_day, to_day);
    if (!days) return days.error();
    out.inverters.push_back({(*inv)->info.serial, std::move(*days)});
    return out;
  }
  // One indexed range per inverter: O(rows returned), where a single query on day alone
  // would have to walk every inverter's whole history.
  for (const auto& inv : impl_->inverters) {
    auto days = read_days(*impl_, Sql::SelectInverterDays, inv.id, from_day, to_day);
    if (!days) return days.error();
    if (!days->empty()) out.inverters.push_back({inv.info.serial, std::move(*days)});
  }
  auto site = read_days(*impl_, Sql::SelectSiteDays, std::nullopt, from_day, to_day);
  if (!site) return site.error();
  out.site = std::move(*site);
  return out;
}

util::Result<std::vector<DayEnergy>> Store::month(int year, int month, std::optional<std::string_view> serial) {
  if (year < kMinYear || year > kMaxYear || month < 1 || month > 12) {
    return util::make_error(Errc::InvalidDay, fmt::format("{}-{} is not a valid month", year, month));
  }
  auto id = optional_inverter(*impl_, serial);
  if (!id) return id.error();
  const std::int32_t first = make_day_key({year, month, 1});
  const std::int32_t last = make_day_key({year, month, days_in_month(year, month)});
  return read_days(*impl_, *id ? Sql::SelectInverterDays : Sql::SelectSiteDays, *id, first, last);
}

util::Result<std::vector<MonthEnergy>> Store::year(int year, std::optional<std::string_view> serial) {
  if (year < kMinYear || year > kMaxYear) {
    return util::make_error(Errc::InvalidDay, fmt::format("{} is not a year the store can hold", year));
  }
  auto id = optional_inverter(*impl_, serial);
  if (!id) return id.error();
  return read_months(*impl_, *id, year);
}

util::Result<Statistics> Store::statistics(const StatisticsQuery& query) {
  const std::int32_t from = query.from_day.value_or(make_day_key({kMinYear, 1, 1}));
  const std::int32_t to = query.to_day.value_or(make_day_key({kMaxYear, 12, 31}));
  if (auto st = detail::check_range(from, to); !st) return st.error();
  auto id = optional_inverter(*impl_, query.serial);
  if (!id) return id.error();

  auto s = impl_->use(*id ? Sql::SelectInverterDayStats : Sql::SelectSiteDayStats);
  if (!s) return s.error();
  int i = 1;
  if (*id) s->bind(i++, **id);
  s->bind(i, std::int64_t{from}).bind(i + 1, std::int64_t{to});

  Statistics out;
  std::vector<std::int64_t> produced;  // mWh per production day, for median and spread
  for (;;) {
    auto row = s->step("computing statistics");
    if (!row) return row.error();
    if (!*row) break;
    const DayEnergy d{s->i32(0), s->i64(1)};
    const std::int32_t peak_dw = s->i32(2);
    ++out.days_with_data;
    if (out.first_day == 0) out.first_day = d.day;
    out.last_day = d.day;
    if (peak_dw > 0 && (!out.peak || peak_dw > out.peak->power_dw)) out.peak = PowerPeak{d.day, s->i64(3), peak_dw};
    if (d.energy_mwh <= 0) continue;
    produced.push_back(d.energy_mwh);
    out.total_mwh += d.energy_mwh;
    if (!out.best || d.energy_mwh > out.best->energy_mwh) out.best = d;
    if (!out.worst || d.energy_mwh < out.worst->energy_mwh) out.worst = d;
  }
  out.days_with_production = static_cast<std::int64_t>(produced.size());
  if (produced.empty()) return out;

  const double n = static_cast<double>(produced.size());
  const double mean_mwh = static_cast<double>(out.total_mwh) / n;
  out.mean_wh = mean_mwh / 1000.0;
  double sum_sq = 0;  // two passes: no cancellation between large squares
  for (const auto v : produced) sum_sq += (static_cast<double>(v) - mean_mwh) * (static_cast<double>(v) - mean_mwh);
  out.stddev_wh = std::sqrt(sum_sq / n) / 1000.0;
  const auto mid = produced.begin() + static_cast<std::ptrdiff_t>(produced.size() / 2);
  std::nth_element(produced.begin(), mid, produced.end());
  double median = static_cast<double>(*mid);
  if (produced.size() % 2 == 0) median = (median + static_cast<double>(*std::max_element(produced.begin(), mid))) / 2.0;
  out.median_wh = median / 1000.0;
  return out;
}

}  // namespace apsecu::store
