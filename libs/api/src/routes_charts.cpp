// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/charts/*: a day's power curve, daily energy of the last N days, a month, a year.
// All read the store's pre-aggregates, so each costs the rows it returns.
#include <map>

#include <fmt/format.h>

#include "apsecu/store/day_key.hpp"
#include "server.hpp"

namespace apsecu::api {
namespace {

constexpr std::int64_t kMaxDays = 366;

json points_json(const std::vector<store::CurvePoint>& points) {
  json out = json::array();
  for (const auto& p : points) out.push_back({p.time_s, p.power_w()});
  return out;
}

// Names from the live view (the settings' names), so charts label inverters as the
// home page does.
std::map<std::string, std::string> names(Api& api) {
  std::map<std::string, std::string> out;
  for (const auto& inv : api.backend.config().inverters) out[inv.serial] = inv.name;
  return out;
}

double wh(std::int64_t mwh) { return static_cast<double>(mwh) / 1000.0; }

}  // namespace

void add_chart_routes(Api& api) {
  api.get("/api/v1/charts/day", Access::Public, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const auto day = date_param(req, res, "date", api.today());
    if (!day) return;
    const auto serial = serial_param(req, res);
    if (!serial) return;
    std::optional<util::Result<store::DayCurve>> curve;
    api.backend.with_store([&](store::Store& s) {
      curve = s.day_curve(*day, serial->has_value() ? std::optional<std::string_view>(**serial) : std::nullopt);
    });
    if (!*curve) return send_failure(res, curve->error());
    const auto n = names(api);
    json inverters = json::array();
    double peak_w = 0;
    for (const auto& inv : (*curve)->inverters) {
      const auto it = n.find(inv.serial);
      inverters.push_back(
          {{"serial", inv.serial}, {"name", it == n.end() ? inv.serial : it->second}, {"points", points_json(inv.points)}});
    }
    for (const auto& p : (*curve)->site) peak_w = std::max(peak_w, p.power_w());
    send_json(res, {{"date", date_text(*day)},
                    {"serial", serial->has_value() ? json(**serial) : json(nullptr)},
                    {"site", points_json((*curve)->site)},
                    {"site_peak_w", peak_w},
                    {"inverters", std::move(inverters)}});
  });

  api.get("/api/v1/charts/days", Access::Public, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const auto n = int_param(req, res, "n", 14, 1, kMaxDays);
    if (!n) return;
    const auto end = date_param(req, res, "end", api.today());
    if (!end) return;
    const auto serial = serial_param(req, res);
    if (!serial) return;
    const auto from = store::add_days(*end, -(*n - 1));
    std::optional<util::Result<store::DailyEnergy>> r;
    api.backend.with_store([&](store::Store& s) {
      r = s.daily_energy(from, *end, serial->has_value() ? std::optional<std::string_view>(**serial) : std::nullopt);
    });
    if (!*r) return send_failure(res, r->error());
    // Aligned arrays, one slot per calendar day, 0 where nothing was produced.
    json dates = json::array();
    std::map<std::int32_t, std::size_t> slot;
    for (std::int32_t d = from, i = 0; i < *n; d = store::add_days(d, 1), ++i) {
      slot[d] = static_cast<std::size_t>(i);
      dates.push_back(date_text(d));
    }
    const auto fill = [&](const std::vector<store::DayEnergy>& days) {
      std::vector<double> v(static_cast<std::size_t>(*n), 0.0);
      for (const auto& d : days) {
        if (auto it = slot.find(d.day); it != slot.end()) v[it->second] = wh(d.energy_mwh);
      }
      return v;
    };
    const auto nm = names(api);
    json inverters = json::array();
    for (const auto& inv : (*r)->inverters) {
      const auto it = nm.find(inv.serial);
      inverters.push_back(
          {{"serial", inv.serial}, {"name", it == nm.end() ? inv.serial : it->second}, {"energy_wh", fill(inv.days)}});
    }
    send_json(res, {{"from", date_text(from)},
                    {"to", date_text(*end)},
                    {"dates", std::move(dates)},
                    {"site_wh", fill((*r)->site)},
                    {"inverters", std::move(inverters)}});
  });

  api.get("/api/v1/charts/month", Access::Public, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    std::pair<int, int> ym{api.today() / 10000, api.today() / 100 % 100};
    if (req.has_param("month")) {
      const auto m = parse_month(req.get_param_value("month"));
      if (!m) return send_error(res, 400, "invalid_month", "month must be YYYY-MM");
      ym = *m;
    }
    const auto serial = serial_param(req, res);
    if (!serial) return;
    std::optional<util::Result<std::vector<store::DayEnergy>>> r;
    api.backend.with_store([&](store::Store& s) {
      r = s.month(ym.first, ym.second, serial->has_value() ? std::optional<std::string_view>(**serial) : std::nullopt);
    });
    if (!*r) return send_failure(res, r->error());
    const int days = store::days_in_month(ym.first, ym.second);
    std::vector<double> energy(static_cast<std::size_t>(days), 0.0);
    double total = 0;
    for (const auto& d : **r) {
      const auto i = d.day % 100 - 1;
      if (i >= 0 && i < days) energy[static_cast<std::size_t>(i)] = wh(d.energy_mwh);
      total += wh(d.energy_mwh);
    }
    send_json(res, {{"month", fmt::format("{:04}-{:02}", ym.first, ym.second)},
                    {"serial", serial->has_value() ? json(**serial) : json(nullptr)},
                    {"days", days},
                    {"energy_wh", energy},
                    {"total_wh", total}});
  });

  api.get("/api/v1/charts/year", Access::Public, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const auto year = int_param(req, res, "year", api.today() / 10000, store::kMinYear, store::kMaxYear);
    if (!year) return;
    const auto serial = serial_param(req, res);
    if (!serial) return;
    std::optional<util::Result<std::vector<store::MonthEnergy>>> r;
    api.backend.with_store([&](store::Store& s) {
      r = s.year(static_cast<int>(*year), serial->has_value() ? std::optional<std::string_view>(**serial) : std::nullopt);
    });
    if (!*r) return send_failure(res, r->error());
    std::vector<double> energy(12, 0.0);
    double total = 0;
    for (const auto& m : **r) {
      if (m.month >= 1 && m.month <= 12) energy[static_cast<std::size_t>(m.month - 1)] = wh(m.energy_mwh);
      total += wh(m.energy_mwh);
    }
    send_json(res, {{"year", *year},
                    {"serial", serial->has_value() ? json(**serial) : json(nullptr)},
                    {"energy_wh", energy},
                    {"total_wh", total}});
  });
}

}  // namespace apsecu::api
