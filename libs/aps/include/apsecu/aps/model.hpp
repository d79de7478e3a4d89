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
  double rated_input_power_w;    // per input, for plausibility limits
  double power_limit_scale;      // raw units per watt in set/read power limit (28.89 / 16.59)
};

inline constexpr std::array<ModelInfo, 3> kModels{{
    {.model = Model::Yc600, .name = "YC600", .inputs = 2, .reply_cmd = 0xB1, .reply_length = 94,
     .reply_checksum_valid = false, .rated_input_power_w = 300, .power_limit_scale = 28.89},
    {.model = Model::Qs1, .name = "QS1", .inputs = 4, .reply_cmd = 0xB1, .reply_length = 94,
     .reply_checksum_valid = false, .rated_input_power_w = 300, .power_limit_scale = 28.89},
    {.model = Model::Ds3, .name = "DS3", .inputs = 2, .reply_cmd = 0xBB, .reply_length = 105,
     .reply_checksum_valid = true, .rated_input_power_w = 480, .power_limit_scale = 16.59},
}};

[[nodiscard]] const ModelInfo& info(Model m) noexcept;
[[nodiscard]] std::optional<Model> model_from_name(std::string_view name) noexcept;  // case-insensitive

}  // namespace apsecu::aps
