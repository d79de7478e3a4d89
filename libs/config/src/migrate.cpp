// SPDX-License-Identifier: GPL-3.0-or-later
#include "migrate.hpp"

#include <string>

namespace apsecu::config {
namespace {

using nlohmann::json;

// 0 -> 1: files without a version were written by hand from the seed's settings, where the
// Domoticz idx was free text and users left it empty or quoted it. A quoted number becomes
// a number, an empty one is dropped; anything else is left for validation to report.
void v0_to_v1(json& j) {
  if (!j.contains("inverters") || !j["inverters"].is_array()) return;
  for (auto& inv : j["inverters"]) {
    if (!inv.is_object() || !inv.contains("domoticz_idx") || !inv["domoticz_idx"].is_string()) continue;
    const auto text = inv["domoticz_idx"].get<std::string>();
    if (text.find_first_not_of(" \t") == std::string::npos) {
      inv.erase("domoticz_idx");
    } else if (text.find_first_not_of("0123456789") == std::string::npos && text.size() < 10) {
      inv["domoticz_idx"] = std::stoll(text);
    }
  }
}

using Step = void (*)(json&);
constexpr Step kSteps[] = {v0_to_v1};  // kSteps[n] migrates version n to n + 1

}  // namespace

std::vector<FieldError> migrate(json& j) {
  int version = 0;
  if (j.contains("version")) {
    if (!j["version"].is_number_integer()) return {{"version", "must be a whole number"}};
    version = j["version"].get<int>();
  }
  if (version > kCurrentVersion) {
    return {{"version", "was written by a newer apsecu (version " + std::to_string(version) +
                            "); this one understands up to " + std::to_string(kCurrentVersion)}};
  }
  if (version < 0) return {{"version", "must not be negative"}};
  for (int v = version; v < kCurrentVersion; ++v) kSteps[v](j);
  j["version"] = kCurrentVersion;
  return {};
}

}  // namespace apsecu::config
