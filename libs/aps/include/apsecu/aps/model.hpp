// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Inverter models as data (protocol §5). Everything that differs between YC600, QS1 and
// DS3 lives in kModels; code dispatches on the table, not on if-chains.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace apsecu::aps {

enum class Model : std::uint8_t { Yc600, Qs1, Ds3 };

struct ModelInfo {
  Model model;
  std::string_view name;         // "YC600"
  std::uint8_t inputs;           // panels per inverter
  std::uint8_t reply_cmd;        // L2 reply opcode to a BB poll: B1 or BB
  std::uint8_t reply_length;     // APS payload bytes of the poll reply (DataLen): 94 or 105
  bool reply_checksum_valid;     // YC600/QS1 send 00 00 in the checksum position
  double rated_input_power_w;    // per input, for plausibility limits: max_output_va / inputs
  double power_limit_scale;      // raw units per watt in set/read power limit (28.89 / 16.59)
  // The largest "maximum continuous output power" among the variants that answer as this
  // model (APsystems datasheets, EMEA 230 V; OpenAPS codec/nameplate.go): YC600 600 VA peak
  // (550 continuous), QS1 1200 and QS1A 1500, DS3 880, DS3-L 730 and DS3-H 960. The variants
  // cannot be told apart on the air by apsecu: they share the poll reply and the serial
  // prefix (DS3, DS3-L and DS3-H all 703…, read-APSystems-YC600-QS1-DS3 #80,
  // RPI-APS-inverters #77); only the 0xDC info reply's model code does (OpenAPS codec/info.go
  // 0x20 DS3, 0x21 DS3-H, 0x22 DS3-L / DS3D-L). So plausibility assumes the largest.
  double max_output_va;
};

inline constexpr std::array<ModelInfo, 3> kModels{{
    {.model = Model::Yc600, .name = "YC600", .inputs = 2, .reply_cmd = 0xB1, .reply_length = 94,
     .reply_checksum_valid = false, .rated_input_power_w = 300, .power_limit_scale = 28.89, .max_output_va = 600},
    {.model = Model::Qs1, .name = "QS1", .inputs = 4, .reply_cmd = 0xB1, .reply_length = 94,
     .reply_checksum_valid = false, .rated_input_power_w = 375, .power_limit_scale = 28.89, .max_output_va = 1500},
    {.model = Model::Ds3, .name = "DS3", .inputs = 2, .reply_cmd = 0xBB, .reply_length = 105,
     .reply_checksum_valid = true, .rated_input_power_w = 480, .power_limit_scale = 16.59, .max_output_va = 960},
}};

namespace detail {
constexpr bool ratings_agree() {
  for (const auto& m : kModels) {
    if (m.rated_input_power_w * m.inputs != m.max_output_va) return false;
  }
  return true;
}
}  // namespace detail
static_assert(detail::ratings_agree(), "rated_input_power_w must be max_output_va shared by the inputs");

[[nodiscard]] const ModelInfo& info(Model m) noexcept;
[[nodiscard]] std::optional<Model> model_from_name(std::string_view name) noexcept;  // case-insensitive

}  // namespace apsecu::aps
