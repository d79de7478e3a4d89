// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/db/*: look at a stored day, repair a day's total, wipe an inverter's history,
// export CSV. Edits are audited by the store with the reason given here.
#include <cmath>

#include <fmt/format.h>

#include "apsecu/aps/ids.hpp"
#include "apsecu/store/day_key.hpp"
#include "server.hpp"

namespace apsecu::api {
namespace {

constexpr std::int64_t kMaxDayWh = 100000;  // 100 kWh: far beyond any micro-inverter's day
constexpr std::int64_t kMaxSampleExportDays = 31;
constexpr std::int64_t kMaxDayExportDays = 3700;

json row_json(const store::DayRow& r) {
  json inputs = json::array();
  for (const auto& in : r.inputs) {
    inputs.push_back({{"energy_wh", static_cast<double>(in.energy_mwh) / 1000.0},
                      {"peak_power_w", in.peak_power_dw / 10.0},
                      {"peak_time_s", in.peak_time_s}});
  }
  return {{"serial", r.serial},
          {"date", date_text(r.day)},
          {"energy_wh", static_cast<double>(r.energy_mwh) / 1000.0},
          {"peak_power_w", r.peak_power_dw / 10.0},
          {"peak_time_s", r.peak_time_s},
          {"samples", r.samples},
          {"edited", r.edited},
          {"inputs", std::move(inputs)}};
}

std::optional<std::string> body_serial(const json& body, httplib::Response& res) {
  auto s = string_field(body, res, "serial", 12);
  if (!s) return std::nullopt;
  if (!aps::Serial::parse(*s)) {
    send_error(res, 400, "invalid_serial", "serial must be the 12 digits printed on the inverter");
    return std::nullopt;
  }
  return s;
}

std::string opt_num(const std::optional<std::int32_t>& v, double scale) {
  return v ? fmt::format("{}", *v / scale) : std::string();
}

}  // namespace

void add_database_routes(Api& api) {
  api.get("/api/v1/db/inverters", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    json out = json::array();
    api.backend.with_store([&](store::Store& s) {
      for (const auto& i : s.inverters()) out.push_back({{"serial", i.serial}, {"model", i.model}, {"inputs", i.inputs}});
    });
    send_json(res, {{"inverters", out}});
  });

  api.get("/api/v1/db/day", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const auto day = date_param(req, res, "date", std::nullopt);
    if (!day) return;
    const auto serial = serial_param(req, res);
    if (!serial) return;
    std::optional<util::Error> failed;
    json rows = json::array();
    api.backend.with_store([&](store::Store& s) {
      auto cursor = s.export_days(*day, *day, serial->has_value() ? std::optional<std::string_view>(**serial) : std::nullopt);
      if (!cursor) return failed.emplace(cursor.error()), void();
      while (true) {
        auto row = cursor->next();
        if (!row) return failed.emplace(row.error()), void();
        if (!*row) break;
        rows.push_back(row_json(**row));
      }
    });
    if (failed) return send_failure(res, *failed);
    send_json(res, {{"date", date_text(*day)}, {"rows", std::move(rows)}});
  });

  api.put("/api/v1/db/day-total", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller& c) {
    auto body = json_body(req, res);
    if (!body) return;
    const auto serial = body_serial(*body, res);
    if (!serial) return;
    auto date = string_field(*body, res, "date", 10);
    if (!date) return;
    const auto day = parse_date(*date);
    if (!day) return send_error(res, 400, "invalid_date", "date must be YYYY-MM-DD");
    const auto& e = body->value("energy_wh", json());
    if (!e.is_number() || !std::isfinite(e.get<double>()) || e.get<double>() < 0 || e.get<double>() > kMaxDayWh) {
      return send_error(res, 400, "invalid_energy_wh", fmt::format("energy_wh must be a number from 0 to {}", kMaxDayWh));
    }
    auto reason = string_field(*body, res, "reason", 500);
    if (!reason) return;
    const auto wh = static_cast<std::int64_t>(std::llround(e.get<double>()));
    const store::AuditNote note{util::unix_seconds(api.backend.clock().now()), Api::actor(c), *reason};
    std::optional<util::Status> st;
    api.backend.with_store([&](store::Store& s) { st = s.set_day_total(*serial, *day, wh, note); });
    if (!*st) return send_failure(res, st->error());
    send_json(res, {{"serial", *serial}, {"date", *date}, {"energy_wh", wh}});
  });

  api.post("/api/v1/db/wipe", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller& c) {
    auto body = json_body(req, res);
    if (!body) return;
    const auto serial = body_serial(*body, res);
    if (!serial) return;
    auto reason = string_field(*body, res, "reason", 500);
    if (!reason) return;
    // Years of history go: the page makes the owner type the serial again.
    if (body->value("confirm", json()) != *serial) {
      return send_error(res, 400, "confirm_mismatch", "confirm must repeat the serial of the inverter to wipe");
    }
    const store::AuditNote note{util::unix_seconds(api.backend.clock().now()), Api::actor(c), *reason};
    std::optional<util::Status> st;
    api.backend.with_store([&](store::Store& s) { st = s.wipe_inverter(*serial, note); });
    if (!*st) return send_failure(res, st->error());
    send_json(res, {{"wiped", *serial}});
  });

  api.get("/api/v1/db/export.csv", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const auto today = api.today();
    const auto to = date_param(req, res, "to", today);
    if (!to) return;
    const auto from = date_param(req, res, "from", store::add_days(*to, -30));
    if (!from) return;
    if (*from > *to) return send_error(res, 400, "invalid_range", "from must not be after to");
    const auto serial = serial_param(req, res);
    if (!serial) return;
    const auto kind = req.has_param("kind") ? req.get_param_value("kind") : std::string("days");
    if (kind != "days" && kind != "samples") return send_error(res, 400, "invalid_kind", "kind must be days or samples");
    const auto span = store::days_from_civil(*store::parse_day_key(*to)) - store::days_from_civil(*store::parse_day_key(*from)) + 1;
    const auto max_span = kind == "days" ? kMaxDayExportDays : kMaxSampleExportDays;
    if (span > max_span) {
      return send_error(res, 400, "range_too_long", fmt::format("export at most {} days of {} at a time", max_span, kind));
    }
    const auto only = serial->has_value() ? std::optional<std::string_view>(**serial) : std::nullopt;
    std::string csv;
    std::optional<util::Error> failed;
    api.backend.with_store([&](store::Store& s) {
      if (kind == "days") {
        csv = "date,serial,energy_wh,peak_power_w,peak_time_s,samples,edited\n";
        auto cursor = s.export_days(*from, *to, only);
        if (!cursor) return failed.emplace(cursor.error()), void();
        while (true) {
          auto row = cursor->next();
          if (!row) return failed.emplace(row.error()), void();
          if (!*row) break;
          const auto& r = **row;
          csv += fmt::format("{},{},{},{},{},{},{}\n", date_text(r.day), r.serial, static_cast<double>(r.energy_mwh) / 1000.0,
                             r.peak_power_dw / 10.0, r.peak_time_s, r.samples, r.edited ? 1 : 0);
        }
      } else {
        csv = "date,serial,time_s,kind,input,power_w,energy_wh,dc_voltage_v,dc_current_a,temperature_c,frequency_hz,"
              "ac_voltage_v\n";
        auto cursor = s.export_samples(*from, *to, only);
        if (!cursor) return failed.emplace(cursor.error()), void();
        while (true) {
          auto row = cursor->next();
          if (!row) return failed.emplace(row.error()), void();
          if (!*row) break;
          const auto& smp = (*row)->sample;
          for (std::size_t i = 0; i < smp.inputs.size(); ++i) {
            const auto& in = smp.inputs[i];
            csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", date_text((*row)->day), smp.serial, smp.time_s,
                               store::kind_name(smp.kind), i + 1, in.power_dw / 10.0,
                               static_cast<double>(in.increase_mwh) / 1000.0, opt_num(in.dc_voltage_cv, 100.0),
                               opt_num(in.dc_current_ma, 1000.0), opt_num(smp.temperature_ddeg, 10.0),
                               opt_num(smp.frequency_mhz, 1000.0), opt_num(smp.ac_voltage_cv, 100.0));
          }
        }
      }
    });
    if (failed) return send_failure(res, *failed);
    res.set_header("Content-Disposition",
                   fmt::format("attachment; filename=\"apsecu-{}-{}-{}.csv\"", kind, date_text(*from), date_text(*to)));
    res.set_content(csv, "text/csv; charset=utf-8");
  });
}

}  // namespace apsecu::api
