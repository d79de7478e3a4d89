// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/settings (everything in the settings file but the inverters) and /api/v1/mqtt
// (the settings file's "mqtt" section on a page of its own, with a test button). Secrets
// are write-only: replies say whether a password is set, never what it is.
#include "apsecu/api/errors.hpp"
#include "apsecu/config/load_save.hpp"
#include "server.hpp"

namespace apsecu::api {
namespace {

json hide_password(json mqtt) {
  mqtt["password_set"] = !mqtt.value("password", std::string()).empty();
  mqtt.erase("password");
  return mqtt;
}

json settings_json(const config::Config& c) {
  json j = config::to_json(c);
  j.erase("inverters");
  if (j.contains("mqtt")) j["mqtt"] = hide_password(j["mqtt"]);
  return j;
}

// Merges `patch` over the current settings, validates and applies; sends the reply.
void apply_patch(Api& api, httplib::Response& res, json patch, const std::function<json(const config::Config&)>& view) {
  // The page sends what it shows. Inverters have their own routes, the version is the
  // daemon's, and an empty password field means "unchanged".
  patch.erase("inverters");
  patch.erase("version");
  if (patch.contains("mqtt") && patch["mqtt"].is_object()) {
    auto& m = patch["mqtt"];
    m.erase("password_set");
    if (m.contains("password") && m["password"].is_string() && m["password"].get<std::string>().empty()) m.erase("password");
  }
  json merged = config::to_json(api.backend.config());
  merged.merge_patch(patch);
  auto parsed = config::from_json(merged);
  if (auto* errors = std::get_if<std::vector<config::FieldError>>(&parsed)) return send_field_errors(res, *errors);
  auto r = api.backend.update_config(std::get<config::Config>(parsed));
  if (auto* errors = std::get_if<std::vector<config::FieldError>>(&r)) return send_field_errors(res, *errors);
  send_json(res, view(std::get<config::Config>(r)));
}

json mqtt_view(const config::Config& c) {
  const json j = config::to_json(c);
  return j.contains("mqtt") ? hide_password(j["mqtt"]) : json::object();
}

// "mqtt.port" -> "port": the MQTT page names its inputs without the section.
std::vector<config::FieldError> strip_section(std::vector<config::FieldError> errors) {
  for (auto& e : errors) {
    if (e.field.rfind("mqtt.", 0) == 0) e.field = e.field.substr(5);
  }
  return errors;
}

}  // namespace

void add_settings_routes(Api& api) {
  api.get("/api/v1/settings", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    send_json(res, settings_json(api.backend.config()));
  });

  api.put("/api/v1/settings", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    auto body = json_body(req, res);
    if (!body) return;
    apply_patch(api, res, std::move(*body), settings_json);
  });

  api.get("/api/v1/mqtt", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    send_json(res, mqtt_view(api.backend.config()));
  });

  api.get("/api/v1/mqtt/status", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    auto s = api.backend.mqtt_status();
    if (!s) return send_failure(res, s.error());
    res.set_content(*s, "application/json");
  });

  api.put("/api/v1/mqtt", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    auto body = json_body(req, res);
    if (!body) return;
    httplib::Response inner;
    apply_patch(api, inner, json{{"mqtt", std::move(*body)}}, mqtt_view);
    if (inner.status == 422) {
      auto j = json::parse(inner.body);
      std::vector<config::FieldError> errors;
      for (const auto& f : j["error"]["fields"]) errors.push_back({f["field"], f["message"]});
      return send_field_errors(res, strip_section(errors));
    }
    res.status = inner.status;
    res.set_content(inner.body, "application/json");
  });

  api.post("/api/v1/mqtt/test", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    const json j = config::to_json(api.backend.config());
    auto r = api.backend.test_mqtt(j.value("mqtt", json::object()).dump());
    // The broker's refusal or silence is the test's answer, not a fault of this server.
    if (!r && r.error().code != Errc::NotSupported) return send_error(res, 502, "mqtt_test_failed", r.error().describe());
    if (!r) return send_failure(res, r.error());
    send_json(res, {{"message", *r}});
  });
}

}  // namespace apsecu::api
