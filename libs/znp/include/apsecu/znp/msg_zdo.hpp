// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// ZDO subsystem (module → host only).
//
//   ZDO_STATE_CHANGE_IND  AREQ 45 C0 | State(1)
//   ZDO_SRC_RTG_IND       AREQ 45 C4 | DstAddr(2 LE) RelayCount(1) RelayList(2 LE each)

#include <vector>

#include "apsecu/znp/msg_common.hpp"

namespace apsecu::znp {

struct ZdoStateChangeInd {
  static constexpr CommandKey kKey{unpi::Type::Areq, unpi::Subsystem::Zdo, 0xC0};
  std::uint8_t state = 0;  // kDevCoordStarting, then kDevZbCoord
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<ZdoStateChangeInd> decode(const unpi::Frame& f) noexcept;
};

// A route report; the hosts treat it as optional chatter between confirm and answer.
struct ZdoSrcRtgInd {
  static constexpr CommandKey kKey{unpi::Type::Areq, unpi::Subsystem::Zdo, 0xC4};
  std::uint16_t dst_addr = 0;
  std::vector<std::uint16_t> relays;
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<ZdoSrcRtgInd> decode(const unpi::Frame& f) noexcept;
  bool operator==(const ZdoSrcRtgInd&) const = default;
};

}  // namespace apsecu::znp
