// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/stats (lifetime, per inverter and site, as the seed's statistics page) and
// /api/v1/stats/period (a date range, as the seed's period analysis).
#include "apsecu/store/day_key.hpp"
#include "server.hpp"

namespace apsecu::api {
namespace {

json day_json(const std::optional<store::DayEnergy>& d) {
  if (!d) return nullptr;
  return {{"date", date_text(d->day)}, {"energy_wh", d->energy_wh()}};
}

json stats_json(const store::Statistics& s, const config::Energy& e) {
  const double kwh = s.total_kwh();
  json j{{"days_with_data", s.days_with_data},
         {"days_with_production", s.days_with_production},
         {"first_date", s.first_day ? json(date_text(s.first_day)) : json(nullptr)},
         {"last_date", s.last_day ? json(date_text(s.last_day)) : json(nullptr)},
         {"total_kwh", kwh},
         {"mean_wh", s.mean_wh},
         {"median_wh", s.median_wh},
         {"stddev_wh", s.stddev_wh},
         {"best", day_json(s.best)},
         {"worst", day_json(s.worst)},
         {"money", kwh * e.price_per_kwh},
         {"money_per_day", s.days_with_production ? kwh * e.price_per_kwh / static_cast<double>(s.days_with_production) : 0.0},
         {"co2_kg", kwh * e.co2_kg_per_kwh},
         {"peak", nullptr}};
  if (s.peak) {
    j["peak"] = {{"date", date_text(s.peak->day)}, {"time_s", s.peak->time_s}, {"power_w", s.peak->power_dw / 10.0}};
  }
  return j;
}

json energy_json(const config::Energy& e) {
  return {{"currency", e.currency}, {"price_per_kwh", e.price_per_kwh}, {"co2_kg_per_kwh", e.co2_kg_per_kwh}};
}

}  // namespace

void add_stats_routes(Api& api) {
  api.get("/api/v1/stats", Access::Public, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const auto serial = serial_param(req, res);
    if (!serial) return;
    const auto cfg = api.backend.config();
    std::optional<util::Error> failed;
    json site;
    json inverters = json::array();
    api.backend.with_store([&](store::Store& s) {
      store::StatisticsQuery q;
      q.serial = *serial;
      auto total = s.statistics(q);
      if (!total) {
        failed = total.error();
        return;
      }
      site = stats_json(*total, cfg.energy);
      if (serial->has_value()) return;
      for (const auto& inv : cfg.inverters) {
        auto one = s.statistics(store::StatisticsQuery{inv.serial, std::nullopt, std::nullopt});
        if (!one) continue;  // not in the store yet: nothing to show
        json j = stats_json(*one, cfg.energy);
        j["serial"] = inv.serial;
        j["name"] = inv.name;
        inverters.push_back(std::move(j));
      }
    });
    if (failed) return send_failure(res, *failed);
    send_json(res, {{"energy", energy_json(cfg.energy)},
                    {"serial", serial->has_value() ? json(**serial) : json(nullptr)},
                    {"total", std::move(site)},
                    {"inverters", std::move(inverters)}});
  });

  api.get("/api/v1/stats/period", Access::Public, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const auto from = date_param(req, res, "from", std::nullopt);
    if (!from) return;
    const auto to = date_param(req, res, "to", std::nullopt);
    if (!to) return;
    if (*from > *to) return send_error(res, 400, "invalid_range", "from must not be after to");
    const auto serial = serial_param(req, res);
    if (!serial) return;
    const auto cfg = api.backend.config();
    std::optional<util::Result<store::Statistics>> r;
    api.backend.with_store([&](store::Store& s) { r = s.statistics(store::StatisticsQuery{*serial, *from, *to}); });
    if (!*r) return send_failure(res, r->error());
    json j = stats_json(**r, cfg.energy);
    const auto calendar_days = store::days_from_civil(*store::parse_day_key(*to)) -
                               store::days_from_civil(*store::parse_day_key(*from)) + 1;
    send_json(res, {{"energy", energy_json(cfg.energy)},
                    {"from", date_text(*from)},
                    {"to", date_text(*to)},
                    {"calendar_days", calendar_days},
                    {"serial", serial->has_value() ? json(**serial) : json(nullptr)},
                    {"period", std::move(j)}});
  });
}

}  // namespace apsecu::api
