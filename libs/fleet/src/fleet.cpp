// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/fleet/fleet.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <nlohmann/json.hpp>

namespace apsecu::fleet {
namespace {

using nlohmann::json;

AccountingPolicy accounting_policy(const InverterSpec& spec, const FleetPolicy& policy) {
  AccountingPolicy p;
  p.rated_power_w = expected_input_power_w(spec);
  p.plausibility_margin = policy.plausibility_margin;
  p.fresh_start_max_uptime_s = 2 * policy.poll_interval_s;
  return p;
}

struct Persisted {
  std::optional<CounterSample> last;
  std::optional<LedgerState> ledger;
  std::optional<util::WallTime> last_sample_time;
  std::vector<double> last_power_w;
  std::vector<std::uint8_t> input_order;  // the numbering `last` and last_power_w are in
};

// The physical input behind the owner's input k (0-based) in `order`; empty is physical.
std::size_t physical_input(const std::vector<std::uint8_t>& order, std::size_t k) {
  return k < order.size() ? order[k] - 1U : k;
}

// Per-input values kept in one numbering, put in another: the inputs were renumbered in the
// settings, and the counters of the baseline must follow their panels, or the first sample
// after the change would compare one panel's counter with another's.
void renumber(std::vector<double>& values, const std::vector<std::uint8_t>& from, const std::vector<std::uint8_t>& to) {
  const auto n = values.size();
  if (from == to || !(from.empty() || aps::is_input_order(from, n)) || !(to.empty() || aps::is_input_order(to, n))) {
    return;
  }
  std::vector<double> physical(n);
  for (std::size_t k = 0; k < n; ++k) physical[physical_input(from, k)] = values[k];
  for (std::size_t k = 0; k < n; ++k) values[k] = physical[physical_input(to, k)];
}

// Never throws: a damaged state is ignored (the next sample becomes a baseline) rather than
// stopping the daemon.
Persisted parse_state(const std::string& text) {
  Persisted p;
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return p;
  try {
    if (j.contains("last")) {
      p.last = CounterSample{.uptime_s = j["last"].at("uptime_s").get<std::uint32_t>(),
                             .energy_counter_wh = j["last"].at("energy_counter_wh").get<std::vector<double>>()};
    }
    if (j.contains("ledger")) {
      p.ledger = LedgerState{.day = j["ledger"].at("day").get<DayKey>(),
                             .today_wh = j["ledger"].at("today_wh").get<std::vector<double>>(),
                             .lifetime_wh = j["ledger"].at("lifetime_wh").get<std::vector<double>>()};
    }
    if (j.contains("last_sample_time_s")) {
      p.last_sample_time = util::WallTime(std::chrono::seconds(j["last_sample_time_s"].get<std::int64_t>()));
    }
    if (j.contains("last_power_w")) p.last_power_w = j["last_power_w"].get<std::vector<double>>();
    if (j.contains("input_order")) p.input_order = j["input_order"].get<std::vector<std::uint8_t>>();
  } catch (const json::exception&) {
    return Persisted{};
  }
  return p;
}

}  // namespace

std::vector<double> expected_input_power_w(const InverterSpec& spec) {
  const auto& model = aps::info(spec.model);
  std::vector<double> w(model.inputs, model.rated_input_power_w);
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double panels = spec.panel_peak_w.size() == w.size() ? spec.panel_peak_w[i] : spec.panel_power_w;
    w[i] = std::max(w[i], panels);
  }
  return w;
}

Fleet::Fleet(std::vector<InverterSpec> specs, FleetPolicy policy, const std::map<std::string, std::string>& states)
    : specs_(std::move(specs)), policy_(policy) {
  runtimes_.reserve(specs_.size());
  for (const auto& spec : specs_) {
    Persisted p;
    if (auto it = states.find(spec.serial.str()); it != states.end()) p = parse_state(it->second);
    if (p.last) renumber(p.last->energy_counter_wh, p.input_order, spec.decode.input_order);
    renumber(p.last_power_w, p.input_order, spec.decode.input_order);
    const auto inputs = aps::info(spec.model).inputs;
    runtimes_.push_back(Runtime{EnergyAccountant(accounting_policy(spec, policy_), p.last),
                                Ledger(inputs, p.ledger), InverterView{}, p.last_sample_time, p.last_power_w});
    auto& view = runtimes_.back().view;
    view.serial = spec.serial.str();
    view.model = std::string(aps::info(spec.model).name);
    view.name = spec.name;
    view.short_address = spec.short_address;
    view.sample_time = p.last_sample_time;
    view.inputs.assign(inputs, InputView{});
    refresh_view(runtimes_.size() - 1);
  }
}

std::optional<std::size_t> Fleet::index_of(const aps::Serial& serial) const noexcept {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    if (specs_[i].serial == serial) return i;
  }
  return std::nullopt;
}

const InverterSpec* Fleet::find(const aps::Serial& serial) const noexcept {
  const auto i = index_of(serial);
  return i ? &specs_[*i] : nullptr;
}

void Fleet::set_short_address(const aps::Serial& serial, std::uint16_t address) {
  if (const auto i = index_of(serial)) {
    specs_[*i].short_address = address;
    runtimes_[*i].view.short_address = address;
  }
}

namespace {
// Just after a restart the counter's average is diluted by the grid checks, when the inverter
// feeds nothing (a minute or more), so a poll soon after reads far less than the panels give.
// The input's DC power (V x I) is sampled at the poll and is not diluted, though noisier, so
// the larger of the two stands for the power after the restart. An inverter that is not
// feeding yet says nothing about the sun, and then the power before the gap stands alone.
double power_after_restart_w(const aps::Telemetry& t, std::size_t input, const InputResult& counted,
                             double before_w) {
  double dc_w = 0;
  if (input < t.inputs.size() && t.inputs[input].dc_voltage_v && t.inputs[input].dc_current_a) {
    dc_w = std::max(0.0, *t.inputs[input].dc_voltage_v * *t.inputs[input].dc_current_a);
  }
  const double counted_w = counted.increase_wh > 0 ? std::max(0.0, counted.power_w) : 0.0;
  if (dc_w <= 0 && counted_w <= 0) return before_w;
  return std::max(dc_w, counted_w);
}
}  // namespace

double Fleet::estimate_gap(Runtime& rt, const aps::Telemetry& t, util::WallTime when, DayKey day,
                           Accounted& acc) const {
  // Across a night there is nothing to estimate: the inverter slept, it did not lose energy.
  const bool same_day = rt.ledger.state().day == day;
  if (acc.kind != SampleKind::InverterReset || !same_day || !rt.last_sample_time ||
      rt.last_power_w.size() != acc.inputs.size()) {
    return 0;
  }
  const auto restart = when - std::chrono::seconds(t.uptime_s);
  const auto gap_s = std::chrono::duration<double>(restart - *rt.last_sample_time).count();
  if (gap_s <= 0 || gap_s > policy_.max_estimated_gap_s) return 0;
  double total = 0;
  for (std::size_t i = 0; i < acc.inputs.size(); ++i) {
    // The mean of the power measured before the gap and just after the restart: over a
    // longer gap the sun has moved, and either end alone would be biased.
    const double before_w = std::max(0.0, rt.last_power_w[i]);
    const double mean_w = (before_w + power_after_restart_w(t, i, acc.inputs[i], before_w)) / 2.0;
    const double est = mean_w * gap_s / 3600.0;
    acc.inputs[i].increase_wh += est;
    total += est;
  }
  acc.increase_wh += total;
  return total;
}

std::optional<Applied> Fleet::apply(const aps::Serial& serial, const aps::Telemetry& t, std::optional<double> lqi_pct,
                                    util::WallTime when, DayKey day) {
  const auto index = index_of(serial);
  if (!index) return std::nullopt;
  auto& rt = runtime(*index);
  CounterSample sample{.uptime_s = t.uptime_s, .energy_counter_wh = {}};
  for (const auto& in : t.inputs) sample.energy_counter_wh.push_back(in.energy_counter_wh);

  Applied out;
  out.accounted = rt.accountant.apply(sample);
  out.estimated_gap_wh = estimate_gap(rt, t, when, day, out.accounted);
  out.note = out.accounted.reason;
  if (out.estimated_gap_wh > 0) {
    out.note += fmt::format("; added an estimated {:.2f} Wh produced between the last poll and the restart",
                            out.estimated_gap_wh);
  }

  (void)rt.ledger.roll_to(day);
  rt.ledger.add(out.accounted, specs_[*index].inputs_in_use);

  auto& v = rt.view;
  v.telemetry = t;
  v.link_quality_pct = lqi_pct;
  v.last_poll_time = when;
  v.last_outcome = "ok";
  v.last_detail = out.note;
  v.consecutive_failures = 0;
  if (out.accounted.kind == SampleKind::Normal || out.accounted.kind == SampleKind::InverterReset ||
      out.accounted.kind == SampleKind::Baseline) {
    v.sample_time = when;
    rt.last_sample_time = when;
    rt.last_power_w.assign(out.accounted.inputs.size(), 0.0);
    for (std::size_t i = 0; i < out.accounted.inputs.size(); ++i) {
      rt.last_power_w[i] = out.accounted.inputs[i].power_w;
      v.inputs[i].power_w = out.accounted.inputs[i].power_w;
    }
    for (std::size_t i = 0; i < t.inputs.size() && i < v.inputs.size(); ++i) {
      v.inputs[i].dc_voltage_v = t.inputs[i].dc_voltage_v;
      v.inputs[i].dc_current_a = t.inputs[i].dc_current_a;
      v.inputs[i].energy_counter_wh = t.inputs[i].energy_counter_wh;
    }
  }
  refresh_view(*index);
  return out;
}

void Fleet::record_failure(const aps::Serial& serial, std::string outcome, std::string detail, util::WallTime when) {
  const auto index = index_of(serial);
  if (!index) return;
  auto& v = runtime(*index).view;
  v.last_poll_time = when;
  v.last_outcome = std::move(outcome);
  v.last_detail = std::move(detail);
  ++v.consecutive_failures;
}

std::vector<std::pair<std::string, ClosedDay>> Fleet::roll_to(DayKey day) {
  std::vector<std::pair<std::string, ClosedDay>> closed;
  for (std::size_t i = 0; i < runtimes_.size(); ++i) {
    if (auto c = runtimes_[i].ledger.roll_to(day)) closed.emplace_back(specs_[i].serial.str(), std::move(*c));
    refresh_view(i);
  }
  return closed;
}

void Fleet::zero_power() {
  for (std::size_t i = 0; i < runtimes_.size(); ++i) {
    for (auto& in : runtimes_[i].view.inputs) in.power_w = 0;
    refresh_view(i);
  }
}

void Fleet::refresh_view(std::size_t index) {
  auto& rt = runtimes_[index];
  auto& v = rt.view;
  const auto& spec = specs_[index];
  const auto& ledger = rt.ledger.state();
  v.power_w = 0;
  for (std::size_t i = 0; i < v.inputs.size(); ++i) {
    auto& in = v.inputs[i];
    in.in_use = spec.inputs_in_use.empty() || (i < spec.inputs_in_use.size() && spec.inputs_in_use[i]);
    in.today_wh = i < ledger.today_wh.size() ? ledger.today_wh[i] : 0;
    in.lifetime_wh = i < ledger.lifetime_wh.size() ? ledger.lifetime_wh[i] : 0;
    if (in.in_use) v.power_w += in.power_w;
  }
  v.today_wh = rt.ledger.today_total_wh();
  v.lifetime_wh = rt.ledger.lifetime_total_wh();
}

std::vector<InverterView> Fleet::views() const {
  std::vector<InverterView> out;
  out.reserve(runtimes_.size());
  for (const auto& rt : runtimes_) out.push_back(rt.view);
  return out;
}

std::string Fleet::state_json(const aps::Serial& serial) const {
  const auto index = index_of(serial);
  if (!index) return "{}";
  const auto& rt = runtimes_[*index];
  json j = json::object();
  if (const auto& last = rt.accountant.state()) {
    j["last"] = {{"uptime_s", last->uptime_s}, {"energy_counter_wh", last->energy_counter_wh}};
  }
  const auto& l = rt.ledger.state();
  j["ledger"] = {{"day", l.day}, {"today_wh", l.today_wh}, {"lifetime_wh", l.lifetime_wh}};
  if (rt.last_sample_time) {
    j["last_sample_time_s"] =
        std::chrono::duration_cast<std::chrono::seconds>(rt.last_sample_time->time_since_epoch()).count();
  }
  j["last_power_w"] = rt.last_power_w;
  if (!specs_[*index].decode.input_order.empty()) j["input_order"] = specs_[*index].decode.input_order;
  return j.dump();
}

}  // namespace apsecu::fleet
