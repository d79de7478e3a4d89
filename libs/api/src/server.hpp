// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the route groups share: the backend, the options, auth, the live hub, and the
// registration helpers that put the access rules in front of every handler.
//
// Access levels:
//   Public  reading pages (live values, charts, statistics, journal, photo, memo); need the
//           admin session when public pages are switched off.
//   Admin   an admin network, the session cookie, and for every method but GET the
//           session's CSRF token in X-CSRF-Token.
//   Entry   first-run setup and login: an admin network only.
//   Open    the auth state, which the login page needs in every case.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

#include "apsecu/api/backend.hpp"
#include "apsecu/api/http_server.hpp"
#include "apsecu/aps/ids.hpp"
#include "auth.hpp"
#include "json_views.hpp"
#include "live_hub.hpp"
#include "net.hpp"

namespace apsecu::api {

enum class Access { Public, Admin, Entry, Open };

struct Caller {
  std::string address;
  bool admin_network = false;
  std::optional<SessionInfo> session;  // set for Admin routes, and Public ones when logged in
  std::string token;                   // the session cookie's value
};

using Handler = std::function<void(const httplib::Request&, httplib::Response&, const Caller&)>;

inline constexpr const char* kSessionCookie = "apsecu_session";

// The /live reply of the latest snapshot, built once per poll cycle rather than per request.
struct LiveCache {
  std::mutex mutex;
  std::shared_ptr<const engine::Snapshot> snapshot;
  std::string radio_error;
  std::string settings;  // live_settings_key()
  std::string text;
};

struct Api {
  Backend& backend;
  const HttpOptions& options;
  NetworkList admin_networks;
  Auth& auth;
  std::shared_ptr<LiveHub> hub;
  httplib::Server& server;
  util::SteadyTime started;
  std::shared_ptr<LiveCache> live_cache = std::make_shared<LiveCache>();

  void get(const std::string& pattern, Access access, Handler h);
  void post(const std::string& pattern, Access access, Handler h);
  void put(const std::string& pattern, Access access, Handler h);
  void del(const std::string& pattern, Access access, Handler h);
  // Raw-body uploads, streamed to a file by the handler (no CSRF-less variant exists).
  using UploadHandler =
      std::function<void(const httplib::Request&, httplib::Response&, const httplib::ContentReader&, const Caller&)>;
  void upload(const std::string& method, const std::string& pattern, UploadHandler h);

  // Who is asking; fills `res` with the refusal and returns nullopt when not allowed.
  std::optional<Caller> admit(const httplib::Request& req, httplib::Response& res, Access access) const;
  [[nodiscard]] std::int32_t today() const { return backend.day_of(backend.clock().now()); }
  [[nodiscard]] json live() const;
  // live() as JSON text, cached per snapshot; empty before the first snapshot.
  [[nodiscard]] std::string live_text() const;
  // The actor recorded in the store's audit trail.
  [[nodiscard]] static std::string actor(const Caller& c) { return "web:" + (c.session ? c.session->user : "?"); }
};

// ---- replies ----------------------------------------------------------------------------
void send_json(httplib::Response& res, const json& j, int status = 200);
// {"error":{"code":code,"message":message}}; `code` is stable, `message` for a person.
void send_error(httplib::Response& res, int status, std::string_view code, std::string_view message);
void send_field_errors(httplib::Response& res, const std::vector<config::FieldError>& errors);
// Maps an Error from the store, config or backend to a status and stable code.
void send_failure(httplib::Response& res, const util::Error& e);
// The body as a JSON object; otherwise sends 415/400 and returns nullopt.
std::optional<json> json_body(const httplib::Request& req, httplib::Response& res);

// Streams an upload (raw body or the first file of a multipart form) to `path`; false with
// the reply sent when it exceeds `limit` or fails. `first_bytes` gets up to 16 bytes.
bool receive_upload(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                    const std::string& path, std::size_t limit, std::string* first_bytes = nullptr);

// ---- request fields, each sends a 400 naming the field on failure ------------------------
std::optional<std::int32_t> date_param(const httplib::Request& req, httplib::Response& res, const std::string& name,
                                       std::optional<std::int32_t> fallback);
std::optional<std::optional<std::string>> serial_param(const httplib::Request& req, httplib::Response& res);
std::optional<std::int64_t> int_param(const httplib::Request& req, httplib::Response& res, const std::string& name,
                                      std::int64_t fallback, std::int64_t min, std::int64_t max);
std::optional<std::string> string_field(const json& body, httplib::Response& res, const std::string& name,
                                        std::size_t max_len, bool required = true);

// Console jobs the inverter page's buttons start too.
json submit_pair(Api& api, const aps::Serial& serial, bool force);
json submit_poll(Api& api, std::optional<aps::Serial> serial);
json submit_output(Api& api, const aps::Serial& serial, bool on);
// Reads limit_per_panel_w from `body`; nullopt after sending the 400 that says what is wrong.
std::optional<json> submit_limit(Api& api, const aps::Serial& serial, const json& body, httplib::Response& res);

// ---- route groups (one file each) -------------------------------------------------------
void add_auth_routes(Api& api);
void add_live_routes(Api& api);
void add_chart_routes(Api& api);
void add_stats_routes(Api& api);
void add_journal_routes(Api& api);
void add_console_routes(Api& api);
void add_inverter_routes(Api& api);
void add_settings_routes(Api& api);
void add_database_routes(Api& api);
void add_backup_routes(Api& api);
void add_file_routes(Api& api);
void add_system_routes(Api& api);

}  // namespace apsecu::api
