// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Counters of the faults the emulator injected, so tests can check that each one happened.

#include <cstdint>

namespace apsecu::emulator {

struct FaultCounters {
  std::uint64_t dropped = 0;      // inverter answers lost on air
  std::uint64_t bad_fcs = 0;      // frames sent with a wrong FCS
  std::uint64_t garbage = 0;      // runs of junk bytes written
  std::uint64_t split = 0;        // exchanges written in small pieces
  std::uint64_t late = 0;         // inverter answers delayed past the host's timeout
  std::uint64_t bad_l2_checksum = 0;  // inverter answers sent with a wrong L2 checksum
  std::uint64_t ignored_frozen = 0;  // host frames ignored while frozen
  std::uint64_t unrouted_zombie = 0;  // AF requests a zombie module accepted and never sent
};

}  // namespace apsecu::emulator
