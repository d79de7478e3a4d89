// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Streaming UNPI decoder. Survives anything a noisy UART produces: junk before and
// between frames, frames split at any byte, bad FCS, impossible lengths. On a bad FCS
// only the SOF byte is dropped and the rest is rescanned, so a real frame that started
// inside a false one is still found. Memory is bounded: at most one partial frame is held.

#include <cstdint>
#include <deque>

#include "apsecu/unpi/frame.hpp"

namespace apsecu::unpi {

struct DecoderStats {
  std::uint64_t frames = 0;         // valid frames delivered
  std::uint64_t skipped_bytes = 0;  // bytes dropped while resynchronising
  std::uint64_t bad_fcs = 0;        // complete candidates whose FCS did not match
  std::uint64_t oversize = 0;       // candidates announcing LEN > 250
  std::uint64_t abandoned = 0;      // partial candidates given up after an idle line
};

class Decoder {
 public:
  void feed(util::ByteView bytes);

  // Oldest complete frame, if any.
  [[nodiscard]] std::optional<Frame> next();

  // Called when the line has been quiet: a real frame arrives back-to-back at 115200 baud,
  // so a partial candidate that stopped growing was a false SOF. Drops it and rescans.
  void on_idle();

  [[nodiscard]] bool has_partial() const noexcept { return !pending_.empty(); }
  [[nodiscard]] const DecoderStats& stats() const noexcept { return stats_; }
  void reset();

 private:
  void scan();
  void drop_front(std::size_t n);

  util::Bytes pending_;  // begins with SOF when not empty; < kMaxFrame bytes after scan()
  std::deque<Frame> ready_;
  DecoderStats stats_;
};

}  // namespace apsecu::unpi
