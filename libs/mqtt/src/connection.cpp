// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/mqtt/connection.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "apsecu/mqtt/discovery.hpp"
#include "apsecu/mqtt/errors.hpp"
#include "apsecu/util/log.hpp"

namespace apsecu::mqtt {
namespace {

// While connecting, one loop() call lasts at least this long (see loop()).
constexpr std::chrono::milliseconds kMinConnectingStep{5};

// Where the system keeps trusted CAs, for TLS without a CA file of our own.
constexpr const char* kSystemCaPath = "/etc/ssl/certs";

// libmosquitto's initialisation is process-wide and not thread-safe; the sink's thread and a
// settings test from the web server may both get here first.
void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

struct ConnackText {
  int code;
  bool login;
  std::string_view text;
};

// MQTT 3.1.1 §3.2.2.3 return codes, in the words a user can act on.
constexpr std::array<ConnackText, 5> kConnackTexts{{
    {1, false, "unacceptable protocol version"},
    {2, false, "client id rejected (is another client using the same mqtt.client_id?)"},
    {3, false, "server unavailable"},
    {4, true, "bad user name or password"},
    {5, true, "not authorised"},
}};

util::Status check_readable(const std::string& path, std::string_view setting) {
  if (path.empty()) return {};
  if (::access(path.c_str(), R_OK) != 0) {
    return util::make_error(Errc::BadSettings, fmt::format("cannot read {} {}: {}", setting, path, std::strerror(errno)));
  }
  return {};
}

util::Error setup_error(std::string_view what, int rc) {
  return util::make_error(rc == MOSQ_ERR_TLS || rc == MOSQ_ERR_INVAL ? Errc::BadSettings : Errc::PublishFailed,
                          fmt::format("{}: {}", what, mosquitto_strerror(rc)));
}

}  // namespace

util::Error connack_error(int code, const std::string& endpoint) {
  for (const auto& c : kConnackTexts) {
    if (c.code != code) continue;
    if (c.login) return util::make_error(Errc::LoginRefused, fmt::format("broker refused the login: {}", c.text));
    return util::make_error(Errc::Refused, fmt::format("broker {} refused the connection: {}", endpoint, c.text));
  }
  return util::make_error(Errc::Refused, fmt::format("broker {} refused the connection (code {})", endpoint, code));
}

Connection::Connection(std::string endpoint, ConnectionEvents events)
    : endpoint_(std::move(endpoint)), events_(std::move(events)) {}

Connection::~Connection() {
  if (mosq_ != nullptr) mosquitto_destroy(mosq_);
}

util::Result<std::unique_ptr<Connection>> Connection::create(const config::Mqtt& s, std::string client_id,
                                                             std::optional<Message> will, ConnectionEvents events) {
  init_library();
  if (s.tls) {
    for (auto st : {check_readable(s.ca_file, "mqtt.ca_file"), check_readable(s.cert_file, "mqtt.cert_file"),
                    check_readable(s.key_file, "mqtt.key_file")}) {
      if (!st) return st.error();
    }
  }
  std::unique_ptr<Connection> c(new Connection(fmt::format("{}:{}", s.host, s.port), std::move(events)));
  c->host_ = s.host;
  c->port_ = s.port;
  c->keepalive_s_ = s.keepalive_s;
  // Clean session: commands sent while apsecu was away must not arrive hours later.
  c->mosq_ = mosquitto_new(client_id.c_str(), true, c.get());
  if (c->mosq_ == nullptr) return util::make_error(Errc::BadSettings, "cannot create an MQTT client");
  auto* m = c->mosq_;
  mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_connect_callback_set(m, &Connection::on_connect);
  mosquitto_publish_callback_set(m, &Connection::on_publish);
  mosquitto_message_callback_set(m, &Connection::on_message);
  mosquitto_subscribe_callback_set(m, &Connection::on_subscribe);
  mosquitto_log_callback_set(m, &Connection::on_log);
  // The sink keeps its own window of messages in flight; no second limit here.
  mosquitto_max_inflight_messages_set(m, 0);
  if (!s.username.empty()) {
    if (int rc = mosquitto_username_pw_set(m, s.username.c_str(), s.password.empty() ? nullptr : s.password.c_str());
        rc != MOSQ_ERR_SUCCESS) {
      return setup_error("cannot set the user name", rc);
    }
  }
  if (will) {
    if (int rc = mosquitto_will_set(m, will->topic.c_str(), static_cast<int>(will->payload.size()),
                                    will->payload.data(), will->qos, will->retain);
        rc != MOSQ_ERR_SUCCESS) {
      return setup_error("cannot set the last will", rc);
    }
  }
  if (s.tls) {
    const char* ca = s.ca_file.empty() ? nullptr : s.ca_file.c_str();
    const char* cert = s.cert_file.empty() ? nullptr : s.cert_file.c_str();
    const char* key = s.key_file.empty() ? nullptr : s.key_file.c_str();
    if (int rc = mosquitto_tls_set(m, ca, ca == nullptr ? kSystemCaPath : nullptr, cert, key, nullptr);
        rc != MOSQ_ERR_SUCCESS) {
      return util::make_error(Errc::Tls, fmt::format("TLS settings not accepted (CA, certificate, key): {}",
                                                     mosquitto_strerror(rc)));
    }
  }
  return c;
}

util::Status Connection::connect() {
  const int rc = mosquitto_connect_async(mosq_, host_.c_str(), port_, keepalive_s_);
  if (rc != MOSQ_ERR_SUCCESS) return failure(rc, errno);
  return {};
}

util::Status Connection::loop(std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  const int rc = mosquitto_loop(mosq_, static_cast<int>(timeout.count()), 1);
  if (rc != MOSQ_ERR_SUCCESS) return failure(rc, errno);
  if (accepted_) return {};
  // Still connecting. With TLS, libmosquitto 2.0.11 neither reports a refused TCP connect
  // nor waits for the socket: mosquitto_loop() returns at once, again and again, until the
  // caller's timeout. Ask the socket, and do not spin.
  if (const int fd = mosquitto_socket(mosq_); fd >= 0) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0) return failure(MOSQ_ERR_ERRNO, err);
    // The error itself may already be consumed; a hung-up socket that never got a peer
    // tells the same story.
    pollfd p{fd, POLLOUT, 0};
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    if (::poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)) != 0 &&
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {  // NOLINT: POSIX API
      return util::make_error(Errc::Unreachable,
                              fmt::format("cannot reach {}: the connection was refused or closed", endpoint_));
    }
  }
  if (std::chrono::steady_clock::now() - start < kMinConnectingStep) std::this_thread::sleep_for(kMinConnectingStep);
  return {};
}

util::Result<int> Connection::publish(const Message& msg) {
  int mid = 0;
  const int rc = mosquitto_publish(mosq_, &mid, msg.topic.c_str(), static_cast<int>(msg.payload.size()),
                                   msg.payload.data(), msg.qos, msg.retain);
  if (rc == MOSQ_ERR_SUCCESS) return mid;
  if (rc == MOSQ_ERR_NO_CONN) {
    return util::make_error(Errc::NotConnected, fmt::format("not connected to {}", endpoint_));
  }
  return util::make_error(Errc::PublishFailed, fmt::format("cannot publish to {}: {}", msg.topic, mosquitto_strerror(rc)));
}

util::Result<int> Connection::subscribe(const std::string& topic, int qos) {
  int mid = 0;
  const int rc = mosquitto_subscribe(mosq_, &mid, topic.c_str(), qos);
  if (rc == MOSQ_ERR_SUCCESS) return mid;
  return util::make_error(Errc::PublishFailed, fmt::format("cannot subscribe to {}: {}", topic, mosquitto_strerror(rc)));
}

void Connection::disconnect() { mosquitto_disconnect(mosq_); }

util::Error Connection::failure(int rc, int sys_errno) const {
  if (refused_code_) return connack_error(*refused_code_, endpoint_);
  const auto log = last_log_error_.empty() ? std::string() : ": " + last_log_error_;
  switch (rc) {
    case MOSQ_ERR_ERRNO:
      return util::make_error(Errc::Unreachable, fmt::format("cannot reach {}: {}", endpoint_, std::strerror(sys_errno)));
    case MOSQ_ERR_EAI:
      return util::make_error(Errc::Unreachable, fmt::format("cannot resolve the broker's host name {}", host_));
    case MOSQ_ERR_TLS:
      return util::make_error(Errc::Tls, fmt::format("TLS handshake with {} failed{}", endpoint_, log));
    case MOSQ_ERR_CONN_LOST:
      if (!accepted_) {
        return util::make_error(Errc::Refused,
                                fmt::format("{} closed the connection before accepting it (a TLS port without "
                                            "mqtt.tls? not an MQTT broker?)",
                                            endpoint_));
      }
      return util::make_error(Errc::NotConnected, fmt::format("connection to {} lost", endpoint_));
    case MOSQ_ERR_KEEPALIVE:
      return util::make_error(Errc::NotConnected, fmt::format("{} stopped answering (keepalive)", endpoint_));
    case MOSQ_ERR_NO_CONN:
      return util::make_error(Errc::NotConnected, fmt::format("not connected to {}", endpoint_));
    default:
      return util::make_error(Errc::NotConnected,
                              fmt::format("connection to {}: {}{}", endpoint_, mosquitto_strerror(rc), log));
  }
}

void Connection::on_connect(::mosquitto* /*m*/, void* self, int rc) {
  auto* c = static_cast<Connection*>(self);
  if (rc != 0) {
    c->refused_code_ = rc;
    return;
  }
  c->accepted_ = true;
  if (c->events_.connected) c->events_.connected();
}

void Connection::on_publish(::mosquitto* /*m*/, void* self, int mid) {
  auto* c = static_cast<Connection*>(self);
  if (c->events_.published) c->events_.published(mid);
}

void Connection::on_subscribe(::mosquitto* /*m*/, void* self, int mid, int /*count*/, const int* /*granted*/) {
  auto* c = static_cast<Connection*>(self);
  if (c->events_.subscribed) c->events_.subscribed(mid);
}

void Connection::on_message(::mosquitto* /*m*/, void* self, const ::mosquitto_message* msg) {
  auto* c = static_cast<Connection*>(self);
  if (!c->events_.message || msg == nullptr || msg->topic == nullptr) return;
  std::string payload;
  if (msg->payload != nullptr && msg->payloadlen > 0) {
    payload.assign(static_cast<const char*>(msg->payload), static_cast<std::size_t>(msg->payloadlen));
  }
  c->events_.message(msg->topic, payload, msg->retain);
}

void Connection::on_log(::mosquitto* /*m*/, void* self, int level, const char* text) {
  auto* c = static_cast<Connection*>(self);
  if ((level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)) != 0 && text != nullptr) {
    c->last_log_error_ = text;
    util::logger("mqtt")->debug("libmosquitto: {}", text);
  }
}

}  // namespace apsecu::mqtt
