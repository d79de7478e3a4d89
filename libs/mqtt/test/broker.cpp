// SPDX-License-Identifier: GPL-3.0-or-later
#include "broker.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace apsecu::mqtt::test {
namespace {

bool port_open(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;  // NOLINT: POSIX API
  ::close(fd);
  return ok;
}

std::string user_name() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw != nullptr ? pw->pw_name : "root";
}

}  // namespace

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "apsecu-mqtt-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool run(const std::string& command) { return std::system(command.c_str()) == 0; }  // NOLINT: test helper

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);  // NOLINT: POSIX API
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);  // NOLINT: POSIX API
  ::close(fd);
  return ntohs(a.sin_port);
}

Broker::Broker(const std::filesystem::path& dir, BrokerConfig config) : dir_(dir), conf_(dir / "mosquitto.conf"), port_(free_port()) {
  std::ofstream c(conf_);
  // As root mosquitto would drop to user "mosquitto", who cannot read a 0700 temp dir;
  // naming the current user keeps it as it is (and is ignored when not root).
  c << "user " << user_name() << "\n";
  c << "listener " << port_ << " 127.0.0.1\n";
  c << "log_dest file " << (dir / "mosquitto.log").string() << "\n";
  c << "log_type all\n";
  if (config.persistence) {
    c << "persistence true\npersistence_location " << dir.string() << "/\n";
  } else {
    c << "persistence false\n";
  }
  if (config.password_file) {
    c << "allow_anonymous false\npassword_file " << *config.password_file << "\n";
  } else {
    c << "allow_anonymous true\n";
  }
  if (config.tls_cert) {
    c << "cafile " << config.tls_ca.value_or("") << "\ncertfile " << *config.tls_cert << "\nkeyfile "
      << config.tls_key.value_or("") << "\n";
    if (config.require_client_cert) c << "require_certificate true\n";
  }
}

Broker::~Broker() { stop(); }

bool Broker::start() {
  if (pid_ > 0) return true;
  pid_ = ::fork();
  if (pid_ == 0) {
    // Its start-up chatter ("should not be run as root") goes next to its log, not into the test output.
    const int out = ::open((dir_ / "mosquitto.out").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    ::execlp("mosquitto", "mosquitto", "-c", conf_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 200; ++i) {
    if (port_open(port_)) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

void Broker::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

Subscriber::Subscriber(int port, std::vector<std::string> topics, SubscriberOptions options)
    : topics_(std::move(topics)), qos_(options.qos) {
  mosquitto_lib_init();
  mosq_ = mosquitto_new(options.client_id.empty() ? nullptr : options.client_id.c_str(), options.clean_session, this);
  mosquitto_connect_callback_set(mosq_, &Subscriber::on_connect);
  mosquitto_subscribe_callback_set(mosq_, &Subscriber::on_subscribe);
  mosquitto_message_callback_set(mosq_, &Subscriber::on_message);
  mosquitto_reconnect_delay_set(mosq_, 1, 1, false);
  if (options.username) mosquitto_username_pw_set(mosq_, options.username->c_str(), options.password ? options.password->c_str() : nullptr);
  if (options.ca_file) mosquitto_tls_set(mosq_, options.ca_file->c_str(), nullptr, nullptr, nullptr, nullptr);
  mosquitto_connect_async(mosq_, "127.0.0.1", port, 30);
  mosquitto_loop_start(mosq_);
}

Subscriber::~Subscriber() {
  mosquitto_disconnect(mosq_);
  mosquitto_loop_stop(mosq_, false);
  mosquitto_destroy(mosq_);
}

void Subscriber::on_connect(::mosquitto* m, void* self, int rc) {
  auto* s = static_cast<Subscriber*>(self);
  if (rc != 0) return;
  for (const auto& t : s->topics_) mosquitto_subscribe(m, nullptr, t.c_str(), s->qos_);
}

void Subscriber::on_subscribe(::mosquitto* /*m*/, void* self, int /*mid*/, int /*n*/, const int* /*granted*/) {
  auto* s = static_cast<Subscriber*>(self);
  std::lock_guard lock(s->mutex_);
  ++s->subscribed_;
  s->changed_.notify_all();
}

void Subscriber::on_message(::mosquitto* /*m*/, void* self, const ::mosquitto_message* msg) {
  auto* s = static_cast<Subscriber*>(self);
  Received r;
  r.topic = msg->topic;
  if (msg->payloadlen > 0) r.payload.assign(static_cast<const char*>(msg->payload), static_cast<std::size_t>(msg->payloadlen));
  r.retained = msg->retain;
  std::lock_guard lock(s->mutex_);
  s->received_.push_back(std::move(r));
  s->changed_.notify_all();
}

bool Subscriber::ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return subscribed_ >= static_cast<int>(topics_.size()); });
}

std::vector<Received> Subscriber::received(const std::string& prefix) const {
  std::lock_guard lock(mutex_);
  std::vector<Received> out;
  for (const auto& r : received_) {
    if (r.topic.starts_with(prefix)) out.push_back(r);
  }
  return out;
}

std::vector<Received> Subscriber::wait_for(std::size_t n, const std::string& prefix, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  auto count = [&] {
    return static_cast<std::size_t>(
        std::count_if(received_.begin(), received_.end(), [&](const Received& r) { return r.topic.starts_with(prefix); }));
  };
  changed_.wait_until(lock, deadline, [&] { return count() >= n; });
  lock.unlock();
  return received(prefix);
}

void Subscriber::publish(const std::string& topic, const std::string& payload, bool retain, int qos) {
  mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos, retain);
}

}  // namespace apsecu::mqtt::test
