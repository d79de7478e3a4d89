// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small files under data_dir (memo, MQTT settings, photo): written to a temporary file,
// fsynced and renamed, so a power cut leaves the old or the new file, never half of one.

#include <optional>
#include <string>
#include <string_view>

#include "apsecu/util/result.hpp"

namespace apsecu::api {

util::Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode = 0644);
[[nodiscard]] std::optional<std::string> read_file(const std::string& path, std::size_t max_bytes);
[[nodiscard]] std::string data_path(const std::string& data_dir, std::string_view name);

}  // namespace apsecu::api
