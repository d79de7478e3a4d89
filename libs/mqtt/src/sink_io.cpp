// SPDX-License-Identifier: GPL-3.0-or-later
// MqttSink's I/O thread: connect with back-off, announce, publish the queue in order with a
// bounded window, confirm deliveries, take commands. Everything here runs on that thread;
// libmosquitto's callbacks too, since the thread is the one calling mosquitto_loop().
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apsecu/mqtt/commands.hpp"
#include "apsecu/mqtt/connection.hpp"
#include "apsecu/mqtt/errors.hpp"
#include "apsecu/mqtt/sink.hpp"
#include "apsecu/util/log.hpp"
#include "outbox.hpp"

namespace apsecu::mqtt {
namespace {

// Also how soon a message pushed by another thread is picked up: mosquitto_loop() only
// wakes early for its own socket.
constexpr std::chrono::milliseconds kLoopTimeout{100};
constexpr std::chrono::milliseconds kGoodbyeTimeout{1500};
// While disconnected, queued messages reach the storage device within this.
constexpr std::chrono::milliseconds kSyncEvery{1000};

long long ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

bool MqttSink::stopping() const {
  std::lock_guard lock(mutex_);
  return stop_;
}

void MqttSink::wait_for(std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  for (;;) {
    outbox_->sync_if_dirty();
    std::unique_lock lock(mutex_);
    const auto slice = std::min(until, std::chrono::steady_clock::now() + kSyncEvery);
    if (wake_.wait_until(lock, slice, [&] { return stop_; })) return;
    if (std::chrono::steady_clock::now() >= until) return;
  }
}

void MqttSink::run() {
  const auto& s = options_.settings;
  auto backoff = options_.reconnect_min;
  while (!stopping()) {
    {
      std::lock_guard lock(mutex_);
      status_.state = LinkState::Connecting;
    }
    ConnectionEvents events;
    events.connected = [this, &s] {
      fresh_session_ = true;
      outbox_->set_connected(true);
      std::lock_guard lock(mutex_);
      status_.state = LinkState::Connected;
      status_.connected_since = clock_.now();
      status_.last_error.reset();
      ++status_.connects;
      util::logger("mqtt")->info("connected to {}:{} as {}", s.host, s.port, s.client_id);
    };
    events.published = [this](int mid) { on_published(mid); };
    events.subscribed = [this](int mid) {
      if (command_subscription_ != mid) return;
      std::lock_guard lock(mutex_);
      status_.listening = true;
    };
    events.message = [this](const std::string& t, const std::string& p, bool r) { on_message(t, p, r); };
    const Message will{status_topic(s.base_topic), std::string(kOffline), 1, true};
    auto conn = Connection::create(s, s.client_id, will, std::move(events));
    util::Status ended;
    bool was_connected = false;
    if (!conn) {
      ended = conn.error();
    } else {
      ended = session(**conn);
      was_connected = (*conn)->accepted();
    }
    if (stopping() || ended.ok()) break;
    end_session(ended.error(), was_connected);
    if (was_connected) backoff = options_.reconnect_min;
    wait_for(backoff);
    backoff = std::min(backoff * 2, options_.reconnect_max);
  }
  outbox_->set_connected(false);
}

util::Status MqttSink::session(Connection& c) {
  if (auto st = c.connect(); !st) return st;
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    if (stopping()) {
      if (c.accepted()) close_gracefully(c);
      return {};
    }
    if (auto st = c.loop(kLoopTimeout); !st) return st;
    if (!c.accepted()) {
      outbox_->sync_if_dirty();
      if (std::chrono::steady_clock::now() - started > options_.connect_timeout) {
        return util::make_error(Errc::Unreachable, fmt::format("no answer from {} within {} s", c.endpoint(),
                                                               options_.connect_timeout.count() / 1000));
      }
      continue;
    }
    pump(c);
  }
}

void MqttSink::pump(Connection& c) {
  const auto& s = options_.settings;
  if (fresh_session_) {
    fresh_session_ = false;
    (void)c.publish(Message{status_topic(s.base_topic), std::string(kOnline), 1, true});
    auto sub = c.subscribe(command_topic(s.base_topic), 1);
    command_subscription_ = sub ? std::optional<int>(*sub) : std::nullopt;
    if (s.ha_discovery) (void)c.subscribe(ha_status_topic(s.ha_prefix), 0);
    std::lock_guard lock(mutex_);
    discovery_pending_ = s.ha_discovery;
  }
  bool announce = false;
  std::vector<InverterInfo> inverters;
  std::shared_ptr<TestRequest> test;
  {
    std::lock_guard lock(mutex_);
    std::swap(announce, discovery_pending_);
    if (announce) inverters = inverters_;
    if (test_ && test_->stage == TestRequest::Stage::Requested) test = test_;
  }
  // The full set of entities at every connect, ahead of the backlog: retained configs may
  // have been lost with a broker that keeps no persistence.
  if (announce) {
    for (const auto& m : ecu_discovery(discovery_)) (void)c.publish(m);
    for (const auto& inv : inverters) {
      for (const auto& m : inverter_discovery(discovery_, inv)) (void)c.publish(m);
    }
  }
  if (test) {
    const nlohmann::json payload{{"test", true}, {"sample_time", iso_time(clock_.now())}, {"client_id", s.client_id}};
    auto mid = c.publish(Message{test_topic(s.base_topic), payload.dump(), 1, false});
    std::lock_guard lock(mutex_);
    if (!mid) {
      test->result = util::Result<std::string>(mid.error());
      test->stage = TestRequest::Stage::Done;
      wake_.notify_all();
    } else {
      test->mid = *mid;
      test->stage = TestRequest::Stage::Sent;
      test->sent_at = std::chrono::steady_clock::now();
      test_sent_ = test;
    }
  }
  send_from_queue(c);
}

void MqttSink::send_from_queue(Connection& c) {
  while (in_flight_.size() < options_.max_in_flight) {
    auto e = outbox_->read(send_position_);
    if (!e) break;
    publishing_ = true;
    early_ack_.reset();
    auto mid = c.publish(e->message);
    publishing_ = false;
    if (!mid && mid.error().code == make_error_code(Errc::NotConnected)) return;  // the loop reports it
    if (!mid) {
      // libmosquitto will never take this one (too large, bad topic): drop it in its turn.
      util::logger("mqtt")->error("{}; message dropped", mid.error().describe());
      in_flight_.push_back({0, e->position, e->next, true});
    } else {
      in_flight_.push_back({*mid, e->position, e->next, early_ack_ == *mid});
    }
    send_position_ = e->next;
  }
  retire_acked();
}

void MqttSink::retire_acked() {
  std::uint64_t n = 0;
  while (!in_flight_.empty() && in_flight_.front().acked) {
    outbox_->delivered(in_flight_.front().position, in_flight_.front().next);
    in_flight_.pop_front();
    ++n;
  }
  if (n == 0) return;
  std::lock_guard lock(mutex_);
  status_.delivered += n;
}

void MqttSink::on_published(int mid) {
  if (offline_mid_ == mid) offline_acked_ = true;
  if (test_sent_ && test_sent_->mid == mid) {
    std::lock_guard lock(mutex_);
    test_sent_->result = util::Result<std::string>(
        fmt::format("test message published to {} on {} and acknowledged by the broker in {} ms",
                    test_topic(options_.settings.base_topic), status_.endpoint, ms_since(test_sent_->sent_at)));
    test_sent_->stage = TestRequest::Stage::Done;
    test_sent_.reset();
    wake_.notify_all();
    return;
  }
  const auto it = std::find_if(in_flight_.begin(), in_flight_.end(), [&](const InFlight& f) { return f.mid == mid; });
  if (it != in_flight_.end()) {
    it->acked = true;
    retire_acked();
  } else if (publishing_) {
    early_ack_ = mid;  // QoS 0 is "published" while mosquitto_publish() is still running
  }
}

void MqttSink::on_message(const std::string& topic, const std::string& payload, bool retained) {
  const auto& s = options_.settings;
  if (s.ha_discovery && topic == ha_status_topic(s.ha_prefix)) {
    // Home Assistant restarted: announce again, as its documentation asks.
    if (payload == kOnline) {
      std::lock_guard lock(mutex_);
      discovery_pending_ = true;
    }
    return;
  }
  if (topic != command_topic(s.base_topic)) return;
  const auto reply = reply_topic(s.base_topic);
  auto reject = [&](const util::Error& e) {
    {
      std::lock_guard lock(mutex_);
      ++status_.commands_rejected;
    }
    util::logger("mqtt")->warn("command on {} rejected: {}", topic, e.describe());
    outbox_->push(Message{reply, reply_rejected(payload, e), qos(), false});
  };
  if (retained) {
    // A retained command would run again at every reconnect and broker restart: a power
    // limit set weeks ago must not come back by itself.
    reject(util::make_error(Errc::BadCommand, "retained command ignored: publish commands without the retain flag"));
    return;
  }
  std::vector<InverterInfo> inverters;
  {
    std::lock_guard lock(mutex_);
    inverters = inverters_;
  }
  auto cmd = parse_command(payload, inverters);
  if (!cmd) return reject(cmd.error());
  if (!post_job_) return reject(util::make_error(Errc::BadCommand, "this apsecu takes no commands over MQTT"));
  {
    std::lock_guard lock(mutex_);
    ++status_.commands;
  }
  util::logger("mqtt")->info("command from {}: {}", topic, payload);
  std::weak_ptr<Outbox> weak = outbox_;
  post_job_(to_job(*cmd), [weak, c = *cmd, reply, q = qos()](util::Result<std::string> outcome) {
    if (auto box = weak.lock()) box->push(Message{reply, reply_payload(c, outcome), q, false});
  });
}

void MqttSink::close_gracefully(Connection& c) {
  // Say "offline" ourselves: a clean DISCONNECT does not fire the last will. Give messages
  // in flight a moment to be confirmed so that they are not sent twice after a restart.
  offline_acked_ = false;
  auto mid = c.publish(Message{status_topic(options_.settings.base_topic), std::string(kOffline), 1, true});
  offline_mid_ = mid ? std::optional<int>(*mid) : std::nullopt;
  const auto start = std::chrono::steady_clock::now();
  while ((offline_mid_ && !offline_acked_) || !in_flight_.empty()) {
    if (std::chrono::steady_clock::now() - start > kGoodbyeTimeout) break;
    if (!c.loop(std::chrono::milliseconds(20))) return;
  }
  c.disconnect();
  for (int i = 0; i < 5 && c.loop(std::chrono::milliseconds(20)); ++i) {
  }
}

void MqttSink::end_session(const util::Error& why, bool was_connected) {
  // Unconfirmed messages are still in the queue; the next session starts again from its head.
  in_flight_.clear();
  send_position_ = 0;
  early_ack_.reset();
  offline_mid_.reset();
  outbox_->set_connected(false);
  std::lock_guard lock(mutex_);
  const bool news = was_connected || !status_.last_error || status_.last_error->message != why.message;
  status_.state = LinkState::Waiting;
  status_.last_error = why;
  status_.connected_since.reset();
  status_.listening = false;
  command_subscription_.reset();
  if (news) {
    util::logger("mqtt")->warn("{}; retrying with back-off", why.describe());
  } else {
    util::logger("mqtt")->debug("{}; retrying with back-off", why.describe());
  }
  if (test_sent_) {
    test_sent_->result = util::Result<std::string>(util::make_error(
        Errc::NotConnected, fmt::format("connection lost before the broker acknowledged the test: {}", why.describe())));
    test_sent_->stage = TestRequest::Stage::Done;
    test_sent_.reset();
    wake_.notify_all();
  }
}

}  // namespace apsecu::mqtt
