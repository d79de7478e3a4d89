// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The APsystems "L2" frame carried inside every APS payload (protocol §4.6).
//
//   offset 0  1    2   3     4 .. 2+n        3+n    4+n    5+n 6+n
//        +----+----+---+-----+--------------+------+------+----+----+
//        | FB | FB | n | cmd | body (n-1 B) | ck_hi| ck_lo| FE | FE |
//        +----+----+---+-----+--------------+------+------+----+----+
//   n counts cmd + body. ck = 16-bit sum of n, cmd and body, big-endian.
//   YC600/QS1 replies carry 00 00 instead of a checksum, and so do the DS3's answers to a set
//   command (ESP32-read-APS-inverters #34): 00 00 means "not computed", any other value that
//   differs from the sum is a real mismatch (protocol §4.6).

#include <cstdint>

#include "apsecu/util/bytes.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::aps {

struct L2View {
  std::uint8_t cmd = 0;
  util::ByteView body;       // n - 1 bytes after cmd
  std::uint16_t checksum = 0;
  util::ByteView frame;      // FB FB .. FE FE
};

[[nodiscard]] std::uint16_t l2_checksum(std::uint8_t n, std::uint8_t cmd, util::ByteView body) noexcept;

// FB FB n cmd body ck FE FE, with the computed checksum.
[[nodiscard]] util::Bytes encode_l2(std::uint8_t cmd, util::ByteView body);
// Same with an explicit checksum (the reboot frame uses 00 A6; YC600 replies 00 00).
[[nodiscard]] util::Bytes encode_l2(std::uint8_t cmd, util::ByteView body, std::uint16_t checksum);

// Parses an L2 frame at the start of `bytes`. The checksum is returned, not enforced.
[[nodiscard]] util::Result<L2View> decode_l2(util::ByteView bytes) noexcept;

enum class ChecksumVerdict : std::uint8_t {
  Valid,        // the field holds the sum
  NotComputed,  // the field holds 00 00 and the sum is not 0 (firmware that leaves it empty)
  Mismatch,     // anything else: the frame was damaged or built wrongly
};
[[nodiscard]] ChecksumVerdict verify_checksum(const L2View& l2) noexcept;
[[nodiscard]] std::uint16_t computed_checksum(const L2View& l2) noexcept;

}  // namespace apsecu::aps
