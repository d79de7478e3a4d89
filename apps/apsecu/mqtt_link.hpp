// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The daemon's MQTT sink across settings changes. A change that leaves the broker settings
// alone (an inverter added, a poll interval) keeps the connection: the inverters are
// announced or retired on it, and Home Assistant never sees apsecu go offline for it.
// Other changes rebuild the sink; what the old one announced and the new settings lack is
// retired. The sink runs while the radio is away too, so commands get the reason as reply.

#include <memory>
#include <vector>

#include "apsecu/config/config.hpp"
#include "apsecu/mqtt/sink.hpp"
#include "apsecu/util/clock.hpp"
#include "daemon_backend.hpp"

namespace apsecu::app {

class MqttLink {
 public:
  MqttLink(const util::Clock& clock, DaemonBackend& backend) : clock_(clock), backend_(backend) {}
  ~MqttLink() { stop(); }
  MqttLink(const MqttLink&) = delete;
  MqttLink& operator=(const MqttLink&) = delete;

  void apply(const config::Config& cfg);
  void stop();
  // nullptr while MQTT is off or could not start. Valid until the next apply() or stop().
  [[nodiscard]] mqtt::MqttSink* sink() const { return sink_.get(); }

 private:
  const util::Clock& clock_;
  DaemonBackend& backend_;
  std::unique_ptr<mqtt::MqttSink> sink_;
  mqtt::SinkOptions built_with_;
  std::vector<mqtt::InverterInfo> announced_;  // by this sink or the last one
};

}  // namespace apsecu::app
