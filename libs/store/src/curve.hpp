// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Day-curve blobs: a point is 7 bytes, the UTC time as u32 little-endian (good until
// 2106) and the power in deciwatts as u24 (up to 1.67 MW, far above any site we serve).
// Fixed width lets a cycle append its point with a plain blob concatenation in SQL.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "apsecu/store/types.hpp"

namespace apsecu::store::detail {

inline constexpr std::size_t kCurvePointBytes = 7;
inline constexpr std::int32_t kMaxCurvePowerDw = 0xFFFFFF;

[[nodiscard]] std::array<std::uint8_t, kCurvePointBytes> encode_point(const CurvePoint& p) noexcept;
[[nodiscard]] std::vector<std::uint8_t> encode_points(const std::vector<CurvePoint>& points);
// Appends the points of `blob` to `out`; a trailing partial point (never written by us)
// is ignored.
void decode_points(std::span<const std::uint8_t> blob, std::vector<CurvePoint>& out);

}  // namespace apsecu::store::detail
