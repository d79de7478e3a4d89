// SPDX-License-Identifier: GPL-3.0-or-later
// The server: httplib set-up (limits, timeouts, pool), the access rules in front of every
// route, static files, and start/stop.
#include "apsecu/api/http_server.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <thread>

#include "apsecu/api/errors.hpp"
#include "server.hpp"

namespace apsecu::api {
namespace {

bool is_write(const std::string& method) { return method != "GET" && method != "HEAD"; }

std::string cookie_value(const httplib::Request& req, std::string_view name) {
  const auto header = req.get_header_value("Cookie");
  std::string_view rest = header;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    auto part = rest.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return {};
}

// A cross-site page can make the browser send a request but cannot read the answer; the
// CSRF token and SameSite=Strict stop it for sessions. For the entry routes (no session
// yet), refuse a foreign Origin outright.
bool foreign_origin(const httplib::Request& req) {
  if (!req.has_header("Origin")) return false;
  auto origin = req.get_header_value("Origin");
  const auto scheme = origin.find("://");
  if (scheme != std::string::npos) origin = origin.substr(scheme + 3);
  return origin != req.get_header_value("Host");
}

void poke(const std::string& address, int port) {
  const bool v6 = address.find(':') != std::string::npos;
  const std::string target = address == "0.0.0.0" ? "127.0.0.1" : address == "::" ? "::1" : address;
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET6, target.c_str(), &a.sin6_addr);
    (void)::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, target.c_str(), &a.sin_addr);
    (void)::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a);
  }
  ::close(fd);
}

// The live values as every reader gets them: page, event stream and API.
json live_of(const Backend& b, const engine::Snapshot& s, const config::Config& c) {
  return live_json(s, b.day_of(s.time), c.timezone, b.radio_error(), c.inverters);
}

// What of the settings the live values show besides the snapshot: a saved on/off or limit
// changes them without a new snapshot.
std::string live_settings_key(const config::Config& c) {
  std::string key = c.timezone;
  for (const auto& inv : c.inverters) {
    key += fmt::format("|{}:{}:{}", inv.serial, inv.output_on, inv.power_limit_per_panel_w.value_or(-1));
  }
  return key;
}

}  // namespace

struct HttpServer::Impl {
  Impl(Backend& b, HttpOptions o)
      : backend(b),
        options(std::move(o)),
        auth(b.clock(), Auth::Options{.users_file = (std::filesystem::path(b.data_dir()) / "users.json").string(),
                                      .sessions_file = (std::filesystem::path(b.data_dir()) / "sessions.json").string(),
                                      .memlimit_bytes = options.password_memlimit_bytes,
                                      .lifetime = options.session_lifetime,
                                      .max_sessions = options.max_sessions,
                                      .login_burst = options.login_burst,
                                      .login_refill = options.login_refill}) {}

  Backend& backend;
  HttpOptions options;
  Auth auth;
  httplib::Server server;
  std::shared_ptr<LiveHub> hub;
  std::unique_ptr<Api> api;
  std::thread thread;
  int port = 0;
  bool running = false;
};

HttpServer::HttpServer(Backend& backend, HttpOptions options)
    : impl_(std::make_unique<Impl>(backend, std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::port() const noexcept { return impl_->port; }

util::Status HttpServer::start() {
  auto& m = *impl_;
  if (m.running) return {};
  if (sodium_init() < 0) return util::make_error(Errc::BadOption, "libsodium failed to initialise");
  auto nets = NetworkList::parse(m.options.admin_networks);
  if (!nets) return nets.error();
  if (m.options.threads < m.options.max_sse_clients + 2) {
    return util::make_error(Errc::BadOption, "threads must exceed max_sse_clients by at least 2: each event stream "
                                             "holds a thread");
  }
  std::error_code ec;
  std::filesystem::create_directories(m.backend.data_dir(), ec);

  m.hub = std::make_shared<LiveHub>(
      m.backend, LiveHub::Options{.max_clients = m.options.max_sse_clients, .heartbeat = m.options.sse_heartbeat},
      [&b = m.backend](const engine::Snapshot& s) { return live_of(b, s, b.config()); });
  m.api = std::make_unique<Api>(
      Api{m.backend, m.options, std::move(*nets), m.auth, m.hub, m.server, m.backend.clock().steady_now()});

  auto& svr = m.server;
  const auto threads = m.options.threads;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_read_timeout(m.options.read_timeout);
  svr.set_write_timeout(m.options.write_timeout);
  svr.set_keep_alive_timeout(5);
  svr.set_idle_interval(0, 200000);  // the listener re-checks for stop() every 0.2 s
  // httplib writes headers and body separately: without this, Nagle and delayed ACKs add
  // ~40 ms to every keep-alive request.
  svr.set_tcp_nodelay(true);
  svr.set_payload_max_length(std::max({m.options.max_upload_bytes, m.options.max_photo_bytes, m.options.max_json_bytes}));
  svr.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                           {"X-Frame-Options", "DENY"},
                           {"Referrer-Policy", "no-referrer"},
                           {"Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                            "connect-src 'self'; frame-ancestors 'none'"}});

  const HttpOptions& opts = m.options;
  svr.set_pre_routing_handler([&opts](const httplib::Request& req, httplib::Response& res) {
    // Body limits before the body is read: only the two upload routes take big bodies.
    const bool restore = req.path == "/api/v1/restore";
    const bool photo = req.path == "/api/v1/photo";
    const std::size_t limit = restore ? opts.max_upload_bytes : photo ? opts.max_photo_bytes : opts.max_json_bytes;
    const bool chunked = req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
    if (chunked && !restore && !photo) {
      res.set_header("Connection", "close");
      send_error(res, 411, "length_required", "send a Content-Length with the request body");
      return httplib::Server::HandlerResponse::Handled;
    }
    std::uint64_t length = 0;
    const auto cl = req.get_header_value("Content-Length");
    const auto parsed = std::from_chars(cl.data(), cl.data() + cl.size(), length);
    if (!cl.empty() && (parsed.ec != std::errc{} || parsed.ptr != cl.data() + cl.size())) {
      res.set_header("Connection", "close");
      send_error(res, 400, "bad_request", "the Content-Length is not a number");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (length > limit) {
      res.set_header("Connection", "close");
      send_error(res, 413, "too_large", fmt::format("the request body is larger than the limit of {} bytes", limit));
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty() || res.content_provider_) return httplib::Server::HandlerResponse::Unhandled;
    switch (res.status) {
      case 404: send_error(res, 404, "not_found", "no such page or API route"); break;
      case 413: send_error(res, 413, "too_large", "the request body is too large"); break;
      case 414: send_error(res, 414, "uri_too_long", "the address is too long"); break;
      case 400: send_error(res, 400, "bad_request", "the request could not be understood"); break;
      default: send_error(res, res.status, "http_error", "the request failed"); break;
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    send_error(res, 500, "internal", "internal error: " + what);
  });

  if (!m.options.www_dir.empty() && std::filesystem::is_directory(m.options.www_dir, ec)) {
    svr.set_mount_point("/", m.options.www_dir, {{"Cache-Control", "no-cache"}});
    svr.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
    svr.set_file_extension_and_mimetype_mapping("webmanifest", "application/manifest+json");
  }

  auto& api = *m.api;
  add_auth_routes(api);
  add_live_routes(api);
  add_chart_routes(api);
  add_stats_routes(api);
  add_journal_routes(api);
  add_console_routes(api);
  add_inverter_routes(api);
  add_settings_routes(api);
  add_database_routes(api);
  add_backup_routes(api);
  add_file_routes(api);
  add_system_routes(api);

  if (m.options.port == 0) {
    m.port = svr.bind_to_any_port(m.options.listen_address);
    if (m.port <= 0) return util::make_error(Errc::BadOption, "cannot listen on " + m.options.listen_address);
  } else {
    if (!svr.bind_to_port(m.options.listen_address, m.options.port)) {
      return util::make_error(Errc::BadOption, fmt::format("cannot listen on {} port {} (in use, or no permission)",
                                                           m.options.listen_address, m.options.port));
    }
    m.port = m.options.port;
  }
  m.hub->start();
  m.thread = std::thread([&svr] { svr.listen_after_bind(); });
  // httplib 0.11 has no wait_until_ready(), and its stop() does nothing before the
  // listener thread has marked itself running: wait for that.
  for (int i = 0; i < 500 && !svr.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  m.running = true;
  return {};
}

void HttpServer::stop() {
  auto& m = *impl_;
  if (!m.running) return;
  m.running = false;
  m.hub->stop();  // ends the event streams so their threads return to the pool
  m.server.stop();
  // Should the listener sit in accept() regardless, a connection of our own wakes it up.
  for (int i = 0; i < 100 && m.server.is_running(); ++i) {
    poke(m.options.listen_address, m.port);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (m.thread.joinable()) m.thread.join();
}

// ---- access ---------------------------------------------------------------------------

std::optional<Caller> Api::admit(const httplib::Request& req, httplib::Response& res, Access access) const {
  Caller c;
  c.address = req.remote_addr;
  c.admin_network = admin_networks.contains(c.address);
  c.token = cookie_value(req, kSessionCookie);
  if (!c.token.empty()) c.session = auth.find_session(c.token);

  if (access == Access::Open) return c;
  if (access == Access::Public) {
    if (options.public_pages) return c;
    if (!c.admin_network) {
      send_error(res, 403, "not_local", "this apsecu shows its pages on the home network only");
      return std::nullopt;
    }
    if (!c.session) {
      send_error(res, 401, "login_required", "public pages are switched off: log in first");
      return std::nullopt;
    }
    return c;
  }
  if (!c.admin_network) {
    send_error(res, 403, "not_local", "settings can only be used from the home network");
    return std::nullopt;
  }
  if (access == Access::Entry) {
    if (is_write(req.method) && foreign_origin(req)) {
      send_error(res, 403, "bad_origin", "the request came from another site");
      return std::nullopt;
    }
    return c;
  }
  if (!c.session) {
    send_error(res, 401, "not_logged_in", "log in first");
    return std::nullopt;
  }
  if (is_write(req.method)) {
    const auto sent = req.get_header_value("X-CSRF-Token");
    const auto& want = c.session->csrf;
    if (sent.size() != want.size() || sodium_memcmp(sent.data(), want.data(), want.size()) != 0) {
      send_error(res, 403, "csrf", "the request lacks this session's X-CSRF-Token; reload the page");
      return std::nullopt;
    }
  }
  return c;
}

namespace {

httplib::Server::Handler wrap(const Api& api, Access access, Handler h) {
  return [&api, access, h = std::move(h)](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    if (auto caller = api.admit(req, res, access)) h(req, res, *caller);
  };
}

}  // namespace

void Api::get(const std::string& pattern, Access access, Handler h) { server.Get(pattern, wrap(*this, access, std::move(h))); }
void Api::post(const std::string& pattern, Access access, Handler h) {
  server.Post(pattern, wrap(*this, access, std::move(h)));
}
void Api::put(const std::string& pattern, Access access, Handler h) { server.Put(pattern, wrap(*this, access, std::move(h))); }
void Api::del(const std::string& pattern, Access access, Handler h) {
  server.Delete(pattern, wrap(*this, access, std::move(h)));
}

void Api::upload(const std::string& method, const std::string& pattern, UploadHandler h) {
  auto handler = [this, h = std::move(h)](const httplib::Request& req, httplib::Response& res,
                                           const httplib::ContentReader& reader) {
    res.set_header("Cache-Control", "no-store");
    if (auto caller = admit(req, res, Access::Admin)) {
      h(req, res, reader, *caller);
    } else {
      res.set_header("Connection", "close");  // the unread body must not be taken for a request
    }
  };
  if (method == "PUT") {
    server.Put(pattern, std::move(handler));
  } else {
    server.Post(pattern, std::move(handler));
  }
}

json Api::live() const {
  const auto snap = backend.snapshot();
  if (!snap) return json::object();
  return live_of(backend, *snap, backend.config());
}

std::string Api::live_text() const {
  const auto snap = backend.snapshot();
  if (!snap) return {};
  auto radio_error = backend.radio_error();
  const auto cfg = backend.config();
  auto settings = live_settings_key(cfg);
  std::lock_guard lock(live_cache->mutex);
  if (live_cache->snapshot != snap || live_cache->radio_error != radio_error || live_cache->settings != settings) {
    live_cache->text = live_of(backend, *snap, cfg).dump();
    live_cache->snapshot = snap;
    live_cache->radio_error = std::move(radio_error);
    live_cache->settings = std::move(settings);
  }
  return live_cache->text;
}

}  // namespace apsecu::api
