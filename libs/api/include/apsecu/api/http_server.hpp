// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The web interface: a JSON API under /api/v1 (docs/http-api.md), server-sent events for
// live values and console output, and the static front end from `www_dir`.
//
// Security model: reading pages are public unless `public_pages` is off; everything that
// changes something (and the admin pages' reads) needs the admin session, a request from
// one of `admin_networks`, and the session's CSRF token in an X-CSRF-Token header. There is
// no default password: the first visit from an admin network creates the account.
//
// Thread-safety: start() and stop() from one thread; port() from any. Handlers run on the
// server's own pool of `threads` threads.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "apsecu/api/backend.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::api {

// The front end built by this build tree (the `webapp` target); empty when none was built.
[[nodiscard]] std::string default_www_dir();

struct HttpOptions {
  std::string listen_address = "0.0.0.0";
  int port = 8080;  // 0: any free port (tests); port() tells which
  std::string www_dir = default_www_dir();  // the built front end; empty: API only
  // Where admin pages may be used from (CIDR). Loopback, RFC 1918, link-local, IPv6 ULA.
  std::vector<std::string> admin_networks = {"127.0.0.0/8",    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                             "169.254.0.0/16", "::1/128",    "fc00::/7",      "fe80::/10"};
  bool public_pages = true;  // off: every page and the live data need the login
  bool allow_power_actions = false;  // reboot/shutdown buttons (Backend::power_action)

  std::size_t max_upload_bytes = 256u << 20;  // a backup archive
  std::size_t max_photo_bytes = 8u << 20;
  std::size_t max_json_bytes = 256u << 10;  // every other request body
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds write_timeout{10};
  std::chrono::hours session_lifetime{12};
  std::size_t max_sessions = 32;
  // Each open event stream holds a pool thread for as long as the page is open.
  std::size_t max_sse_clients = 4;
  std::size_t threads = 8;
  std::chrono::seconds sse_heartbeat{15};

  // Failed logins: `login_burst` attempts per client address, then one more per
  // `login_refill`.
  int login_burst = 5;
  std::chrono::seconds login_refill{60};
  // argon2id memory per hash; the Pi Zero has 512 MB, and only one hash runs at a time.
  std::size_t password_memlimit_bytes = 32u << 20;
};

class HttpServer {
 public:
  HttpServer(Backend& backend, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, subscribes to the backend and serves on a thread of its own. An Error when the
  // address is unusable or an option is invalid (e.g. a malformed admin network).
  util::Status start();
  // Ends the event streams, stops accepting, waits for the handlers. Idempotent.
  void stop();
  [[nodiscard]] int port() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace apsecu::api
