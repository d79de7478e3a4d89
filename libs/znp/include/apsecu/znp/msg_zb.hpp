// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SAPI ("ZB") subsystem.
//
//   ZB_WRITE_CONFIGURATION  SREQ 26 05 | ConfigId(1) Len(1) Value(Len)    SRSP 66 05 | Status(1)
//   ZB_START_REQUEST        SREQ 26 00 | -                                SRSP 66 00 | - (no status)
//
// NV values are little-endian: PANID 0xA3D8 is written D8 A3, CHANLIST 0x00010000 is 00 00 01 00.

#include "apsecu/util/bytes.hpp"
#include "apsecu/znp/msg_common.hpp"

namespace apsecu::znp {

struct ZbWriteConfiguration {
  static constexpr CommandKey kKey{unpi::Type::Sreq, unpi::Subsystem::Sapi, 0x05};
  using Response = StatusRsp;
  std::uint8_t config_id = 0;
  util::Bytes value;

  [[nodiscard]] static ZbWriteConfiguration startup_option(std::uint8_t options);
  [[nodiscard]] static ZbWriteConfiguration ext_addr(const Ieee& ieee);
  [[nodiscard]] static ZbWriteConfiguration logical_type(std::uint8_t type);
  [[nodiscard]] static ZbWriteConfiguration pan_id(std::uint16_t pan);
  [[nodiscard]] static ZbWriteConfiguration chan_list(std::uint32_t mask);

  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<ZbWriteConfiguration> decode(const unpi::Frame& f) noexcept;
  bool operator==(const ZbWriteConfiguration&) const = default;
};

struct ZbStartRequestRsp {
  static constexpr CommandKey kKey{unpi::Type::Srsp, unpi::Subsystem::Sapi, 0x00};
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<ZbStartRequestRsp> decode(const unpi::Frame& f) noexcept;
};

// Starts the network; success shows as ZDO_STATE_CHANGE_IND state 9, not in the SRSP.
struct ZbStartRequest {
  static constexpr CommandKey kKey{unpi::Type::Sreq, unpi::Subsystem::Sapi, 0x00};
  using Response = ZbStartRequestRsp;
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<ZbStartRequest> decode(const unpi::Frame& f) noexcept;
};

}  // namespace apsecu::znp
