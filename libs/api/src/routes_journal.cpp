// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/journal (the stored event journal), /api/v1/journal/recent and /frames (the
// engine's latest entries and wire frames, for the console), /api/v1/audit (edits).
#include <utility>

#include "apsecu/store/day_key.hpp"
#include "server.hpp"

namespace apsecu::api {

void add_journal_routes(Api& api) {
  api.get("/api/v1/journal", Access::Public, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const auto today = api.today();
    const auto from = date_param(req, res, "from", store::add_days(today, -6));
    if (!from) return;
    const auto to = date_param(req, res, "to", today);
    if (!to) return;
    if (*from > *to) return send_error(res, 400, "invalid_range", "from must not be after to");
    auto level = store::EventLevel::Info;
    if (req.has_param("level")) {
      const auto l = parse_level(req.get_param_value("level"));
      if (!l) return send_error(res, 400, "invalid_level", "level must be debug, info, warning or error");
      level = *l;
    }
    const auto limit = int_param(req, res, "limit", 200, 1, 2000);
    if (!limit) return;
    // Local days to a UTC range wide enough for any time zone (UTC-12 to UTC+14); entries
    // outside the local days are dropped below, so ask for some extra.
    constexpr std::int64_t kZoneMarginS = 14 * 3600;
    const auto from_s = store::days_from_civil(*store::parse_day_key(*from)) * 86400 - kZoneMarginS;
    const auto to_s = store::days_from_civil(*store::parse_day_key(*to)) * 86400 + 86400 + kZoneMarginS;
    std::optional<util::Result<std::vector<store::Event>>> r;
    api.backend.with_store([&](store::Store& s) { r = s.events(from_s, to_s, level, static_cast<int>(*limit) + 500); });
    if (!*r) return send_failure(res, r->error());
    json events = json::array();
    for (const auto& e : **r) {
      const auto day = api.backend.day_of(util::WallTime{} + std::chrono::seconds(e.time_s));
      if (day >= *from && day <= *to && std::cmp_less(events.size(), *limit)) events.push_back(event_json(e));
    }
    send_json(res, {{"from", date_text(*from)}, {"to", date_text(*to)}, {"events", std::move(events)}});
  });

  api.get("/api/v1/journal/recent", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    send_json(res, {{"entries", api.hub->recent_journal()}});
  });

  api.get("/api/v1/journal/frames", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    send_json(res, {{"frames", api.hub->recent_frames()}});
  });

  api.get("/api/v1/audit", Access::Admin, [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const auto limit = int_param(req, res, "limit", 100, 1, 1000);
    if (!limit) return;
    std::optional<util::Result<std::vector<store::AuditEntry>>> r;
    api.backend.with_store([&](store::Store& s) { r = s.audit_log(static_cast<int>(*limit)); });
    if (!*r) return send_failure(res, r->error());
    json out = json::array();
    for (const auto& a : **r) {
      out.push_back({{"id", a.id},
                     {"time_s", a.time_s},
                     {"actor", a.actor},
                     {"action", a.action},
                     {"reason", a.reason},
                     {"old", json::parse(a.old_value, nullptr, false).is_discarded() ? json(a.old_value)
                                                                                       : json::parse(a.old_value)},
                     {"new", json::parse(a.new_value, nullptr, false).is_discarded() ? json(a.new_value)
                                                                                       : json::parse(a.new_value)}});
    }
    send_json(res, {{"entries", std::move(out)}});
  });
}

}  // namespace apsecu::api
