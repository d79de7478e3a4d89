// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "apsecu/config/config.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::config {

enum class Errc { Unreadable = 1, NotJson, Invalid, TooNew, WriteFailed };
[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

// Either a config or every problem found in it.
using Loaded = std::variant<Config, std::vector<FieldError>>;

// Parses, migrates to kCurrentVersion and validates. Unknown keys are ignored.
[[nodiscard]] Loaded from_json(const nlohmann::json& j);
[[nodiscard]] nlohmann::json to_json(const Config& c);

// A missing file is an error here; callers decide whether to start from defaults.
[[nodiscard]] util::Result<Config> load_file(const std::string& path);

// Writes a temporary file next to `path`, fsyncs it and renames it over `path`, so a
// power cut leaves either the old or the new file, never a torn one.
[[nodiscard]] util::Status save_file(const std::string& path, const Config& c);

// Every problem in the config at once (empty when valid).
[[nodiscard]] std::vector<FieldError> validate(const Config& c);

// "D8A3" + "011B9780" style id with random first four characters, as the firmware
// author suggests (protocol §3.1).
[[nodiscard]] std::string generate_ecu_id();

[[nodiscard]] std::string describe(const std::vector<FieldError>& errors);

}  // namespace apsecu::config

template <>
struct std::is_error_code_enum<apsecu::config::Errc> : std::true_type {};
