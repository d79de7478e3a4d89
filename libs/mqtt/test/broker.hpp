// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A real mosquitto broker for tests, on 127.0.0.1 and a free port, configured in a temp
// directory (works as root and as an ordinary user), and a subscriber to watch it.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

struct mosquitto;
struct mosquitto_message;

namespace apsecu::mqtt::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs a command through /bin/sh; true when it exits with 0.
bool run(const std::string& command);

// A port nothing listens on right now.
int free_port();

struct BrokerConfig {
  bool persistence = false;  // keeps sessions and retained messages across stop()/start()
  std::optional<std::string> password_file{};  // else anonymous
  // TLS listener with these files (PEM)
  std::optional<std::string> tls_ca{};
  std::optional<std::string> tls_cert{};
  std::optional<std::string> tls_key{};
  bool require_client_cert = false;
};

class Broker {
 public:
  Broker(const std::filesystem::path& dir, BrokerConfig config = {});
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Starts mosquitto and waits until it accepts connections.
  [[nodiscard]] bool start();
  // SIGTERM and wait (it saves its persistence file first).
  void stop();
  [[nodiscard]] int port() const noexcept { return port_; }
  [[nodiscard]] bool running() const noexcept { return pid_ > 0; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path conf_;
  int port_;
  pid_t pid_ = -1;
};

struct Received {
  std::string topic;
  std::string payload;
  bool retained = false;
};

struct SubscriberOptions {
  std::string client_id{};  // with clean_session false: a persistent session
  bool clean_session = true;
  int qos = 1;
  std::optional<std::string> ca_file{};
  std::optional<std::string> username{};
  std::optional<std::string> password{};
};

// libmosquitto with its own loop thread; collects everything on `topics`.
class Subscriber {
 public:
  Subscriber(int port, std::vector<std::string> topics, SubscriberOptions options = {});
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // Waits until subscribed (true) or the timeout.
  [[nodiscard]] bool ready(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Waits until `n` messages matching `topic_prefix` arrived; returns those.
  std::vector<Received> wait_for(std::size_t n, const std::string& topic_prefix = "",
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));
  [[nodiscard]] std::vector<Received> received(const std::string& topic_prefix = "") const;
  void publish(const std::string& topic, const std::string& payload, bool retain = false, int qos = 1);

 private:
  static void on_connect(::mosquitto* m, void* self, int rc);
  static void on_subscribe(::mosquitto* m, void* self, int mid, int n, const int* granted);
  static void on_message(::mosquitto* m, void* self, const ::mosquitto_message* msg);

  ::mosquitto* mosq_ = nullptr;
  std::vector<std::string> topics_;
  int qos_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int subscribed_ = 0;
  std::vector<Received> received_;
};

}  // namespace apsecu::mqtt::test
