// SPDX-License-Identifier: GPL-3.0-or-later
// merge_from, second half: day totals and curves in SQL. For every (inverter, day) of the
// other file, and every one that gained samples, the merged row follows the rules of
// merge_day_values.hpp; site days and months are then rebuilt from the inverter rows.

#include <algorithm>

#include "apsecu/store/day_key.hpp"
#include "curve.hpp"
#include "merge.hpp"
#include "merge_day_values.hpp"

namespace apsecu::store::detail::merge {
namespace {

constexpr const char* kDayColumns =
    "energy_mwh, peak_power_dw, peak_time, samples, edited, input1_mwh, input1_peak_dw, input1_peak_time,"
    " input2_mwh, input2_peak_dw, input2_peak_time, input3_mwh, input3_peak_dw, input3_peak_time,"
    " input4_mwh, input4_peak_dw, input4_peak_time";

DayValues read_day(const Stmt& s, int first) {
  DayValues d;
  d.energy_mwh = s.i64(first);
  d.peak_dw = s.i32(first + 1);
  d.peak_time = s.i64(first + 2);
  d.samples = s.i64(first + 3);
  d.edited = s.i64(first + 4) != 0;
  for (std::size_t i = 0; i < kMaxInputs; ++i) {
    const int base = first + 5 + static_cast<int>(i) * 3;
    d.inputs[i] = {s.opt_i64(base), s.opt_i32(base + 1), s.opt_i64(base + 2)};
  }
  return d;
}

// The statements of this half, prepared once for the whole merge.
struct Statements {
  OwnedStmt other_day, here_day, put_day, count_here, here_span, other_span;
  OwnedStmt here_curve, other_curve, put_curve, here_site_curve, other_site_curve, put_site_curve;
  OwnedStmt put_span, put_peak, delete_site_curve, delete_inverter_month, rebuild_inverter_month;

  util::Status prepare(sqlite3* here, sqlite3* there) {
    struct Item {
      OwnedStmt* slot;
      sqlite3* db;
      std::string sql;
    };
    const std::string cols = kDayColumns;
    const Item items[] = {
        {&other_day, there, "SELECT " + cols + " FROM inverter_day WHERE inverter_id = ?1 AND day = ?2"},
        {&here_day, here, "SELECT " + cols + " FROM inverter_day WHERE inverter_id = ?1 AND day = ?2"},
        {&put_day, here,
         "INSERT OR REPLACE INTO inverter_day(inverter_id, day, " + cols +
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"},
        {&count_here, here,
         "SELECT count(*) FROM sample WHERE time BETWEEN ?3 AND ?4 AND inverter_id = ?1 AND day = ?2"},
        {&here_span, here, "SELECT first_time, last_time, peak_power_dw, peak_time FROM site_day WHERE day = ?1"},
        {&other_span, there, "SELECT first_time, last_time, peak_power_dw, peak_time FROM site_day WHERE day = ?1"},
        {&put_peak, here, "UPDATE site_day SET peak_power_dw = ?2, peak_time = ?3 WHERE day = ?1"},
        {&here_curve, here, "SELECT points FROM inverter_curve WHERE day = ?1 AND inverter_id = ?2"},
        {&other_curve, there, "SELECT points FROM inverter_curve WHERE day = ?1 AND inverter_id = ?2"},
        {&put_curve, here,
         "INSERT INTO inverter_curve(day, inverter_id, points) VALUES (?1, ?2, ?3)"
         " ON CONFLICT (day, inverter_id) DO UPDATE SET points = excluded.points"},
        {&here_site_curve, here, "SELECT points FROM site_curve WHERE day = ?1"},
        {&other_site_curve, there, "SELECT points FROM site_curve WHERE day = ?1"},
        {&put_site_curve, here,
         "INSERT INTO site_curve(day, points) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET points = excluded.points"},
        {&put_span, here,
         "INSERT INTO site_day(day, energy_mwh, peak_power_dw, peak_time, first_time, last_time)"
         " VALUES (?1, 0, 0, 0, ?2, ?3) ON CONFLICT (day) DO UPDATE SET"
         " first_time = excluded.first_time, last_time = excluded.last_time"},
        {&delete_site_curve, here, "DELETE FROM site_curve WHERE day = ?1"},
        {&delete_inverter_month, here, "DELETE FROM inverter_month WHERE inverter_id = ?1 AND month = ?2"},
        {&rebuild_inverter_month, here,
         "INSERT INTO inverter_month(inverter_id, month, energy_mwh) SELECT ?1, ?2, sum(energy_mwh)"
         " FROM inverter_day WHERE inverter_id = ?1 AND day BETWEEN ?2 * 100 + 1 AND ?2 * 100 + 31"
         " HAVING count(*) > 0"},
    };
    for (const auto& item : items) {
      auto s = OwnedStmt::prepare(item.db, item.sql);
      if (!s) return s.error();
      *item.slot = std::move(*s);
    }
    return {};
  }
};

util::Result<std::optional<DayValues>> find_day(const OwnedStmt& q, std::int64_t id, std::int32_t day) {
  auto s = use(q);
  s.bind(1, id).bind(2, std::int64_t{day});
  auto row = s.step("reading a day total");
  if (!row) return row.error();
  if (!*row) return std::optional<DayValues>{};
  return std::optional<DayValues>{read_day(s, 0)};
}

util::Status read_curve(const OwnedStmt& q, std::int32_t day, std::optional<std::int64_t> id,
                        std::vector<CurvePoint>& out) {
  auto s = use(q);
  s.bind(1, std::int64_t{day});
  if (id) s.bind(2, *id);
  auto row = s.step("reading a day curve");
  if (!row) return row.error();
  if (*row) decode_points(s.blob(0), out);
  return {};
}

// A site day's first/last sample time and peak, as far as a file knows them.
struct Span {
  std::optional<std::int64_t> first;
  std::optional<std::int64_t> second;
  std::optional<std::int32_t> peak_dw;
  std::optional<std::int64_t> peak_time;
};

util::Result<Span> read_span(const OwnedStmt& q, std::int32_t day) {
  auto s = use(q);
  s.bind(1, std::int64_t{day});
  auto row = s.step("reading a site day");
  if (!row) return row.error();
  if (!*row) return Span{};
  return Span{s.opt_i64(0), s.opt_i64(1), s.opt_i32(2), s.opt_i64(3)};
}

void widen(Span& span, std::optional<std::int64_t> first, std::optional<std::int64_t> last) {
  if (first) span.first = span.first ? std::min(*span.first, *first) : *first;
  if (last) span.second = span.second ? std::max(*span.second, *last) : *last;
}

class DayMerger {
 public:
  DayMerger(Context& ctx, Statements& q) : ctx_(ctx), q_(q) {}

  // One (inverter, day): `there` is the other file's row when its totals are used.
  util::Status merge(const Mapped& m, std::int64_t other_id, std::int32_t day, const std::optional<DayValues>& there,
                     const Added* added) {
    auto here = find_day(q_.here_day, m.id, day);
    if (!here) return here.error();
    bool complete = true;
    if (*here && added != nullptr && (*here)->samples > 0) {
      auto n = count_here(m.id, day, *added);
      if (!n) return n.error();
      complete = *n >= (*here)->samples;
    }
    const DayValues merged = combine(*here, added, there, complete, m.inputs);
    const bool row_changed = !*here || merged != **here;
    if (*here && (*here)->edited && (added != nullptr || (there && there->energy_mwh != (*here)->energy_mwh))) {
      ++ctx_.report.edited_days_kept;
    }
    if (row_changed) {
      if (auto st = put_day(m.id, day, merged); !st) return st;
      auto& delta = ctx_.lifetime_delta[m.id];
      for (std::size_t i = 0; i < kMaxInputs; ++i) {
        const std::int64_t before = *here ? (*here)->inputs[i].mwh.value_or(0) : 0;
        delta[i] += merged.inputs[i].mwh.value_or(0) - before;
      }
    }

    std::vector<CurvePoint> curve;
    if (auto st = read_curve(q_.here_curve, day, m.id, curve); !st) return st;
    std::vector<CurvePoint> extra;
    if (there) {
      if (auto st = read_curve(q_.other_curve, day, other_id, extra); !st) return st;
    } else if (added != nullptr) {
      extra = added->points;
    }
    const auto before = curve.size();
    curve = union_points(std::move(curve), extra);
    const bool curve_changed = curve.size() != before;
    if (curve_changed) {
      auto s = use(q_.put_curve);
      s.bind(1, std::int64_t{day}).bind(2, m.id).bind_blob(3, encode_points(curve));
      if (auto st = s.run("merging a day curve"); !st) return st;
    }
    if (row_changed || curve_changed) {
      ++ctx_.report.inverter_days_changed;
      days_.insert(day);
      inverter_months_.insert({m.id, month_key_of_day(day)});
    }
    return {};
  }

  // Site days (span, curve, total, peak) and the months of everything that changed.
  util::Status finish() {
    for (const auto day : days_) {
      if (auto st = rebuild_day(day); !st) return st;
    }
    std::set<std::int32_t> site_months;
    for (const auto& [id, month] : inverter_months_) {
      site_months.insert(month);
      auto del = use(q_.delete_inverter_month);
      del.bind(1, id).bind(2, std::int64_t{month});
      if (auto st = del.run("rebuilding an inverter month"); !st) return st;
      auto put = use(q_.rebuild_inverter_month);
      put.bind(1, id).bind(2, std::int64_t{month});
      if (auto st = put.run("rebuilding an inverter month"); !st) return st;
    }
    for (const auto month : site_months) {
      for (const Sql q : {Sql::DeleteSiteMonth, Sql::RebuildSiteMonth}) {
        auto s = ctx_.impl.use(q);
        if (!s) return s.error();
        s->bind(1, std::int64_t{month});
        if (auto st = s->run("rebuilding a site month"); !st) return st;
      }
    }
    ctx_.report.days_recomputed = static_cast<std::int64_t>(days_.size());
    ctx_.report.months_recomputed = static_cast<std::int64_t>(site_months.size());
    if (!days_.empty()) {
      ctx_.report.first_day = *days_.begin();
      ctx_.report.last_day = *days_.rbegin();
    }
    return {};
  }

 private:
  // How many samples of the day this store held before the merge. Fewer than its row
  // counted means retention pruned some, and the imported ones may be those.
  util::Result<std::int64_t> count_here(std::int64_t id, std::int32_t day, const Added& added) {
    auto span = read_span(q_.here_span, day);
    if (!span) return span.error();
    widen(*span, added.first_time, added.last_time);
    auto s = use(q_.count_here);
    s.bind(1, id).bind(2, std::int64_t{day}).bind(3, span->first.value_or(0)).bind(4, span->second.value_or(0));
    auto row = s.step("counting a day's samples");
    if (!row) return row.error();
    return (*row ? s.i64(0) : 0) - added.samples;
  }

  util::Status put_day(std::int64_t id, std::int32_t day, const DayValues& d) {
    auto s = use(q_.put_day);
    s.bind(1, id).bind(2, std::int64_t{day}).bind(3, d.energy_mwh).bind(4, std::int64_t{d.peak_dw});
    s.bind(5, d.peak_time).bind(6, d.samples).bind(7, std::int64_t{d.edited ? 1 : 0});
    for (std::size_t i = 0; i < kMaxInputs; ++i) {
      const int base = 8 + static_cast<int>(i) * 3;
      s.bind(base, d.inputs[i].mwh).bind(base + 1, d.inputs[i].peak_dw).bind(base + 2, d.inputs[i].peak_time);
    }
    return s.run("merging a day total");
  }

  util::Status rebuild_day(std::int32_t day) {
    auto span = read_span(q_.here_span, day);
    if (!span) return span.error();
    const Span mine = *span;
    auto theirs = read_span(q_.other_span, day);
    if (!theirs) return theirs.error();
    widen(*span, theirs->first, theirs->second);
    if (auto it = ctx_.added_span.find(day); it != ctx_.added_span.end()) {
      widen(*span, it->second.first, it->second.second);
    }
    auto put = use(q_.put_span);
    put.bind(1, std::int64_t{day}).bind(2, span->first).bind(3, span->second);
    if (auto st = put.run("merging a site day"); !st) return st;

    // The cycle starts of both files; rebuild_site_day sums the inverter points onto them.
    std::vector<CurvePoint> starts;
    if (auto st = read_curve(q_.here_site_curve, day, std::nullopt, starts); !st) return st;
    std::vector<CurvePoint> other_starts;
    if (auto st = read_curve(q_.other_site_curve, day, std::nullopt, other_starts); !st) return st;
    starts = union_points(std::move(starts), other_starts);
    if (starts.empty()) {
      auto del = use(q_.delete_site_curve);
      del.bind(1, std::int64_t{day});
      if (auto st = del.run("merging a site curve"); !st) return st;
    } else {
      auto s = use(q_.put_site_curve);
      s.bind(1, std::int64_t{day}).bind_blob(2, encode_points(starts));
      if (auto st = s.run("merging a site curve"); !st) return st;
    }
    if (auto st = rebuild_site_day(ctx_.impl, day); !st) return st;
    // The other file's peak may include a power this store wiped.
    return keep_peak(day, mine, any_wiped() ? Span{} : *theirs);
  }

  // The rebuilt curve's peak, unless a file already knew one at least as high: a day
  // without production keeps its first cycle as the peak time, as write_cycle set it.
  util::Status keep_peak(std::int32_t day, const Span& mine, const Span& theirs) {
    auto rebuilt = read_span(q_.here_span, day);
    if (!rebuilt) return rebuilt.error();
    if (!rebuilt->peak_dw) return {};  // no site day left
    std::optional<std::int32_t> dw;
    std::optional<std::int64_t> time;
    const Span& now = *rebuilt;
    for (const Span* s : {&mine, &theirs, &now}) {
      if (s->peak_dw) take_peak(dw, time, *s->peak_dw, s->peak_time.value_or(0));
    }
    if (dw == rebuilt->peak_dw && time == rebuilt->peak_time) return {};
    auto s = use(q_.put_peak);
    s.bind(1, std::int64_t{day}).bind(2, dw).bind(3, time);
    return s.run("merging a site day's peak");
  }

  [[nodiscard]] bool any_wiped() const {
    return std::any_of(ctx_.inverters.begin(), ctx_.inverters.end(),
                       [](const auto& kv) { return !kv.second.use_other_totals(); });
  }

  Context& ctx_;
  Statements& q_;
  std::set<std::int32_t> days_;
  std::set<DayKey> inverter_months_;  // (id here, YYYYMM)
};

}  // namespace

util::Status plan_days(Store::Impl& impl, sqlite3* other, const std::unordered_map<std::int64_t, Mapped>& inverters,
                       std::vector<OtherDay>& out) {
  const std::string cols = kDayColumns;
  auto rows_q = OwnedStmt::prepare(other, "SELECT inverter_id, day, " + cols + " FROM inverter_day ORDER BY inverter_id, day");
  auto here_q = OwnedStmt::prepare(impl.db, "SELECT " + cols + " FROM inverter_day WHERE inverter_id = ?1 AND day = ?2");
  auto here_curve = OwnedStmt::prepare(impl.db, "SELECT points FROM inverter_curve WHERE day = ?1 AND inverter_id = ?2");
  auto other_curve = OwnedStmt::prepare(other, "SELECT points FROM inverter_curve WHERE day = ?1 AND inverter_id = ?2");
  for (auto* q : {&rows_q, &here_q, &here_curve, &other_curve}) {
    if (!*q) return q->error();
  }
  auto rows = use(*rows_q);
  for (;;) {
    auto row = rows.step("reading the other database's day totals");
    if (!row) return row.error();
    if (!*row) return {};
    const std::int64_t other_id = rows.i64(0);
    const std::int32_t day = rows.i32(1);
    const auto it = inverters.find(other_id);
    if (it == inverters.end()) continue;
    const Mapped& m = it->second;
    const DayValues there = read_day(rows, 2);
    if (auto st = check_day_values(there, m, day); !st) return st;
    if (!m.known_before) {
      out.emplace_back(other_id, day);
      continue;
    }
    if (!m.use_other_totals()) continue;
    auto here = find_day(*here_q, m.id, day);
    if (!here) return here.error();
    if (!*here || combine(*here, nullptr, there, true, m.inputs) != **here) {
      out.emplace_back(other_id, day);
      continue;
    }
    std::vector<CurvePoint> mine;
    std::vector<CurvePoint> theirs;
    if (auto st = read_curve(*here_curve, day, m.id, mine); !st) return st;
    if (auto st = read_curve(*other_curve, day, other_id, theirs); !st) return st;
    const auto before = mine.size();
    if (union_points(std::move(mine), theirs).size() != before) out.emplace_back(other_id, day);
  }
}

util::Status merge_days(Context& ctx, const std::vector<OtherDay>& days) {
  Statements q;
  if (auto st = q.prepare(ctx.impl.db, ctx.other); !st) return st;
  DayMerger merger(ctx, q);
  for (const auto& [other_id, day] : days) {
    const auto it = ctx.inverters.find(other_id);
    if (it == ctx.inverters.end() || !it->second.use_other_totals()) continue;  // wiped since the plan
    const Mapped& m = it->second;
    auto there = find_day(q.other_day, other_id, day);
    if (!there) return there.error();
    if (!*there) continue;
    auto node = ctx.added.extract({m.id, day});
    if (auto st = merger.merge(m, other_id, day, *there, node ? &node.mapped() : nullptr); !st) return st;
  }
  // Samples of days the plan found nothing to do for (their day rows were here already,
  // e.g. after retention), or whose other totals are not used.
  for (const auto& [key, added] : ctx.added) {
    for (const auto& [other_id, m] : ctx.inverters) {
      if (m.id != key.first) continue;
      std::optional<DayValues> there;
      if (m.use_other_totals()) {
        auto found = find_day(q.other_day, other_id, key.second);
        if (!found) return found.error();
        there = *found;
      }
      if (auto st = merger.merge(m, other_id, key.second, there, &added); !st) return st;
      break;
    }
  }
  return merger.finish();
}

}  // namespace apsecu::store::detail::merge
