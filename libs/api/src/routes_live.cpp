// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/live (current readings) and /api/v1/events (server-sent events).
#include "server.hpp"

namespace apsecu::api {

void add_live_routes(Api& api) {
  api.get("/api/v1/live", Access::Public, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    auto text = api.live_text();
    if (text.empty()) return send_error(res, 503, "starting", "apsecu is starting; try again in a moment");
    res.set_content(std::move(text), "application/json");
  });

  api.get(R"(/api/v1/live/(\d{12}))", Access::Public,
          [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
            const auto snap = api.backend.snapshot();
            if (!snap) return send_error(res, 503, "starting", "apsecu is starting; try again in a moment");
            for (const auto& v : snap->inverters) {
              if (v.serial == req.matches[1].str()) return send_json(res, inverter_json(v, snap.get(), api.backend.config().inverters));
            }
            send_error(res, 404, "unknown_serial", "no inverter with serial " + req.matches[1].str());
          });

  // One stream per open page. Admin sessions (from an admin network) also get journal
  // entries, wire frames and console job results.
  api.get("/api/v1/events", Access::Public, [&api](const httplib::Request&, httplib::Response& res, const Caller& c) {
    auto client = api.hub->open(c.session.has_value() && c.admin_network);
    if (!client) {
      res.set_header("Retry-After", "30");
      return send_error(res, 503, "too_many_streams", "too many pages are open with live updates; close one");
    }
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [hub = api.hub, client](std::size_t, httplib::DataSink& sink) {
          const auto text = hub->next(*client);
          if (!text) {
            sink.done();
            return false;
          }
          return sink.write(text->data(), text->size());
        },
        [hub = api.hub, client](bool) { hub->close(client); });
  });
}

}  // namespace apsecu::api
