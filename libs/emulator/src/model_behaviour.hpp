// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the firmware of each model does differently, as data. Every row is backed by a capture
// or a field report; docs/emulator.md names them.

#include <array>
#include <cstdint>

#include "apsecu/aps/model.hpp"

namespace apsecu::emulator {

// How an inverter answers a set-power command (ESP32-read-APS-inverters #34, 2025-08-12: the
// DS3 acknowledges with FBFB06DE02… or FBFB06DF0003…, the YC600 with its whole DE page).
enum class SetReply : std::uint8_t { Acknowledgement, ParameterPage };

struct ModelBehaviour {
  aps::Model model;
  double rated_ac_w;              // nameplate AC output of the whole inverter
  double efficiency;
  double vmp_v;                   // panel voltage at the maximum power point, STC
  double default_panel_w;         // panels of the era each model was sold with
  // A DS3 already answers pairing step 2 with FF 1A + serial (read-APSystems-YC600-QS1-DS3 #19);
  // the YC600 of kadzsol's Lua trace answers only step 3.
  bool pair_answer_after_step2;
  // The DS3 trace of #19 has a ZDO_SRC_RTG_IND before each pairing answer; the Lua YC600 has none.
  bool pair_route_report;
  SetReply set_reply;
  // Highest per-panel value the set command can carry: OpenAPS codec/ds3.go caps the DS3
  // register at 0x474C; the 1C form's 16-bit field is the only bound for YC600/QS1.
  double max_limit_per_panel_w;
};

inline constexpr double kMinLimitPerPanelW = 20;  // the stock ECU's set_maxpower floor (OpenAPS codec/limits.go)

inline constexpr std::array<ModelBehaviour, 3> kModelBehaviour{{
    {.model = aps::Model::Yc600, .rated_ac_w = 600, .efficiency = 0.955, .vmp_v = 32.0, .default_panel_w = 350,
     .pair_answer_after_step2 = false, .pair_route_report = false, .set_reply = SetReply::ParameterPage,
     .max_limit_per_panel_w = 0xFFFF / 28.89},
    {.model = aps::Model::Qs1, .rated_ac_w = 1200, .efficiency = 0.96, .vmp_v = 32.0, .default_panel_w = 330,
     .pair_answer_after_step2 = false, .pair_route_report = false, .set_reply = SetReply::ParameterPage,
     .max_limit_per_panel_w = 0xFFFF / 28.89},
    {.model = aps::Model::Ds3, .rated_ac_w = 880, .efficiency = 0.965, .vmp_v = 40.0, .default_panel_w = 440,
     .pair_answer_after_step2 = true, .pair_route_report = true, .set_reply = SetReply::Acknowledgement,
     .max_limit_per_panel_w = 0x474C / 16.59},
}};

[[nodiscard]] constexpr const ModelBehaviour& behaviour(aps::Model m) noexcept {
  for (const auto& b : kModelBehaviour) {
    if (b.model == m) return b;
  }
  return kModelBehaviour.front();
}

// The AC output one input may feed at most: the nameplate shared by the inputs.
[[nodiscard]] inline double rated_ac_per_input_w(aps::Model m) noexcept {
  return behaviour(m).rated_ac_w / aps::info(m).inputs;
}

}  // namespace apsecu::emulator
