// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/inverters: add, edit, delete, pair and poll inverters. Changes go through
// Backend::update_config, which validates the whole settings file and applies it.
#include <fmt/format.h>

#include "apsecu/aps/model.hpp"
#include "server.hpp"

namespace apsecu::api {
namespace {

using FieldErrors = std::vector<config::FieldError>;

// Reads the fields present in `body` over `inv`; type errors are collected, range rules
// are config::validate's.
void read_inverter(const json& body, config::InverterConfig& inv, FieldErrors& errors) {
  const auto text = [&](const char* key, std::string& out) {
    if (!body.contains(key)) return;
    if (!body[key].is_string()) return errors.push_back({key, "must be text"});
    out = body[key].get<std::string>();
  };
  const auto number = [&](const char* key, double& out) {
    if (!body.contains(key)) return;
    if (!body[key].is_number()) return errors.push_back({key, "must be a number"});
    out = body[key].get<double>();
  };
  text("name", inv.name);
  text("serial", inv.serial);
  text("model", inv.model);
  if (auto m = aps::model_from_name(inv.model)) inv.model = std::string(aps::info(*m).name);
  if (body.contains("inputs_in_use")) {
    const auto& v = body["inputs_in_use"];
    bool ok = v.is_array() && v.size() <= 4;
    for (const auto& b : v) ok = ok && b.is_boolean();
    if (ok) {
      inv.inputs_in_use = v.get<std::vector<bool>>();
    } else {
      errors.push_back({"inputs_in_use", "must be a list of true/false, one per input"});
    }
  }
  if (body.contains("domoticz_idx")) {
    const auto& v = body["domoticz_idx"];
    if (v.is_null()) {
      inv.domoticz_idx.reset();
    } else if (v.is_number_integer()) {
      inv.domoticz_idx = v.get<std::int64_t>();
    } else {
      errors.push_back({"domoticz_idx", "must be a whole number (the Domoticz device idx), or empty"});
    }
  }
  number("panel_power_w", inv.panel_power_w);
  number("energy_calibration", inv.energy_calibration);
  if (inv.serial.size() != 12 || inv.serial.find_first_not_of("0123456789") != std::string::npos) {
    errors.push_back({"serial", "must be the 12 digits printed on the inverter"});
  }
}

// "inverters[3].serial" -> "serial" for the inverter being edited; others stay whole.
FieldErrors local_errors(const FieldErrors& errors, std::size_t index) {
  const auto prefix = fmt::format("inverters[{}].", index);
  FieldErrors out;
  for (auto e : errors) {
    if (e.field.rfind(prefix, 0) == 0) e.field = e.field.substr(prefix.size());
    out.push_back(std::move(e));
  }
  return out;
}

json config_inverter_json(const config::InverterConfig& inv) {
  return {{"name", inv.name},
          {"serial", inv.serial},
          {"model", inv.model},
          {"inputs_in_use", inv.inputs_in_use},
          {"domoticz_idx", inv.domoticz_idx ? json(*inv.domoticz_idx) : json(nullptr)},
          {"panel_power_w", inv.panel_power_w},
          {"energy_calibration", inv.energy_calibration},
          {"short_address", inv.short_address ? json(*inv.short_address) : json(nullptr)},
          {"paired", inv.short_address.has_value()},
          // Set by the inverter's own actions (power_limit, on, off), not by this form.
          {"power_limit_per_panel_w", inv.power_limit_per_panel_w ? json(*inv.power_limit_per_panel_w) : json(nullptr)},
          {"output_on", inv.output_on}};
}

// Applies `c`; on success answers with the inverter at `index` (or 204-like body).
void apply(Api& api, httplib::Response& res, const config::Config& c, std::optional<std::size_t> index, int status) {
  auto r = api.backend.update_config(c);
  if (auto* errors = std::get_if<FieldErrors>(&r)) {
    return send_field_errors(res, index ? local_errors(*errors, *index) : *errors);
  }
  const auto& applied = std::get<config::Config>(r);
  if (index && *index < applied.inverters.size()) return send_json(res, config_inverter_json(applied.inverters[*index]), status);
  send_json(res, {{"inverters", applied.inverters.size()}}, status);
}

std::optional<std::size_t> find(const config::Config& c, const std::string& serial) {
  for (std::size_t i = 0; i < c.inverters.size(); ++i) {
    if (c.inverters[i].serial == serial) return i;
  }
  return std::nullopt;
}

}  // namespace

void add_inverter_routes(Api& api) {
  api.get("/api/v1/inverters", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    const auto c = api.backend.config();
    const auto snap = api.backend.snapshot();
    json list = json::array();
    for (const auto& inv : c.inverters) {
      json j = config_inverter_json(inv);
      j["live"] = nullptr;
      if (snap) {
        for (const auto& v : snap->inverters) {
          if (v.serial == inv.serial) j["live"] = inverter_json(v, snap.get(), c.inverters);
        }
      }
      list.push_back(std::move(j));
    }
    json models = json::array();
    for (const auto& m : aps::kModels) models.push_back({{"model", m.name}, {"inputs", m.inputs}});
    send_json(res, {{"models", models}, {"inverters", list}});
  });

  api.post("/api/v1/inverters", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    auto body = json_body(req, res);
    if (!body) return;
    config::InverterConfig inv;
    FieldErrors errors;
    read_inverter(*body, inv, errors);
    if (!errors.empty()) return send_field_errors(res, errors);
    auto c = api.backend.config();
    if (find(c, inv.serial)) {
      return send_error(res, 409, "serial_exists", "an inverter with serial " + inv.serial + " exists already");
    }
    c.inverters.push_back(inv);
    apply(api, res, c, c.inverters.size() - 1, 201);
  });

  api.put(R"(/api/v1/inverters/(\d{12}))", Access::Admin,
          [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
            auto body = json_body(req, res);
            if (!body) return;
            auto c = api.backend.config();
            const auto index = find(c, req.matches[1].str());
            if (!index) return send_error(res, 404, "unknown_serial", "no inverter with serial " + req.matches[1].str());
            auto& inv = c.inverters[*index];
            const auto old_serial = inv.serial;
            FieldErrors errors;
            read_inverter(*body, inv, errors);
            if (!errors.empty()) return send_field_errors(res, errors);
            // Another serial is another inverter: the old pairing does not carry over.
            if (inv.serial != old_serial) inv.short_address.reset();
            apply(api, res, c, *index, 200);
          });

  api.del(R"(/api/v1/inverters/(\d{12}))", Access::Admin,
          [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
            auto c = api.backend.config();
            const auto index = find(c, req.matches[1].str());
            if (!index) return send_error(res, 404, "unknown_serial", "no inverter with serial " + req.matches[1].str());
            c.inverters.erase(c.inverters.begin() + static_cast<std::ptrdiff_t>(*index));
            apply(api, res, c, std::nullopt, 200);
          });

  // The same jobs as the console's actions of these names.
  api.post(R"(/api/v1/inverters/(\d{12})/(pair|poll|on|off|power_limit))", Access::Admin,
           [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
             const auto c = api.backend.config();
             if (!find(c, req.matches[1].str())) {
               return send_error(res, 404, "unknown_serial", "no inverter with serial " + req.matches[1].str());
             }
             const auto serial = aps::Serial::parse(req.matches[1].str());
             if (!serial) return send_error(res, 400, "invalid_serial", serial.error().describe());
             json body = json::object();
             if (!req.body.empty()) {
               auto parsed = json_body(req, res);
               if (!parsed) return;
               body = std::move(*parsed);
             }
             const auto action = req.matches[2].str();
             if (action == "pair") {
               const bool force = body.contains("force") && body["force"].is_boolean() && body["force"].get<bool>();
               return send_json(res, submit_pair(api, *serial, force), 202);
             }
             if (action == "on" || action == "off") return send_json(res, submit_output(api, *serial, action == "on"), 202);
             if (action == "power_limit") {
               auto job = submit_limit(api, *serial, body, res);
               if (job) send_json(res, *job, 202);
               return;
             }
             send_json(res, submit_poll(api, *serial), 202);
           });
}

}  // namespace apsecu::api
