// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Simulated wall time that moves only when the test says so, so the emulator's state at the
// moment of a poll can be compared exactly; latencies still run on the real steady clock.

#include <atomic>
#include <chrono>

#include "apsecu/util/clock.hpp"

namespace apsecu::testing {

class SteppedClock final : public util::Clock {
 public:
  explicit SteppedClock(util::WallTime start) : ns_(start.time_since_epoch().count()) {}
  [[nodiscard]] util::WallTime now() const override { return util::WallTime(util::WallTime::duration(ns_.load())); }
  [[nodiscard]] util::SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
  void advance(std::chrono::seconds d) { ns_ += std::chrono::duration_cast<util::WallTime::duration>(d).count(); }
  void set(util::WallTime t) { ns_ = t.time_since_epoch().count(); }

 private:
  std::atomic<util::WallTime::rep> ns_;
};

}  // namespace apsecu::testing
