// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Host -> inverter APS payloads (protocol §4.2, §4.4–4.7). These are the DATA of the
// AF_DATA_REQUEST(_EXT) frames; Zigbee addressing is the engine's business.
//
//   unicast / broadcast payload:  ecu_rev(6) | L2 frame (FB FB n cmd body ck FE FE)

#include <array>
#include <cstdint>

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
[[nodiscard]] util::Bytes encode_reboot(const EcuId& ecu);          // L2 06 C1 00x5, ck 00A6 (as captured)
// The reboot checksum is uncertain (protocol §4.6, §10): kadzsol's captured frame carries
// 00 A6, the sum rule gives 00 C7 (OpenAPS calls that frame "turn on").
enum class RebootChecksum : std::uint8_t { Captured, Computed };
[[nodiscard]] util::Bytes encode_reboot(const EcuId& ecu, RebootChecksum checksum);
[[nodiscard]] util::Bytes encode_normal_operation(const EcuId& ecu);  // the full 30-byte broadcast

// Power limit per inverter (the whole inverter, as the seed family does it). Fails outside
// 20..700 W. `calibration_w` is added before scaling, as in the seed.
[[nodiscard]] util::Result<util::Bytes> encode_set_power_limit(const EcuId& ecu, Model model, double limit_w,
                                                               double calibration_w = 0);

struct PairStep {
  std::uint16_t cluster;
  std::uint8_t trans_id;
  util::Bytes data;
};
// The four inter-PAN broadcasts of §4.4, in order.
[[nodiscard]] std::array<PairStep, 4> pairing_steps(const EcuId& ecu, const Serial& serial);

// True only for the inverter's own answer: data = 2 bytes + the serial (FF FF or FF 1A seen).
[[nodiscard]] bool is_pairing_answer(util::ByteView data, const Serial& serial) noexcept;

}  // namespace apsecu::aps
