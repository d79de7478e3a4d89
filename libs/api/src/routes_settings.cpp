// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/settings (everything in the settings file but the inverters) and /api/v1/mqtt
// (MQTT settings kept as generic JSON in <data_dir>/mqtt.json until the daemon has an MQTT
// section in its settings; the password is write-only).
#include "files.hpp"
#include "apsecu/config/load_save.hpp"
#include "server.hpp"

namespace apsecu::api {
namespace {

constexpr std::size_t kMaxMqttFile = 16 << 10;
constexpr const char* kFormats[] = {"domoticz", "arrays", "flat", "full", "channels"};

json settings_json(const config::Config& c) {
  json j = config::to_json(c);
  j.erase("inverters");
  return j;
}

json mqtt_defaults() {
  return {{"enabled", false}, {"host", ""},    {"port", 1883},       {"topic", "apsecu/"}, {"username", ""},
          {"password", ""},   {"retain", false}, {"format", "arrays"}};
}

json load_mqtt(const Api& api) {
  json j = mqtt_defaults();
  if (auto text = read_file(data_path(api.backend.data_dir(), "mqtt.json"), kMaxMqttFile)) {
    auto stored = json::parse(*text, nullptr, false);
    if (stored.is_object()) j.update(stored);
  }
  return j;
}

json public_mqtt(json j) {
  j["password_set"] = !j.value("password", std::string()).empty();
  j.erase("password");
  return j;
}

std::vector<config::FieldError> check_mqtt(const json& j) {
  std::vector<config::FieldError> e;
  if (!j["enabled"].is_boolean()) e.push_back({"enabled", "must be true or false"});
  if (!j["retain"].is_boolean()) e.push_back({"retain", "must be true or false"});
  for (const char* k : {"host", "topic", "username", "password", "format"}) {
    if (!j[k].is_string() || j[k].get<std::string>().size() > 200) e.push_back({k, "must be text of at most 200 characters"});
  }
  if (!j["port"].is_number_integer() || j["port"].get<std::int64_t>() < 1 || j["port"].get<std::int64_t>() > 65535) {
    e.push_back({"port", "must be 1 to 65535"});
  }
  if (j["format"].is_string()) {
    bool known = false;
    for (const char* f : kFormats) known = known || j["format"] == f;
    if (!known) e.push_back({"format", "must be domoticz, arrays, flat, full or channels"});
  }
  if (e.empty() && j["enabled"].get<bool>() && j["host"].get<std::string>().empty()) {
    e.push_back({"host", "give the broker's host name or address"});
  }
  return e;
}

}  // namespace

void add_settings_routes(Api& api) {
  api.get("/api/v1/settings", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    send_json(res, settings_json(api.backend.config()));
  });

  api.put("/api/v1/settings", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    auto body = json_body(req, res);
    if (!body) return;
    // A merge patch over the current settings: the page sends what it shows. Inverters
    // have their own routes, the version is the daemon's.
    body->erase("inverters");
    body->erase("version");
    json merged = config::to_json(api.backend.config());
    merged.merge_patch(*body);
    auto parsed = config::from_json(merged);
    if (auto* errors = std::get_if<std::vector<config::FieldError>>(&parsed)) return send_field_errors(res, *errors);
    auto r = api.backend.update_config(std::get<config::Config>(parsed));
    if (auto* errors = std::get_if<std::vector<config::FieldError>>(&r)) return send_field_errors(res, *errors);
    send_json(res, settings_json(std::get<config::Config>(r)));
  });

  api.get("/api/v1/mqtt", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    send_json(res, public_mqtt(load_mqtt(api)));
  });

  api.put("/api/v1/mqtt", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    auto body = json_body(req, res);
    if (!body) return;
    json j = load_mqtt(api);
    for (const auto& [k, v] : body->items()) {
      if (!mqtt_defaults().contains(k)) continue;  // unknown keys are not kept
      // An empty password field on the page means "unchanged".
      if (k == "password" && v.is_string() && v.get<std::string>().empty()) continue;
      j[k] = v;
    }
    if (auto errors = check_mqtt(j); !errors.empty()) return send_field_errors(res, errors);
    if (auto st = write_file_atomic(data_path(api.backend.data_dir(), "mqtt.json"), j.dump(2), 0600); !st) {
      return send_failure(res, st.error());
    }
    send_json(res, public_mqtt(j));
  });

  api.post("/api/v1/mqtt/test", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    auto r = api.backend.test_mqtt(load_mqtt(api).dump());
    if (!r) return send_failure(res, r.error());
    send_json(res, {{"message", *r}});
  });
}

}  // namespace apsecu::api
