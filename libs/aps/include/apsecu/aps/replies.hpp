// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Inverter -> host answers other than telemetry (protocol §4.7): the parameter page that a DE
// query returns, and the answer to a set command. Payload = serial(6) + L2 frame.
//
//   set accepted, DS3   FB FB 06 DE 02 00 00 00 00 00 00 FE FE   (ESP32-read-APS-inverters #34,
//   set refused,  DS3   FB FB 06 DF 00 03 00 00 00 00 00 FE FE    an ECU-C sniff; DE pass, DF
//   set, YC600/QS1      the whole DE parameter page FB FB 4D DE … fail: OpenAPS codec/opcodes.go)
//
// Both acknowledgements carry 00 00 in the checksum position ("not computed", §4.6). The
// meaning of the status bytes after DE / DF (02 …, 00 03 …) is not known; they are kept.

#include <array>
#include <cstdint>
#include <optional>

#include "apsecu/aps/ids.hpp"
#include "apsecu/aps/model.hpp"
#include "apsecu/util/bytes.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::aps {

// A DE parameter page: the programmed power limit, in watts per panel.
struct Parameters {
  Serial serial;
  Model model = Model::Yc600;
  double limit_per_panel_w = 0;
};
// `model` is the configured one when known; otherwise the page says DS3 (DD DE …) or the
// YC600/QS1 family (DE, 90 bytes), and the serial's prefix tells QS1 (80…) from YC600.
[[nodiscard]] util::Result<Parameters> decode_parameters(util::ByteView payload,
                                                         std::optional<Model> model = std::nullopt) noexcept;

struct SetReply {
  Serial serial;
  bool accepted = false;
  std::array<std::uint8_t, 2> status{};     // the two bytes after DE / DF in an acknowledgement
  std::optional<double> limit_per_panel_w;  // when the answer is the whole parameter page
};
// What the inverter answered to a set command. Errors: not an L2 frame, an opcode that is not
// an answer to a set (a telemetry reply, say), or a checksum that is neither the sum nor 00 00.
[[nodiscard]] util::Result<SetReply> decode_set_reply(util::ByteView payload) noexcept;
// The DS3 acknowledgements as captured (emulator, tests).
[[nodiscard]] util::Bytes encode_set_ack(const Serial& serial, bool accepted);

}  // namespace apsecu::aps
