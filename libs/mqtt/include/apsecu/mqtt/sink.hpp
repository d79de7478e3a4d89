// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Publishes what the engine reports to an MQTT broker (docs/mqtt.md), keeps a persistent
// connection with back-off, forwards commands from <base>/cmd to the engine, and stores
// readings on disk while the broker is away.
//
// Threads: the engine calls on_cycle/on_window_closed on its thread; they only append to the
// store-and-forward queue (a file write, no network). One I/O thread owned by the sink
// connects, publishes from the queue, and runs libmosquitto's callbacks. Every reading goes
// through the queue, even when connected, so that a message is removed only once the broker
// has it (QoS 1/2: PUBACK; QoS 0: written to the socket) and order is the queue's order.
// All public methods are thread-safe.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "apsecu/config/config.hpp"
#include "apsecu/engine/engine.hpp"
#include "apsecu/mqtt/discovery.hpp"
#include "apsecu/mqtt/format.hpp"
#include "apsecu/util/clock.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::mqtt {

class Connection;
class Outbox;

struct SinkOptions {
  config::Mqtt settings;              // as validated by libs/config; `enabled` is the caller's business
  std::filesystem::path queue_dir;    // the queue file is <queue_dir>/mqtt-queue.bin
  std::string ecu_id;                 // names the ECU device in Home Assistant
  std::string sw_version;
  std::vector<InverterInfo> inverters;  // Domoticz idx, names, inputs in use
  std::chrono::milliseconds reconnect_min{1000};  // back-off doubles from here...
  std::chrono::milliseconds reconnect_max{60000};  // ...up to here
  std::chrono::milliseconds connect_timeout{10000};  // TCP + TLS + CONNACK
  std::size_t max_in_flight = 32;  // messages handed to the broker and not yet acknowledged
};

// The daemon's composition: settings, ECU id, inverters, queue in the data directory.
[[nodiscard]] SinkOptions sink_options(const config::Config& c, std::string sw_version = {});
// `mqtt://HOST[:PORT]`, `mqtts://USER:PASSWORD@HOST[:PORT]` on top of `base` (enabled set).
[[nodiscard]] util::Result<config::Mqtt> settings_from_url(std::string_view url, config::Mqtt base = {});

// Hands a command's job to the engine (the daemon passes Engine::post).
using PostJob = std::function<void(engine::Job, engine::JobDone)>;

enum class LinkState : std::uint8_t {
  Stopped,     // start() not called, or stop()
  Connecting,  // TCP, TLS, CONNACK
  Connected,
  Waiting,     // back-off after a failure; last_error says which
};
[[nodiscard]] std::string_view link_state_name(LinkState s) noexcept;

struct SinkStatus {
  LinkState state = LinkState::Stopped;
  std::string endpoint;                  // "host:port"
  std::optional<util::Error> last_error;  // why the last attempt failed or the connection ended
  std::optional<util::WallTime> connected_since;
  bool listening = false;        // the broker confirmed the subscription to <base>/cmd
  std::size_t queued = 0;        // messages waiting on disk, in flight included
  std::uint64_t queue_bytes = 0;
  std::uint64_t dropped = 0;     // lost to the queue bound (or to queue I/O errors)
  std::uint64_t delivered = 0;   // acknowledged by the broker since start()
  std::uint64_t connects = 0;
  std::uint64_t commands = 0;           // accepted and handed to the engine
  std::uint64_t commands_rejected = 0;  // bad payloads and retained commands
};

class MqttSink final : public engine::EngineListener {
 public:
  MqttSink(SinkOptions options, const util::Clock& clock, PostJob post_job = {});
  ~MqttSink() override;
  MqttSink(const MqttSink&) = delete;
  MqttSink& operator=(const MqttSink&) = delete;

  // Opens the queue and starts the I/O thread, which connects in the background. Errors:
  // settings that cannot work (unknown format) or a queue directory that cannot be written.
  util::Status start();
  // Publishes "offline", disconnects cleanly, syncs the queue. Idempotent.
  void stop();

  // One message per inverter that answered (plus HA state and plant totals).
  void on_cycle(const engine::CycleReport& report) override;
  // Once per inverter with power 0 when the poll window closes.
  void on_window_closed(const std::vector<fleet::InverterView>& views) override;

  // The inverters in the settings changed: removed ones lose their Home Assistant
  // entities, new and changed ones are announced.
  void set_inverters(std::vector<InverterInfo> inverters);
  void remove_inverter(const std::string& serial);
  // A previous sink (before a settings change rebuilt it) announced `announced_before`:
  // what this sink's inverters no longer have loses its Home Assistant entities.
  void retire(const std::vector<InverterInfo>& announced_before);

  // Publishes <base>/test with QoS 1 on the live connection and waits for the PUBACK.
  [[nodiscard]] util::Result<std::string> test_message(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  [[nodiscard]] SinkStatus status() const;

 private:
  struct InFlight {
    int mid = 0;
    std::uint64_t position = 0;
    std::uint64_t next = 0;
    bool acked = false;
  };
  struct TestRequest {
    enum class Stage : std::uint8_t { Requested, Sent, Done } stage = Stage::Requested;
    int mid = 0;
    std::chrono::steady_clock::time_point sent_at;
    std::optional<util::Result<std::string>> result;
  };

  // I/O thread (sink_io.cpp)
  void run();
  util::Status session(Connection& c);
  void pump(Connection& c);
  void send_from_queue(Connection& c);
  void on_published(int mid);
  void on_message(const std::string& topic, const std::string& payload, bool retained);
  void close_gracefully(Connection& c);
  void end_session(const util::Error& why, bool was_connected);
  void retire_acked();
  void wait_for(std::chrono::milliseconds d);
  [[nodiscard]] bool stopping() const;

  // any thread (sink.cpp)
  void publish_reading(const fleet::InverterView& view, util::WallTime t, Event e);
  [[nodiscard]] InverterInfo info_for(const fleet::InverterView& view);
  // Removal messages for what `before` announced and `after` lacks; caller holds mutex_.
  [[nodiscard]] std::vector<Message> removals(const std::vector<InverterInfo>& before,
                                              const std::vector<InverterInfo>& after) const;
  [[nodiscard]] int qos() const noexcept { return options_.settings.qos; }
  [[nodiscard]] std::shared_ptr<Outbox> outbox() const;

  SinkOptions options_;
  const util::Clock& clock_;
  PostJob post_job_;
  Format format_ = Format::Domoticz;
  DiscoveryContext discovery_;
  std::shared_ptr<Outbox> outbox_;  // shared with reply callbacks that may outlive a job

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  bool stop_ = false;
  bool started_ = false;
  std::vector<InverterInfo> inverters_;
  std::vector<std::string> warned_no_idx_;
  SinkStatus status_;
  bool discovery_pending_ = false;
  std::shared_ptr<TestRequest> test_;

  // I/O thread only
  std::deque<InFlight> in_flight_;
  std::uint64_t send_position_ = 0;
  bool fresh_session_ = false;
  bool publishing_ = false;      // inside Connection::publish, whose QoS 0 callback may come first
  std::optional<int> early_ack_;
  std::optional<int> offline_mid_;
  bool offline_acked_ = false;
  std::shared_ptr<TestRequest> test_sent_;
  std::optional<int> command_subscription_;
  std::thread io_;
};

}  // namespace apsecu::mqtt
