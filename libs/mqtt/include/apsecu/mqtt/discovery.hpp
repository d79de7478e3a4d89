// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// apsecu's own topics and Home Assistant MQTT discovery (docs/mqtt.md). Pure.
//
//   <base>/status                 "online" / "offline", retained; the last will says "offline"
//   <base>/cmd                    commands in (commands.hpp)
//   <base>/reply                  command outcomes
//   <base>/test                   the "send test message" action
//   <base>/inverter/<serial>      apsecu-format state of one inverter (retained), read by HA
//   <base>/ecu                    plant totals (retained), read by HA
//   <ha>/sensor/apsecu_<serial>/<object>/config      one retained config per sensor
//   <ha>/sensor/apsecu_ecu_<ecu id>/<object>/config  the ECU device's sensors
//
// Home Assistant needs JSON with named fields whatever reading format the user chose for
// the main topic, so the discovered sensors read the apsecu-format state topics above.

#include <string>
#include <string_view>
#include <vector>

#include "apsecu/mqtt/format.hpp"

namespace apsecu::mqtt {

struct DiscoveryContext {
  std::string ha_prefix = "homeassistant";
  std::string base_topic = "apsecu";
  std::string ecu_id;      // the ECU id (12 hex characters); names the ECU device
  std::string sw_version;  // apsecu's version, shown on the devices
};

inline constexpr std::string_view kOnline = "online";
inline constexpr std::string_view kOffline = "offline";
inline constexpr std::size_t kMaxInputs = 4;  // QS1; removal clears this many per inverter

[[nodiscard]] std::string status_topic(std::string_view base);
[[nodiscard]] std::string command_topic(std::string_view base);
[[nodiscard]] std::string reply_topic(std::string_view base);
[[nodiscard]] std::string test_topic(std::string_view base);
[[nodiscard]] std::string inverter_state_topic(std::string_view base, std::string_view serial);
[[nodiscard]] std::string ecu_state_topic(std::string_view base);
// Home Assistant announces itself here ("online") after a restart.
[[nodiscard]] std::string ha_status_topic(std::string_view ha_prefix);

// Retained config messages for one inverter: totals, AC side, link, and per input in use.
[[nodiscard]] std::vector<Message> inverter_discovery(const DiscoveryContext& ctx, const InverterInfo& inv);
// Empty retained payloads on every config topic an inverter with this serial could have:
// Home Assistant then deletes its entities.
[[nodiscard]] std::vector<Message> inverter_removal(const DiscoveryContext& ctx, std::string_view serial);
// Empty payloads for the config topics `before` had and `after` no longer has (an input
// taken out of use).
[[nodiscard]] std::vector<Message> discovery_changes_removal(const DiscoveryContext& ctx, const InverterInfo& before,
                                                             const InverterInfo& after);
[[nodiscard]] std::vector<Message> ecu_discovery(const DiscoveryContext& ctx);

}  // namespace apsecu::mqtt
