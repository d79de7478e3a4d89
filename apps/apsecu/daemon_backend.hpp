// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The running daemon as the web API sees it (api::Backend). The engine comes and goes
// (a settings change rebuilds it); radio jobs sent in between wait for the next engine,
// since a page that adds an inverter and pairs it at once causes exactly that rebuild.
// While the radio cannot be opened they are refused, with the reason. A power limit or an
// on/off that succeeded is saved in the inverter's settings, so the pages show it after a
// restart.

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "apsecu/api/backend.hpp"
#include "apsecu/mqtt/sink.hpp"
#include "apsecu/store/store.hpp"
#include "config_service.hpp"
#include "live_bus.hpp"

namespace apsecu::app {

struct BackendHooks {
  std::string settings_path;  // where a restore may write settings when there are none
  // The program and its arguments that reboot / shut the machine down (the web page's
  // buttons, when `run --allow-power-actions` permits them).
  std::vector<std::string> reboot_command{"systemctl", "reboot"};
  std::vector<std::string> shutdown_command{"systemctl", "poweroff"};
};

class DaemonBackend final : public api::Backend {
 public:
  DaemonBackend(const util::Clock& clock, ConfigService& config, std::shared_ptr<LiveBus> bus, store::Store reader,
                std::string data_dir, BackendHooks hooks);

  ~DaemonBackend() override;
  DaemonBackend(const DaemonBackend&) = delete;
  DaemonBackend& operator=(const DaemonBackend&) = delete;

  // nullptr after the engine's run() returned: its unrun jobs are held for the next one.
  void attach(engine::Engine* engine);
  // While the radio cannot be opened there is no engine: the pages show `idle` (what is
  // known without one) and `why`, and their jobs are refused with it rather than with
  // "restarting". set_radio_up() ends that.
  void set_radio_down(std::string why, std::shared_ptr<const engine::Snapshot> idle);
  void set_radio_up();
  [[nodiscard]] std::string radio_error() const override;

  [[nodiscard]] const util::Clock& clock() const override { return clock_; }
  [[nodiscard]] std::shared_ptr<const engine::Snapshot> snapshot() const override;
  // From the pages and from MQTT alike.
  void post(engine::Job job, engine::JobDone done) override;
  [[nodiscard]] config::Config config() const override { return config_.get(); }
  std::variant<config::Config, std::vector<config::FieldError>> update_config(const config::Config& c) override {
    return config_.update(c);
  }
  void with_store(const std::function<void(store::Store&)>& fn) override;
  util::Status backup_to(const std::string& path) override;
  util::Result<std::string> restore_from(const std::string& path) override;
  [[nodiscard]] std::unique_ptr<api::Subscription> subscribe(api::LiveCallback callback) override {
    return bus_->subscribe(std::move(callback));
  }
  [[nodiscard]] std::string data_dir() const override { return data_dir_; }
  [[nodiscard]] std::string version() const override { return APSECU_VERSION; }
  util::Status power_action(api::PowerAction action) override;
  util::Result<std::string> test_mqtt(const std::string& settings_json) override;
  [[nodiscard]] util::Result<std::string> mqtt_status() const override;
  void attach_mqtt(const mqtt::MqttSink* sink);  // nullptr while there is none

 private:
  // `done`, after saving what a successful limit or on/off job set.
  engine::JobDone remembering(const engine::Job& job, engine::JobDone done);

  const util::Clock& clock_;
  ConfigService& config_;
  std::shared_ptr<LiveBus> bus_;
  std::string data_dir_;
  BackendHooks hooks_;

  mutable std::mutex mqtt_mutex_;
  const mqtt::MqttSink* mqtt_ = nullptr;

  mutable std::mutex engine_mutex_;
  engine::Engine* engine_ = nullptr;
  std::shared_ptr<const engine::Snapshot> last_snapshot_;
  std::string radio_error_;
  std::deque<engine::QueuedJob> held_;  // for the next engine

  std::mutex store_mutex_;
  store::Store reader_;
};

}  // namespace apsecu::app
