// SPDX-License-Identifier: GPL-3.0-or-later
// Home Assistant discovery messages, without a broker.
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "apsecu/mqtt/discovery.hpp"
#include "fixtures.hpp"

namespace {
using namespace apsecu::mqtt;
using namespace apsecu::mqtt::test;
using nlohmann::json;

DiscoveryContext context() { return DiscoveryContext{"homeassistant", "apsecu", "D8A3011B9780", "0.1.0"}; }

json config_of(const std::vector<Message>& ms, const std::string& topic) {
  for (const auto& m : ms) {
    if (m.topic == topic) return json::parse(m.payload);
  }
  ADD_FAILURE() << "no config on " << topic;
  return {};
}

TEST(MqttDiscovery, OwnTopicsHangUnderTheBase) {
  EXPECT_EQ(status_topic("apsecu"), "apsecu/status");
  EXPECT_EQ(command_topic("apsecu"), "apsecu/cmd");
  EXPECT_EQ(reply_topic("apsecu"), "apsecu/reply");
  EXPECT_EQ(inverter_state_topic("apsecu", "408000158215"), "apsecu/inverter/408000158215");
  EXPECT_EQ(ecu_state_topic("apsecu"), "apsecu/ecu");
}

TEST(MqttDiscovery, ADevicePerInverterWithSensorsPerInverterAndPerInput) {
  const auto ms = inverter_discovery(context(), make_info("408000158215", 1));
  EXPECT_EQ(ms.size(), 8U + 2U * 5U);
  std::set<std::string> ids;
  for (const auto& m : ms) {
    EXPECT_TRUE(m.retain) << m.topic;
    EXPECT_TRUE(m.topic.starts_with("homeassistant/sensor/apsecu_408000158215/")) << m.topic;
    EXPECT_TRUE(m.topic.ends_with("/config")) << m.topic;
    const auto j = json::parse(m.payload);
    EXPECT_TRUE(ids.insert(j["unique_id"].get<std::string>()).second) << "duplicate unique_id " << j["unique_id"];
    EXPECT_EQ(j["state_topic"], "apsecu/inverter/408000158215");
    EXPECT_EQ(j["availability"][0]["topic"], "apsecu/status");
    EXPECT_EQ(j["availability"][0]["payload_available"], "online");
    EXPECT_EQ(j["availability"][0]["payload_not_available"], "offline");
    EXPECT_EQ(j["device"]["identifiers"][0], "apsecu_408000158215");
    EXPECT_EQ(j["device"]["manufacturer"], "APsystems");
    EXPECT_EQ(j["device"]["model"], "YC600");
    EXPECT_EQ(j["device"]["via_device"], "apsecu_ecu_D8A3011B9780");
  }
  const auto power = config_of(ms, "homeassistant/sensor/apsecu_408000158215/power/config");
  EXPECT_EQ(power["device_class"], "power");
  EXPECT_EQ(power["state_class"], "measurement");
  EXPECT_EQ(power["unit_of_measurement"], "W");
  EXPECT_EQ(power["value_template"], "{{ value_json.power_w }}");
  EXPECT_EQ(power["unique_id"], "apsecu_408000158215_power");

  const auto lifetime = config_of(ms, "homeassistant/sensor/apsecu_408000158215/energy_lifetime/config");
  EXPECT_EQ(lifetime["device_class"], "energy");
  EXPECT_EQ(lifetime["state_class"], "total_increasing");
  EXPECT_EQ(lifetime["unit_of_measurement"], "Wh");

  const auto dcv = config_of(ms, "homeassistant/sensor/apsecu_408000158215/input2_dc_voltage/config");
  EXPECT_EQ(dcv["device_class"], "voltage");
  EXPECT_EQ(dcv["unit_of_measurement"], "V");
  EXPECT_EQ(dcv["value_template"], "{{ value_json.inputs[1].dc_voltage_v }}");
  EXPECT_EQ(dcv["name"], "Input 2 DC voltage");

  const auto today2 = config_of(ms, "homeassistant/sensor/apsecu_408000158215/input2_energy_today/config");
  EXPECT_EQ(today2["state_class"], "total_increasing");

  const auto temp = config_of(ms, "homeassistant/sensor/apsecu_408000158215/temperature/config");
  EXPECT_EQ(temp["device_class"], "temperature");
  EXPECT_EQ(temp["unit_of_measurement"], "°C");
  const auto lqi = config_of(ms, "homeassistant/sensor/apsecu_408000158215/link_quality/config");
  EXPECT_EQ(lqi["entity_category"], "diagnostic");
  EXPECT_EQ(lqi["unit_of_measurement"], "%");
}

TEST(MqttDiscovery, InputsOutOfUseGetNoSensors) {
  auto info = make_info("801000012345", 3, "QS1");
  info.inputs_in_use = {true, true, false, true};
  const auto ms = inverter_discovery(context(), info);
  EXPECT_EQ(ms.size(), 8U + 3U * 5U);
  for (const auto& m : ms) EXPECT_EQ(m.topic.find("input3_"), std::string::npos) << m.topic;
}

TEST(MqttDiscovery, RemovalEmptiesEveryConfigTheInverterCouldHave) {
  const auto add = inverter_discovery(context(), make_info("801000012345", 3, "QS1"));
  const auto gone = inverter_removal(context(), "801000012345");
  std::set<std::string> removed;
  for (const auto& m : gone) {
    EXPECT_TRUE(m.payload.empty());
    EXPECT_TRUE(m.retain);
    removed.insert(m.topic);
  }
  for (const auto& m : add) EXPECT_TRUE(removed.count(m.topic)) << m.topic;
}

TEST(MqttDiscovery, AnInputTakenOutOfUseLosesOnlyItsSensors) {
  const auto before = make_info("408000158215", 1);
  auto after = before;
  after.inputs_in_use[1] = false;
  const auto gone = discovery_changes_removal(context(), before, after);
  ASSERT_EQ(gone.size(), 5U);
  for (const auto& m : gone) EXPECT_NE(m.topic.find("/input2_"), std::string::npos) << m.topic;
  EXPECT_TRUE(discovery_changes_removal(context(), before, before).empty());
}

TEST(MqttDiscovery, TheEcuIsADeviceWithPlantTotals) {
  const auto ms = ecu_discovery(context());
  ASSERT_EQ(ms.size(), 4U);
  const auto energy = config_of(ms, "homeassistant/sensor/apsecu_ecu_D8A3011B9780/energy_lifetime/config");
  EXPECT_EQ(energy["state_topic"], "apsecu/ecu");
  EXPECT_EQ(energy["state_class"], "total_increasing");
  EXPECT_EQ(energy["device"]["identifiers"][0], "apsecu_ecu_D8A3011B9780");
  EXPECT_EQ(energy["device"]["sw_version"], "0.1.0");
  EXPECT_EQ(energy["availability"][0]["topic"], "apsecu/status");
}

}  // namespace
