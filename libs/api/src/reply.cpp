// SPDX-License-Identifier: GPL-3.0-or-later
// Replies and request fields shared by the route groups.
#include <charconv>

#include <fmt/format.h>

#include "apsecu/api/errors.hpp"
#include "apsecu/aps/ids.hpp"
#include "apsecu/config/load_save.hpp"
#include "apsecu/store/errors.hpp"
#include "server.hpp"

namespace apsecu::api {

void send_json(httplib::Response& res, const json& j, int status) {
  res.status = status;
  res.set_content(j.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  send_json(res, {{"error", {{"code", code}, {"message", message}}}}, status);
}

void send_field_errors(httplib::Response& res, const std::vector<config::FieldError>& errors) {
  json fields = json::array();
  for (const auto& e : errors) fields.push_back({{"field", e.field}, {"message", e.message}});
  send_json(res,
            {{"error", {{"code", "invalid_settings"}, {"message", config::describe(errors)}, {"fields", fields}}}},
            422);
}

void send_failure(httplib::Response& res, const util::Error& e) {
  const auto& c = e.code;
  if (c == store::Errc::UnknownSerial) return send_error(res, 404, "unknown_serial", e.describe());
  if (c == store::Errc::InvalidDay || c == store::Errc::InvalidRange || c == store::Errc::InvalidArgument) {
    return send_error(res, 400, "invalid_value", e.describe());
  }
  if (c == store::Errc::LifetimeDecrease) return send_error(res, 409, "lifetime_decrease", e.describe());
  if (c == store::Errc::Busy || c == Errc::Busy) return send_error(res, 503, "busy", e.describe());
  if (c == Errc::NotSupported) return send_error(res, 501, "not_supported", e.describe());
  send_error(res, 500, "failed", e.describe());
}

std::optional<json> json_body(const httplib::Request& req, httplib::Response& res) {
  const auto type = req.get_header_value("Content-Type");
  // Only application/json: a plain HTML form on another site cannot send it.
  if (type.rfind("application/json", 0) != 0) {
    send_error(res, 415, "json_required", "send the request body as application/json");
    return std::nullopt;
  }
  auto j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    send_error(res, 400, "bad_json", "the request body is not a JSON object");
    return std::nullopt;
  }
  return j;
}

std::optional<std::int32_t> date_param(const httplib::Request& req, httplib::Response& res, const std::string& name,
                                       std::optional<std::int32_t> fallback) {
  if (!req.has_param(name)) {
    if (!fallback) send_error(res, 400, "missing_" + name, fmt::format("give {} as YYYY-MM-DD", name));
    return fallback;
  }
  const auto v = parse_date(req.get_param_value(name));
  if (!v) send_error(res, 400, "invalid_" + name, fmt::format("{} must be a date as YYYY-MM-DD", name));
  return v;
}

std::optional<std::optional<std::string>> serial_param(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_param("serial") || req.get_param_value("serial").empty()) return std::optional<std::string>{};
  const auto s = req.get_param_value("serial");
  if (!aps::Serial::parse(s)) {
    send_error(res, 400, "invalid_serial", "serial must be the 12 digits printed on the inverter");
    return std::nullopt;
  }
  return std::optional<std::string>{s};
}

std::optional<std::int64_t> int_param(const httplib::Request& req, httplib::Response& res, const std::string& name,
                                      std::int64_t fallback, std::int64_t min, std::int64_t max) {
  if (!req.has_param(name)) return fallback;
  const auto s = req.get_param_value(name);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < min || v > max) {
    send_error(res, 400, "invalid_" + name, fmt::format("{} must be a whole number from {} to {}", name, min, max));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> string_field(const json& body, httplib::Response& res, const std::string& name,
                                        std::size_t max_len, bool required) {
  if (!body.contains(name) || body[name].is_null()) {
    if (required) {
      send_error(res, 400, "missing_" + name, name + " is required");
      return std::nullopt;
    }
    return std::string{};
  }
  if (!body[name].is_string()) {
    send_error(res, 400, "invalid_" + name, name + " must be text");
    return std::nullopt;
  }
  auto s = body[name].get<std::string>();
  if (s.size() > max_len) {
    send_error(res, 400, "invalid_" + name, fmt::format("{} must be at most {} characters", name, max_len));
    return std::nullopt;
  }
  if (required && s.empty()) {
    send_error(res, 400, "missing_" + name, name + " is required");
    return std::nullopt;
  }
  return s;
}

}  // namespace apsecu::api
