// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Whether an inverter obeys a power limit it acknowledged, judged from the polls after it.
// Vendor ECUs are known to echo limits that the inverter then ignores, so an accepted set is
// only trusted once the measured power agrees.
//
// The power per input is the one the energy accounting derived from the counters, the power
// fed over the interval between two polls. The first poll after the set only marks where
// the watch starts: its interval began before the limit took effect. Pure: no I/O, no time.

#include <cstdint>
#include <optional>
#include <vector>

namespace apsecu::engine {

struct LimitWatchPolicy {
  unsigned polls = 2;          // consecutive polls that decide
  double tolerance_pct = 5.0;  // the limit may be exceeded by this share ...
  double tolerance_w = 2.0;    // ... plus this much (counter quantisation, rounding)
};

enum class LimitVerdict : std::uint8_t { Pending, Obeyed, Exceeded };

class LimitWatch {
 public:
  LimitWatch(double limit_per_panel_w, LimitWatchPolicy policy);

  // One accounted poll: the power of each input over the interval that ends at it.
  LimitVerdict add(const std::vector<double>& input_power_w);

  [[nodiscard]] double limit_per_panel_w() const noexcept { return limit_w_; }
  // The most an input may feed before it counts as above the limit.
  [[nodiscard]] double allowed_w() const noexcept;
  // The highest input power of the polls judged so far.
  [[nodiscard]] double max_seen_w() const noexcept { return max_seen_w_; }

 private:
  double limit_w_;
  LimitWatchPolicy policy_;
  bool started_ = false;
  unsigned within_run_ = 0;
  unsigned over_run_ = 0;
  double max_seen_w_ = 0;
};

}  // namespace apsecu::engine
