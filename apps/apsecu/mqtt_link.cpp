// SPDX-License-Identifier: GPL-3.0-or-later
#include "mqtt_link.hpp"

#include "apsecu/util/log.hpp"

namespace apsecu::app {
namespace {

// Everything the connection and the payloads depend on, apart from the inverter list.
bool same_link(const mqtt::SinkOptions& a, const mqtt::SinkOptions& b) {
  return a.settings == b.settings && a.queue_dir == b.queue_dir && a.ecu_id == b.ecu_id && a.sw_version == b.sw_version;
}

}  // namespace

void MqttLink::apply(const config::Config& cfg) {
  if (!cfg.mqtt.enabled) {
    stop();
    return;
  }
  auto options = mqtt::sink_options(cfg, APSECU_VERSION);
  if (sink_ && same_link(options, built_with_)) {
    if (options.inverters != announced_) {
      sink_->set_inverters(options.inverters);
      announced_ = options.inverters;
    }
    return;
  }
  stop();
  built_with_ = options;
  // Commands from the broker reach whichever engine is running, through the backend.
  sink_ = std::make_unique<mqtt::MqttSink>(std::move(options), clock_, [this](engine::Job job, engine::JobDone done) {
    backend_.post(std::move(job), std::move(done));
  });
  if (auto st = sink_->start(); !st) {
    util::logger("apsecu")->error("MQTT not started: {}", st.error().describe());
    sink_.reset();
    return;
  }
  sink_->retire(announced_);
  announced_ = built_with_.inverters;
  backend_.attach_mqtt(sink_.get());
}

void MqttLink::stop() {
  if (!sink_) return;
  backend_.attach_mqtt(nullptr);
  sink_->stop();
  sink_.reset();
}

}  // namespace apsecu::app
