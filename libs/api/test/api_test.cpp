// SPDX-License-Identifier: GPL-3.0-or-later
// Security: first-run setup, login, sessions, CSRF, admin networks, public pages switch,
// rate limiting, body limits, unknown routes.
#include "api_support.hpp"

namespace apsecu::api::test {
namespace {

TEST_F(ApiTest, FirstVisitCreatesTheAdminAccountOnce) {
  auto b = browser();
  auto state = b.get("/api/v1/auth");
  ASSERT_EQ(state.status, 200);
  EXPECT_TRUE(state.body["setup_required"].get<bool>());
  EXPECT_FALSE(state.body["logged_in"].get<bool>());
  EXPECT_TRUE(state.body["admin_network"].get<bool>());

  expect_error(b.login("admin", "short", true), 400, "weak_credentials");
  expect_error(b.login("bad name!", "long enough pw", true), 400, "weak_credentials");
  expect_error(b.login("admin", "correct horse"), 409, "setup_required");

  auto r = b.login("admin", "correct horse", true);
  ASSERT_EQ(r.status, 201) << r.text;
  EXPECT_FALSE(r.body["csrf"].get<std::string>().empty());
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(backend_.data_dir()) / "users.json"));
  // The file holds an argon2id hash, not the password.
  auto text = std::ifstream(std::filesystem::path(backend_.data_dir()) / "users.json");
  std::string content((std::istreambuf_iterator<char>(text)), {});
  EXPECT_NE(content.find("$argon2id$"), std::string::npos);
  EXPECT_EQ(content.find("correct horse"), std::string::npos);

  auto other = browser();
  expect_error(other.login("mallory", "another password", true), 409, "account_exists");
  state = b.get("/api/v1/auth");
  EXPECT_FALSE(state.body["setup_required"].get<bool>());
  EXPECT_TRUE(state.body["logged_in"].get<bool>());
  EXPECT_EQ(state.body["csrf"], r.body["csrf"]);
}

TEST_F(ApiTest, SessionCookieIsHttpOnlyStrictAndExpires) {
  auto b = browser();
  auto r = b.post("/api/v1/auth/setup", {{"user", "admin"}, {"password", "correct horse"}});
  ASSERT_EQ(r.status, 201);
  const auto cookie = r.header("Set-Cookie");
  EXPECT_NE(cookie.find("apsecu_session="), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("Max-Age=43200"), std::string::npos);
  b.csrf_ = r.body["csrf"];
  EXPECT_EQ(b.get("/api/v1/settings").status, 200);
  backend_.fake_clock().advance(std::chrono::hours(13));
  expect_error(b.get("/api/v1/settings"), 401, "not_logged_in");
}

// A restart of the daemon keeps the admin logged in; the file that makes that possible
// holds no token a browser could present.
TEST_F(ApiTest, SessionsSurviveARestartAndTheFileHoldsNoToken) {
  auto before = admin();
  const std::string token = before.cookie.substr(before.cookie.find('=') + 1);
  ASSERT_EQ(token.size(), 64U);
  start({});  // a new server over the same data directory
  Browser after = browser();
  after.cookie = before.cookie;
  after.csrf_ = before.csrf_;
  EXPECT_EQ(after.get("/api/v1/system").status, 200);
  EXPECT_EQ(after.put("/api/v1/memo", {{"text", "still logged in"}}).status, 200);

  const auto file = std::filesystem::path(backend_.data_dir()) / "sessions.json";
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("token_hash"), std::string::npos);
  EXPECT_EQ(text.find(token), std::string::npos);
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  // Logging out is kept across a restart too, and so is the expiry.
  EXPECT_EQ(after.post("/api/v1/auth/logout").status, 200);
  start({});
  Browser again = browser();
  again.cookie = before.cookie;
  expect_error(again.get("/api/v1/system"), 401, "not_logged_in");
  auto other = admin();
  backend_.fake_clock().advance(std::chrono::hours(13));
  start({});
  Browser late = browser();
  late.cookie = other.cookie;
  expect_error(late.get("/api/v1/system"), 401, "not_logged_in");
}

TEST_F(ApiTest, LoginLogoutAndWrongPassword) {
  admin();
  auto b = browser();
  expect_error(b.login("admin", "wrong password"), 401, "bad_credentials");
  expect_error(b.login("nobody", "correct horse"), 401, "bad_credentials");
  ASSERT_EQ(b.login().status, 200);
  EXPECT_EQ(b.get("/api/v1/system").status, 200);
  b.send_csrf = false;
  expect_error(b.post("/api/v1/auth/logout"), 403, "csrf");
  b.send_csrf = true;
  EXPECT_EQ(b.post("/api/v1/auth/logout").status, 200);
  expect_error(b.get("/api/v1/system"), 401, "not_logged_in");
}

TEST_F(ApiTest, ForgedOrMissingSessionIsRefused) {
  admin();
  auto b = browser();
  b.cookie = "apsecu_session=" + std::string(64, 'a');
  expect_error(b.get("/api/v1/settings"), 401, "not_logged_in");
  b.cookie = "apsecu_session=zz";
  expect_error(b.get("/api/v1/settings"), 401, "not_logged_in");
}

// Every admin route refuses a caller without a session, and every state-changing one a
// session without the CSRF token.
TEST_F(ApiTest, AdminRoutesNeedSessionAndCsrf) {
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/api/v1/settings"},         {"PUT", "/api/v1/settings"},
      {"GET", "/api/v1/mqtt"},             {"PUT", "/api/v1/mqtt"},
      {"POST", "/api/v1/mqtt/test"},       {"GET", "/api/v1/mqtt/status"},
      {"GET", "/api/v1/inverters"},
      {"POST", "/api/v1/inverters"},       {"PUT", "/api/v1/inverters/408000111111"},
      {"DELETE", "/api/v1/inverters/408000111111"}, {"POST", "/api/v1/inverters/408000111111/pair"},
      {"POST", "/api/v1/console"},         {"GET", "/api/v1/console/jobs"},
      {"GET", "/api/v1/console/jobs/1"},   {"GET", "/api/v1/journal/recent"},
      {"GET", "/api/v1/journal/frames"},   {"GET", "/api/v1/audit"},
      {"GET", "/api/v1/db/inverters"},     {"GET", "/api/v1/db/day?date=2024-06-20"},
      {"PUT", "/api/v1/db/day-total"},     {"POST", "/api/v1/db/wipe"},
      {"GET", "/api/v1/db/export.csv"},    {"GET", "/api/v1/backup"},
      {"POST", "/api/v1/restore"},         {"PUT", "/api/v1/photo"},
      {"DELETE", "/api/v1/photo"},         {"PUT", "/api/v1/memo"},
      {"GET", "/api/v1/system"},           {"POST", "/api/v1/system/reboot"},
      {"PUT", "/api/v1/auth/password"},    {"POST", "/api/v1/auth/logout"}};
  auto logged_in = admin();
  auto anonymous = browser();
  for (const auto& [method, path] : routes) {
    SCOPED_TRACE(method + " " + path);
    Reply r;
    if (method == "GET") r = anonymous.get(path);
    if (method == "DELETE") r = anonymous.del(path);
    if (method == "POST" || method == "PUT") r = anonymous.raw(method, path, "{}", "application/json");
    expect_error(r, 401, "not_logged_in");
    if (method == "GET") continue;
    logged_in.send_csrf = false;
    if (method == "DELETE") r = logged_in.del(path);
    if (method == "POST" || method == "PUT") r = logged_in.raw(method, path, "{}", "application/json");
    expect_error(r, 403, "csrf");
    logged_in.send_csrf = true;
    logged_in.csrf_ += "x";
    if (method == "DELETE") r = logged_in.del(path);
    if (method == "POST" || method == "PUT") r = logged_in.raw(method, path, "{}", "application/json");
    expect_error(r, 403, "csrf");
    logged_in.csrf_.pop_back();
  }
}

TEST_F(ApiTest, AdminPagesOnlyFromAdminNetworks) {
  auto b = admin();
  HttpOptions remote;
  remote.admin_networks = {"10.0.0.0/8"};  // loopback is "the internet" now
  start(remote);
  b = browser();
  expect_error(b.login(), 403, "not_local");
  expect_error(b.post("/api/v1/auth/setup", {{"user", "x"}, {"password", "yyyyyyyyyy"}}), 403, "not_local");
  expect_error(b.get("/api/v1/settings"), 403, "not_local");
  expect_error(b.get("/api/v1/system"), 403, "not_local");
  // Public reading pages stay readable.
  EXPECT_EQ(b.get("/api/v1/live").status, 200);
  EXPECT_EQ(b.get("/api/v1/charts/day").status, 200);
  EXPECT_FALSE(b.get("/api/v1/auth").body["admin_network"].get<bool>());
}

TEST_F(ApiTest, PublicPagesCanBeSwitchedOff) {
  HttpOptions closed;
  closed.public_pages = false;
  start(closed);
  auto anonymous = browser();
  for (const char* path : {"/api/v1/live", "/api/v1/events", "/api/v1/charts/day", "/api/v1/charts/days",
                           "/api/v1/charts/month", "/api/v1/charts/year", "/api/v1/stats",
                           "/api/v1/stats/period?from=2024-06-01&to=2024-06-10", "/api/v1/journal", "/api/v1/photo",
                           "/api/v1/memo", "/api/v1/live/408000111111"}) {
    SCOPED_TRACE(path);
    expect_error(anonymous.get(path), 401, "login_required");
  }
  EXPECT_EQ(anonymous.get("/api/v1/auth").status, 200);  // the login page must still work
  auto b = admin();
  EXPECT_EQ(b.get("/api/v1/live").status, 200);

  HttpOptions closed_remote = closed;
  closed_remote.admin_networks = {"192.0.2.0/24"};
  start(closed_remote);
  expect_error(browser().get("/api/v1/live"), 403, "not_local");
}

TEST_F(ApiTest, LoginAttemptsAreRateLimitedPerAddress) {
  admin();
  auto b = browser();
  for (int i = 0; i < 5; ++i) expect_error(b.login("admin", "wrong password"), 401, "bad_credentials");
  auto r = b.login("admin", "correct horse");
  expect_error(r, 429, "too_many_attempts");
  EXPECT_FALSE(r.header("Retry-After").empty());
  backend_.fake_clock().advance(std::chrono::seconds(61));
  EXPECT_EQ(b.login().status, 200);  // one attempt refilled, and a success clears the count
  for (int i = 0; i < 5; ++i) expect_error(b.login("admin", "wrong password"), 401, "bad_credentials");
  expect_error(b.login("admin", "wrong password"), 429, "too_many_attempts");
}

TEST_F(ApiTest, EntryRoutesRefuseForeignOriginAndNonJson) {
  auto b = browser();
  httplib::Headers h{{"Origin", "http://evil.example"}};
  auto r = b.client().Post("/api/v1/auth/setup", h, R"({"user":"admin","password":"correct horse"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("bad_origin"), std::string::npos);
  expect_error(b.raw("POST", "/api/v1/auth/setup", "user=admin&password=correct+horse", "application/x-www-form-urlencoded"),
               415, "json_required");
  expect_error(b.raw("POST", "/api/v1/auth/setup", "{not json", "application/json"), 400, "bad_json");
  expect_error(b.post("/api/v1/auth/setup", {{"user", "admin"}}), 400, "missing_password");
  expect_error(b.post("/api/v1/auth/setup", {{"user", 5}, {"password", "correct horse"}}), 400, "invalid_user");
}

TEST_F(ApiTest, PasswordChange) {
  auto b = admin();
  auto other = browser();
  ASSERT_EQ(other.login().status, 200);
  expect_error(b.put("/api/v1/auth/password", {{"current", "nope nope"}, {"new", "battery staple"}}), 401,
               "bad_credentials");
  expect_error(b.put("/api/v1/auth/password", {{"current", "correct horse"}, {"new", "short"}}), 400,
               "weak_credentials");
  expect_error(b.put("/api/v1/auth/password", {{"current", "correct horse"}}), 400, "missing_new");
  auto r = b.put("/api/v1/auth/password", {{"current", "correct horse"}, {"new", "battery staple"}});
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(b.get("/api/v1/system").status, 200);  // this session stays
  expect_error(other.get("/api/v1/system"), 401, "not_logged_in");  // the others end
  auto fresh = browser();
  expect_error(fresh.login("admin", "correct horse"), 401, "bad_credentials");
  EXPECT_EQ(fresh.login("admin", "battery staple").status, 200);
}

TEST_F(ApiTest, BodyLimitsAndUnknownRoutes) {
  auto b = admin();
  const std::string big(300 * 1024, ' ');
  expect_error(b.raw("PUT", "/api/v1/memo", big, "application/json"), 413, "too_large");
  auto r = b.get("/api/v1/nothing-here");
  expect_error(r, 404, "not_found");
  expect_error(b.get("/api/v1/live/12345"), 404, "not_found");
}

TEST_F(ApiTest, SecurityHeadersOnEveryReply) {
  auto r = browser().get("/api/v1/live");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
  EXPECT_NE(r.header("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
}

TEST_F(ApiTest, BadOptionsAreRefusedAtStart) {
  HttpOptions bad;
  bad.admin_networks = {"192.168.0.0/33"};
  HttpServer s(backend_, bad);
  EXPECT_FALSE(s.start());
  HttpOptions few;
  few.port = 0;
  few.threads = 3;
  HttpServer t(backend_, few);
  EXPECT_FALSE(t.start());
}

}  // namespace
}  // namespace apsecu::api::test
