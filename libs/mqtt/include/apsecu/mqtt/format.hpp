// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading payloads and their topics (docs/mqtt.md). Pure: no I/O, no clock; the sample time
// comes from the caller.
//
//   domoticz       {"idx":215,"nvalue":0,"svalue":"312.4;123456.7","sample_time":"…"}
//                  Domoticz "Electric (instant+counter)": power W ; a TOTAL counter in Wh, so
//                  the lifetime energy (today's would make Domoticz see a reset every night)
//   seed_arrays    {"serial","acv","freq","temp","pwr":[..],"en":[..],"totalpwr","totalen"}
//   seed_flat      {"serial","acv","freq","temp","pw0".."pwN","en0".."enN","totalpwr","totalen"}
//   seed_full      {"serial","acv","freq","temp","dcv":[..],"dcc":[..],"pw":[..],"en":[..]}
//   seed_channels  {"serial","acv","freq","temp","ch0":[dcv,dcc,pw,en],..}
//   apsecu         every value with its unit in the name, per input and totals
//
// The seed formats keep RPI-ECU v3.7's field names (protocol §8.3) so that automations
// written for it keep working; like the seed, `en` is today's energy per input in Wh and
// `totalen` its sum. Every format adds "sample_time" (UTC, ISO 8601): messages replayed
// after a broker outage arrive late and must say when they were measured.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apsecu/config/config.hpp"
#include "apsecu/fleet/fleet.hpp"
#include "apsecu/util/clock.hpp"

namespace apsecu::mqtt {

enum class Format : std::uint8_t { Domoticz, SeedArrays, SeedFlat, SeedFull, SeedChannels, Apsecu };

[[nodiscard]] std::optional<Format> parse_format(std::string_view name) noexcept;
[[nodiscard]] std::string_view format_name(Format f) noexcept;

// What the sink knows about an inverter beyond its readings (from the settings).
struct InverterInfo {
  std::string serial;
  std::string name;
  std::string model;  // "YC600", "QS1", "DS3"
  std::optional<std::int64_t> domoticz_idx;
  std::vector<bool> inputs_in_use;  // one entry per input of the model
  bool operator==(const InverterInfo&) const = default;
};

[[nodiscard]] InverterInfo inverter_info(const config::InverterConfig& c);
[[nodiscard]] std::vector<InverterInfo> inverter_infos(const std::vector<config::InverterConfig>& list);
// For an inverter the sink was not told about: what its view says (no Domoticz idx).
[[nodiscard]] InverterInfo inverter_info(const fleet::InverterView& v);

struct Message {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
  bool operator==(const Message&) const = default;
};

// Why a reading is published.
enum class Event : std::uint8_t {
  Poll,          // the inverter answered a poll
  WindowClosed,  // end of the poll window: power 0, energy kept
};

// `topic` itself, or with the Domoticz idx (the serial when there is none) appended when it
// ends in '/': one topic per inverter, as the seed did.
[[nodiscard]] std::string reading_topic(std::string_view topic, const InverterInfo& inv);

// One reading in the chosen format; nullopt when the format cannot carry it (Domoticz
// without an idx for this inverter).
[[nodiscard]] std::optional<std::string> format_reading(Format f, const fleet::InverterView& view,
                                                        const InverterInfo& inv, util::WallTime sample_time,
                                                        Event event = Event::Poll);

// The view as published when the poll window closes: power and DC current 0, energy kept,
// nothing measured (voltages, temperature, frequency, link quality unknown).
[[nodiscard]] fleet::InverterView closed_window_view(fleet::InverterView view);

// The plant's totals (the ECU device in Home Assistant).
[[nodiscard]] std::string format_ecu_state(const std::vector<fleet::InverterView>& views, std::size_t answered,
                                           util::WallTime sample_time, Event event = Event::Poll);

// "2026-06-21T10:05:00Z"
[[nodiscard]] std::string iso_time(util::WallTime t);

}  // namespace apsecu::mqtt
