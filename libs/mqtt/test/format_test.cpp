// SPDX-License-Identifier: GPL-3.0-or-later
// Reading payloads and topics, without a broker.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apsecu/mqtt/format.hpp"
#include "fixtures.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::mqtt;
using namespace apsecu::mqtt::test;
using nlohmann::json;

const std::string kSerial = "408000158215";

TEST(MqttFormat, NamesRoundTripForEveryFormatTheSettingsAccept) {
  for (const auto* name : {"domoticz", "seed_arrays", "seed_flat", "seed_full", "seed_channels", "apsecu"}) {
    const auto f = parse_format(name);
    ASSERT_TRUE(f.has_value()) << name;
    EXPECT_EQ(format_name(*f), name);
  }
  EXPECT_FALSE(parse_format("influx").has_value());
}

TEST(MqttFormat, IsoTimeIsUtcToTheSecond) {
  EXPECT_EQ(iso_time(sample_time()), "2026-06-21T10:05:00Z");
  EXPECT_EQ(iso_time(util::WallTime{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso_time(sample_time() + std::chrono::milliseconds(999)), "2026-06-21T10:05:00Z");
}

TEST(MqttFormat, DomoticzCarriesPowerAndTheLifetimeCounter) {
  const auto p = format_reading(Format::Domoticz, make_view(kSerial), make_info(kSerial, 215), sample_time());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p, R"({"idx":215,"nvalue":0,"svalue":"300.4;121000.2","sample_time":"2026-06-21T10:05:00Z"})");
}

TEST(MqttFormat, DomoticzNeedsAnIdx) {
  EXPECT_FALSE(format_reading(Format::Domoticz, make_view(kSerial), make_info(kSerial, std::nullopt), sample_time()));
}

TEST(MqttFormat, SeedArraysKeepsTheSeedFieldNames) {
  const auto p = format_reading(Format::SeedArrays, make_view(kSerial), make_info(kSerial, 1), sample_time());
  EXPECT_EQ(*p,
            R"({"serial":"408000158215","acv":231.2,"freq":50.0,"temp":34.5,"pwr":[100.2,200.2],"en":[600.3,650.3],)"
            R"("totalpwr":300.4,"totalen":1250.6,"sample_time":"2026-06-21T10:05:00Z"})");
}

TEST(MqttFormat, SeedFlatNumbersEveryInputOfAQs1) {
  const auto p = format_reading(Format::SeedFlat, make_view("801000012345", "QS1"), make_info("801000012345", 3, "QS1"),
                                sample_time());
  const auto j = json::parse(*p);
  for (const auto* k : {"serial", "acv", "freq", "temp", "pw0", "pw1", "pw2", "pw3", "en0", "en1", "en2", "en3",
                        "totalpwr", "totalen", "sample_time"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_DOUBLE_EQ(j["pw3"].get<double>(), 400.2);
  EXPECT_DOUBLE_EQ(j["en3"].get<double>(), 750.3);
  EXPECT_FALSE(j.contains("pw4"));
}

TEST(MqttFormat, SeedFullHasDcArraysAndNoTotals) {
  const auto p = format_reading(Format::SeedFull, make_view(kSerial), make_info(kSerial, 1), sample_time());
  EXPECT_EQ(*p,
            R"({"serial":"408000158215","acv":231.2,"freq":50.0,"temp":34.5,"dcv":[39.2,39.4],"dcc":[2.56,5.08],)"
            R"("pw":[100.2,200.2],"en":[600.3,650.3],"sample_time":"2026-06-21T10:05:00Z"})");
}

TEST(MqttFormat, SeedChannelsGroupsEachInput) {
  const auto p = format_reading(Format::SeedChannels, make_view(kSerial), make_info(kSerial, 1), sample_time());
  EXPECT_EQ(*p, R"({"serial":"408000158215","acv":231.2,"freq":50.0,"temp":34.5,"ch0":[39.2,2.56,100.2,600.3],)"
                R"("ch1":[39.4,5.08,200.2,650.3],"sample_time":"2026-06-21T10:05:00Z"})");
}

TEST(MqttFormat, ApsecuNamesEveryValueWithItsUnit) {
  const auto p = format_reading(Format::Apsecu, make_view(kSerial), make_info(kSerial, 1), sample_time());
  const auto j = json::parse(*p);
  EXPECT_EQ(j["serial"], kSerial);
  EXPECT_EQ(j["model"], "YC600");
  EXPECT_EQ(j["event"], "poll");
  EXPECT_EQ(j["sample_time"], "2026-06-21T10:05:00Z");
  EXPECT_EQ(j["sample_time_unix_s"], 1782036300);
  EXPECT_DOUBLE_EQ(j["power_w"].get<double>(), 300.4);
  EXPECT_DOUBLE_EQ(j["energy_today_wh"].get<double>(), 1250.6);
  EXPECT_DOUBLE_EQ(j["energy_lifetime_wh"].get<double>(), 121000.2);
  EXPECT_DOUBLE_EQ(j["ac_voltage_v"].get<double>(), 231.2);
  EXPECT_DOUBLE_EQ(j["frequency_hz"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(j["temperature_c"].get<double>(), 34.5);
  EXPECT_DOUBLE_EQ(j["link_quality_pct"].get<double>(), 76.5);
  ASSERT_EQ(j["inputs"].size(), 2U);
  EXPECT_EQ(j["inputs"][1]["input"], 2);
  EXPECT_DOUBLE_EQ(j["inputs"][1]["power_w"].get<double>(), 200.2);
  EXPECT_DOUBLE_EQ(j["inputs"][1]["dc_voltage_v"].get<double>(), 39.4);
  EXPECT_DOUBLE_EQ(j["inputs"][1]["dc_current_a"].get<double>(), 5.08);
  EXPECT_DOUBLE_EQ(j["inputs"][1]["energy_today_wh"].get<double>(), 650.3);
  EXPECT_DOUBLE_EQ(j["inputs"][1]["energy_lifetime_wh"].get<double>(), 61000.1);

  // Every number is named with its unit (the input's ordinal excepted).
  const std::vector<std::string> units{"_w", "_wh", "_v", "_a", "_hz", "_c", "_pct", "_unix_s"};
  auto has_unit = [&](const std::string& k) {
    return std::any_of(units.begin(), units.end(), [&](const std::string& u) { return k.ends_with(u); });
  };
  for (const auto& [k, v] : j.items()) {
    if (v.is_number()) {
      EXPECT_TRUE(has_unit(k)) << k;
    }
  }
  for (const auto& [k, v] : j["inputs"][0].items()) {
    if (v.is_number() && k != "input") {
      EXPECT_TRUE(has_unit(k)) << k;
    }
  }
}

TEST(MqttFormat, ClosedWindowIsPowerZeroEnergyKept) {
  const auto night = closed_window_view(make_view(kSerial));
  const auto j = json::parse(
      *format_reading(Format::Apsecu, night, make_info(kSerial, 1), sample_time(600), Event::WindowClosed));
  EXPECT_EQ(j["event"], "window_closed");
  EXPECT_EQ(j["power_w"], 0.0);
  EXPECT_DOUBLE_EQ(j["energy_lifetime_wh"].get<double>(), 121000.2);
  EXPECT_TRUE(j["ac_voltage_v"].is_null());  // nothing measured: "unknown" in Home Assistant
  EXPECT_TRUE(j["inputs"][0]["dc_voltage_v"].is_null());
  EXPECT_EQ(j["inputs"][0]["dc_current_a"], 0.0);

  // The seed zeroed everything but the energy, and so do its formats.
  EXPECT_EQ(*format_reading(Format::SeedFull, night, make_info(kSerial, 1), sample_time(600)),
            R"({"serial":"408000158215","acv":0.0,"freq":0.0,"temp":0.0,"dcv":[0.0,0.0],"dcc":[0.0,0.0],)"
            R"("pw":[0.0,0.0],"en":[600.3,650.3],"sample_time":"2026-06-21T20:05:00Z"})");
  EXPECT_EQ(*format_reading(Format::Domoticz, night, make_info(kSerial, 7), sample_time(600)),
            R"({"idx":7,"nvalue":0,"svalue":"0.0;121000.2","sample_time":"2026-06-21T20:05:00Z"})");
}

TEST(MqttFormat, TopicPerInverterWhenTheTopicEndsInASlash) {
  EXPECT_EQ(reading_topic("domoticz/in", make_info(kSerial, 215)), "domoticz/in");
  EXPECT_EQ(reading_topic("rpiecu/out/", make_info(kSerial, 215)), "rpiecu/out/215");
  EXPECT_EQ(reading_topic("rpiecu/out/", make_info(kSerial, std::nullopt)), "rpiecu/out/408000158215");
}

TEST(MqttFormat, InfoFromTheSettingsHasOneEntryPerInputOfTheModel) {
  config::InverterConfig c;
  c.serial = "801000012345";
  c.model = "QS1";
  c.name = "Garage";
  c.domoticz_idx = 3;
  c.inputs_in_use = {true, false};
  const auto i = inverter_info(c);
  EXPECT_EQ(i.inputs_in_use, (std::vector<bool>{true, false, true, true}));
  EXPECT_EQ(i.domoticz_idx, 3);
  c.inputs_in_use.clear();
  c.model = "DS3";
  EXPECT_EQ(inverter_info(c).inputs_in_use, (std::vector<bool>{true, true}));
}

TEST(MqttFormat, EcuStateSumsThePlant) {
  const auto j = json::parse(format_ecu_state({make_view(kSerial), make_view("801000012345", "QS1")}, 2, sample_time()));
  EXPECT_DOUBLE_EQ(j["power_w"].get<double>(), 300.4 + 1000.8);
  EXPECT_EQ(j["inverters"], 2);
  EXPECT_EQ(j["inverters_answered"], 2);
  EXPECT_EQ(j["sample_time"], "2026-06-21T10:05:00Z");
}

}  // namespace
