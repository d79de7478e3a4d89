// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Frames waiting for their moment on the wire. Each entry is one frame (or a run of junk),
// possibly cut into pieces that follow each other at small gaps; once an entry has started,
// its pieces go out before anything else, because a UART cannot interleave two frames.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "apsecu/util/bytes.hpp"
#include "apsecu/util/clock.hpp"

namespace apsecu::emulator {

class OutputQueue {
 public:
  // `gaps[i]` is the pause before piece i+1 (size = pieces - 1, or empty for no pauses).
  void push(util::SteadyTime due, std::vector<util::Bytes> pieces, std::vector<std::chrono::nanoseconds> gaps = {});
  // Pieces due at `now`, in wire order; each is one write.
  [[nodiscard]] std::vector<util::Bytes> take_due(util::SteadyTime now);
  [[nodiscard]] std::optional<util::SteadyTime> next_due() const;
  void clear() noexcept;
  [[nodiscard]] bool empty() const noexcept { return entries_.empty() && !active_; }

 private:
  struct Entry {
    util::SteadyTime due;
    std::uint64_t seq = 0;
    std::vector<util::Bytes> pieces;
    std::vector<std::chrono::nanoseconds> gaps;
    std::size_t next = 0;            // first piece not yet written
    util::SteadyTime next_due;       // when that piece is due
  };
  std::vector<Entry> entries_;
  std::optional<Entry> active_;
  std::uint64_t seq_ = 0;
};

}  // namespace apsecu::emulator
