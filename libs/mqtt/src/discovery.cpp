// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/mqtt/discovery.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace apsecu::mqtt {
namespace {

using Json = nlohmann::ordered_json;

// One sensor as Home Assistant sees it. `field` names the value in the apsecu-format state
// payload (format.hpp), whose names carry the unit.
struct SensorDef {
  std::string_view key;           // object id: "power"
  std::string_view name;          // entity name, shown after the device name
  std::string_view field;         // JSON field of the state payload
  std::string_view unit;          // unit_of_measurement; empty: none
  std::string_view device_class;  // empty: none
  std::string_view state_class;   // empty: none
  int precision = -1;             // suggested_display_precision; -1: none
  bool diagnostic = false;        // entity_category diagnostic
};

// Energy is `total_increasing`: today's counter falls to 0 at midnight, which Home Assistant
// reads as a new meter cycle; the lifetime counter only ever grows.
constexpr std::array<SensorDef, 8> kInverterSensors{{
    {"power", "Power", "power_w", "W", "power", "measurement", 1, false},
    {"energy_today", "Energy today", "energy_today_wh", "Wh", "energy", "total_increasing", 0, false},
    {"energy_lifetime", "Energy lifetime", "energy_lifetime_wh", "Wh", "energy", "total_increasing", 0, false},
    {"ac_voltage", "AC voltage", "ac_voltage_v", "V", "voltage", "measurement", 1, false},
    {"frequency", "Frequency", "frequency_hz", "Hz", "frequency", "measurement", 2, false},
    {"temperature", "Temperature", "temperature_c", "°C", "temperature", "measurement", 1, false},
    {"link_quality", "Link quality", "link_quality_pct", "%", "", "measurement", 0, true},
    {"last_sample", "Last sample", "sample_time", "", "timestamp", "", -1, true},
}};

constexpr std::array<SensorDef, 5> kInputSensors{{
    {"power", "power", "power_w", "W", "power", "measurement", 1, false},
    {"dc_voltage", "DC voltage", "dc_voltage_v", "V", "voltage", "measurement", 1, false},
    {"dc_current", "DC current", "dc_current_a", "A", "current", "measurement", 2, false},
    {"energy_today", "energy today", "energy_today_wh", "Wh", "energy", "total_increasing", 0, false},
    {"energy_lifetime", "energy lifetime", "energy_lifetime_wh", "Wh", "energy", "total_increasing", 0, false},
}};

constexpr std::array<SensorDef, 4> kEcuSensors{{
    {"power", "Power", "power_w", "W", "power", "measurement", 1, false},
    {"energy_today", "Energy today", "energy_today_wh", "Wh", "energy", "total_increasing", 0, false},
    {"energy_lifetime", "Energy lifetime", "energy_lifetime_wh", "Wh", "energy", "total_increasing", 0, false},
    {"inverters_answered", "Inverters answered", "inverters_answered", "", "", "measurement", 0, true},
}};

std::string inverter_node(std::string_view serial) { return fmt::format("apsecu_{}", serial); }
std::string ecu_node(const DiscoveryContext& ctx) {
  return ctx.ecu_id.empty() ? std::string("apsecu_ecu") : fmt::format("apsecu_ecu_{}", ctx.ecu_id);
}

std::string config_topic(const DiscoveryContext& ctx, std::string_view node, std::string_view object) {
  return fmt::format("{}/sensor/{}/{}/config", ctx.ha_prefix, node, object);
}

std::string input_object(std::size_t input, std::string_view key) { return fmt::format("input{}_{}", input, key); }

// A JSON null renders as "None", which Home Assistant's MQTT sensor takes as "unknown"
// (values not measured at night), rather than an error.
std::string value_template(std::string_view path) { return fmt::format("{{{{ value_json.{} }}}}", path); }

Json availability(const DiscoveryContext& ctx) {
  return Json::array({Json{{"topic", status_topic(ctx.base_topic)},
                           {"payload_available", kOnline},
                           {"payload_not_available", kOffline}}});
}

Json origin(const DiscoveryContext& ctx) {
  Json o{{"name", "apsecu"}};
  if (!ctx.sw_version.empty()) o["sw_version"] = ctx.sw_version;
  return o;
}

Json ecu_device(const DiscoveryContext& ctx) {
  Json d{{"identifiers", Json::array({ecu_node(ctx)})},
         {"name", ctx.ecu_id.empty() ? std::string("apsecu ECU") : fmt::format("apsecu ECU {}", ctx.ecu_id)},
         {"manufacturer", "apsecu"},
         {"model", "Local ECU for APsystems inverters"}};
  if (!ctx.ecu_id.empty()) d["serial_number"] = ctx.ecu_id;
  if (!ctx.sw_version.empty()) d["sw_version"] = ctx.sw_version;
  return d;
}

Json inverter_device(const DiscoveryContext& ctx, const InverterInfo& inv) {
  return Json{{"identifiers", Json::array({inverter_node(inv.serial)})},
              {"name", inv.name.empty() ? fmt::format("APsystems {} {}", inv.model, inv.serial) : inv.name},
              {"manufacturer", "APsystems"},
              {"model", inv.model},
              {"serial_number", inv.serial},
              {"via_device", ecu_node(ctx)}};
}

Message sensor_config(const DiscoveryContext& ctx, const SensorDef& s, std::string_view node, std::string_view object,
                      std::string name, std::string state_topic, std::string value_path, const Json& device) {
  Json j;
  j["name"] = std::move(name);
  j["unique_id"] = fmt::format("{}_{}", node, object);
  j["state_topic"] = std::move(state_topic);
  j["value_template"] = value_template(value_path);
  if (!s.unit.empty()) j["unit_of_measurement"] = s.unit;
  if (!s.device_class.empty()) j["device_class"] = s.device_class;
  if (!s.state_class.empty()) j["state_class"] = s.state_class;
  if (s.precision >= 0) j["suggested_display_precision"] = s.precision;
  if (s.diagnostic) j["entity_category"] = "diagnostic";
  j["availability"] = availability(ctx);
  j["device"] = device;
  j["origin"] = origin(ctx);
  return Message{config_topic(ctx, node, object), j.dump(), 1, true};
}

std::vector<std::string> config_topics(const DiscoveryContext& ctx, std::string_view serial,
                                       const std::vector<bool>& inputs_in_use) {
  const auto node = inverter_node(serial);
  std::vector<std::string> topics;
  for (const auto& s : kInverterSensors) topics.push_back(config_topic(ctx, node, s.key));
  for (std::size_t i = 0; i < inputs_in_use.size(); ++i) {
    if (!inputs_in_use[i]) continue;
    for (const auto& s : kInputSensors) topics.push_back(config_topic(ctx, node, input_object(i + 1, s.key)));
  }
  return topics;
}

Message removal(std::string topic) { return Message{std::move(topic), "", 1, true}; }

}  // namespace

std::string status_topic(std::string_view base) { return fmt::format("{}/status", base); }
std::string command_topic(std::string_view base) { return fmt::format("{}/cmd", base); }
std::string reply_topic(std::string_view base) { return fmt::format("{}/reply", base); }
std::string test_topic(std::string_view base) { return fmt::format("{}/test", base); }
std::string inverter_state_topic(std::string_view base, std::string_view serial) {
  return fmt::format("{}/inverter/{}", base, serial);
}
std::string ecu_state_topic(std::string_view base) { return fmt::format("{}/ecu", base); }
std::string ha_status_topic(std::string_view ha_prefix) { return fmt::format("{}/status", ha_prefix); }

std::vector<Message> inverter_discovery(const DiscoveryContext& ctx, const InverterInfo& inv) {
  const auto node = inverter_node(inv.serial);
  const auto device = inverter_device(ctx, inv);
  const auto state = inverter_state_topic(ctx.base_topic, inv.serial);
  std::vector<Message> out;
  for (const auto& s : kInverterSensors) {
    out.push_back(sensor_config(ctx, s, node, s.key, std::string(s.name), state, std::string(s.field), device));
  }
  for (std::size_t i = 0; i < inv.inputs_in_use.size(); ++i) {
    if (!inv.inputs_in_use[i]) continue;
    for (const auto& s : kInputSensors) {
      out.push_back(sensor_config(ctx, s, node, input_object(i + 1, s.key), fmt::format("Input {} {}", i + 1, s.name),
                                  state, fmt::format("inputs[{}].{}", i, s.field), device));
    }
  }
  return out;
}

std::vector<Message> inverter_removal(const DiscoveryContext& ctx, std::string_view serial) {
  std::vector<Message> out;
  for (auto& t : config_topics(ctx, serial, std::vector<bool>(kMaxInputs, true))) out.push_back(removal(std::move(t)));
  return out;
}

std::vector<Message> discovery_changes_removal(const DiscoveryContext& ctx, const InverterInfo& before,
                                               const InverterInfo& after) {
  const auto kept = config_topics(ctx, after.serial, after.inputs_in_use);
  std::vector<Message> out;
  for (auto& t : config_topics(ctx, before.serial, before.inputs_in_use)) {
    if (std::find(kept.begin(), kept.end(), t) == kept.end()) out.push_back(removal(std::move(t)));
  }
  return out;
}

std::vector<Message> ecu_discovery(const DiscoveryContext& ctx) {
  const auto node = ecu_node(ctx);
  const auto device = ecu_device(ctx);
  const auto state = ecu_state_topic(ctx.base_topic);
  std::vector<Message> out;
  for (const auto& s : kEcuSensors) {
    out.push_back(sensor_config(ctx, s, node, s.key, std::string(s.name), state, std::string(s.field), device));
  }
  return out;
}

}  // namespace apsecu::mqtt
