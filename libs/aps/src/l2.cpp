// SPDX-License-Identifier: GPL-3.0-or-later
// The APsystems L2 frame (protocol §4.6).
//
//   offset 0    1    2   3     4 .. 2+n       3+n    4+n    5+n  6+n
//        +----+----+---+-----+--------------+------+------+----+----+
//        | FB | FB | n | cmd | body (n-1 B) | ck_hi| ck_lo| FE | FE |
//        +----+----+---+-----+--------------+------+------+----+----+
//   n   = 1 + body size (cmd + body); the whole frame is n + 7 bytes
//   ck  = (n + cmd + sum(body)) mod 2^16, big-endian
#include "apsecu/aps/l2.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "apsecu/aps/ids.hpp"

namespace apsecu::aps {
namespace {

constexpr std::uint8_t kStart = 0xFB;
constexpr std::uint8_t kEnd = 0xFE;
constexpr std::size_t kLengthAt = 2;
constexpr std::size_t kCmdAt = 3;
constexpr std::size_t kBodyAt = 4;
constexpr std::size_t kOverhead = 7;  // FB FB n ... ck ck FE FE, with cmd counted in n
constexpr std::size_t kMaxBody = 254;

}  // namespace

std::uint16_t l2_checksum(std::uint8_t n, std::uint8_t cmd, util::ByteView body) noexcept {
  unsigned sum = n + cmd;
  for (const auto b : body) sum += b;
  return static_cast<std::uint16_t>(sum & 0xFFFFU);
}

util::Bytes encode_l2(std::uint8_t cmd, util::ByteView body) {
  if (body.size() > kMaxBody) throw std::length_error("L2 body longer than 254 bytes");
  const auto n = static_cast<std::uint8_t>(body.size() + 1);
  return encode_l2(cmd, body, l2_checksum(n, cmd, body));
}

util::Bytes encode_l2(std::uint8_t cmd, util::ByteView body, std::uint16_t checksum) {
  if (body.size() > kMaxBody) throw std::length_error("L2 body longer than 254 bytes");
  util::ByteWriter w;
  w.u8(kStart).u8(kStart).u8(static_cast<std::uint8_t>(body.size() + 1)).u8(cmd).bytes(body);
  w.u16be(checksum).u8(kEnd).u8(kEnd);
  return w.take();
}

util::Result<L2View> decode_l2(util::ByteView bytes) noexcept {
  try {
    if (bytes.size() < 2 || bytes[0] != kStart || bytes[1] != kStart) {
      return util::make_error(Errc::NotL2, "L2 frame must start with FB FB");
    }
    if (bytes.size() < kOverhead + 1) {
      return util::make_error(Errc::WrongLength, fmt::format("L2 frame truncated: {} bytes", bytes.size()));
    }
    const std::size_t n = bytes[kLengthAt];
    if (n == 0) return util::make_error(Errc::NotL2, "L2 length byte is 0, but it must count the opcode");
    const std::size_t total = n + kOverhead;
    if (bytes.size() < total) {
      return util::make_error(Errc::WrongLength,
                              fmt::format("L2 frame announces {} bytes but only {} are present", total, bytes.size()));
    }
    if (bytes[total - 2] != kEnd || bytes[total - 1] != kEnd) {
      return util::make_error(Errc::NotL2, fmt::format("L2 frame of {} bytes does not end with FE FE", total));
    }
    L2View view;
    view.cmd = bytes[kCmdAt];
    view.body = bytes.subspan(kBodyAt, n - 1);
    view.checksum = static_cast<std::uint16_t>((bytes[kBodyAt + n - 1] << 8) | bytes[kBodyAt + n]);
    view.frame = bytes.first(total);
    return view;
  } catch (...) {
    // Only the message formatting can throw (allocation); a decoder must not.
    return util::Error{make_error_code(Errc::NotL2), {}};
  }
}

std::uint16_t computed_checksum(const L2View& l2) noexcept {
  return l2_checksum(static_cast<std::uint8_t>(l2.body.size() + 1), l2.cmd, l2.body);
}

ChecksumVerdict verify_checksum(const L2View& l2) noexcept {
  const auto sum = computed_checksum(l2);
  if (l2.checksum == sum) return ChecksumVerdict::Valid;
  return l2.checksum == 0 ? ChecksumVerdict::NotComputed : ChecksumVerdict::Mismatch;
}

}  // namespace apsecu::aps
