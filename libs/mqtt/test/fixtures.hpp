// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Fake engine output built from fleet::InverterView data: no radio, no emulator.

#include <chrono>
#include <string>
#include <vector>

#include "apsecu/engine/engine.hpp"
#include "apsecu/fleet/fleet.hpp"
#include "apsecu/mqtt/format.hpp"

namespace apsecu::mqtt::test {

// 2026-06-21T10:05:00Z
inline util::WallTime sample_time(int minutes_later = 0) {
  return util::WallTime(std::chrono::seconds(1782036300) + std::chrono::minutes(minutes_later));
}

// A YC600 (2 inputs) or QS1 (4 inputs) reading: input i makes (i+1)*100 W + offset.
inline fleet::InverterView make_view(const std::string& serial, const std::string& model = "YC600", double offset_w = 0,
                                     util::WallTime t = sample_time()) {
  fleet::InverterView v;
  v.serial = serial;
  v.model = model;
  v.name = "Roof " + serial.substr(8);
  v.sample_time = t;
  aps::Telemetry tel;
  tel.temperature_c = 34.5;
  tel.frequency_hz = 50.0;
  tel.ac_voltage_v = 231.2;
  v.telemetry = tel;
  v.link_quality_pct = 76.5;
  const std::size_t n = model == "QS1" ? 4 : 2;
  for (std::size_t i = 0; i < n; ++i) {
    fleet::InputView in;
    in.power_w = 100.0 * static_cast<double>(i + 1) + offset_w + 0.2;
    in.dc_voltage_v = 39.2 + static_cast<double>(i) * 0.2;
    in.dc_current_a = in.power_w / *in.dc_voltage_v;
    in.today_wh = 600.3 + static_cast<double>(i) * 50;
    in.lifetime_wh = 60000.1 + static_cast<double>(i) * 1000;
    v.power_w += in.power_w;
    v.today_wh += in.today_wh;
    v.lifetime_wh += in.lifetime_wh;
    v.inputs.push_back(in);
  }
  return v;
}

// A cycle in which every view's inverter answered.
inline engine::CycleReport make_report(const std::vector<fleet::InverterView>& views, util::WallTime t = sample_time()) {
  engine::CycleReport r;
  r.time = t;
  r.day = 20260621;
  r.views = views;
  for (const auto& v : views) {
    engine::InverterPoll p;
    p.serial = *aps::Serial::parse(v.serial);
    p.time = t;
    p.result.outcome = engine::PollOutcome::Ok;
    p.result.telemetry = v.telemetry;
    p.result.link_quality_pct = v.link_quality_pct;
    p.applied = fleet::Applied{};
    r.polls.push_back(std::move(p));
  }
  return r;
}

inline InverterInfo make_info(const std::string& serial, std::optional<std::int64_t> idx, const std::string& model = "YC600") {
  InverterInfo i;
  i.serial = serial;
  i.name = "Roof " + serial.substr(8);
  i.model = model;
  i.domoticz_idx = idx;
  i.inputs_in_use.assign(model == "QS1" ? 4 : 2, true);
  return i;
}

}  // namespace apsecu::mqtt::test
