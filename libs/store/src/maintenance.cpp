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

util::Status audit(Store::Impl& impl, const AuditNote& note, std::string_view action, std::string_view old_value,
                   std::string_view new_value) {
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

// Runs one-off SQL with integer parameters (rare maintenance paths only).
util::Status run_once(sqlite3* db, std::string_view sql, std::initializer_list<std::int64_t> params,
                      std::string_view what) {
  auto s = detail::OwnedStmt::prepare(db, sql);
  if (!s) return s.error();
  int i = 1;
  for (const auto p : params) sqlite3_bind_int64(s->get(), i++, p);
  const int rc = sqlite3_step(s->get());
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return detail::sqlite_error(db, rc, what);
  return {};
}

// Recomputes one day of site aggregates from the inverters that remain. Site curve points
// sit at cycle starts; an inverter point belongs to the last cycle start at or before it,
// which is how write_cycle summed it in the first place.
util::Status rebuild_site_day(Store::Impl& impl, std::int32_t day) {
  auto curves = detail::OwnedStmt::prepare(impl.db, "SELECT points FROM inverter_curve WHERE day = ?1");
  if (!curves) return curves.error();
  sqlite3_bind_int64(curves->get(), 1, day);
  std::vector<CurvePoint> inverter_points;
  int rc = 0;
  while ((rc = sqlite3_step(curves->get())) == SQLITE_ROW) {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(curves->get(), 0));
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(curves->get(), 0));
    detail::decode_points({p, n}, inverter_points);
  }
  if (rc != SQLITE_DONE) return detail::sqlite_error(impl.db, rc, "reading day curves to rebuild the site");

  std::vector<CurvePoint> site;
  {
    auto s = impl.use(Sql::SelectSiteCurve);
    if (!s) return s.error();
    s->bind(1, std::int64_t{day});
    auto row = s->step("reading the site day curve");
    if (!row) return row.error();
    if (*row) detail::decode_points(s->blob(0), site);
  }
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
  std::vector<std::uint8_t> blob;
  CurvePoint peak{0, 0};
  for (std::size_t k = 0; k < site.size(); ++k) {
    if (!used[k]) continue;  // only the wiped inverter answered in that cycle
    const CurvePoint p{site[k].time_s, sum[k]};
    if (p.power_dw > peak.power_dw) peak = p;
    const auto bytes = detail::encode_point(p);
    blob.insert(blob.end(), bytes.begin(), bytes.end());
  }

  auto energy = detail::OwnedStmt::prepare(
      impl.db, "SELECT count(*), coalesce(sum(energy_mwh), 0) FROM inverter_day WHERE day = ?1");
  if (!energy) return energy.error();
  sqlite3_bind_int64(energy->get(), 1, day);
  if ((rc = sqlite3_step(energy->get())) != SQLITE_ROW) return detail::sqlite_error(impl.db, rc, "summing a day");
  const std::int64_t rows = sqlite3_column_int64(energy->get(), 0);
  const std::int64_t mwh = sqlite3_column_int64(energy->get(), 1);

  if (rows == 0) {
    if (auto st = run_once(impl.db, "DELETE FROM site_day WHERE day = ?1", {day}, "deleting a site day"); !st) return st;
    return run_once(impl.db, "DELETE FROM site_curve WHERE day = ?1", {day}, "deleting a site curve");
  }
  if (auto st = run_once(impl.db, "UPDATE site_day SET energy_mwh = ?2, peak_power_dw = ?3, peak_time = ?4 WHERE day = ?1",
                         {day, mwh, peak.power_dw, peak.time_s}, "rebuilding a site day");
      !st) {
    return st;
  }
  auto put = detail::OwnedStmt::prepare(impl.db, "UPDATE site_curve SET points = ?2 WHERE day = ?1");
  if (!put) return put.error();
  sqlite3_bind_int64(put->get(), 1, day);
  sqlite3_bind_blob64(put->get(), 2, blob.empty() ? "" : static_cast<const void*>(blob.data()), blob.size(),
                      SQLITE_TRANSIENT);
  if ((rc = sqlite3_step(put->get())) != SQLITE_DONE) return detail::sqlite_error(impl.db, rc, "rebuilding a site curve");
  return {};
}

}  // namespace

util::Status Store::set_day_total(std::string_view serial, std::int32_t day, std::int64_t energy_wh,
                                  const AuditNote& note) {
  if (auto st = detail::check_day(day, "set_day_total"); !st) return st;
  if (auto st = check_note(note, "set_day_total"); !st) return st;
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
  if (auto st = audit(*impl_, note, "set_day_total", old_json, new_json); !st) return st;
  return txn.commit();
}

util::Status Store::wipe_inverter(std::string_view serial, const AuditNote& note) {
  if (auto st = check_note(note, "wipe_inverter"); !st) return st;
  auto inv = impl_->require(serial);
  if (!inv) return inv.error();
  const std::int64_t id = (*inv)->id;

  detail::Transaction txn(*impl_);
  if (auto st = txn.begin(); !st) return st;
  std::set<std::int32_t> days;
  std::int64_t total_mwh = 0;
  {
    auto s = detail::OwnedStmt::prepare(impl_->db, "SELECT day, energy_mwh FROM inverter_day WHERE inverter_id = ?1");
    if (!s) return s.error();
    sqlite3_bind_int64(s->get(), 1, id);
    int rc = 0;
    while ((rc = sqlite3_step(s->get())) == SQLITE_ROW) {
      days.insert(sqlite3_column_int(s->get(), 0));
      total_mwh += sqlite3_column_int64(s->get(), 1);
    }
    if (rc != SQLITE_DONE) return detail::sqlite_error(impl_->db, rc, "listing the inverter's days");
  }
  auto lifetime = lifetime_mwh(serial);
  if (!lifetime) return lifetime.error();

  static constexpr const char* kDeletes[] = {
      "DELETE FROM sample WHERE inverter_id = ?1",         "DELETE FROM inverter_day WHERE inverter_id = ?1",
      "DELETE FROM inverter_month WHERE inverter_id = ?1", "DELETE FROM inverter_curve WHERE inverter_id = ?1",
      "DELETE FROM inverter_state WHERE inverter_id = ?1",
      "UPDATE lifetime SET input1_mwh = 0, input2_mwh = 0, input3_mwh = 0, input4_mwh = 0 WHERE inverter_id = ?1"};
  for (const char* sql : kDeletes) {
    if (auto st = run_once(impl_->db, sql, {id}, fmt::format("wiping {}", serial)); !st) return st;
  }
  std::set<std::int32_t> months;
  for (const auto d : days) {
    if (auto st = rebuild_site_day(*impl_, d); !st) return st;
    months.insert(month_key_of_day(d));
  }
  for (const auto m : months) {
    const std::int64_t first = std::int64_t{m} * 100 + 1;
    const std::int64_t last = std::int64_t{m} * 100 + 31;
    if (auto st = run_once(impl_->db, "DELETE FROM site_month WHERE month = ?1", {m}, "rebuilding a site month"); !st) {
      return st;
    }
    if (auto st = run_once(impl_->db,
                           "INSERT INTO site_month(month, energy_mwh) SELECT ?1, sum(energy_mwh) FROM site_day"
                           " WHERE day BETWEEN ?2 AND ?3 HAVING count(*) > 0",
                           {m, first, last}, "rebuilding a site month");
        !st) {
      return st;
    }
  }
  const auto old_json = fmt::format(R"({{"serial":"{}","days":{},"energy_mwh":{},"lifetime_mwh":[{}]}})", serial,
                                    days.size(), total_mwh, fmt::join(*lifetime, ","));
  const auto new_json = fmt::format(R"({{"serial":"{}","days":0,"energy_mwh":0}})", serial);
  if (auto st = audit(*impl_, note, "wipe_inverter", old_json, new_json); !st) return st;
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
