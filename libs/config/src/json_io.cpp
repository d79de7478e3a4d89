// SPDX-License-Identifier: GPL-3.0-or-later
// JSON <-> Config. Reading never throws: each field of the wrong type becomes a FieldError
// naming its path, so the user sees every mistake at once instead of the first one.

#include <string>

#include "apsecu/config/load_save.hpp"
#include "migrate.hpp"

namespace apsecu::config {
namespace {

using nlohmann::json;

class Reader {
 public:
  explicit Reader(std::vector<FieldError>& errors) : errors_(errors) {}

  template <class T>
  void get(const json& obj, const char* key, const std::string& path, T& out) {
    if (!obj.is_object() || !obj.contains(key) || obj.at(key).is_null()) return;  // keep the default
    read(obj.at(key), path + key, out);
  }

  template <class T>
  void get(const json& obj, const char* key, const std::string& path, std::optional<T>& out) {
    if (!obj.is_object() || !obj.contains(key) || obj.at(key).is_null()) return;
    T v{};
    if (read(obj.at(key), path + key, v)) out = v;
  }

  const json& object(const json& obj, const char* key, const std::string& path) {
    static const json kEmpty = json::object();
    if (!obj.is_object() || !obj.contains(key)) return kEmpty;
    if (!obj.at(key).is_object()) {
      errors_.push_back({path + key, "must be an object"});
      return kEmpty;
    }
    return obj.at(key);
  }

  bool read(const json& v, const std::string& path, std::string& out) {
    if (!v.is_string()) return fail(path, "must be text");
    out = v.get<std::string>();
    return true;
  }
  bool read(const json& v, const std::string& path, double& out) {
    if (!v.is_number()) return fail(path, "must be a number");
    out = v.get<double>();
    return true;
  }
  bool read(const json& v, const std::string& path, int& out) {
    if (!v.is_number_integer()) return fail(path, "must be a whole number");
    const auto wide = v.get<std::int64_t>();
    if (wide < INT32_MIN || wide > INT32_MAX) return fail(path, "is out of range");
    out = static_cast<int>(wide);
    return true;
  }
  bool read(const json& v, const std::string& path, std::int64_t& out) {
    if (!v.is_number_integer()) return fail(path, "must be a whole number");
    out = v.get<std::int64_t>();
    return true;
  }
  bool read(const json& v, const std::string& path, std::uint16_t& out) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 0xFFFF) {
      return fail(path, "must be a whole number from 0 to 65535");
    }
    out = static_cast<std::uint16_t>(v.get<std::int64_t>());
    return true;
  }
  bool read(const json& v, const std::string& path, bool& out) {
    if (!v.is_boolean()) return fail(path, "must be true or false");
    out = v.get<bool>();
    return true;
  }
  bool read(const json& v, const std::string& path, std::vector<bool>& out) {
    if (!v.is_array()) return fail(path, "must be a list of true/false");
    out.clear();
    for (const auto& e : v) {
      if (!e.is_boolean()) return fail(path, "must be a list of true/false");
      out.push_back(e.get<bool>());
    }
    return true;
  }
  bool read(const json& v, const std::string& path, std::vector<double>& out) {
    if (!v.is_array()) return fail(path, "must be a list of numbers");
    out.clear();
    for (const auto& e : v) {
      if (!e.is_number()) return fail(path, "must be a list of numbers");
      out.push_back(e.get<double>());
    }
    return true;
  }
  bool read(const json& v, const std::string& path, std::vector<int>& out) {
    if (!v.is_array()) return fail(path, "must be a list of input numbers");
    out.clear();
    for (const auto& e : v) {
      if (!e.is_number_integer() || e.get<std::int64_t>() < 0 || e.get<std::int64_t>() > 99) {
        return fail(path, "must be a list of input numbers");
      }
      out.push_back(static_cast<int>(e.get<std::int64_t>()));
    }
    return true;
  }
  bool read(const json& v, const std::string& path, NightBehaviour& out) {
    std::string s;
    if (!read(v, path, s)) return false;
    if (s == "zero_power_keep_energy") {
      out = NightBehaviour::ZeroPowerKeepEnergy;
    } else if (s == "keep_last_values") {
      out = NightBehaviour::KeepLastValues;
    } else {
      return fail(path, "must be \"zero_power_keep_energy\" or \"keep_last_values\"");
    }
    return true;
  }

 private:
  bool fail(const std::string& path, const char* message) {
    errors_.push_back({path, message});
    return false;
  }
  std::vector<FieldError>& errors_;
};

std::string_view night_name(NightBehaviour n) {
  return n == NightBehaviour::KeepLastValues ? "keep_last_values" : "zero_power_keep_energy";
}

}  // namespace

Loaded from_json(const json& input) {
  std::vector<FieldError> errors;
  if (!input.is_object()) return std::vector<FieldError>{{"", "the settings file must hold a JSON object"}};
  json j = input;
  if (auto migrated = migrate(j); !migrated.empty()) return migrated;

  Config c;
  Reader r(errors);
  r.get(j, "version", "", c.version);
  r.get(j, "timezone", "", c.timezone);
  const auto& loc = r.object(j, "location", "");
  r.get(loc, "latitude", "location.", c.location.latitude);
  r.get(loc, "longitude", "location.", c.location.longitude);
  const auto& pol = r.object(j, "polling", "");
  r.get(pol, "interval_s", "polling.", c.polling.interval_s);
  r.get(pol, "sunrise_offset_min", "polling.", c.polling.sunrise_offset_min);
  r.get(pol, "sunset_offset_min", "polling.", c.polling.sunset_offset_min);
  r.get(pol, "night", "polling.", c.polling.night);
  const auto& radio = r.object(j, "radio", "");
  r.get(radio, "ecu_id", "radio.", c.radio.ecu_id);
  r.get(radio, "port", "radio.", c.radio.port);
  r.get(radio, "reset_line", "radio.", c.radio.reset_line);
  r.get(radio, "energy_scale", "radio.", c.radio.energy_scale);
  const auto& energy = r.object(j, "energy", "");
  r.get(energy, "price_per_kwh", "energy.", c.energy.price_per_kwh);
  r.get(energy, "currency", "energy.", c.energy.currency);
  r.get(energy, "co2_kg_per_kwh", "energy.", c.energy.co2_kg_per_kwh);
  const auto& storage = r.object(j, "storage", "");
  r.get(storage, "data_dir", "storage.", c.storage.data_dir);
  r.get(storage, "samples_retention_days", "storage.", c.storage.samples_retention_days);

  const auto& mqtt = r.object(j, "mqtt", "");
  r.get(mqtt, "enabled", "mqtt.", c.mqtt.enabled);
  r.get(mqtt, "host", "mqtt.", c.mqtt.host);
  r.get(mqtt, "port", "mqtt.", c.mqtt.port);
  r.get(mqtt, "client_id", "mqtt.", c.mqtt.client_id);
  r.get(mqtt, "username", "mqtt.", c.mqtt.username);
  r.get(mqtt, "password", "mqtt.", c.mqtt.password);
  r.get(mqtt, "tls", "mqtt.", c.mqtt.tls);
  r.get(mqtt, "ca_file", "mqtt.", c.mqtt.ca_file);
  r.get(mqtt, "cert_file", "mqtt.", c.mqtt.cert_file);
  r.get(mqtt, "key_file", "mqtt.", c.mqtt.key_file);
  r.get(mqtt, "keepalive_s", "mqtt.", c.mqtt.keepalive_s);
  r.get(mqtt, "qos", "mqtt.", c.mqtt.qos);
  r.get(mqtt, "retain", "mqtt.", c.mqtt.retain);
  r.get(mqtt, "topic", "mqtt.", c.mqtt.topic);
  r.get(mqtt, "format", "mqtt.", c.mqtt.format);
  r.get(mqtt, "base_topic", "mqtt.", c.mqtt.base_topic);
  r.get(mqtt, "ha_discovery", "mqtt.", c.mqtt.ha_discovery);
  r.get(mqtt, "ha_prefix", "mqtt.", c.mqtt.ha_prefix);
  r.get(mqtt, "queue_max_messages", "mqtt.", c.mqtt.queue_max_messages);

  if (j.contains("inverters")) {
    if (!j["inverters"].is_array()) {
      errors.push_back({"inverters", "must be a list"});
    } else {
      for (std::size_t i = 0; i < j["inverters"].size(); ++i) {
        const auto& e = j["inverters"][i];
        const std::string path = "inverters[" + std::to_string(i) + "].";
        if (!e.is_object()) {
          errors.push_back({path.substr(0, path.size() - 1), "must be an object"});
          continue;
        }
        InverterConfig inv;
        r.get(e, "name", path, inv.name);
        r.get(e, "serial", path, inv.serial);
        r.get(e, "model", path, inv.model);
        r.get(e, "inputs_in_use", path, inv.inputs_in_use);
        r.get(e, "domoticz_idx", path, inv.domoticz_idx);
        r.get(e, "energy_calibration", path, inv.energy_calibration);
        r.get(e, "panel_power_w", path, inv.panel_power_w);
        r.get(e, "panel_peak_w", path, inv.panel_peak_w);
        r.get(e, "input_order", path, inv.input_order);
        r.get(e, "short_address", path, inv.short_address);
        r.get(e, "power_limit_per_panel_w", path, inv.power_limit_per_panel_w);
        r.get(e, "output_on", path, inv.output_on);
        c.inverters.push_back(std::move(inv));
      }
    }
  }
  auto invalid = validate(c);
  errors.insert(errors.end(), invalid.begin(), invalid.end());
  if (!errors.empty()) return errors;
  return c;
}

json to_json(const Config& c) {
  json j;
  j["version"] = c.version;
  j["timezone"] = c.timezone;
  j["location"] = json::object();
  if (c.location.latitude) j["location"]["latitude"] = *c.location.latitude;
  if (c.location.longitude) j["location"]["longitude"] = *c.location.longitude;
  j["polling"] = {{"interval_s", c.polling.interval_s},
                  {"sunrise_offset_min", c.polling.sunrise_offset_min},
                  {"sunset_offset_min", c.polling.sunset_offset_min},
                  {"night", night_name(c.polling.night)}};
  j["radio"] = {{"ecu_id", c.radio.ecu_id},
                {"port", c.radio.port},
                {"reset_line", c.radio.reset_line},
                {"energy_scale", c.radio.energy_scale}};
  j["energy"] = {{"price_per_kwh", c.energy.price_per_kwh},
                 {"currency", c.energy.currency},
                 {"co2_kg_per_kwh", c.energy.co2_kg_per_kwh}};
  j["storage"] = {{"data_dir", c.storage.data_dir}, {"samples_retention_days", c.storage.samples_retention_days}};
  const auto& m = c.mqtt;
  j["mqtt"] = {{"enabled", m.enabled},     {"host", m.host},
               {"port", m.port},           {"client_id", m.client_id},
               {"username", m.username},   {"password", m.password},
               {"tls", m.tls},             {"ca_file", m.ca_file},
               {"cert_file", m.cert_file}, {"key_file", m.key_file},
               {"keepalive_s", m.keepalive_s}, {"qos", m.qos},
               {"retain", m.retain},       {"topic", m.topic},
               {"format", m.format},       {"base_topic", m.base_topic},
               {"ha_discovery", m.ha_discovery}, {"ha_prefix", m.ha_prefix},
               {"queue_max_messages", m.queue_max_messages}};
  j["inverters"] = json::array();
  for (const auto& inv : c.inverters) {
    json e{{"name", inv.name},
           {"serial", inv.serial},
           {"model", inv.model},
           {"inputs_in_use", inv.inputs_in_use},
           {"energy_calibration", inv.energy_calibration},
           {"panel_power_w", inv.panel_power_w}};
    if (!inv.panel_peak_w.empty()) e["panel_peak_w"] = inv.panel_peak_w;
    if (!inv.input_order.empty()) e["input_order"] = inv.input_order;
    if (inv.domoticz_idx) e["domoticz_idx"] = *inv.domoticz_idx;
    if (inv.short_address) e["short_address"] = *inv.short_address;
    if (inv.power_limit_per_panel_w) e["power_limit_per_panel_w"] = *inv.power_limit_per_panel_w;
    e["output_on"] = inv.output_on;
    j["inverters"].push_back(std::move(e));
  }
  return j;
}

}  // namespace apsecu::config
