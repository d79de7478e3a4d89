// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One named spdlog logger per module ("znp", "engine", ...), all writing to stderr.

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace apsecu::util {

[[nodiscard]] std::shared_ptr<spdlog::logger> logger(const std::string& name);

// Applies to every module logger, existing and future. Accepts spdlog level names.
void set_log_level(const std::string& level);

}  // namespace apsecu::util
