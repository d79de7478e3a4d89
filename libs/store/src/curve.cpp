// SPDX-License-Identifier: GPL-3.0-or-later
#include "curve.hpp"

#include <algorithm>

namespace apsecu::store::detail {

std::array<std::uint8_t, kCurvePointBytes> encode_point(const CurvePoint& p) noexcept {
  const auto t = static_cast<std::uint32_t>(p.time_s);
  const auto w = static_cast<std::uint32_t>(std::clamp<std::int32_t>(p.power_dw, 0, kMaxCurvePowerDw));
  return {static_cast<std::uint8_t>(t),       static_cast<std::uint8_t>(t >> 8),
          static_cast<std::uint8_t>(t >> 16), static_cast<std::uint8_t>(t >> 24),
          static_cast<std::uint8_t>(w),       static_cast<std::uint8_t>(w >> 8),
          static_cast<std::uint8_t>(w >> 16)};
}

std::vector<std::uint8_t> encode_points(const std::vector<CurvePoint>& points) {
  std::vector<std::uint8_t> blob;
  blob.reserve(points.size() * kCurvePointBytes);
  for (const auto& p : points) {
    const auto bytes = encode_point(p);
    blob.insert(blob.end(), bytes.begin(), bytes.end());
  }
  return blob;
}

void decode_points(std::span<const std::uint8_t> blob, std::vector<CurvePoint>& out) {
  const std::size_t n = blob.size() / kCurvePointBytes;
  out.reserve(out.size() + n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto* b = blob.data() + i * kCurvePointBytes;
    const std::uint32_t t = static_cast<std::uint32_t>(b[0]) | (static_cast<std::uint32_t>(b[1]) << 8) |
                            (static_cast<std::uint32_t>(b[2]) << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
    const std::uint32_t w =
        static_cast<std::uint32_t>(b[4]) | (static_cast<std::uint32_t>(b[5]) << 8) | (static_cast<std::uint32_t>(b[6]) << 16);
    out.push_back({static_cast<std::int64_t>(t), static_cast<std::int32_t>(w)});
  }
}

}  // namespace apsecu::store::detail
