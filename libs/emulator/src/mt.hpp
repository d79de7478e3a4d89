// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The few MT frames the module sends, built byte by byte (protocol §2, §4, §5.1). The
// emulator writes its own builders instead of using the host's ZNP layer, so the two sides
// cannot share a bug.

#include <cstdint>

#include "apsecu/util/bytes.hpp"

namespace apsecu::emulator::mt {

// Subsystems (CMD0 bits 4..0) and the type bits the module answers with.
inline constexpr std::uint8_t kSys = 0x01;
inline constexpr std::uint8_t kAf = 0x04;
inline constexpr std::uint8_t kZdo = 0x05;
inline constexpr std::uint8_t kSapi = 0x06;
inline constexpr std::uint8_t kUtil = 0x07;
inline constexpr std::uint8_t kSrspType = 0x60;
inline constexpr std::uint8_t kAreqType = 0x40;

// Status codes of Z-Stack the emulator uses.
inline constexpr std::uint8_t kSuccess = 0x00;
inline constexpr std::uint8_t kInvalidParameter = 0x02;
inline constexpr std::uint8_t kDuplicateEntry = 0xB8;  // ZApsDuplicateEntry: endpoint registered twice
inline constexpr std::uint8_t kNwkInvalidRequest = 0xC2;
inline constexpr std::uint8_t kNwkNoRoute = 0xCD;
inline constexpr std::uint8_t kMacNoAck = 0xE9;

// Device states reported by ZDO_STATE_CHANGE_IND and UTIL_GET_DEVICE_INFO.
inline constexpr std::uint8_t kStateHold = 0x00;
inline constexpr std::uint8_t kStateCoordStarting = 0x08;
inline constexpr std::uint8_t kStateCoord = 0x09;

// SOF..FCS for CMD0 CMD1 DATA.
[[nodiscard]] util::Bytes frame(std::uint8_t cmd0, std::uint8_t cmd1, util::ByteView data = {});
[[nodiscard]] inline util::Bytes srsp(std::uint8_t subsystem, std::uint8_t cmd1, util::ByteView data = {}) {
  return frame(static_cast<std::uint8_t>(kSrspType | subsystem), cmd1, data);
}
[[nodiscard]] inline util::Bytes areq(std::uint8_t subsystem, std::uint8_t cmd1, util::ByteView data = {}) {
  return frame(static_cast<std::uint8_t>(kAreqType | subsystem), cmd1, data);
}

// SYS_RESET_IND as captured: reason 02, transport 02, product 02, version 2.7.2.
[[nodiscard]] util::Bytes reset_indication();
[[nodiscard]] util::Bytes state_change(std::uint8_t state);
[[nodiscard]] util::Bytes data_confirm(std::uint8_t status, std::uint8_t endpoint, std::uint8_t trans_id);
[[nodiscard]] util::Bytes source_route(std::uint16_t destination);
// RPC error for a command the module does not know: error 02 = unknown command id.
[[nodiscard]] util::Bytes rpc_error(std::uint8_t cmd0, std::uint8_t cmd1);

// AF_INCOMING_MSG in the Z-Stack 3.x layout with the MacSrcAddr/radius trailer.
struct IncomingMsg {
  std::uint16_t group_id = 0;
  std::uint16_t cluster_id = 0;
  std::uint16_t src_addr = 0;
  std::uint8_t src_endpoint = 0x14;
  std::uint8_t dst_endpoint = 0x14;
  bool was_broadcast = false;
  std::uint8_t link_quality = 0;
  std::uint32_t timestamp = 0;  // MAC timer, 320 µs backoff periods since boot
  std::uint8_t trans_seq = 0;   // 0 in every capture
  util::ByteView data;
  std::uint16_t mac_src_addr = 0;
  std::uint8_t radius = 0;
};
[[nodiscard]] util::Bytes incoming_msg(const IncomingMsg& m);

}  // namespace apsecu::emulator::mt
