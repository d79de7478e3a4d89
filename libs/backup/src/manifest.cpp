// SPDX-License-Identifier: GPL-3.0-or-later
#include "manifest.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

namespace apsecu::backup::detail {
namespace {

using nlohmann::json;

util::Error malformed(const std::string& what) {
  return util::make_error(Errc::Malformed, fmt::format("{} in the archive's {}: not a backup apsecu can trust", what,
                                                       kManifestName));
}

// Reading never throws: every field is type-checked before it is taken.
bool get_int(const json& j, const char* key, std::int64_t& out) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_number_integer()) return false;
  out = j.at(key).get<std::int64_t>();
  return true;
}

bool get_text(const json& j, const char* key, std::string& out) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_string()) return false;
  out = j.at(key).get<std::string>();
  return true;
}

bool is_hex_digest(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string utc_text(std::int64_t unix_s) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<std::time_t>(unix_s)));
}

std::string manifest_json(const Manifest& m) {
  json files = json::array();
  for (const auto& f : m.files) files.push_back({{"name", f.name}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  const json j = {
      {"format", kFormatName},
      {"format_version", m.format_version},
      {"apsecu_version", m.apsecu_version},
      {"created", utc_text(m.created_s)},
      {"created_s", m.created_s},
      {"schema_version", m.schema_version},
      {"files", files},
      {"database",
       {{"inverters", m.inverters}, {"samples", m.samples}, {"first_day", m.first_day}, {"last_day", m.last_day}}},
  };
  return j.dump(2) + "\n";
}

util::Result<Manifest> parse_manifest(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return malformed("invalid JSON");
  std::string format;
  if (!get_text(j, "format", format) || format != kFormatName) return malformed("no \"format\": \"apsecu-backup\"");
  Manifest m;
  std::int64_t version = 0;
  if (!get_int(j, "format_version", version) || version < 1) return malformed("no valid format_version");
  if (version > kFormatVersion) {
    return util::make_error(Errc::TooNew, fmt::format("the archive has format version {}; this apsecu reads up to {}. "
                                                      "Update apsecu to restore it",
                                                      version, kFormatVersion));
  }
  m.format_version = static_cast<int>(version);
  std::int64_t schema = 0;
  if (!get_int(j, "created_s", m.created_s) || !get_int(j, "schema_version", schema) || schema < 1 || schema > 1000) {
    return malformed("no valid created_s or schema_version");
  }
  m.schema_version = static_cast<int>(schema);
  (void)get_text(j, "apsecu_version", m.apsecu_version);
  if (!j.contains("files") || !j.at("files").is_array() || j.at("files").size() > 16) return malformed("no file list");
  for (const auto& f : j.at("files")) {
    FileEntry e;
    if (!get_text(f, "name", e.name) || !get_int(f, "bytes", e.bytes) || e.bytes < 0 || !get_text(f, "sha256", e.sha256) ||
        !is_hex_digest(e.sha256)) {
      return malformed("a file entry without a name, size or SHA-256");
    }
    m.files.push_back(std::move(e));
  }
  if (j.contains("database") && j.at("database").is_object()) {
    const auto& d = j.at("database");
    std::int64_t v = 0;
    if (get_int(d, "inverters", v)) m.inverters = v;
    if (get_int(d, "samples", v)) m.samples = v;
    if (get_int(d, "first_day", v) && v >= 0 && v <= 99'991'231) m.first_day = static_cast<std::int32_t>(v);
    if (get_int(d, "last_day", v) && v >= 0 && v <= 99'991'231) m.last_day = static_cast<std::int32_t>(v);
  }
  return m;
}

}  // namespace apsecu::backup::detail
