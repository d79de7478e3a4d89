// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Today's and lifetime energy of one inverter, per input. Only accepted increases (never
// negative) are added, so both totals can only grow; a new local day closes the previous one.
// Pure: the caller supplies the local day key and persists state().

#include <cstdint>
#include <optional>
#include <vector>

#include "apsecu/fleet/energy_accountant.hpp"

namespace apsecu::fleet {

// Local calendar day as YYYYMMDD, e.g. 20261125.
using DayKey = std::int32_t;

struct LedgerState {
  DayKey day = 0;
  std::vector<double> today_wh;     // per input
  std::vector<double> lifetime_wh;  // per input
};

struct ClosedDay {
  DayKey day = 0;
  std::vector<double> energy_wh;  // per input
  [[nodiscard]] double total_wh() const noexcept;
};

class Ledger {
 public:
  Ledger(std::size_t inputs, std::optional<LedgerState> persisted = std::nullopt);

  // Moves to `day`; returns the day that was closed, if the day changed and it had one.
  std::optional<ClosedDay> roll_to(DayKey day);

  // Adds an accounted sample's increases (inputs not in use are ignored). Rejected and
  // baseline samples add nothing.
  void add(const Accounted& sample, const std::vector<bool>& inputs_in_use = {});

  [[nodiscard]] const LedgerState& state() const noexcept { return state_; }
  [[nodiscard]] double today_total_wh() const noexcept;
  [[nodiscard]] double lifetime_total_wh() const noexcept;

 private:
  LedgerState state_;
};

}  // namespace apsecu::fleet
