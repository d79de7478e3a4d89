// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How the daemon's values look in the JSON API. Times are UTC unix seconds in fields
// ending in _s; dates are "YYYY-MM-DD" strings in the site's local calendar; units are in
// the field names (power_w, energy_wh, ...).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "apsecu/api/backend.hpp"
#include "apsecu/engine/engine.hpp"
#include "apsecu/store/types.hpp"

namespace apsecu::api {

using json = nlohmann::json;

// "2024-06-21" -> 20240621; nullopt unless a real calendar day.
[[nodiscard]] std::optional<std::int32_t> parse_date(std::string_view text) noexcept;
[[nodiscard]] std::string date_text(std::int32_t day_key);
// "2024-06" -> {2024, 6}
[[nodiscard]] std::optional<std::pair<int, int>> parse_month(std::string_view text) noexcept;

// `timezone`: the site's IANA zone, so that pages viewed from elsewhere show site times.
// `saved`: the inverters' settings, for the power limit and on/off kept across restarts.
[[nodiscard]] json live_json(const engine::Snapshot& s, std::int32_t today, const std::string& timezone,
                             const std::string& radio_error, const std::vector<config::InverterConfig>& saved);
// One inverter's readings, with its power limit and on/off (control_fields) when `s` is given.
[[nodiscard]] json inverter_json(const fleet::InverterView& v, const engine::Snapshot* s = nullptr,
                                 const std::vector<config::InverterConfig>& saved = {});
// output_on, power_limit_per_panel_w, power_limit_w (per panel x the model's inputs),
// limit_state and limit_detail: the engine's latest word on them, else what the settings
// kept from before the last restart (a limit saved there was accepted).
[[nodiscard]] json control_fields(const std::string& serial, std::size_t inputs, const engine::Snapshot* s,
                                  const std::vector<config::InverterConfig>& saved);
[[nodiscard]] json journal_json(const engine::JournalEntry& e);
[[nodiscard]] json frame_json(const FrameEvent& f);
[[nodiscard]] json event_json(const store::Event& e);
[[nodiscard]] std::string_view level_text(store::EventLevel l) noexcept;
[[nodiscard]] std::optional<store::EventLevel> parse_level(std::string_view text) noexcept;

}  // namespace apsecu::api
