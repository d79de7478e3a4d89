// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SYS subsystem.
//
//   SYS_PING       SREQ 21 01 | -                       SRSP 61 01 | Capabilities(2 LE)
//   SYS_RESET_REQ  AREQ 41 00 | Type(1)                  answered by SYS_RESET_IND
//   SYS_RESET_IND  AREQ 41 80 | Reason(1) TransportRev(1) ProductId(1) MajorRel(1) MinorRel(1) HwRev(1)

#include "apsecu/znp/msg_common.hpp"

namespace apsecu::znp {

struct SysPingRsp {
  static constexpr CommandKey kKey{unpi::Type::Srsp, unpi::Subsystem::Sys, 0x01};
  std::uint16_t capabilities = 0;  // bit per MT subsystem compiled into the image
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<SysPingRsp> decode(const unpi::Frame& f) noexcept;
};

struct SysPing {
  static constexpr CommandKey kKey{unpi::Type::Sreq, unpi::Subsystem::Sys, 0x01};
  using Response = SysPingRsp;
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<SysPing> decode(const unpi::Frame& f) noexcept;
};

struct SysResetReq {
  static constexpr CommandKey kKey{unpi::Type::Areq, unpi::Subsystem::Sys, 0x00};
  std::uint8_t type = 0;  // 0: reset the target (what every host sends), 1: serial bootloader
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<SysResetReq> decode(const unpi::Frame& f) noexcept;
};

struct SysResetInd {
  static constexpr CommandKey kKey{unpi::Type::Areq, unpi::Subsystem::Sys, 0x80};
  std::uint8_t reason = 0;  // 0 power-up, 1 external (RST pin), 2 watchdog (also SYS_RESET_REQ)
  std::uint8_t transport_rev = 0;
  std::uint8_t product_id = 0;
  std::uint8_t major_rel = 0;
  std::uint8_t minor_rel = 0;
  std::uint8_t hw_rev = 0;
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<SysResetInd> decode(const unpi::Frame& f) noexcept;
  bool operator==(const SysResetInd&) const = default;
};

}  // namespace apsecu::znp
