// SPDX-License-Identifier: GPL-3.0-or-later
// Host -> inverter APS payloads (protocol §4.2, §4.4, §4.5, §4.7).
//
// Unicast / broadcast payload (AF_DATA_REQUEST data):
//   offset 0 .. 5     6  7   8   9     10 ..          ..    ..
//        +---------+--+--+---+-----+-------------+------+------+
//        | ecu_rev |FB|FB| n | cmd | body        | ck   | FE FE|
//        +---------+--+--+---+-----+-------------+------+------+
//   poll          06 BB 00 00 00 00 00                 00 C1
//   query (DE)    06 DE 00 00 00 00 00                 00 E4
//   reboot        06 C1 00 00 00 00 00                 00 A6 (captured; the sum would be 00 C7)
//   set limit     06 1C 8C 02 HH LL 00                 sum      YC600 / QS1
//                 06 AA 27 00 00 HH LL                 sum      DS3
//   normal-op     11 00 00 0D 60 30 FB D3 00x8 04 01   02 81
//
// Pairing payloads (AF_DATA_REQUEST_EXT data, inter-PAN broadcast):
//   step cluster  trans  data
//   1    0x020D   0      serial(6) FF FF 10 FF FF ecu_rev(6)
//   2    0x020C   1      serial(6)
//   3    0x010F   2      serial(6) PAN_hi PAN_lo 10 FF FF ecu_rev(6)
//   4    0x0101   3      ecu_rev(6)
// The inverter's answer (cluster 0x0101): xx xx serial(6), xx xx = FF FF or FF 1A.
#include "apsecu/aps/requests.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "apsecu/aps/l2.hpp"

namespace apsecu::aps {
namespace {

constexpr std::uint8_t kCmdPoll = 0xBB;
constexpr std::uint8_t kCmdQueryParameters = 0xDE;
constexpr std::uint8_t kCmdReboot = 0xC1;
constexpr std::uint8_t kCmdNormalOperation = 0x00;
constexpr std::uint16_t kRebootChecksumCaptured = 0x00A6;
constexpr std::array<std::uint8_t, 5> kEmptyBody{};
constexpr std::array<std::uint8_t, 16> kNormalOperationBody{0x00, 0x0D, 0x60, 0x30, 0xFB, 0xD3, 0x00, 0x00,
                                                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01};

constexpr double kMinPowerLimitW = 20;
constexpr double kMaxPowerLimitW = 700;

// Where the two set-power families put the scaled limit (protocol §4.7).
struct SetPowerLayout {
  Model model;
  std::uint8_t cmd;
  std::array<std::uint8_t, 5> body;  // template; the limit goes at value_at (BE u16)
  std::size_t value_at;
};

constexpr std::array<SetPowerLayout, 3> kSetPowerLayouts{{
    {.model = Model::Yc600, .cmd = 0x1C, .body = {0x8C, 0x02, 0x00, 0x00, 0x00}, .value_at = 2},
    {.model = Model::Qs1, .cmd = 0x1C, .body = {0x8C, 0x02, 0x00, 0x00, 0x00}, .value_at = 2},
    {.model = Model::Ds3, .cmd = 0xAA, .body = {0x27, 0x00, 0x00, 0x00, 0x00}, .value_at = 3},
}};

constexpr std::uint8_t kPairFiller = 0xFF;
constexpr std::uint8_t kPairMarker = 0x10;
constexpr std::size_t kPairAnswerSize = 8;
constexpr std::size_t kPairAnswerSerialAt = 2;

enum class PairStepIndex : std::uint8_t { Announce, Call, Join, Confirm };
constexpr std::array<std::uint16_t, 4> kPairClusters{0x020D, 0x020C, 0x010F, 0x0101};

util::Bytes with_ecu(const EcuId& ecu, const util::Bytes& l2) {
  const auto rev = ecu.reversed();
  util::Bytes out(rev.begin(), rev.end());
  out.insert(out.end(), l2.begin(), l2.end());
  return out;
}

const SetPowerLayout& set_power_layout(Model m) noexcept {
  for (const auto& layout : kSetPowerLayouts) {
    if (layout.model == m) return layout;
  }
  return kSetPowerLayouts.front();
}

}  // namespace

util::Bytes encode_poll(const EcuId& ecu) { return with_ecu(ecu, encode_l2(kCmdPoll, kEmptyBody)); }

util::Bytes encode_query_parameters(const EcuId& ecu) {
  return with_ecu(ecu, encode_l2(kCmdQueryParameters, kEmptyBody));
}

util::Bytes encode_reboot(const EcuId& ecu) { return encode_reboot(ecu, RebootChecksum::Captured); }

util::Bytes encode_reboot(const EcuId& ecu, RebootChecksum checksum) {
  if (checksum == RebootChecksum::Computed) return with_ecu(ecu, encode_l2(kCmdReboot, kEmptyBody));
  return with_ecu(ecu, encode_l2(kCmdReboot, kEmptyBody, kRebootChecksumCaptured));
}

util::Bytes encode_normal_operation(const EcuId& ecu) {
  return with_ecu(ecu, encode_l2(kCmdNormalOperation, kNormalOperationBody));
}

util::Result<util::Bytes> encode_set_power_limit(const EcuId& ecu, Model model, double limit_w,
                                                 double calibration_w) {
  // Written as a negated range test so that NaN is rejected too.
  if (!(limit_w >= kMinPowerLimitW && limit_w <= kMaxPowerLimitW)) {
    return util::make_error(Errc::OutOfRange,
                            fmt::format("power limit {} W is outside {}..{} W", limit_w, kMinPowerLimitW,
                                        kMaxPowerLimitW));
  }
  const double scaled = std::round((limit_w + calibration_w) * info(model).power_limit_scale);
  if (!(scaled >= 0 && scaled <= 0xFFFF)) {
    return util::make_error(Errc::OutOfRange,
                            fmt::format("power limit {} W with calibration {} W does not fit the 16-bit field",
                                        limit_w, calibration_w));
  }
  const auto value = static_cast<std::uint16_t>(scaled);
  const auto& layout = set_power_layout(model);
  auto body = layout.body;
  body[layout.value_at] = static_cast<std::uint8_t>(value >> 8);
  body[layout.value_at + 1] = static_cast<std::uint8_t>(value & 0xFF);
  return with_ecu(ecu, encode_l2(layout.cmd, body));
}

std::array<PairStep, 4> pairing_steps(const EcuId& ecu, const Serial& serial) {
  const auto rev = ecu.reversed();
  const auto& sn = serial.bytes();
  const auto pan = ecu.pan_id();
  const auto step = [](PairStepIndex i) { return static_cast<std::size_t>(i); };

  std::array<PairStep, 4> steps{};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    steps[i].cluster = kPairClusters[i];
    steps[i].trans_id = static_cast<std::uint8_t>(i);
  }
  steps[step(PairStepIndex::Announce)].data =
      util::ByteWriter{}.bytes(sn).u8(kPairFiller).u8(kPairFiller).u8(kPairMarker).u8(kPairFiller).u8(kPairFiller)
          .bytes(rev).take();
  steps[step(PairStepIndex::Call)].data = util::Bytes(sn.begin(), sn.end());
  steps[step(PairStepIndex::Join)].data =
      util::ByteWriter{}.bytes(sn).u16be(pan).u8(kPairMarker).u8(kPairFiller).u8(kPairFiller).bytes(rev).take();
  steps[step(PairStepIndex::Confirm)].data = util::Bytes(rev.begin(), rev.end());
  return steps;
}

bool is_pairing_answer(util::ByteView data, const Serial& serial) noexcept {
  if (data.size() != kPairAnswerSize) return false;
  const auto tail = data.subspan(kPairAnswerSerialAt);
  return std::ranges::equal(tail, serial.bytes());
}

}  // namespace apsecu::aps
