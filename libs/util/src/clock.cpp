// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/util/clock.hpp"

#include <ctime>

namespace apsecu::util {

std::int32_t local_day_key(WallTime t) noexcept {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

ScaledClock::ScaledClock(WallTime start, double speed)
    : start_(start), steady_start_(std::chrono::steady_clock::now()), speed_(speed > 0 ? speed : 1.0) {}

WallTime ScaledClock::now() const {
  const auto real = std::chrono::steady_clock::now() - steady_start_;
  const auto sim = std::chrono::duration<double, std::nano>(real) * speed_;
  return start_ + std::chrono::duration_cast<WallTime::duration>(sim);
}

std::chrono::nanoseconds ScaledClock::real_duration(std::chrono::nanoseconds sim) const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double, std::nano>(sim) /
                                                              speed_);
}

WallTime FakeClock::now() const {
  std::lock_guard lock(mutex_);
  return wall_;
}

SteadyTime FakeClock::steady_now() const {
  std::lock_guard lock(mutex_);
  return steady_;
}

void FakeClock::advance(std::chrono::nanoseconds d) {
  std::lock_guard lock(mutex_);
  wall_ += std::chrono::duration_cast<WallTime::duration>(d);
  steady_ += d;
}

void FakeClock::set(WallTime t) {
  std::lock_guard lock(mutex_);
  wall_ = t;
}

}  // namespace apsecu::util
