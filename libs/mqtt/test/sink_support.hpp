// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A broker, a sink pointed at it, and waiting helpers.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "apsecu/mqtt/sink.hpp"
#include "broker.hpp"
#include "fixtures.hpp"

namespace apsecu::mqtt::test {

inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

inline SinkOptions sink_options_for(int port, const std::filesystem::path& queue_dir, const std::string& format = "apsecu",
                                    const std::string& topic = "plant/") {
  SinkOptions o;
  o.settings.enabled = true;
  o.settings.host = "127.0.0.1";
  o.settings.port = port;
  o.settings.client_id = "apsecu-test";
  o.settings.format = format;
  o.settings.topic = topic;
  o.settings.qos = 1;
  o.queue_dir = queue_dir;
  o.ecu_id = "D8A3011B9780";
  o.sw_version = "0.1.0";
  o.inverters = {make_info("408000158215", 215), make_info("801000012345", 3, "QS1")};
  o.reconnect_min = std::chrono::milliseconds(100);
  o.reconnect_max = std::chrono::milliseconds(400);
  return o;
}

inline std::vector<fleet::InverterView> two_views(int minute) {
  return {make_view("408000158215", "YC600", minute, sample_time(minute)),
          make_view("801000012345", "QS1", minute, sample_time(minute))};
}

inline bool connected(const MqttSink& s) { return s.status().state == LinkState::Connected; }

}  // namespace apsecu::mqtt::test
