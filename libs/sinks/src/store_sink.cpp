// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/sinks/store_sink.hpp"

#include <cmath>

#include <fmt/format.h>

#include "apsecu/util/log.hpp"

namespace apsecu::sinks {
namespace {

template <class Int>
std::optional<Int> scaled(std::optional<double> v, double factor) {
  if (!v || !std::isfinite(*v)) return std::nullopt;
  return static_cast<Int>(std::llround(*v * factor));
}

store::SampleKind kind_of(fleet::SampleKind k) {
  switch (k) {
    case fleet::SampleKind::Baseline: return store::SampleKind::Baseline;
    case fleet::SampleKind::Normal: return store::SampleKind::Normal;
    case fleet::SampleKind::InverterReset: return store::SampleKind::InverterReset;
    case fleet::SampleKind::Rejected: return store::SampleKind::Rejected;
  }
  return store::SampleKind::Rejected;
}

}  // namespace

store::EventLevel to_store_level(engine::Level l) noexcept {
  switch (l) {
    case engine::Level::Debug: return store::EventLevel::Debug;
    case engine::Level::Info: return store::EventLevel::Info;
    case engine::Level::Warning: return store::EventLevel::Warning;
    case engine::Level::Error: return store::EventLevel::Error;
  }
  return store::EventLevel::Info;
}

store::InverterSample to_sample(const engine::InverterPoll& poll) {
  const auto& t = *poll.result.telemetry;
  const auto& acc = poll.applied->accounted;
  store::InverterSample s;
  s.serial = poll.serial.str();
  s.time_s = util::unix_seconds(poll.time);
  s.uptime_s = t.uptime_s;
  s.kind = kind_of(acc.kind);
  const bool counts = store::counts_as_production(s.kind);
  for (std::size_t i = 0; i < t.inputs.size(); ++i) {
    store::InputSample in;
    in.energy_counter_raw = i < t.raw.inputs.size() ? static_cast<std::int64_t>(t.raw.inputs[i].energy_raw) : 0;
    if (counts && i < acc.inputs.size()) {
      in.increase_mwh = std::max<std::int64_t>(0, std::llround(acc.inputs[i].increase_wh * 1000.0));
      in.power_dw = static_cast<std::int32_t>(std::llround(std::max(0.0, acc.inputs[i].power_w) * 10.0));
    }
    in.dc_voltage_cv = scaled<std::int32_t>(t.inputs[i].dc_voltage_v, 100.0);
    in.dc_current_ma = scaled<std::int32_t>(t.inputs[i].dc_current_a, 1000.0);
    s.inputs.push_back(in);
  }
  s.temperature_ddeg = scaled<std::int32_t>(t.temperature_c, 10.0);
  s.frequency_mhz = scaled<std::int32_t>(t.frequency_hz, 1000.0);
  s.ac_voltage_cv = scaled<std::int32_t>(t.ac_voltage_v, 100.0);
  if (poll.result.link_quality) s.link_quality = *poll.result.link_quality;
  return s;
}

StoreSink::StoreSink(store::Store& store, StoreSinkOptions options) : store_(store), options_(options) {}

void StoreSink::on_journal(const engine::JournalEntry& entry) {
  if (entry.level < options_.min_level) return;
  std::lock_guard lock(mutex_);
  if (pending_.size() >= options_.max_pending_events) {
    pending_.pop_front();
    ++dropped_events_;
  }
  pending_.push_back(store::Event{0, util::unix_seconds(entry.time), to_store_level(entry.level), entry.source, entry.message});
}

util::Status StoreSink::write(store::Cycle cycle) {
  {
    std::lock_guard lock(mutex_);
    cycle.events.assign(pending_.begin(), pending_.end());
  }
  auto st = store_.write_cycle(cycle);
  std::lock_guard lock(mutex_);
  if (!st) {
    // Keep the journal entries for the next attempt; the samples of this cycle are lost to
    // the history (the engine state is rewritten next cycle, so totals stay right).
    ++write_failures_;
    last_error_ = st.error().describe();
    util::logger("store")->error("cycle not stored: {}", last_error_);
    return st;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(cycle.events.size()));
  return st;
}

void StoreSink::on_cycle(const engine::CycleReport& report) {
  store::Cycle cycle;
  cycle.time_s = util::unix_seconds(report.time);
  cycle.day = report.day;
  for (const auto& p : report.polls) {
    if (!p.result.ok() || !p.applied) continue;
    cycle.samples.push_back(to_sample(p));
    // Every automatic correction is audited with its reason, in the same transaction.
    const auto& a = *p.applied;
    if (a.note.empty()) continue;
    std::string action = a.accounted.kind == fleet::SampleKind::Rejected        ? "rejected"
                         : a.accounted.kind == fleet::SampleKind::InverterReset ? "inverter_reset"
                                                                                : "rebaseline";
    if (a.estimated_gap_wh > 0) action = "gap_estimate";
    cycle.corrections.push_back(store::Correction{
        p.serial.str(), action, a.note, "",
        a.estimated_gap_wh > 0 ? fmt::format("{{\"estimated_wh\":{:.3f}}}", a.estimated_gap_wh) : ""});
  }
  for (const auto& [serial, state] : report.states) cycle.states.push_back({serial, state});
  (void)write(std::move(cycle));
}

void StoreSink::on_window_closed(const std::vector<fleet::InverterView>& /*views*/) { (void)flush(); }

util::Status StoreSink::flush() {
  std::lock_guard lock(mutex_);
  while (!pending_.empty()) {
    if (auto st = store_.append_event(pending_.front()); !st) {
      ++write_failures_;
      last_error_ = st.error().describe();
      return st;
    }
    pending_.pop_front();
  }
  return {};
}

}  // namespace apsecu::sinks
