// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A real HttpServer on an ephemeral loopback port over a FakeBackend, and a client that
// keeps the session cookie and CSRF token like the browser page does.

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "apsecu/api/http_server.hpp"
#include "fake_backend.hpp"

namespace apsecu::api::test {

using json = nlohmann::json;

struct Reply {
  int status = 0;
  json body;
  std::string text;
  httplib::Headers headers;
  [[nodiscard]] std::string code() const {
    return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
  }
  [[nodiscard]] std::string header(const std::string& k) const {
    auto it = headers.find(k);
    return it == headers.end() ? "" : it->second;
  }
};

class Browser {
 public:
  explicit Browser(int port) : client_(std::make_unique<httplib::Client>("127.0.0.1", port)) {
    client_->set_read_timeout(std::chrono::seconds(10));
    client_->set_keep_alive(false);
  }

  Reply get(const std::string& path) { return wrap(client_->Get(path, headers(false))); }
  Reply del(const std::string& path) { return wrap(client_->Delete(path, headers(true))); }
  Reply post(const std::string& path, const json& body = json::object()) {
    return wrap(client_->Post(path, headers(true), body.dump(), "application/json"));
  }
  Reply put(const std::string& path, const json& body) {
    return wrap(client_->Put(path, headers(true), body.dump(), "application/json"));
  }
  Reply raw(const std::string& method, const std::string& path, const std::string& body, const std::string& type) {
    if (method == "PUT") return wrap(client_->Put(path, headers(true), body, type));
    return wrap(client_->Post(path, headers(true), body, type));
  }

  // First-run setup (when `setup`) or login; keeps cookie and CSRF token.
  Reply login(const std::string& user = "admin", const std::string& password = "correct horse", bool setup = false) {
    auto r = post(setup ? "/api/v1/auth/setup" : "/api/v1/auth/login", {{"user", user}, {"password", password}});
    if (r.status == 200 || r.status == 201) csrf_ = r.body.value("csrf", "");
    return r;
  }

  std::string cookie;
  std::string csrf_;
  bool send_csrf = true;
  httplib::Client& client() { return *client_; }

 private:
  httplib::Headers headers(bool write) const {
    httplib::Headers h;
    if (!cookie.empty()) h.emplace("Cookie", cookie);
    if (write && send_csrf && !csrf_.empty()) h.emplace("X-CSRF-Token", csrf_);
    return h;
  }
  Reply wrap(const httplib::Result& r) {
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.text = r->body;
    out.headers = r->headers;
    out.body = json::parse(r->body, nullptr, false);
    const auto set = r->get_header_value("Set-Cookie");
    if (!set.empty()) cookie = set.substr(0, set.find(';'));
    return out;
  }
  std::unique_ptr<httplib::Client> client_;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }
  void TearDown() override {
    if (server_) server_->stop();
  }
  void start(HttpOptions options) {
    if (server_) server_->stop();
    options.listen_address = "127.0.0.1";
    options.port = 0;
    options.www_dir = www_dir_;
    options.password_memlimit_bytes = 1u << 20;  // fast under the sanitizers; production is 32 MiB
    options.sse_heartbeat = std::chrono::seconds(1);
    server_ = std::make_unique<HttpServer>(backend_, options);
    auto st = server_->start();
    ASSERT_TRUE(st) << st.error().describe();
  }
  Browser browser() { return Browser(server_->port()); }
  // A browser with the admin account created and logged in.
  Browser admin() {
    auto b = browser();
    auto r = b.login("admin", "correct horse", true);
    if (r.status == 409) r = b.login();
    EXPECT_TRUE(r.status == 200 || r.status == 201) << r.text;
    return b;
  }
  // Every bad-input reply must be a 4xx with a stable code and a message for a person.
  static void expect_error(const Reply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.text;
    EXPECT_EQ(r.code(), code) << r.text;
    ASSERT_TRUE(r.body.is_object()) << r.text;
    EXPECT_FALSE(r.body["error"].value("message", "").empty()) << r.text;
  }

  std::string www_dir_;
  FakeBackend backend_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace apsecu::api::test
