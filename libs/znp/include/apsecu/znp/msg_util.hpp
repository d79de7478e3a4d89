// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// UTIL subsystem.
//
//   UTIL_GET_DEVICE_INFO  SREQ 27 00 | -
//                         SRSP 67 00 | Status(1) IEEE(8) ShortAddr(2 LE) DeviceType(1) DeviceState(1)
//                                    | NumAssocDevices(1) AssocDevices(2 LE each)
//   UTIL_LOOPBACK         SREQ 27 10 | Data(n)      SRSP 67 10 | the same Data(n)

#include <vector>

#include "apsecu/util/bytes.hpp"
#include "apsecu/znp/msg_common.hpp"

namespace apsecu::znp {

struct UtilGetDeviceInfoRsp {
  static constexpr CommandKey kKey{unpi::Type::Srsp, unpi::Subsystem::Util, 0x00};
  std::uint8_t status = kStatusSuccess;
  Ieee ieee{};
  std::uint16_t short_addr = 0;
  std::uint8_t device_type = 0;  // capability bits: 1 coordinator, 2 router, 4 end device
  std::uint8_t device_state = 0;  // kDevZbCoord when running
  std::vector<std::uint16_t> assoc_devices;
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<UtilGetDeviceInfoRsp> decode(const unpi::Frame& f) noexcept;
  bool operator==(const UtilGetDeviceInfoRsp&) const = default;
};

struct UtilGetDeviceInfo {
  static constexpr CommandKey kKey{unpi::Type::Sreq, unpi::Subsystem::Util, 0x00};
  using Response = UtilGetDeviceInfoRsp;
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<UtilGetDeviceInfo> decode(const unpi::Frame& f) noexcept;
};

struct UtilLoopbackRsp {
  static constexpr CommandKey kKey{unpi::Type::Srsp, unpi::Subsystem::Util, 0x10};
  util::Bytes data;
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<UtilLoopbackRsp> decode(const unpi::Frame& f) noexcept;
};

// Proves the UART path works even when the radio stack is not running.
struct UtilLoopback {
  static constexpr CommandKey kKey{unpi::Type::Sreq, unpi::Subsystem::Util, 0x10};
  using Response = UtilLoopbackRsp;
  util::Bytes data;
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<UtilLoopback> decode(const unpi::Frame& f) noexcept;
};

}  // namespace apsecu::znp
