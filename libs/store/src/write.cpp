// SPDX-License-Identifier: GPL-3.0-or-later
// write_cycle: one poll cycle, one transaction. Validation happens before the transaction
// starts, so a bad batch costs no SD write at all.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "apsecu/store/day_key.hpp"
#include "apsecu/store/store.hpp"
#include "curve.hpp"
#include "impl.hpp"

namespace apsecu::store {

using detail::Sql;

namespace {

// A year of a 4-input inverter at full power is ~10^7 mWh; anything near the limits
// below is a unit mistake by the caller, not energy.
constexpr std::int64_t kMaxIncreaseMwh = 100'000'000;  // 100 kWh in one poll
constexpr std::int64_t kMaxTime = std::numeric_limits<std::uint32_t>::max();  // curve blobs hold u32

util::Status invalid(std::string message) { return util::make_error(Errc::InvalidArgument, std::move(message)); }

util::Status check_sample(const InverterSample& s, const detail::Inverter& inv) {
  if (s.time_s <= 0 || s.time_s > kMaxTime) {
    return invalid(fmt::format("sample of {}: time {} is not a UTC unix time the store can hold", s.serial, s.time_s));
  }
  if (s.inputs.size() != static_cast<std::size_t>(inv.info.inputs)) {
    return invalid(fmt::format("sample of {} ({}): {} inputs given, the inverter has {}", s.serial, inv.info.model,
                               s.inputs.size(), inv.info.inputs));
  }
  if (static_cast<unsigned>(s.kind) > static_cast<unsigned>(SampleKind::Rejected)) {
    return invalid(fmt::format("sample of {}: unknown kind {}", s.serial, static_cast<unsigned>(s.kind)));
  }
  for (std::size_t i = 0; i < s.inputs.size(); ++i) {
    const auto& in = s.inputs[i];
    if (in.increase_mwh < 0) {
      return util::make_error(Errc::LifetimeDecrease,
                              fmt::format("sample of {} input {}: an increase of {} mWh would lower the lifetime "
                                          "total; energy only ever grows",
                                          s.serial, i + 1, in.increase_mwh));
    }
    if (in.increase_mwh > kMaxIncreaseMwh || in.power_dw < 0 || in.power_dw > detail::kMaxCurvePowerDw) {
      return invalid(fmt::format("sample of {} input {}: increase {} mWh / power {} dW out of range", s.serial, i + 1,
                                 in.increase_mwh, in.power_dw));
    }
  }
  return {};
}

util::Status check_correction(const Correction& c, std::int64_t time_s) {
  if (c.action.empty() || c.action.size() > 64) {
    return invalid(fmt::format("correction of {} in the poll cycle at {}: the action must be 1..64 characters",
                               c.serial, time_s));
  }
  if (c.reason.empty()) {
    return invalid(fmt::format("correction '{}' of {} in the poll cycle at {} has no reason; an unexplained "
                               "correction cannot be reviewed later",
                               c.action, c.serial, time_s));
  }
  return {};
}

struct Totals {
  std::int64_t energy_mwh = 0;
  std::int32_t power_dw = 0;
};

Totals production_of(const InverterSample& s) {
  Totals t;
  if (!counts_as_production(s.kind)) return t;
  for (const auto& in : s.inputs) {
    t.energy_mwh += in.increase_mwh;
    t.power_dw += in.power_dw;
  }
  return t;
}

util::Status insert_sample(Store::Impl& impl, const InverterSample& s, std::int64_t inverter_id, std::int32_t day) {
  auto st = impl.use(Sql::InsertSample);
  if (!st) return st.error();
  st->bind(1, s.time_s).bind(2, inverter_id).bind(3, std::int64_t{day}).bind(4, std::int64_t{s.uptime_s});
  st->bind(5, std::int64_t{static_cast<int>(s.kind)});
  for (std::size_t i = 0; i < kMaxInputs; ++i) {
    const int base = 6 + static_cast<int>(i) * 5;
    if (i < s.inputs.size()) {
      const auto& in = s.inputs[i];
      st->bind(base, in.energy_counter_raw).bind(base + 1, in.increase_mwh).bind(base + 2, std::int64_t{in.power_dw});
      st->bind(base + 3, in.dc_voltage_cv).bind(base + 4, in.dc_current_ma);
    } else {
      for (int k = 0; k < 5; ++k) st->bind_null(base + k);
    }
  }
  st->bind(26, s.temperature_ddeg).bind(27, s.frequency_mhz).bind(28, s.ac_voltage_cv).bind(29, s.link_quality);
  return st->run(fmt::format("storing the sample of {} at {}", s.serial, s.time_s));
}

// A second poll within the same second merges into the stored sample (InsertSample's upsert),
// so the day must not count it as one more sample: a backup merge compares that count with
// the rows to tell whether retention pruned any.
util::Result<bool> sample_stored(Store::Impl& impl, const InverterSample& s, std::int64_t inverter_id) {
  auto st = impl.use(Sql::SampleExists);
  if (!st) return st.error();
  st->bind(1, s.time_s).bind(2, inverter_id);
  auto row = st->step(fmt::format("looking for a sample of {} at {}", s.serial, s.time_s));
  if (!row) return row.error();
  return *row && st->i64(0) != 0;
}

util::Status update_inverter_day(Store::Impl& impl, const InverterSample& s, std::int64_t inverter_id,
                                 std::int32_t day, const Totals& t, bool merged) {
  auto st = impl.use(Sql::UpsertInverterDay);
  if (!st) return st.error();
  const bool counts = counts_as_production(s.kind);
  st->bind(1, inverter_id).bind(2, std::int64_t{day}).bind(3, t.energy_mwh).bind(4, std::int64_t{t.power_dw});
  st->bind(5, s.time_s).bind(18, std::int64_t{merged ? 0 : 1});
  for (std::size_t i = 0; i < kMaxInputs; ++i) {
    const int base = 6 + static_cast<int>(i) * 3;
    if (i < s.inputs.size()) {
      st->bind(base, counts ? s.inputs[i].increase_mwh : 0);
      st->bind(base + 1, std::int64_t{counts ? s.inputs[i].power_dw : 0}).bind(base + 2, s.time_s);
    } else {
      st->bind_null(base).bind_null(base + 1).bind_null(base + 2);
    }
  }
  return st->run(fmt::format("updating the day total of {}", s.serial));
}

util::Status add_inverter_month(Store::Impl& impl, std::int64_t inverter_id, std::int32_t month, std::int64_t mwh) {
  auto st = impl.use(Sql::AddInverterMonth);
  if (!st) return st.error();
  st->bind(1, inverter_id).bind(2, std::int64_t{month}).bind(3, mwh);
  return st->run("updating an inverter's month total");
}

util::Status append_curve(Store::Impl& impl, std::int32_t day, std::int64_t inverter_id, const CurvePoint& p) {
  auto st = impl.use(Sql::AppendInverterCurve);
  if (!st) return st.error();
  const auto bytes = detail::encode_point(p);
  st->bind(1, std::int64_t{day}).bind(2, inverter_id).bind_blob(3, bytes);
  return st->run("extending an inverter's day curve");
}

util::Status add_lifetime(Store::Impl& impl, const InverterSample& s, std::int64_t inverter_id) {
  auto st = impl.use(Sql::AddLifetime);
  if (!st) return st.error();
  st->bind(1, inverter_id);
  for (std::size_t i = 0; i < kMaxInputs; ++i) {
    st->bind(static_cast<int>(i) + 2, i < s.inputs.size() ? s.inputs[i].increase_mwh : 0);
  }
  return st->run("adding to lifetime totals");
}

util::Status update_site(Store::Impl& impl, const Cycle& c, const Totals& site, std::int64_t first_time,
                         std::int64_t last_time, bool produced) {
  auto day = impl.use(Sql::UpsertSiteDay);
  if (!day) return day.error();
  day->bind(1, std::int64_t{c.day}).bind(2, site.energy_mwh).bind(3, std::int64_t{site.power_dw}).bind(4, c.time_s);
  day->bind(5, first_time).bind(6, last_time);
  if (auto st = day->run("updating the site's day total"); !st) return st;
  if (site.energy_mwh != 0) {
    auto month = impl.use(Sql::AddSiteMonth);
    if (!month) return month.error();
    month->bind(1, std::int64_t{month_key_of_day(c.day)}).bind(2, site.energy_mwh);
    if (auto st = month->run("updating the site's month total"); !st) return st;
  }
  if (!produced) return {};
  auto curve = impl.use(Sql::AppendSiteCurve);
  if (!curve) return curve.error();
  const auto bytes = detail::encode_point({c.time_s, site.power_dw});
  curve->bind(1, std::int64_t{c.day}).bind_blob(2, bytes);
  return curve->run("extending the site's day curve");
}

}  // namespace

util::Status Store::write_cycle(const Cycle& cycle) {
  if (auto st = detail::check_day(cycle.day, "poll cycle"); !st) return st;
  if (cycle.time_s <= 0 || cycle.time_s > kMaxTime) {
    return invalid(fmt::format("poll cycle time {} is not a UTC unix time the store can hold", cycle.time_s));
  }
  std::vector<const detail::Inverter*> invs;
  invs.reserve(cycle.samples.size());
  for (const auto& s : cycle.samples) {
    auto inv = impl_->require(s.serial);
    if (!inv) return inv.error();
    if (std::find(invs.begin(), invs.end(), *inv) != invs.end()) {
      return invalid(fmt::format("poll cycle at {} has two samples of {}", cycle.time_s, s.serial));
    }
    if (auto st = check_sample(s, **inv); !st) return st;
    invs.push_back(*inv);
  }
  std::vector<std::int64_t> state_ids;
  for (const auto& u : cycle.states) {
    auto inv = impl_->require(u.serial);
    if (!inv) return inv.error();
    state_ids.push_back((*inv)->id);
  }
  for (const auto& c : cycle.corrections) {
    if (auto inv = impl_->require(c.serial); !inv) return inv.error();
    if (auto st = check_correction(c, cycle.time_s); !st) return st;
  }

  detail::Transaction txn(*impl_);
  if (auto st = txn.begin(); !st) return st;
  Totals site;
  bool produced = false;
  std::int64_t first_time = cycle.time_s;
  std::int64_t last_time = cycle.time_s;
  const std::int32_t month = month_key_of_day(cycle.day);
  for (std::size_t k = 0; k < cycle.samples.size(); ++k) {
    const auto& s = cycle.samples[k];
    const std::int64_t id = invs[k]->id;
    const Totals t = production_of(s);
    first_time = std::min(first_time, s.time_s);
    last_time = std::max(last_time, s.time_s);
    auto merged = sample_stored(*impl_, s, id);
    if (!merged) return merged.error();
    if (auto st = insert_sample(*impl_, s, id, cycle.day); !st) return st;
    if (auto st = update_inverter_day(*impl_, s, id, cycle.day, t, *merged); !st) return st;
    if (!counts_as_production(s.kind)) continue;
    produced = true;
    site.energy_mwh += t.energy_mwh;
    site.power_dw += t.power_dw;
    if (auto st = append_curve(*impl_, cycle.day, id, {s.time_s, t.power_dw}); !st) return st;
    if (t.energy_mwh == 0) continue;  // night-edge polls: nothing to add, save the writes
    if (auto st = add_inverter_month(*impl_, id, month, t.energy_mwh); !st) return st;
    if (auto st = add_lifetime(*impl_, s, id); !st) return st;
  }
  if (!cycle.samples.empty()) {
    if (auto st = update_site(*impl_, cycle, site, first_time, last_time, produced); !st) return st;
  }
  for (std::size_t k = 0; k < cycle.states.size(); ++k) {
    auto st = impl_->use(Sql::UpsertState);
    if (!st) return st.error();
    // As of the cycle's last poll, not its start: a demo resumes its simulated clock after
    // this time, and resuming inside the cycle would replay the world behind the later polls.
    st->bind(1, state_ids[k]).bind(2, last_time).bind_text(3, cycle.states[k].state);
    if (auto r = st->run(fmt::format("saving the state of {}", cycle.states[k].serial)); !r) return r;
  }
  for (const auto& e : cycle.events) {
    auto st = impl_->use(Sql::InsertEvent);
    if (!st) return st.error();
    st->bind(1, e.time_s).bind(2, std::int64_t{static_cast<int>(e.level)}).bind_text(3, e.source).bind_text(4, e.message);
    if (auto r = st->run("appending to the journal"); !r) return r;
  }
  for (const auto& c : cycle.corrections) {
    auto st = impl_->use(Sql::InsertCorrection);
    if (!st) return st.error();
    st->bind(1, cycle.time_s).bind_text(2, kEngineActor).bind_text(3, c.action).bind_text(4, c.reason);
    st->bind_text(5, c.serial).bind_text(6, c.old_value).bind_text(7, c.new_value);
    if (auto r = st->run(fmt::format("auditing the {} correction of {}", c.action, c.serial)); !r) return r;
  }
  return txn.commit();
}

}  // namespace apsecu::store
