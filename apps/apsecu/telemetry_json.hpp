// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "apsecu/aps/telemetry.hpp"

namespace apsecu::app {

// One telemetry reply as printed by `apsecu decode`: units in the names, values rounded to
// the digits the inverter's resolution supports, null for a value the inverter did not give.
[[nodiscard]] nlohmann::ordered_json telemetry_json(const aps::Telemetry& t, std::optional<double> link_quality_pct);

}  // namespace apsecu::app
