// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One connection attempt to a broker on libmosquitto: credentials, TLS, last will, a
// non-blocking connect, and one round of network I/O per loop() call. The owner drives it
// from ONE thread (not thread-safe) and makes a new Connection for every attempt.
//
// Why not mosquitto_loop_start(): its thread gives up for good after a TLS, DNS or
// authentication failure, and when the very first connect is refused (2.0.11, checked);
// and mosquitto_publish() while disconnected returns MOSQ_ERR_NO_CONN yet may still send
// the message after a reconnect, which would duplicate what the store-and-forward queue
// replays. A fresh client per attempt, driven by our own thread, has neither problem.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "apsecu/config/config.hpp"
#include "apsecu/mqtt/format.hpp"
#include "apsecu/util/result.hpp"

struct mosquitto;
struct mosquitto_message;

namespace apsecu::mqtt {

struct ConnectionEvents {
  std::function<void()> connected;  // CONNACK accepted
  std::function<void(int mid)> published;  // QoS 0: written; QoS 1/2: acknowledged
  std::function<void(int mid)> subscribed;  // SUBACK
  std::function<void(const std::string& topic, const std::string& payload, bool retained)> message;
};

class Connection {
 public:
  // Checks the settings that can be checked before connecting (TLS files readable).
  [[nodiscard]] static util::Result<std::unique_ptr<Connection>> create(const config::Mqtt& settings,
                                                                        std::string client_id,
                                                                        std::optional<Message> will,
                                                                        ConnectionEvents events);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts connecting; completes inside loop().
  util::Status connect();
  // One round of network I/O, waiting up to `timeout` for the socket; an Error once the
  // connection is gone or was refused (the Error says why, for a person).
  util::Status loop(std::chrono::milliseconds timeout);
  // The message id, reported back through ConnectionEvents::published.
  util::Result<int> publish(const Message& m);
  // The message id, reported back through ConnectionEvents::subscribed.
  util::Result<int> subscribe(const std::string& topic, int qos);
  // A clean DISCONNECT (the broker then does not send the last will).
  void disconnect();

  [[nodiscard]] bool accepted() const noexcept { return accepted_; }
  [[nodiscard]] const std::string& endpoint() const noexcept { return endpoint_; }

 private:
  Connection(std::string endpoint, ConnectionEvents events);
  [[nodiscard]] util::Error failure(int rc, int sys_errno) const;
  static void on_connect(::mosquitto* m, void* self, int rc);
  static void on_publish(::mosquitto* m, void* self, int mid);
  static void on_subscribe(::mosquitto* m, void* self, int mid, int count, const int* granted);
  static void on_message(::mosquitto* m, void* self, const ::mosquitto_message* msg);
  static void on_log(::mosquitto* m, void* self, int level, const char* text);

  ::mosquitto* mosq_ = nullptr;
  std::string host_;
  int port_ = 0;
  int keepalive_s_ = 60;
  std::string endpoint_;  // "host:port", for messages
  ConnectionEvents events_;
  bool accepted_ = false;
  std::optional<int> refused_code_;  // CONNACK return code when the broker said no
  std::string last_log_error_;       // libmosquitto's own words (OpenSSL errors, ...)
};

// For a person: what a refusing CONNACK code (MQTT 3.1.1) means.
[[nodiscard]] util::Error connack_error(int code, const std::string& endpoint);

// Connects with `settings` (client id + "-test", so a running apsecu is not kicked off),
// publishes a test message with QoS 1 to <base>/test and waits for the broker's PUBACK:
// what the web page's "test" button reports.
[[nodiscard]] util::Result<std::string> test_settings(const config::Mqtt& settings,
                                                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace apsecu::mqtt
