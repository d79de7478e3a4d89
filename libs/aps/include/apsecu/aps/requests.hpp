// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Host -> inverter APS payloads (protocol §4.2, §4.4–4.7). These are the DATA of the
// AF_DATA_REQUEST(_EXT) frames; Zigbee addressing is the engine's business.
//
//   unicast / broadcast payload:  ecu_rev(6) | L2 frame (FB FB n cmd body ck FE FE)

#include <array>
#include <cstdint>
#include <optional>

#include "apsecu/aps/ids.hpp"
#include "apsecu/aps/model.hpp"
#include "apsecu/util/bytes.hpp"

namespace apsecu::aps {

inline constexpr std::uint8_t kEndpoint = 0x14;
inline constexpr std::uint16_t kProfileId = 0x0F05;
inline constexpr std::uint16_t kRequestCluster = 0x0006;   // poll, query, control
inline constexpr std::uint16_t kReplyCluster = 0x0106;     // telemetry and query answers
inline constexpr std::uint16_t kPairAnswerCluster = 0x0101;
inline constexpr std::uint8_t kUnicastTransId = 0x01;      // never incremented by any host
inline constexpr std::uint8_t kRadius = 0x0F;

[[nodiscard]] util::Bytes encode_poll(const EcuId& ecu);            // L2 06 BB 00x5, ck 00C1
[[nodiscard]] util::Bytes encode_query_parameters(const EcuId& ecu);  // L2 06 DE 00x5, ck 00E4
// Grid output on / off (OpenAPS codec/onoff.go, codec/opcodes.go; protocol §4.7): unicast,
// the same frame for every family. On = L2 06 C1 00x5 ck 00C7, off = 06 C2 00x5 ck 00C8.
// The frame the community sends as "reboot" (06 C1 00x5 with checksum 00A6) is the turn-on
// opcode with a checksum that fails the sum rule; no source knows a restart command.
[[nodiscard]] util::Bytes encode_set_output(const EcuId& ecu, bool on);
[[nodiscard]] util::Bytes encode_normal_operation(const EcuId& ecu);  // the full 30-byte broadcast

// The stock ECU's set_maxpower takes watts PER PANEL (per input) and refuses values outside
// 20..500 W (OpenAPS codec/limits.go, codec/setpower.go; RPI-APS-inverters #139 "per
// channel"). The inverter's own maximum is then limit × inputs.
inline constexpr double kMinLimitPerPanel_w = 20;
inline constexpr double kMaxLimitPerPanel_w = 500;
// Fails outside kMinLimitPerPanel_w..kMaxLimitPerPanel_w. `calibration_w` is added before
// scaling, as the ESP32-ECU does.
[[nodiscard]] util::Result<util::Bytes> encode_set_power_limit(const EcuId& ecu, Model model, double limit_per_panel_w,
                                                               double calibration_w = 0);

struct PairStep {
  std::uint16_t cluster;
  std::uint8_t trans_id;
  util::Bytes data;
};
// The four inter-PAN broadcasts of §4.4, in order.
[[nodiscard]] std::array<PairStep, 4> pairing_steps(const EcuId& ecu, const Serial& serial);

// True only for the inverter's own answer: data = FF FF or FF 1A + the serial. A DS3 sends
// FF 1A after step 2 and FF FF after step 3 (read-APSystems-YC600-QS1-DS3 #19).
[[nodiscard]] bool is_pairing_answer(util::ByteView data, const Serial& serial) noexcept;
// The serial of a pairing answer (FF FF / FF 1A + serial), for a reader that does not know
// which inverter is being paired.
[[nodiscard]] std::optional<Serial> pairing_answer_serial(util::ByteView data) noexcept;
// Which of our four pairing broadcasts (1..4) `data` on `cluster` is, when the module hears
// it back (relayed by a router, WasBroadcast 1; protocol §4.4); nullopt for anything else.
[[nodiscard]] std::optional<int> pairing_echo_step(std::uint16_t cluster, util::ByteView data) noexcept;
inline constexpr std::array<std::uint16_t, 4> kPairStepClusters{0x020D, 0x020C, 0x010F, 0x0101};

}  // namespace apsecu::aps
