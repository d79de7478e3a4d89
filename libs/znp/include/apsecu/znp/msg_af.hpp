// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// AF subsystem: endpoint registration and application data. The payload bytes are opaque
// here; what they mean is the aps layer's business.
//
//   AF_REGISTER          SREQ 24 00 | Endpoint(1) ProfileId(2) DeviceId(2) DeviceVer(1) Latency(1)
//                                   | InCount(1) InClusters(2 each) OutCount(1) OutClusters(2 each)
//   AF_DATA_REQUEST      SREQ 24 01 | DstAddr(2) DstEp(1) SrcEp(1) ClusterId(2) TransId(1)
//                                   | Options(1) Radius(1) Len(1) Data(Len)
//   AF_DATA_REQUEST_EXT  SREQ 24 02 | AddrMode(1) DstAddr(8) DstEp(1) DstPan(2) SrcEp(1) ClusterId(2)
//                                   | TransId(1) Options(1) Radius(1) Len(2) Data(Len)
//   (all three answered by SRSP 64 0x | Status(1))
//   AF_DATA_CONFIRM      AREQ 44 80 | Status(1) Endpoint(1) TransId(1)
//   AF_INCOMING_MSG      AREQ 44 81 | GroupId(2) ClusterId(2) SrcAddr(2) SrcEp(1) DstEp(1)
//                                   | WasBroadcast(1) LinkQuality(1) SecurityUse(1) TimeStamp(4)
//                                   | TransSeq(1) Len(1) Data(Len) [MacSrcAddr(2) Radius(1)]
// Multi-byte fields are little-endian.

#include <vector>

#include "apsecu/util/bytes.hpp"
#include "apsecu/znp/msg_common.hpp"

namespace apsecu::znp {

inline constexpr std::uint16_t kBroadcastAddr = 0xFFFF;  // all devices
inline constexpr std::uint8_t kAddrModeShort = 0x02;
inline constexpr std::uint8_t kAddrModeIeee = 0x03;
inline constexpr std::uint8_t kAddrModeBroadcast = 0x0F;

struct AfRegister {
  static constexpr CommandKey kKey{unpi::Type::Sreq, unpi::Subsystem::Af, 0x00};
  using Response = StatusRsp;
  std::uint8_t endpoint = 0;
  std::uint16_t profile_id = 0;
  std::uint16_t device_id = 0;
  std::uint8_t device_version = 0;
  std::uint8_t latency = 0;
  std::vector<std::uint16_t> in_clusters;
  std::vector<std::uint16_t> out_clusters;
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<AfRegister> decode(const unpi::Frame& f) noexcept;
  bool operator==(const AfRegister&) const = default;
};

struct AfDataRequest {
  static constexpr CommandKey kKey{unpi::Type::Sreq, unpi::Subsystem::Af, 0x01};
  using Response = StatusRsp;
  std::uint16_t dst_addr = 0;  // short address, or kBroadcastAddr
  std::uint8_t dst_endpoint = 0;
  std::uint8_t src_endpoint = 0;
  std::uint16_t cluster_id = 0;
  std::uint8_t trans_id = 0;  // echoed in AF_DATA_CONFIRM
  std::uint8_t options = 0;
  std::uint8_t radius = 0;
  util::Bytes data;  // at most 240 bytes fit in one frame
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<AfDataRequest> decode(const unpi::Frame& f) noexcept;
  bool operator==(const AfDataRequest&) const = default;
};

// Extended addressing; with dst_pan 0xFFFF and AddrMode broadcast it is an inter-PAN broadcast
// (how pairing reaches an inverter that belongs to no network yet).
struct AfDataRequestExt {
  static constexpr CommandKey kKey{unpi::Type::Sreq, unpi::Subsystem::Af, 0x02};
  using Response = StatusRsp;
  std::uint8_t addr_mode = kAddrModeBroadcast;
  std::array<std::uint8_t, 8> dst_addr{};  // wire order; FF x8 for broadcast
  std::uint8_t dst_endpoint = 0;
  std::uint16_t dst_pan = 0;
  std::uint8_t src_endpoint = 0;
  std::uint16_t cluster_id = 0;
  std::uint8_t trans_id = 0;
  std::uint8_t options = 0;
  std::uint8_t radius = 0;
  util::Bytes data;  // at most 230 bytes fit in one frame
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<AfDataRequestExt> decode(const unpi::Frame& f) noexcept;
  bool operator==(const AfDataRequestExt&) const = default;
};

struct AfDataConfirm {
  static constexpr CommandKey kKey{unpi::Type::Areq, unpi::Subsystem::Af, 0x80};
  std::uint8_t status = kStatusSuccess;  // kStatusNwkNoRoute / kStatusMacNoAck when unreachable
  std::uint8_t endpoint = 0;
  std::uint8_t trans_id = 0;
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<AfDataConfirm> decode(const unpi::Frame& f) noexcept;
  bool operator==(const AfDataConfirm&) const = default;
};

struct AfIncomingMsg {
  static constexpr CommandKey kKey{unpi::Type::Areq, unpi::Subsystem::Af, 0x81};
  std::uint16_t group_id = 0;
  std::uint16_t cluster_id = 0;
  std::uint16_t src_addr = 0;
  std::uint8_t src_endpoint = 0;
  std::uint8_t dst_endpoint = 0;
  std::uint8_t was_broadcast = 0;
  std::uint8_t link_quality = 0;  // 0..255
  // The seed family's "signal quality": LQI as a share of its 255 maximum.
  [[nodiscard]] double link_quality_pct() const noexcept { return link_quality * 100.0 / 255.0; }
  std::uint8_t security_use = 0;
  std::uint32_t timestamp = 0;
  std::uint8_t trans_seq = 0;
  util::Bytes data;
  // Z-Stack 3 appends these (undocumented by TI); older images do not.
  std::optional<std::uint16_t> mac_src_addr;  // the neighbour the frame came through
  std::optional<std::uint8_t> radius;
  [[nodiscard]] unpi::Frame encode() const;
  // nullopt when Len claims more data than the frame holds.
  [[nodiscard]] static std::optional<AfIncomingMsg> decode(const unpi::Frame& f) noexcept;
  bool operator==(const AfIncomingMsg&) const = default;
};

}  // namespace apsecu::znp
