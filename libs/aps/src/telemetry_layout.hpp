// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private to apsecu_aps: where each model keeps its fields in a poll reply. The codec reads
// and writes through this table; the conversions use it for field ranges when clamping.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "apsecu/aps/model.hpp"

namespace apsecu::aps::detail {

inline constexpr std::size_t kSerialAt = 0;
inline constexpr std::size_t kSerialSize = 6;
inline constexpr std::size_t kL2At = kSerialSize;  // FB FB
inline constexpr std::size_t kL2LengthAt = 8;      // n
inline constexpr std::size_t kReplyCmdAt = 9;
inline constexpr std::size_t kBodyAt = 10;
inline constexpr std::size_t kL2Overhead = 7;      // FB FB n .. ck ck FE FE
// From the end of the payload:
inline constexpr std::size_t kChecksumFromEnd = 4;
inline constexpr std::size_t kEndMarkFromEnd = 2;

// Unsigned big-endian field; width 0 means the model has no such field.
struct Field {
  std::size_t at = 0;
  std::size_t width = 0;
};

[[nodiscard]] constexpr std::uint64_t field_max(std::size_t width_bytes) noexcept {
  return width_bytes >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * width_bytes)) - 1;
}

enum class DcPacking : std::uint8_t {
  Packed12,  // one 3-byte group: I[7:0] | V[3:0] I[11:8] | V[11:4]   (protocol §5.2)
  Split16,   // separate BE u16 voltage and current fields            (protocol §5.5)
};
inline constexpr std::size_t kPackedGroupSize = 3;
inline constexpr std::uint64_t kPacked12Max = 0x0FFF;

struct InputLayout {
  std::size_t dc_voltage_at = 0;  // Packed12: the group offset (dc_current_at is the same)
  std::size_t dc_current_at = 0;
  std::size_t energy_at = 0;
};

// Bytes the codec does not understand but writes as seen in captures, so that encoded
// replies look like real ones to any host that inspects them.
struct ConstantRun {
  std::size_t at = 0;
  std::span<const std::uint8_t> bytes;
};

struct TelemetryLayout {
  Model model = Model::Yc600;
  Field temperature;
  Field frequency;
  Field ac_voltage;
  Field uptime;
  Field ac_power;
  DcPacking dc_packing = DcPacking::Packed12;
  std::size_t energy_width = 0;
  std::array<InputLayout, 4> inputs{};  // physical order; info(model).inputs are used
  std::uint8_t filler = 0;              // every byte not named here or in constants
  std::span<const ConstantRun> constants;
};

[[nodiscard]] const TelemetryLayout& layout(Model m) noexcept;

// info() for constant expressions (table self-checks).
[[nodiscard]] constexpr const ModelInfo& model_row(Model m) noexcept {
  for (const auto& row : kModels) {
    if (row.model == m) return row;
  }
  return kModels.front();
}

[[nodiscard]] constexpr std::uint64_t dc_raw_max(const TelemetryLayout& l) noexcept {
  return l.dc_packing == DcPacking::Packed12 ? kPacked12Max : field_max(2);
}

}  // namespace apsecu::aps::detail
