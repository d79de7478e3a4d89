// SPDX-License-Identifier: GPL-3.0-or-later
// Each payload format and Home Assistant discovery, through a real mosquitto broker.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apsecu/mqtt/connection.hpp"
#include "sink_support.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::mqtt;
using namespace apsecu::mqtt::test;
using nlohmann::json;

class MqttBroker : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = std::make_unique<Broker>(dir_.path());
    ASSERT_TRUE(broker_->start());
  }
  TempDir dir_;
  std::unique_ptr<Broker> broker_;
  util::FakeClock clock_{sample_time(600)};
};

TEST_F(MqttBroker, EveryFormatArrivesAsDocumented) {
  Subscriber sub(broker_->port(), {"out/#", "domoticz/in"});
  ASSERT_TRUE(sub.ready());
  const auto views = two_views(0);
  const std::vector<std::pair<std::string, std::string>> cases{
      {"domoticz", "domoticz/in"}, {"seed_arrays", "out/"}, {"seed_flat", "out/"},
      {"seed_full", "out/"},       {"seed_channels", "out/"}, {"apsecu", "out/"}};
  std::size_t expected = 0;
  for (const auto& [format, topic] : cases) {
    auto options = sink_options_for(broker_->port(), dir_.path() / format, format, topic);
    MqttSink sink(options, clock_);
    ASSERT_TRUE(sink.start().ok());
    ASSERT_TRUE(eventually([&] { return connected(sink); })) << format;
    sink.on_cycle(make_report(views));
    expected += 2;
    const auto got = sub.wait_for(expected);
    ASSERT_EQ(got.size(), expected) << format;
    const auto f = *parse_format(format);
    for (std::size_t i = 0; i < 2; ++i) {
      const auto& r = got[expected - 2 + i];
      const auto& info = options.inverters[i];
      EXPECT_EQ(r.topic, reading_topic(topic, info)) << format;
      EXPECT_EQ(r.payload, *format_reading(f, views[i], info, sample_time())) << format;
    }
    EXPECT_TRUE(eventually([&] { return sink.status().delivered == 2 && sink.status().queued == 0; }));
  }
  EXPECT_EQ(sub.received("out/215").size(), 5U);  // topic per inverter: the Domoticz idx
  EXPECT_EQ(sub.received("out/3").size(), 5U);
  const auto domoticz = json::parse(sub.received("domoticz/in").at(0).payload);
  EXPECT_EQ(domoticz["idx"], 215);
  EXPECT_EQ(domoticz["svalue"], "300.4;121000.2");
}

TEST_F(MqttBroker, WindowCloseSendsPowerZeroOnce) {
  Subscriber sub(broker_->port(), {"plant/#"});
  ASSERT_TRUE(sub.ready());
  MqttSink sink(sink_options_for(broker_->port(), dir_.path() / "q"), clock_);
  ASSERT_TRUE(sink.start().ok());
  sink.on_window_closed(two_views(0));
  const auto got = sub.wait_for(2);
  ASSERT_EQ(got.size(), 2U);
  for (const auto& r : got) {
    const auto j = json::parse(r.payload);
    EXPECT_EQ(j["event"], "window_closed");
    EXPECT_EQ(j["power_w"], 0.0);
    EXPECT_GT(j["energy_lifetime_wh"].get<double>(), 0);
    EXPECT_EQ(j["sample_time"], iso_time(sample_time(600)));  // the sink's clock: when the window closed
  }
}

TEST_F(MqttBroker, DiscoveryOnConnectAvailabilityAndRemoval) {
  Subscriber sub(broker_->port(), {"homeassistant/#", "apsecu/#"});
  ASSERT_TRUE(sub.ready());
  auto options = sink_options_for(broker_->port(), dir_.path() / "q");
  options.settings.ha_discovery = true;
  {
    MqttSink sink(options, clock_);
    ASSERT_TRUE(sink.start().ok());
    // ECU 4 + YC600 (8 + 2×5) + QS1 (8 + 4×5)
    const auto configs = sub.wait_for(50, "homeassistant/");
    ASSERT_EQ(configs.size(), 50U);
    for (const auto& c : configs) {
      const auto j = json::parse(c.payload);
      EXPECT_EQ(j["availability"][0]["topic"], "apsecu/status") << c.topic;
      EXPECT_FALSE(j["unique_id"].get<std::string>().empty());
    }
    auto find = [&](const std::string& topic) {
      for (const auto& c : configs) {
        if (c.topic == topic) return json::parse(c.payload);
      }
      ADD_FAILURE() << topic;
      return json();
    };
    const auto energy = find("homeassistant/sensor/apsecu_801000012345/input4_energy_lifetime/config");
    EXPECT_EQ(energy["device_class"], "energy");
    EXPECT_EQ(energy["state_class"], "total_increasing");
    EXPECT_EQ(energy["unit_of_measurement"], "Wh");
    EXPECT_EQ(energy["state_topic"], "apsecu/inverter/801000012345");
    EXPECT_EQ(energy["value_template"], "{{ value_json.inputs[3].energy_lifetime_wh }}");
    EXPECT_EQ(energy["device"]["model"], "QS1");
    const auto current = find("homeassistant/sensor/apsecu_408000158215/input1_dc_current/config");
    EXPECT_EQ(current["device_class"], "current");
    EXPECT_EQ(current["state_class"], "measurement");
    EXPECT_EQ(current["unit_of_measurement"], "A");

    ASSERT_FALSE(sub.wait_for(1, "apsecu/status").empty());
    EXPECT_EQ(sub.received("apsecu/status").back().payload, "online");

    // State for the sensors: retained apsecu format per inverter, and plant totals.
    sink.on_cycle(make_report(two_views(0)));
    const auto state = sub.wait_for(1, "apsecu/inverter/408000158215");
    ASSERT_EQ(state.size(), 1U);
    EXPECT_EQ(json::parse(state[0].payload)["power_w"], 300.4);
    const auto ecu = sub.wait_for(1, "apsecu/ecu");
    ASSERT_EQ(ecu.size(), 1U);
    EXPECT_EQ(json::parse(ecu[0].payload)["inverters_answered"], 2);

    // Deleting the QS1 empties every config it could have had, and its state.
    sink.remove_inverter("801000012345");
    const auto after = sub.wait_for(50 + 28, "homeassistant/");
    ASSERT_EQ(after.size(), 78U);
    for (std::size_t i = 50; i < after.size(); ++i) {
      EXPECT_TRUE(after[i].payload.empty()) << after[i].topic;
      EXPECT_NE(after[i].topic.find("apsecu_801000012345"), std::string::npos) << after[i].topic;
    }
  }
  // A clean stop says "offline" itself.
  ASSERT_TRUE(eventually([&] { return sub.received("apsecu/status").back().payload == "offline"; }));
  // Retained: a Home Assistant starting later still finds the configs.
  Subscriber late(broker_->port(), {"homeassistant/sensor/apsecu_408000158215/#"});
  EXPECT_EQ(late.wait_for(18).size(), 18U);
  EXPECT_TRUE(late.received().at(0).retained);
}

TEST_F(MqttBroker, TheBrokerSaysOfflineWhenApsecuVanishes) {
  Subscriber sub(broker_->port(), {"apsecu/status"});
  ASSERT_TRUE(sub.ready());
  config::Mqtt s;
  s.host = "127.0.0.1";
  s.port = broker_->port();
  bool up = false;
  ConnectionEvents ev;
  ev.connected = [&] { up = true; };
  auto c = Connection::create(s, "vanishing", Message{"apsecu/status", "offline", 1, true}, ev);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->connect().ok());
  for (int i = 0; i < 50 && !up; ++i) ASSERT_TRUE((*c)->loop(std::chrono::milliseconds(20)).ok());
  ASSERT_TRUE(up);
  c->reset();  // no DISCONNECT: like a crash or a cut cable
  const auto got = sub.wait_for(1);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].payload, "offline");
}

}  // namespace
