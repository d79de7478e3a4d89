// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by the message codecs (not installed).

#include <cstdint>
#include <vector>

#include "apsecu/util/bytes.hpp"
#include "apsecu/znp/commands.hpp"

namespace apsecu::znp::codec {

[[nodiscard]] inline unpi::Frame frame(const CommandKey& key, util::Bytes data = {}) {
  return unpi::Frame{key.type, key.subsystem, key.id, std::move(data)};
}

inline void u16_list(util::ByteWriter& w, const std::vector<std::uint16_t>& list) {
  w.u8(static_cast<std::uint8_t>(list.size()));
  for (const auto v : list) w.u16le(v);
}

// Count byte followed by that many u16le; a short frame fails the reader.
[[nodiscard]] inline std::vector<std::uint16_t> u16_list(util::ByteReader& r) {
  const std::size_t n = r.u8();
  if (r.remaining() < 2 * n) {
    r.skip(r.remaining() + 1);  // marks the reader failed
    return {};
  }
  std::vector<std::uint16_t> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(r.u16le());
  return out;
}

[[nodiscard]] inline util::Bytes copy(util::ByteView v) { return util::Bytes(v.begin(), v.end()); }

}  // namespace apsecu::znp::codec
