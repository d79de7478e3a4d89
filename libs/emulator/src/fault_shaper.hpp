// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Turns the frames of one exchange into wire writes, injecting the configured faults.

#include <chrono>
#include <vector>

#include "apsecu/emulator/config.hpp"
#include "apsecu/emulator/faults.hpp"
#include "output_queue.hpp"
#include "rng.hpp"

namespace apsecu::emulator {

struct PlannedFrame {
  std::chrono::nanoseconds at{};  // after the request arrived
  util::Bytes bytes;
  bool inverter_answer = false;   // carried over the air from an inverter (late/drop apply)
};

struct ExchangeFaults {
  bool drop = false;
  bool bad_fcs = false;
  bool garbage = false;
  bool split = false;
  bool late = false;
  bool bad_l2_checksum = false;  // applied by the module to the APS payload, before framing
};

class FaultShaper {
 public:
  FaultShaper(const FaultConfig& config, std::uint64_t seed) : config_(config), rng_(seed) {}

  // Draws the faults of one exchange; radio faults only when it carries an inverter answer.
  [[nodiscard]] ExchangeFaults draw(bool has_inverter_answer);
  // Queues the frames relative to `base`, applying bad FCS, garbage, split and late.
  void emit(std::vector<PlannedFrame> frames, util::SteadyTime base, const ExchangeFaults& faults,
            OutputQueue& out);

  [[nodiscard]] FaultCounters& counters() noexcept { return counters_; }
  [[nodiscard]] const FaultCounters& counters() const noexcept { return counters_; }
  [[nodiscard]] Rng& rng() noexcept { return rng_; }

 private:
  [[nodiscard]] util::Bytes garbage_run();

  FaultConfig config_;
  Rng rng_;
  FaultCounters counters_;
};

}  // namespace apsecu::emulator
