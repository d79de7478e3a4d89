// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/fleet/ledger.hpp"

#include <numeric>

namespace apsecu::fleet {

double ClosedDay::total_wh() const noexcept { return std::accumulate(energy_wh.begin(), energy_wh.end(), 0.0); }

Ledger::Ledger(std::size_t inputs, std::optional<LedgerState> persisted) {
  if (persisted) state_ = std::move(*persisted);
  // A persisted state from a different model (inverter replaced) is resized, not trusted blindly.
  state_.today_wh.resize(inputs, 0.0);
  state_.lifetime_wh.resize(inputs, 0.0);
}

std::optional<ClosedDay> Ledger::roll_to(DayKey day) {
  if (day == state_.day) return std::nullopt;
  std::optional<ClosedDay> closed;
  if (state_.day != 0 && day > state_.day) closed = ClosedDay{state_.day, state_.today_wh};
  // A clock that jumps back to an earlier day keeps today's energy: totals never decrease.
  if (day > state_.day) {
    std::fill(state_.today_wh.begin(), state_.today_wh.end(), 0.0);
    state_.day = day;
  }
  return closed;
}

void Ledger::add(const Accounted& sample, const std::vector<bool>& inputs_in_use) {
  if (sample.kind != SampleKind::Normal && sample.kind != SampleKind::InverterReset) return;
  for (std::size_t i = 0; i < sample.inputs.size() && i < state_.today_wh.size(); ++i) {
    if (!inputs_in_use.empty() && i < inputs_in_use.size() && !inputs_in_use[i]) continue;
    const double inc = sample.inputs[i].increase_wh;
    if (inc <= 0) continue;
    state_.today_wh[i] += inc;
    state_.lifetime_wh[i] += inc;
  }
}

double Ledger::today_total_wh() const noexcept {
  return std::accumulate(state_.today_wh.begin(), state_.today_wh.end(), 0.0);
}

double Ledger::lifetime_total_wh() const noexcept {
  return std::accumulate(state_.lifetime_wh.begin(), state_.lifetime_wh.end(), 0.0);
}

}  // namespace apsecu::fleet
