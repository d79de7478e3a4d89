// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "apsecu/config/config.hpp"

namespace apsecu::config {

// Brings `j` to kCurrentVersion in place, one ordered step at a time. Returns problems that
// stop the migration (e.g. a file from a newer apsecu).
[[nodiscard]] std::vector<FieldError> migrate(nlohmann::json& j);

}  // namespace apsecu::config
