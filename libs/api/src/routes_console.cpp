// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/console: jobs for the radio (health check, start the coordinator normally or for
// pairing, raw ZNP command, poll, pair, reboot, power limit per panel, output on and off).
// A job is queued at once (202); its outcome arrives as a "job" event on /api/v1/events and
// at /console/jobs/{id}.
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "apsecu/aps/ids.hpp"
#include "apsecu/aps/model.hpp"
#include "apsecu/config/config.hpp"
#include "apsecu/util/hex.hpp"
#include "server.hpp"

namespace apsecu::api {
namespace {

constexpr std::size_t kMaxRawBytes = 250;  // UNPI's length byte

std::optional<aps::Serial> serial_field(const json& body, httplib::Response& res, bool required) {
  if (!body.contains("serial") || body["serial"].is_null()) {
    if (required) send_error(res, 400, "missing_serial", "serial is required");
    return std::nullopt;
  }
  if (!body["serial"].is_string()) {
    send_error(res, 400, "invalid_serial", "serial must be the 12 digits printed on the inverter");
    return std::nullopt;
  }
  auto s = aps::Serial::parse(body["serial"].get<std::string>());
  if (!s) {
    send_error(res, 400, "invalid_serial", "serial must be the 12 digits printed on the inverter");
    return std::nullopt;
  }
  return *s;
}

bool known(Api& api, const aps::Serial& s, httplib::Response& res) {
  for (const auto& inv : api.backend.config().inverters) {
    if (inv.serial == s.str()) return true;
  }
  send_error(res, 404, "unknown_serial", "no inverter with serial " + s.str() + "; add it on the inverters page first");
  return false;
}

}  // namespace

// Also used by the inverter routes' pair/poll buttons.
json submit_pair(Api& api, const aps::Serial& serial, bool force) {
  return api.hub->submit(engine::Pair{serial, force}, "pair", serial.str());
}
json submit_poll(Api& api, std::optional<aps::Serial> serial) {
  const auto detail = serial ? serial->str() : std::string("all");
  return api.hub->submit(engine::PollNow{serial}, "poll", detail);
}
json submit_output(Api& api, const aps::Serial& serial, bool on) {
  return api.hub->submit(engine::SetOutput{serial, on}, on ? "on" : "off", serial.str());
}

std::optional<json> submit_limit(Api& api, const aps::Serial& serial, const json& body, httplib::Response& res) {
  // The stock ECU's set_maxpower takes watts per panel. An inverter total sent as before
  // would let a QS1 feed four times what its owner meant: refused, not reinterpreted.
  if (body.contains("limit_w")) {
    send_error(res, 400, "limit_is_per_panel",
               fmt::format("limit_w is no longer accepted: the power limit is per panel; send limit_per_panel_w "
                           "({:.0f} to {:.0f} W per panel), not a total for the inverter",
                           config::kMinLimitPerPanel_w, config::kMaxLimitPerPanel_w));
    return std::nullopt;
  }
  const auto& l = body.value("limit_per_panel_w", json());
  if (!l.is_number() || !std::isfinite(l.get<double>()) || l.get<double>() < config::kMinLimitPerPanel_w ||
      l.get<double>() > config::kMaxLimitPerPanel_w) {
    send_error(res, 400, "invalid_limit_per_panel_w",
               fmt::format("limit_per_panel_w must be a number of watts per panel from {:.0f} to {:.0f}",
                           config::kMinLimitPerPanel_w, config::kMaxLimitPerPanel_w));
    return std::nullopt;
  }
  const double per_panel_w = l.get<double>();
  std::size_t inputs = 0;
  for (const auto& inv : api.backend.config().inverters) {
    if (inv.serial != serial.str()) continue;
    if (auto m = aps::model_from_name(inv.model)) inputs = aps::info(*m).inputs;
  }
  const auto detail = fmt::format("{} {:g} W per panel ({:g} W for its {} inputs)", serial.str(), per_panel_w,
                                  per_panel_w * static_cast<double>(inputs), inputs);
  return api.hub->submit(engine::SetPowerLimit{serial, per_panel_w}, "power_limit", detail);
}

void add_console_routes(Api& api) {
  api.post("/api/v1/console", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    auto body = json_body(req, res);
    if (!body) return;
    auto action = string_field(*body, res, "action", 32);
    if (!action) return;
    const auto& a = *action;
    if (a == "health") return send_json(res, api.hub->submit(engine::HealthCheck{}, a, ""), 202);
    if (a == "start" || a == "start_pairing") {
      const auto mode = a == "start" ? znp::StartMode::Normal : znp::StartMode::Pairing;
      return send_json(res, api.hub->submit(engine::StartCoordinator{mode}, a, ""), 202);
    }
    if (a == "raw") {
      auto text = string_field(*body, res, "hex", 2 * kMaxRawBytes + 64);
      if (!text) return;
      const auto bytes = util::from_hex(*text);
      if (!bytes || bytes->size() < 2 || bytes->size() > kMaxRawBytes) {
        return send_error(res, 400, "invalid_hex",
                          "hex must be CMD0 CMD1 and data as hex digits (2 to 250 bytes), e.g. 2101 for a ping");
      }
      engine::RawCommand cmd{*bytes, std::chrono::milliseconds(1500)};
      if (body->contains("listen_ms")) {
        const auto& l = (*body)["listen_ms"];
        if (!l.is_number_integer() || l.get<std::int64_t>() < 0 || l.get<std::int64_t>() > 10000) {
          return send_error(res, 400, "invalid_listen_ms", "listen_ms must be 0 to 10000");
        }
        cmd.listen = std::chrono::milliseconds(l.get<std::int64_t>());
      }
      return send_json(res, api.hub->submit(std::move(cmd), a, util::to_hex(*bytes)), 202);
    }
    if (a == "poll") {
      std::optional<aps::Serial> serial;
      if (body->contains("serial") && !(*body)["serial"].is_null()) {
        serial = serial_field(*body, res, true);
        if (!serial || !known(api, *serial, res)) return;
      }
      return send_json(res, submit_poll(api, serial), 202);
    }
    if (a == "pair" || a == "reboot" || a == "power_limit" || a == "on" || a == "off") {
      auto serial = serial_field(*body, res, true);
      if (!serial || !known(api, *serial, res)) return;
      if (a == "pair") {
        const bool force = body->contains("force") && (*body)["force"].is_boolean() && (*body)["force"].get<bool>();
        return send_json(res, submit_pair(api, *serial, force), 202);
      }
      if (a == "reboot") return send_json(res, api.hub->submit(engine::Reboot{*serial}, a, serial->str()), 202);
      if (a == "on" || a == "off") return send_json(res, submit_output(api, *serial, a == "on"), 202);
      auto job = submit_limit(api, *serial, *body, res);
      if (job) send_json(res, *job, 202);
      return;
    }
    send_error(res, 400, "invalid_action",
               "action must be health, start, start_pairing, raw, poll, pair, reboot, power_limit, on or off");
  });

  api.get("/api/v1/console/jobs", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    send_json(res, {{"jobs", api.hub->jobs()}});
  });

  api.get(R"(/api/v1/console/jobs/(\d{1,18}))", Access::Admin,
          [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
            std::int64_t id = 0;
            const auto s = req.matches[1].str();
            std::from_chars(s.data(), s.data() + s.size(), id);
            const auto j = api.hub->job(id);
            if (!j) return send_error(res, 404, "unknown_job", "no such job (only the latest 50 are kept)");
            send_json(res, *j);
          });
}

}  // namespace apsecu::api
