// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/util/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace apsecu::util {

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  if (auto existing = spdlog::get(name)) return existing;
  try {
    auto created = spdlog::stderr_color_mt(name);
    created->set_level(spdlog::get_level());
    return created;
  } catch (const spdlog::spdlog_ex&) {
    // Another thread registered the same name between get() and create().
    return spdlog::get(name);
  }
}

void set_log_level(const std::string& level) {
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace apsecu::util
