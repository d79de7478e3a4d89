// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The ZNP commands apsecu uses, as one declarative table: how a frame is named in logs and
// in the console, and how long to wait for it by default. The typed payloads live in the
// msg_*.hpp headers; docs/protocol/unpi-znp.md has the byte maps.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "apsecu/unpi/frame.hpp"

namespace apsecu::znp {

// What identifies a frame: type bits of CMD0, subsystem, CMD1.
struct CommandKey {
  unpi::Type type = unpi::Type::Sreq;
  unpi::Subsystem subsystem = unpi::Subsystem::Sys;
  std::uint8_t id = 0;

  [[nodiscard]] constexpr bool matches(const unpi::Frame& f) const noexcept {
    return f.type == type && f.subsystem == subsystem && f.command == id;
  }
  // The SRSP that answers this SREQ.
  [[nodiscard]] constexpr CommandKey response() const noexcept { return {unpi::Type::Srsp, subsystem, id}; }
  constexpr bool operator==(const CommandKey&) const = default;
};

[[nodiscard]] constexpr CommandKey key_of(const unpi::Frame& f) noexcept { return {f.type, f.subsystem, f.command}; }

struct CommandInfo {
  CommandKey key;
  std::string_view name;
  // SREQ: time allowed for its SRSP. Host AREQ: time for the indication it triggers.
  // Module AREQ: how long a caller waits for it by default. 0 for SRSP rows.
  std::chrono::milliseconds timeout;
};

namespace detail {
using unpi::Subsystem;
using unpi::Type;
using std::chrono::milliseconds;
}  // namespace detail

// Protocol §2. Timeouts: measured SRSPs take 10..20 ms (SYS_RESET ~0.5 s, ZB_START ~1 s), so
// 2 s is generous; the reset indication may take seconds after a hard reset and state 9
// arrives 2..3 s after ZB_START.
inline constexpr std::array<CommandInfo, 23> kCommands = {{
    {{detail::Type::Sreq, detail::Subsystem::Sys, 0x01}, "SYS_PING", detail::milliseconds{1000}},
    {{detail::Type::Srsp, detail::Subsystem::Sys, 0x01}, "SYS_PING", detail::milliseconds{0}},
    {{detail::Type::Areq, detail::Subsystem::Sys, 0x00}, "SYS_RESET_REQ", detail::milliseconds{5000}},
    {{detail::Type::Areq, detail::Subsystem::Sys, 0x80}, "SYS_RESET_IND", detail::milliseconds{5000}},
    {{detail::Type::Sreq, detail::Subsystem::Util, 0x00}, "UTIL_GET_DEVICE_INFO", detail::milliseconds{2000}},
    {{detail::Type::Srsp, detail::Subsystem::Util, 0x00}, "UTIL_GET_DEVICE_INFO", detail::milliseconds{0}},
    {{detail::Type::Sreq, detail::Subsystem::Util, 0x10}, "UTIL_LOOPBACK", detail::milliseconds{2000}},
    {{detail::Type::Srsp, detail::Subsystem::Util, 0x10}, "UTIL_LOOPBACK", detail::milliseconds{0}},
    {{detail::Type::Sreq, detail::Subsystem::Sapi, 0x05}, "ZB_WRITE_CONFIGURATION", detail::milliseconds{2000}},
    {{detail::Type::Srsp, detail::Subsystem::Sapi, 0x05}, "ZB_WRITE_CONFIGURATION", detail::milliseconds{0}},
    {{detail::Type::Sreq, detail::Subsystem::Sapi, 0x00}, "ZB_START_REQUEST", detail::milliseconds{3000}},
    {{detail::Type::Srsp, detail::Subsystem::Sapi, 0x00}, "ZB_START_REQUEST", detail::milliseconds{0}},
    {{detail::Type::Sreq, detail::Subsystem::Af, 0x00}, "AF_REGISTER", detail::milliseconds{2000}},
    {{detail::Type::Srsp, detail::Subsystem::Af, 0x00}, "AF_REGISTER", detail::milliseconds{0}},
    {{detail::Type::Sreq, detail::Subsystem::Af, 0x01}, "AF_DATA_REQUEST", detail::milliseconds{2000}},
    {{detail::Type::Srsp, detail::Subsystem::Af, 0x01}, "AF_DATA_REQUEST", detail::milliseconds{0}},
    {{detail::Type::Sreq, detail::Subsystem::Af, 0x02}, "AF_DATA_REQUEST_EXT", detail::milliseconds{2000}},
    {{detail::Type::Srsp, detail::Subsystem::Af, 0x02}, "AF_DATA_REQUEST_EXT", detail::milliseconds{0}},
    {{detail::Type::Areq, detail::Subsystem::Af, 0x80}, "AF_DATA_CONFIRM", detail::milliseconds{5000}},
    {{detail::Type::Areq, detail::Subsystem::Af, 0x81}, "AF_INCOMING_MSG", detail::milliseconds{3000}},
    {{detail::Type::Areq, detail::Subsystem::Zdo, 0xC0}, "ZDO_STATE_CHANGE_IND", detail::milliseconds{10000}},
    {{detail::Type::Areq, detail::Subsystem::Zdo, 0xC4}, "ZDO_SRC_RTG_IND", detail::milliseconds{3000}},
    // The module's answer to an SREQ it cannot parse or does not implement.
    {{detail::Type::Srsp, detail::Subsystem::Rpc, 0x00}, "RPC_ERROR", detail::milliseconds{0}},
}};

[[nodiscard]] constexpr const CommandInfo* find_command(const CommandKey& key) noexcept {
  for (const auto& c : kCommands) {
    if (c.key == key) return &c;
  }
  return nullptr;
}

// "ZB_START_REQUEST", or "SYS_0x02" for commands outside the table.
[[nodiscard]] std::string command_name(const CommandKey& key);
[[nodiscard]] inline std::string command_name(const unpi::Frame& f) { return command_name(key_of(f)); }

// The table timeout, or `fallback` for unknown commands and SRSP rows.
[[nodiscard]] std::chrono::milliseconds default_timeout(const CommandKey& key,
                                                        std::chrono::milliseconds fallback = std::chrono::milliseconds{2000});

// Z-Stack status byte (SRSP status, AF_DATA_CONFIRM status).
inline constexpr std::uint8_t kStatusSuccess = 0x00;
inline constexpr std::uint8_t kStatusNwkNoRoute = 0xCD;  // inverter asleep or out of range
inline constexpr std::uint8_t kStatusMacNoAck = 0xE9;
inline constexpr std::uint8_t kStatusInvalidParameter = 0x02;  // AF_DATA_REQUEST from an unregistered endpoint
inline constexpr std::uint8_t kStatusDuplicateEntry = 0xB8;     // AF_REGISTER of an endpoint already registered
// "failure", "nwk no route", ...; "unknown" for codes outside the short list.
[[nodiscard]] std::string_view status_name(std::uint8_t status) noexcept;

// ZDO device states (ZDO_STATE_CHANGE_IND, UTIL_GET_DEVICE_INFO).
inline constexpr std::uint8_t kDevHold = 0x00;
inline constexpr std::uint8_t kDevCoordStarting = 0x08;
inline constexpr std::uint8_t kDevZbCoord = 0x09;  // running as coordinator: the only "up" state
[[nodiscard]] std::string_view device_state_name(std::uint8_t state) noexcept;

// NV items written with ZB_WRITE_CONFIGURATION.
inline constexpr std::uint8_t kNvExtAddr = 0x01;
inline constexpr std::uint8_t kNvStartupOption = 0x03;
inline constexpr std::uint8_t kNvPanId = 0x83;
inline constexpr std::uint8_t kNvChanList = 0x84;
inline constexpr std::uint8_t kNvLogicalType = 0x87;
inline constexpr std::uint8_t kNvZdoDirectCb = 0x8F;
// STARTUP_OPTION bits: clear the network state and the NV configuration at the next reset.
inline constexpr std::uint8_t kStartupClearConfig = 0x01;
inline constexpr std::uint8_t kStartupClearState = 0x02;
inline constexpr std::uint8_t kLogicalTypeCoordinator = 0x00;
[[nodiscard]] std::string_view nv_name(std::uint8_t config_id) noexcept;

}  // namespace apsecu::znp
