// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/auth: first-run setup, login, logout, password change, and what the page may show.
#include <fmt/format.h>

#include "apsecu/api/errors.hpp"
#include "server.hpp"

namespace apsecu::api {
namespace {

void set_cookie(httplib::Response& res, const std::string& token, std::chrono::seconds max_age) {
  res.set_header("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}", kSessionCookie,
                                           token, max_age.count()));
}

bool rate_limited(Api& api, const Caller& c, httplib::Response& res) {
  if (const auto wait = api.auth.take_attempt(c.address)) {
    res.set_header("Retry-After", std::to_string(wait->count()));
    send_error(res, 429, "too_many_attempts",
               fmt::format("too many attempts from this address; try again in {} seconds", wait->count()));
    return true;
  }
  return false;
}

json session_json(const std::string& user, const std::string& csrf) {
  return {{"logged_in", true}, {"user", user}, {"csrf", csrf}};
}

void credentials_route(Api& api, bool setup) {
  api.post(setup ? "/api/v1/auth/setup" : "/api/v1/auth/login", Access::Entry,
           [&api, setup](const httplib::Request& req, httplib::Response& res, const Caller& c) {
             auto body = json_body(req, res);
             if (!body) return;
             auto user = string_field(*body, res, "user", 64);
             if (!user) return;
             auto password = string_field(*body, res, "password", 256);
             if (!password) return;
             if (rate_limited(api, c, res)) return;
             if (setup) {
               if (api.auth.has_account()) {
                 return send_error(res, 409, "account_exists", "the admin account exists already: log in");
               }
               if (auto bad = Auth::check_credentials(*user, *password)) return send_error(res, 400, "weak_credentials", *bad);
               if (auto st = api.auth.create_account(*user, *password); !st) {
                 return st.error().code == Errc::Busy ? send_error(res, 409, "account_exists", st.error().describe())
                                                      : send_failure(res, st.error());
               }
             } else {
               if (!api.auth.has_account()) {
                 return send_error(res, 409, "setup_required", "no admin account yet: create it first");
               }
               if (!api.auth.verify(*user, *password)) {
                 return send_error(res, 401, "bad_credentials", "wrong user name or password");
               }
             }
             api.auth.forget_attempts(c.address);
             const auto s = api.auth.open_session(*user);
             set_cookie(res, s.token, api.options.session_lifetime);
             send_json(res, session_json(*user, s.info.csrf), setup ? 201 : 200);
           });
}

}  // namespace

void add_auth_routes(Api& api) {
  api.get("/api/v1/auth", Access::Open, [&api](const httplib::Request&, httplib::Response& res, const Caller& c) {
    json j{{"setup_required", !api.auth.has_account()},
           {"logged_in", false},
           {"user", nullptr},
           {"csrf", nullptr},
           {"admin_network", c.admin_network},
           {"public_pages", api.options.public_pages},
           {"power_actions", api.options.allow_power_actions},
           {"version", api.backend.version()}};
    if (c.session && c.admin_network) j.update(session_json(c.session->user, c.session->csrf));
    send_json(res, j);
  });

  credentials_route(api, true);
  credentials_route(api, false);

  api.post("/api/v1/auth/logout", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller& c) {
    api.auth.close_session(c.token);
    set_cookie(res, "", std::chrono::seconds(0));
    send_json(res, {{"logged_in", false}});
  });

  api.put("/api/v1/auth/password", Access::Admin,
          [&api](const httplib::Request& req, httplib::Response& res, const Caller& c) {
            auto body = json_body(req, res);
            if (!body) return;
            auto current = string_field(*body, res, "current", 256);
            if (!current) return;
            auto next = string_field(*body, res, "new", 256);
            if (!next) return;
            if (rate_limited(api, c, res)) return;
            if (!api.auth.verify(c.session->user, *current)) {
              return send_error(res, 401, "bad_credentials", "the current password is wrong");
            }
            if (auto bad = Auth::check_credentials(c.session->user, *next)) {
              return send_error(res, 400, "weak_credentials", *bad);
            }
            if (auto st = api.auth.change_password(c.session->user, *next); !st) return send_failure(res, st.error());
            api.auth.forget_attempts(c.address);
            // Whoever knew the old password is logged out everywhere else.
            api.auth.close_other_sessions(c.session->user, c.token);
            send_json(res, {{"changed", true}});
          });
}

}  // namespace apsecu::api
