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
//   turn on       06 C1 00 00 00 00 00                 00 C7 (OpenAPS codec/onoff.go)
//   turn off      06 C2 00 00 00 00 00                 00 C8
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
// The inverter's answer (cluster 0x0101, unicast): FF FF or FF 1A + serial(6). A DS3 answers
// FF 1A after step 2 and FF FF after step 3 (read-APSystems-YC600-QS1-DS3 #19).
#include "apsecu/aps/requests.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "apsecu/aps/l2.hpp"

namespace apsecu::aps {
namespace {

constexpr std::uint8_t kCmdPoll = 0xBB;
constexpr std::uint8_t kCmdQueryParameters = 0xDE;
constexpr std::uint8_t kCmdTurnOn = 0xC1;
constexpr std::uint8_t kCmdTurnOff = 0xC2;
constexpr std::uint8_t kCmdNormalOperation = 0x00;
constexpr std::array<std::uint8_t, 5> kEmptyBody{};
constexpr std::array<std::uint8_t, 16> kNormalOperationBody{0x00, 0x0D, 0x60, 0x30, 0xFB, 0xD3, 0x00, 0x00,
                                                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01};

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
constexpr std::uint8_t kPairAnswerTag0 = 0xFF;
constexpr std::array<std::uint8_t, 2> kPairAnswerTag1{0xFF, 0x1A};  // the two seen (§4.4)

enum class PairStepIndex : std::uint8_t { Announce, Call, Join, Confirm };
// Sizes of the step data: serial + marks + ecu_rev, serial, serial + PAN + marks + ecu_rev, ecu_rev.
constexpr std::array<std::size_t, 4> kPairStepSizes{17, 6, 17, 6};
constexpr std::size_t kPairMarkerAt = 8;  // the 10 FF FF of steps 1 and 3

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

util::Bytes encode_set_output(const EcuId& ecu, bool on) {
  return with_ecu(ecu, encode_l2(on ? kCmdTurnOn : kCmdTurnOff, kEmptyBody));
}

util::Bytes encode_normal_operation(const EcuId& ecu) {
  return with_ecu(ecu, encode_l2(kCmdNormalOperation, kNormalOperationBody));
}

util::Result<util::Bytes> encode_set_power_limit(const EcuId& ecu, Model model, double limit_per_panel_w,
                                                 double calibration_w) {
  // Written as a negated range test so that NaN is rejected too.
  if (!(limit_per_panel_w >= kMinLimitPerPanel_w && limit_per_panel_w <= kMaxLimitPerPanel_w)) {
    return util::make_error(Errc::OutOfRange, fmt::format("power limit {} W per panel is outside {}..{} W per panel",
                                                          limit_per_panel_w, kMinLimitPerPanel_w,
                                                          kMaxLimitPerPanel_w));
  }
  const double scaled = std::round((limit_per_panel_w + calibration_w) * info(model).power_limit_scale);
  if (!(scaled >= 0 && scaled <= 0xFFFF)) {
    return util::make_error(Errc::OutOfRange,
                            fmt::format("power limit {} W per panel with calibration {} W does not fit the 16-bit field",
                                        limit_per_panel_w, calibration_w));
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
    steps[i].cluster = kPairStepClusters[i];
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

std::optional<Serial> pairing_answer_serial(util::ByteView data) noexcept {
  if (data.size() != kPairAnswerSize || data[0] != kPairAnswerTag0) return std::nullopt;
  if (std::ranges::find(kPairAnswerTag1, data[1]) == kPairAnswerTag1.end()) return std::nullopt;
  return Serial::from_bytes(data.subspan(kPairAnswerSerialAt));
}

bool is_pairing_answer(util::ByteView data, const Serial& serial) noexcept {
  const auto from = pairing_answer_serial(data);
  return from && *from == serial;
}

std::optional<int> pairing_echo_step(std::uint16_t cluster, util::ByteView data) noexcept {
  for (std::size_t i = 0; i < kPairStepClusters.size(); ++i) {
    if (cluster != kPairStepClusters[i] || data.size() != kPairStepSizes[i]) continue;
    if (data.size() > kPairMarkerAt + 2 &&
        (data[kPairMarkerAt] != kPairMarker || data[kPairMarkerAt + 1] != kPairFiller ||
         data[kPairMarkerAt + 2] != kPairFiller)) {
      return std::nullopt;
    }
    return static_cast<int>(i) + 1;
  }
  return std::nullopt;
}

}  // namespace apsecu::aps
