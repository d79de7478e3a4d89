// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One line per frame for logs, the journal and `apsecu console`:
//   "SRSP ZB_WRITE_CONFIGURATION status=0x00 (success)"
//   "AREQ AF_DATA_CONFIRM status=0xCD (nwk no route) ep=0x14 trans=1"
// Unknown commands and undecodable payloads are shown as raw hex, never dropped.

#include <string>

#include "apsecu/unpi/frame.hpp"

namespace apsecu::znp {

[[nodiscard]] std::string describe(const unpi::Frame& frame);

}  // namespace apsecu::znp
