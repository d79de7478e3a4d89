// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Time is injected: logic reads a Clock, never the system directly, so tests and the
// accelerated demo can drive it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace apsecu::util {

using WallTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

// Whole seconds since the Unix epoch: how the store, the API and MQTT write a time.
[[nodiscard]] inline std::int64_t unix_seconds(WallTime t) noexcept {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// YYYYMMDD of the local day (the process's TZ) that contains `t`: where a site's day ends.
[[nodiscard]] std::int32_t local_day_key(WallTime t) noexcept;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall time (UTC) used for sun positions, day boundaries and timestamps.
  [[nodiscard]] virtual WallTime now() const = 0;
  // Monotonic time used for timeouts and delays on the wire; never accelerated.
  [[nodiscard]] virtual SteadyTime steady_now() const = 0;
  // Wall seconds per real second: how long to really wait for a wall-time deadline.
  [[nodiscard]] virtual double speed() const { return 1.0; }
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] WallTime now() const override { return std::chrono::system_clock::now(); }
  [[nodiscard]] SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
};

// Wall time that runs `speed` times faster than real time from a chosen start, for demos
// and soak tests ("a whole day in a few minutes"). Thread-safe.
class ScaledClock final : public Clock {
 public:
  ScaledClock(WallTime start, double speed);
  [[nodiscard]] WallTime now() const override;
  [[nodiscard]] SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
  [[nodiscard]] double speed() const override { return speed_; }
  // Real time needed for `sim` to pass on this clock.
  [[nodiscard]] std::chrono::nanoseconds real_duration(std::chrono::nanoseconds sim) const;

 private:
  WallTime start_;
  SteadyTime steady_start_;
  double speed_;
};

// Manually advanced clock for unit tests. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start = WallTime{}) : wall_(start) {}
  [[nodiscard]] WallTime now() const override;
  [[nodiscard]] SteadyTime steady_now() const override;
  void advance(std::chrono::nanoseconds d);
  void set(WallTime t);

 private:
  mutable std::mutex mutex_;
  WallTime wall_;
  SteadyTime steady_{};
};

}  // namespace apsecu::util
