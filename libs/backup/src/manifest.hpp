// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// manifest.json: what an archive holds (format version, apsecu version, creation time,
// schema version, a database summary) and the size and SHA-256 of every other file in it.

#include <string>
#include <string_view>

#include "apsecu/backup/backup.hpp"

namespace apsecu::backup::detail {

inline constexpr const char* kFormatName = "apsecu-backup";

[[nodiscard]] std::string manifest_json(const Manifest& m);
// Parses and checks the shape (types, names, hex digests); Errc::Malformed or TooNew.
[[nodiscard]] util::Result<Manifest> parse_manifest(std::string_view text);
[[nodiscard]] std::string utc_text(std::int64_t unix_s);

}  // namespace apsecu::backup::detail
