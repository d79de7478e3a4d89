// SPDX-License-Identifier: GPL-3.0-or-later
#include "telemetry_json.hpp"

#include <cmath>

namespace apsecu::app {
namespace {

nlohmann::ordered_json rounded(std::optional<double> v, int digits) {
  if (!v || !std::isfinite(*v)) return nullptr;
  const double scale = std::pow(10.0, digits);
  return std::round(*v * scale) / scale;
}

}  // namespace

nlohmann::ordered_json telemetry_json(const aps::Telemetry& t, std::optional<double> link_quality_pct) {
  nlohmann::ordered_json j;
  j["serial"] = t.serial.str();
  j["model"] = aps::info(t.model).name;
  j["temperature_c"] = rounded(t.temperature_c, 1);
  j["frequency_hz"] = rounded(t.frequency_hz, 3);
  j["ac_voltage_v"] = rounded(t.ac_voltage_v, 2);
  j["uptime_s"] = t.uptime_s;
  if (link_quality_pct) j["link_quality_pct"] = rounded(link_quality_pct, 1);
  auto inputs = nlohmann::ordered_json::array();
  for (const auto& in : t.inputs) {
    nlohmann::ordered_json e;
    e["dc_voltage_v"] = rounded(in.dc_voltage_v, 2);
    e["dc_current_a"] = rounded(in.dc_current_a, 3);
    e["energy_counter_wh"] = rounded(in.energy_counter_wh, 2);
    inputs.push_back(std::move(e));
  }
  j["inputs"] = std::move(inputs);
  return j;
}

}  // namespace apsecu::app
