// SPDX-License-Identifier: GPL-3.0-or-later
// Audited corrections (day totals, wiping an inverter) and retention.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "apsecu/store/day_key.hpp"
#include "apsecu/store/store.hpp"
#include "curve.hpp"
#include "impl.hpp"

namespace apsecu::store {

using detail::Sql;

namespace {

// Runs a cached statement with integer parameters and no result rows.
util::Status run(Store::Impl& impl, Sql q, std::initializer_list<std::int64_t> params, std::string_view what) {
  auto s = impl.use(q);
  if (!s) return s.error();
  int i = 1;
  for (const auto p : params) s->bind(i++, p);
  return s->run(what);
}

util::Status read_points(Store::Impl& impl, Sql q, std::int32_t day, int blob_column, std::vector<CurvePoint>& out) {
  auto s = impl.use(q);
  if (!s) return s.error();
  s->bind(1, std::int64_t{day});
  for (;;) {
    auto row = s->step("reading day curves");
    if (!row) return row.error();
    if (!*row) return {};
    detail::decode_points(s->blob(blob_column), out);
  }
}

}  // namespace

namespace detail {

util::Status write_audit(Store::Impl& impl, const AuditNote& note, std::string_view action,
                         std::string_view old_value, std::string_view new_value) {
  auto a = impl.use(Sql::InsertAudit);
  if (!a) return a.error();
  a->bind(1, note.time_s).bind_text(2, note.actor).bind_text(3, action).bind_text(4, note.reason);
  a->bind_text(5, old_value).bind_text(6, new_value);
  return a->run(fmt::format("auditing {}", action));
}

util::Status check_note(const AuditNote& note, std::string_view action) {
  if (note.reason.empty() || note.actor.empty()) {
    return util::make_error(Errc::InvalidArgument, fmt::format("{} needs an actor and a reason for the audit trail", action));
  }
  return {};
}

// Site curve points sit at cycle starts; an inverter point belongs to the last cycle start
// at or before it, which is how write_cycle summed it in the first place.
util::Status rebuild_site_day(Store::Impl& impl, std::int32_t day) {
  std::vector<CurvePoint> inverter_points;
  if (auto st = read_points(impl, Sql::SelectInverterCurves, day, 1, inverter_points); !st) return st;
  std::vector<CurvePoint> site;
  if (auto st = read_points(impl, Sql::SelectSiteCurve, day, 0, site); !st) return st;

  std::vector<std::int32_t> sum(site.size(), 0);
  std::vector<bool> used(site.size(), false);
  for (const auto& p : inverter_points) {
    auto it = std::upper_bound(site.begin(), site.end(), p.time_s,
                               [](std::int64_t t, const CurvePoint& c) { return t < c.time_s; });
    const std::size_t k = it == site.begin() ? 0 : static_cast<std::size_t>(it - site.begin()) - 1;
    if (k < sum.size()) {
      sum[k] += p.power_dw;
      used[k] = true;
    }
  }
  std::vector<CurvePoint> points;
  CurvePoint peak{0, 0};
  for (std::size_t k = 0; k < site.size(); ++k) {
    if (!used[k]) continue;  // only the wiped inverter answered in that cycle
    const CurvePoint p{site[k].time_s, sum[k]};
    if (p.power_dw > peak.power_dw) peak = p;
    points.push_back(p);
  }
  const auto blob = detail::encode_points(points);

  std::int64_t rows = 0;
  std::int64_t mwh = 0;
  {
    auto s = impl.use(Sql::SumDay);
    if (!s) return s.error();
    s->bind(1, std::int64_t{day});
    auto row = s->step("summing a day");
    if (!row) return row.error();
    if (*row) {
      rows = s->i64(0);
      mwh = s->i64(1);
    }
  }
  if (rows == 0) {
    if (auto st = run(impl, Sql::DeleteSiteDay, {day}, "deleting a site day"); !st) return st;
    return run(impl, Sql::DeleteSiteCurve, {day}, "deleting a site curve");
  }
  if (auto st = run(impl, Sql::RebuildSiteDay, {day, mwh, peak.power_dw, peak.time_s}, "rebuilding a site day"); !st) {
    return st;
  }
  auto put = impl.use(Sql::ReplaceSiteCurve);
  if (!put) return put.error();
  put->bind(1, std::int64_t{day}).bind_blob(2, blob);
  return put->run("rebuilding a site curve");
}

}  // namespace detail

util::Status Store::set_day_total(std::string_view serial, std::int32_t day, std::int64_t energy_wh,
                                  const AuditNote& note) {
  if (auto st = detail::check_day(day, "set_day_total"); !st) return st;
  if (auto st = detail::check_note(note, "set_day_total"); !st) return st;
  if (energy_wh < 0 || energy_wh > 100'000'000) {
    return util::make_error(Errc::InvalidArgument, fmt::format("day total {} Wh is out of range", energy_wh));
  }
  auto inv = impl_->require(serial);
  if (!inv) return inv.error();
  const std::int64_t id = (*inv)->id;
  const std::int64_t new_mwh = energy_wh * 1000;

  detail::Transaction txn(*impl_);
  if (auto st = txn.begin(); !st) return st;
  std::optional<std::int64_t> old_mwh;
  {
    auto s = impl_->use(Sql::SelectInverterDay);
    if (!s) return s.error();
    s->bind(1, id).bind(2, std::int64_t{day});
    auto row = s->step("reading the day total");
    if (!row) return row.error();
    if (*row) old_mwh = s->i64(0);
  }
  const std::int64_t delta = new_mwh - old_mwh.value_or(0);
  auto set = impl_->use(Sql::SetInverterDayTotal);
  if (!set) return set.error();
  set->bind(1, id).bind(2, std::int64_t{day}).bind(3, new_mwh);
  if (auto st = set->run("setting the day total"); !st) return st;
  auto site = impl_->use(Sql::AddSiteDay);
  if (!site) return site.error();
  site->bind(1, std::int64_t{day}).bind(2, delta);
  if (auto st = site->run("adjusting the site day"); !st) return st;
  const std::int64_t month = month_key_of_day(day);
  auto im = impl_->use(Sql::AddInverterMonth);
  if (!im) return im.error();
  im->bind(1, id).bind(2, month).bind(3, delta);
  if (auto st = im->run("adjusting the inverter month"); !st) return st;
  auto sm = impl_->use(Sql::AddSiteMonth);
  if (!sm) return sm.error();
  sm->bind(1, month).bind(2, delta);
  if (auto st = sm->run("adjusting the site month"); !st) return st;

  const auto old_json = old_mwh ? fmt::format(R"({{"serial":"{}","day":{},"energy_mwh":{}}})", serial, day, *old_mwh)
                                : fmt::format(R"({{"serial":"{}","day":{},"energy_mwh":null}})", serial, day);
  const auto new_json = fmt::format(R"({{"serial":"{}","day":{},"energy_mwh":{}}})", serial, day, new_mwh);
  if (auto st = detail::write_audit(*impl_, note, "set_day_total", old_json, new_json); !st) return st;
  return txn.commit();
}

util::Status Store::wipe_inverter(std::string_view serial, const AuditNote& note) {
  if (auto st = detail::check_note(note, "wipe_inverter"); !st) return st;
  auto inv = impl_->require(serial);
  if (!inv) return inv.error();
  const std::int64_t id = (*inv)->id;

  detail::Transaction txn(*impl_);
  if (auto st = txn.begin(); !st) return st;
  std::set<std::int32_t> days;
  std::int64_t total_mwh = 0;
  {
    auto s = impl_->use(Sql::SelectDaysOf);
    if (!s) return s.error();
    s->bind(1, id);
    for (;;) {
      auto row = s->step("listing the inverter's days");
      if (!row) return row.error();
      if (!*row) break;
      days.insert(s->i32(0));
      total_mwh += s->i64(1);
    }
  }
  auto lifetime = lifetime_mwh(serial);
  if (!lifetime) return lifetime.error();

  for (const Sql q : {Sql::DeleteSamplesOf, Sql::DeleteDaysOf, Sql::DeleteMonthsOf, Sql::DeleteCurvesOf,
                      Sql::DeleteStateOf, Sql::ZeroLifetimeOf}) {
    if (auto st = run(*impl_, q, {id}, fmt::format("wiping {}", serial)); !st) return st;
  }
  std::set<std::int32_t> months;
  for (const auto d : days) {
    if (auto st = detail::rebuild_site_day(*impl_, d); !st) return st;
    months.insert(month_key_of_day(d));
  }
  for (const auto m : months) {
    if (auto st = run(*impl_, Sql::DeleteSiteMonth, {m}, "rebuilding a site month"); !st) return st;
    if (auto st = run(*impl_, Sql::RebuildSiteMonth, {m}, "rebuilding a site month"); !st) return st;
  }
  const auto old_json = fmt::format(R"({{"serial":"{}","days":{},"energy_mwh":{},"lifetime_mwh":[{}]}})", serial,
                                    days.size(), total_mwh, fmt::join(*lifetime, ","));
  const auto new_json = fmt::format(R"({{"serial":"{}","days":0,"energy_mwh":0}})", serial);
  if (auto st = detail::write_audit(*impl_, note, "wipe_inverter", old_json, new_json); !st) return st;
  return txn.commit();
}

util::Result<RetentionReport> Store::apply_retention(std::int64_t now_s, int samples_keep_days,
                                                     const RetentionOptions& options) {
  if (samples_keep_days < 1 || options.batch_rows < 1 || options.events_keep_days < 0) {
    return util::make_error(Errc::InvalidArgument,
                            fmt::format("retention needs keep days >= 1 and batch >= 1 (got {} days, batch {})",
                                        samples_keep_days, options.batch_rows));
  }
  RetentionReport report;
  // Small batches, each its own transaction: the poll loop never waits long for the
  // lock, and the WAL stays small on the SD card.
  auto sweep = [&](Sql q, std::int64_t cutoff, std::int64_t& deleted) -> util::Status {
    for (;;) {
      detail::Transaction txn(*impl_);
      if (auto st = txn.begin(); !st) return st;
      auto s = impl_->use(q);
      if (!s) return s.error();
      s->bind(1, cutoff).bind(2, std::int64_t{options.batch_rows});
      if (auto st = s->run("deleting old history"); !st) return st;
      const int n = s->changes();
      if (auto st = txn.commit(); !st) return st;
      deleted += n;
      ++report.batches;
      if (n < options.batch_rows) return {};
    }
  };
  if (auto st = sweep(Sql::DeleteOldSamples, now_s - std::int64_t{samples_keep_days} * 86400, report.samples_deleted);
      !st) {
    return st.error();
  }
  if (options.events_keep_days > 0) {
    if (auto st = sweep(Sql::DeleteOldEvents, now_s - std::int64_t{options.events_keep_days} * 86400,
                        report.events_deleted);
        !st) {
      return st.error();
    }
  }
  return report;
}

}  // namespace apsecu::store
