// SPDX-License-Identifier: GPL-3.0-or-later
#include <cmath>

#include <gtest/gtest.h>

#include "apsecu/aps/telemetry.hpp"

namespace {
using namespace apsecu;

aps::RawTelemetry raw_for(aps::Model model) {
  aps::RawTelemetry raw;
  raw.model = model;
  raw.inputs.resize(aps::info(model).inputs);
  return raw;
}

TEST(ApsConversions, EnergyScales) {
  auto raw = raw_for(aps::Model::Yc600);
  raw.inputs[0].energy_raw = 0x017862E820;  // §6.1, the counter at P[42]
  EXPECT_NEAR(aps::to_physical(raw).inputs[0].energy_counter_wh, 96354 * 8.311 / 3600, 1e-9);
  aps::DecodeOptions openaps;
  openaps.energy_scale = aps::EnergyScale::OpenAps;
  EXPECT_NEAR(aps::to_physical(raw, openaps).inputs[0].energy_counter_wh, 0x017862E820 * 3.756e-8, 1e-9);
  aps::DecodeOptions calibrated;
  calibrated.energy_calibration = 1.1;
  EXPECT_NEAR(aps::to_physical(raw, calibrated).inputs[0].energy_counter_wh, 96354 * 8.311 / 3600 * 1.1, 1e-9);

  auto ds3 = raw_for(aps::Model::Ds3);
  ds3.inputs[1].energy_raw = 1'000'000;
  EXPECT_NEAR(aps::to_physical(ds3).inputs[1].energy_counter_wh, 16.6, 1e-9);
  EXPECT_NEAR(aps::to_physical(ds3, openaps).inputs[1].energy_counter_wh, 16.74, 1e-9);
}

TEST(ApsConversions, AnalogScales) {
  auto raw = raw_for(aps::Model::Ds3);
  raw.inputs[0] = {.dc_voltage_raw = 1800, .dc_current_raw = 400, .energy_raw = 0};
  raw.ac_voltage_raw = 874;
  const auto community = aps::to_physical(raw);
  EXPECT_NEAR(*community.inputs[0].dc_voltage_v, 37.5, 1e-9);
  EXPECT_NEAR(*community.inputs[0].dc_current_a, 5.0, 1e-9);
  EXPECT_NEAR(*community.ac_voltage_v, 230.0, 1e-9);
  aps::DecodeOptions openaps;
  openaps.analog_scale = aps::AnalogScale::OpenAps;
  const auto alt = aps::to_physical(raw, openaps);
  EXPECT_NEAR(*alt.inputs[0].dc_voltage_v, 36.0, 1e-9);
  EXPECT_NEAR(*alt.inputs[0].dc_current_a, 4.688, 1e-9);
  EXPECT_NEAR(*alt.ac_voltage_v, 234.232, 1e-9);

  auto yc = raw_for(aps::Model::Yc600);
  yc.ac_voltage_raw = 1174;
  EXPECT_NEAR(*aps::to_physical(yc, openaps).ac_voltage_v, 1174 / 1.32 / 4, 1e-9);
}

TEST(ApsConversions, ZeroFrequencyAndLowAcVoltageAreUnknown) {
  // The QS1 sometimes sends both as 0 (RPI-ECU v1_3); they must not become 50 Hz / 220 V.
  for (const auto& mi : aps::kModels) {
    auto raw = raw_for(mi.model);
    raw.frequency_raw = 0;
    raw.ac_voltage_raw = 0;
    const auto t = aps::to_physical(raw);
    EXPECT_FALSE(t.frequency_hz.has_value()) << mi.name;
    EXPECT_FALSE(t.ac_voltage_v.has_value()) << mi.name;
  }
  auto raw = raw_for(aps::Model::Qs1);
  raw.ac_voltage_raw = 53;  // 9.98 V
  EXPECT_FALSE(aps::to_physical(raw).ac_voltage_v.has_value());
  raw.ac_voltage_raw = 54;  // 10.17 V
  EXPECT_TRUE(aps::to_physical(raw).ac_voltage_v.has_value());
}

aps::PhysicalState typical(aps::Model model) {
  aps::PhysicalState s;
  s.serial = *aps::Serial::parse("408000158215");
  s.model = model;
  s.temperature_c = 31.5;
  s.frequency_hz = 49.98;
  s.ac_voltage_v = 231.4;
  s.uptime_s = 12345;
  s.ac_power_w = 512;
  for (std::size_t i = 0; i < aps::info(model).inputs; ++i) {
    s.inputs.push_back({.dc_voltage_v = 33.0 + static_cast<double>(i), .dc_current_a = 4.5 - static_cast<double>(i),
                        .energy_wh = 150.0 + 10.0 * static_cast<double>(i)});
  }
  return s;
}

TEST(ApsConversions, ToRawInvertsToPhysicalWithinOneStep) {
  for (const auto& mi : aps::kModels) {
    for (const auto energy : {aps::EnergyScale::Community, aps::EnergyScale::OpenAps}) {
      for (const auto analog : {aps::AnalogScale::Community, aps::AnalogScale::OpenAps}) {
        aps::DecodeOptions options;
        options.energy_scale = energy;
        options.analog_scale = analog;
        options.energy_calibration = 1.05;
        const auto state = typical(mi.model);
        const auto t = aps::to_physical(aps::to_raw(state, options), options);
        SCOPED_TRACE(std::string(mi.name));
        EXPECT_NEAR(*t.temperature_c, state.temperature_c, 0.15);
        EXPECT_NEAR(*t.frequency_hz, state.frequency_hz, 0.01);
        EXPECT_NEAR(*t.ac_voltage_v, state.ac_voltage_v, 0.3);
        EXPECT_EQ(t.uptime_s, state.uptime_s);
        ASSERT_EQ(t.inputs.size(), state.inputs.size());
        for (std::size_t i = 0; i < t.inputs.size(); ++i) {
          EXPECT_NEAR(*t.inputs[i].dc_voltage_v, state.inputs[i].dc_voltage_v, 0.02);
          EXPECT_NEAR(*t.inputs[i].dc_current_a, state.inputs[i].dc_current_a, 0.01);
          EXPECT_NEAR(t.inputs[i].energy_counter_wh, state.inputs[i].energy_wh, 0.005);
        }
      }
    }
  }
  EXPECT_EQ(aps::to_raw(typical(aps::Model::Ds3)).ac_power_w, 512);
  EXPECT_EQ(aps::to_raw(typical(aps::Model::Yc600)).ac_power_w, 0);  // no such field
}

TEST(ApsConversions, ToRawClampsToTheFieldRange) {
  auto s = typical(aps::Model::Yc600);
  s.inputs[0] = {.dc_voltage_v = 500, .dc_current_a = -3, .energy_wh = 1e12};
  s.inputs[1] = {.dc_voltage_v = std::nan(""), .dc_current_a = 1e9, .energy_wh = -5};
  s.frequency_hz = 0;
  s.ac_voltage_v = -10;
  s.temperature_c = -300;
  const auto raw = aps::to_raw(s);
  EXPECT_EQ(raw.inputs[0].dc_voltage_raw, 0x0FFF);
  EXPECT_EQ(raw.inputs[0].dc_current_raw, 0);
  EXPECT_EQ(raw.inputs[0].energy_raw, std::uint64_t{0xFFFFFF} << 16);
  EXPECT_EQ(raw.inputs[1].dc_voltage_raw, 0);
  EXPECT_EQ(raw.inputs[1].dc_current_raw, 0x0FFF);
  EXPECT_EQ(raw.inputs[1].energy_raw, 0U);
  EXPECT_EQ(raw.frequency_raw, 0U);
  EXPECT_EQ(raw.ac_voltage_raw, 0);
  EXPECT_EQ(raw.temperature_raw, 0);

  auto q = typical(aps::Model::Qs1);
  q.uptime_s = 100000;
  q.inputs.resize(1);  // missing inputs read as zero
  const auto qraw = aps::to_raw(q);
  EXPECT_EQ(qraw.uptime_s, 0xFFFFU);
  ASSERT_EQ(qraw.inputs.size(), 4U);
  EXPECT_EQ(qraw.inputs[3].dc_voltage_raw, 0);
  EXPECT_EQ(aps::to_raw(typical(aps::Model::Yc600)).uptime_s, 12345U);
}

}  // namespace
