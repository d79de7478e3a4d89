// SPDX-License-Identifier: GPL-3.0-or-later
#include <cmath>
#include <random>
#include <set>

#include <fmt/format.h>

#include "apsecu/aps/ids.hpp"
#include "apsecu/aps/model.hpp"
#include "apsecu/config/load_save.hpp"

namespace apsecu::config {
namespace {

// Enough for the coordinator's practical limit (the target is at least 64 per module).
constexpr std::size_t kMaxInverters = 128;

struct Check {
  std::vector<FieldError>& errors;
  void operator()(bool ok, std::string field, std::string message) const {
    if (!ok) errors.push_back({std::move(field), std::move(message)});
  }
};

void validate_inverter(const InverterConfig& inv, const std::string& path, Check& check) {
  check(!inv.name.empty() && inv.name.size() <= 40, path + "name", "must be 1 to 40 characters");
  auto serial = aps::Serial::parse(inv.serial);
  check(serial.ok(), path + "serial", serial.ok() ? "" : serial.error().describe());
  const auto model = aps::model_from_name(inv.model);
  check(model.has_value(), path + "model", "must be YC600, QS1 or DS3");
  if (model && !inv.inputs_in_use.empty()) {
    const auto n = aps::info(*model).inputs;
    check(inv.inputs_in_use.size() == n, path + "inputs_in_use",
          fmt::format("a {} has {} inputs; list {} true/false values", aps::info(*model).name, n, n));
  }
  if (model && !inv.input_order.empty()) {
    const auto n = aps::info(*model).inputs;
    std::set<int> seen(inv.input_order.begin(), inv.input_order.end());
    const bool permutation = inv.input_order.size() == n && seen.size() == n && *seen.begin() == 1 &&
                             *seen.rbegin() == static_cast<int>(n);
    check(permutation, path + "input_order",
          fmt::format("a {} has {} inputs; list each of 1..{} once, input 1 first (e.g. [{}])", aps::info(*model).name,
                      n, n, n == 2 ? "2, 1" : "2, 1, 3, 4"));
  }
  if (model && !inv.panel_peak_w.empty()) {
    const auto n = aps::info(*model).inputs;
    check(inv.panel_peak_w.size() == n, path + "panel_peak_w",
          fmt::format("a {} has {} inputs; list {} values in W, or none", aps::info(*model).name, n, n));
  }
  for (const double w : inv.panel_peak_w) {
    if (w > 0 && w <= 2000 && std::isfinite(w)) continue;
    check(false, path + "panel_peak_w", "each must be more than 0 and at most 2000 W (the panels on one input)");
    break;
  }
  if (inv.domoticz_idx) check(*inv.domoticz_idx >= 0, path + "domoticz_idx", "must be 0 or more");
  check(inv.energy_calibration >= 0.5 && inv.energy_calibration <= 2.0, path + "energy_calibration",
        "must be between 0.5 and 2.0 (1.0 means no correction)");
  check(inv.panel_power_w > 0 && inv.panel_power_w <= 1000, path + "panel_power_w",
        "must be more than 0 and at most 1000 W");
  if (const auto& limit = inv.power_limit_per_panel_w) {
    check(std::isfinite(*limit) && *limit >= kMinLimitPerPanel_w && *limit <= kMaxLimitPerPanel_w,
          path + "power_limit_per_panel_w",
          fmt::format("must be {:.0f} to {:.0f} W per panel (what the inverter accepts), or absent for no limit",
                      kMinLimitPerPanel_w, kMaxLimitPerPanel_w));
  }
}

}  // namespace

std::vector<FieldError> validate(const Config& c) {
  std::vector<FieldError> errors;
  Check check{errors};

  check(c.version == kCurrentVersion, "version", fmt::format("must be {}", kCurrentVersion));
  if (!c.radio.ecu_id.empty()) {
    auto ecu = aps::EcuId::parse(c.radio.ecu_id);
    check(ecu.ok(), "radio.ecu_id", ecu.ok() ? "" : ecu.error().describe());
  }
  check(!c.radio.port.empty(), "radio.port", "must name a serial device, tcp:host:port or emulator");
  check(c.radio.energy_scale == "community" || c.radio.energy_scale == "openaps", "radio.energy_scale",
        "must be \"community\" or \"openaps\"");

  const auto& lat = c.location.latitude;
  const auto& lon = c.location.longitude;
  check(lat.has_value() == lon.has_value(), "location", "give both latitude and longitude, or neither");
  if (lat) check(std::isfinite(*lat) && *lat >= -90 && *lat <= 90, "location.latitude", "must be -90 to 90");
  if (lon) check(std::isfinite(*lon) && *lon >= -180 && *lon <= 180, "location.longitude", "must be -180 to 180");

  check(c.polling.interval_s >= 30 && c.polling.interval_s <= 3600, "polling.interval_s",
        "must be 30 to 3600 seconds");
  check(std::abs(c.polling.sunrise_offset_min) <= 180, "polling.sunrise_offset_min", "must be -180 to 180 minutes");
  check(std::abs(c.polling.sunset_offset_min) <= 180, "polling.sunset_offset_min", "must be -180 to 180 minutes");

  check(c.energy.price_per_kwh >= 0 && std::isfinite(c.energy.price_per_kwh), "energy.price_per_kwh",
        "must be 0 or more");
  check(!c.energy.currency.empty() && c.energy.currency.size() <= 8, "energy.currency", "must be 1 to 8 characters");
  check(c.energy.co2_kg_per_kwh >= 0 && c.energy.co2_kg_per_kwh <= 2, "energy.co2_kg_per_kwh", "must be 0 to 2");

  check(!c.storage.data_dir.empty(), "storage.data_dir", "must name a directory");
  check(c.storage.samples_retention_days >= 1, "storage.samples_retention_days", "must be at least 1 day");

  const auto& m = c.mqtt;
  if (m.enabled) {
    check(!m.host.empty(), "mqtt.host", "must name the broker");
    check(m.port >= 1 && m.port <= 65535, "mqtt.port", "must be 1 to 65535");
    check(!m.topic.empty() && m.topic.find_first_of("#+") == std::string::npos, "mqtt.topic",
          "must be a topic without wildcards");
    check(!m.base_topic.empty() && m.base_topic.find_first_of("#+") == std::string::npos, "mqtt.base_topic",
          "must be a topic without wildcards");
    check(!m.client_id.empty() && m.client_id.size() <= 64, "mqtt.client_id", "must be 1 to 64 characters");
  }
  check(m.keepalive_s >= 5 && m.keepalive_s <= 3600, "mqtt.keepalive_s", "must be 5 to 3600 seconds");
  check(m.qos >= 0 && m.qos <= 2, "mqtt.qos", "must be 0, 1 or 2");
  check(m.format == "domoticz" || m.format == "seed_arrays" || m.format == "seed_flat" || m.format == "seed_full" ||
            m.format == "seed_channels" || m.format == "apsecu",
        "mqtt.format", "must be domoticz, seed_arrays, seed_flat, seed_full, seed_channels or apsecu");
  check(m.queue_max_messages >= 0 && m.queue_max_messages <= 1000000, "mqtt.queue_max_messages",
        "must be 0 to 1000000");
  if (m.tls && !m.cert_file.empty()) check(!m.key_file.empty(), "mqtt.key_file", "is needed with a client certificate");

  check(c.inverters.size() <= kMaxInverters, "inverters", fmt::format("at most {} inverters", kMaxInverters));
  std::set<std::string> serials;
  std::set<std::int64_t> idxs;
  std::set<std::uint16_t> addresses;
  for (std::size_t i = 0; i < c.inverters.size(); ++i) {
    const auto& inv = c.inverters[i];
    const auto path = fmt::format("inverters[{}].", i);
    validate_inverter(inv, path, check);
    check(serials.insert(inv.serial).second, path + "serial", "is already used by another inverter");
    if (inv.domoticz_idx && *inv.domoticz_idx > 0) {
      check(idxs.insert(*inv.domoticz_idx).second, path + "domoticz_idx", "is already used by another inverter");
    }
    if (inv.short_address) {
      check(addresses.insert(*inv.short_address).second, path + "short_address",
            "is already used by another inverter; pair it again");
    }
  }
  return errors;
}

std::string generate_ecu_id() {
  std::random_device rd;
  return fmt::format("{:04X}011B9780", rd() & 0xFFFF);
}

std::string describe(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.field.empty() ? e.message : e.field + " " + e.message;
  }
  return out;
}

}  // namespace apsecu::config
