// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Deterministic randomness for the emulator: the same seed gives the same weather, jitter and
// faults on every machine (std:: distributions are implementation-defined, so none is used).

#include <chrono>
#include <cstdint>

namespace apsecu::emulator {

[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A pure function of its inputs, in [0, 1).
[[nodiscard]] constexpr double unit_hash(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) noexcept {
  const std::uint64_t h = splitmix64(seed ^ splitmix64(a ^ splitmix64(b)));
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    state_ += 0x9E3779B97F4A7C15ULL;
    return splitmix64(state_);
  }
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * unit(); }
  bool chance(double p) noexcept { return p > 0 && unit() < p; }
  // Inclusive range.
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept { return lo + next() % (hi - lo + 1); }
  std::chrono::nanoseconds duration(std::chrono::nanoseconds lo, std::chrono::nanoseconds hi) noexcept {
    return lo + std::chrono::nanoseconds{static_cast<std::int64_t>(unit() * static_cast<double>((hi - lo).count()))};
  }

 private:
  std::uint64_t state_;
};

}  // namespace apsecu::emulator
