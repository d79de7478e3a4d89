// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/engine/limit_watch.hpp"

#include <algorithm>

namespace apsecu::engine {

LimitWatch::LimitWatch(double limit_per_panel_w, LimitWatchPolicy policy)
    : limit_w_(limit_per_panel_w), policy_(policy) {
  policy_.polls = std::max(1U, policy_.polls);
}

double LimitWatch::allowed_w() const noexcept {
  return limit_w_ * (1.0 + policy_.tolerance_pct / 100.0) + policy_.tolerance_w;
}

LimitVerdict LimitWatch::add(const std::vector<double>& input_power_w) {
  if (!started_) {
    started_ = true;
    return LimitVerdict::Pending;
  }
  if (input_power_w.empty()) return LimitVerdict::Pending;
  const double highest = *std::max_element(input_power_w.begin(), input_power_w.end());
  max_seen_w_ = std::max(max_seen_w_, highest);
  if (highest > allowed_w()) {
    ++over_run_;
    within_run_ = 0;
  } else {
    ++within_run_;
    over_run_ = 0;
  }
  if (over_run_ >= policy_.polls) return LimitVerdict::Exceeded;
  if (within_run_ >= policy_.polls) return LimitVerdict::Obeyed;
  return LimitVerdict::Pending;
}

}  // namespace apsecu::engine
