// SPDX-License-Identifier: GPL-3.0-or-later
// Reply to the DE parameter query: only the programmed power limit is understood
// (protocol §4.7), in watts PER PANEL (the stock ECU's set_maxpower unit). Offsets are into
// the L2 frame, which starts at payload byte 6. Also the answer to a set command (see
// replies.hpp), which a YC600/QS1 gives as this very page.
//
// YC600 / QS1: 90 bytes, checksum 00 00 ("not computed"; any other value must be the sum)
//   L2 offset  0  1   2    3    4 ........... 73   74 75     76 ... 79  80 81  82 83
//            +----+----+----+----+----------------+--------+-----------+------+-----+
//            | FB | FB | 4D | DE | page bytes     | limit  | page bytes| 00 00| FE FE|
//            +----+----+----+----+----------------+--------+-----------+------+-----+
//   limit per panel (W) = BE u16 / 28.89
//
// DS3: 105 bytes, checksum valid
//   L2 offset  0  1   2    3    4    5  6   7  8     9 ........ 94   95 96  97 98
//            +----+----+----+----+----+-----+--------+------------+------+-----+
//            | FB | FB | 5C | DD | DE | ..  | limit  | page bytes | ck   | FE FE|
//            +----+----+----+----+----+-----+--------+------------+------+-----+
//   limit per panel (W) = BE u16 / 16.59; DD is the reply opcode, DE tags the page asked for
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "apsecu/aps/l2.hpp"
#include "apsecu/aps/replies.hpp"
#include "apsecu/aps/telemetry.hpp"
#include "telemetry_layout.hpp"

namespace apsecu::aps {
namespace {

// Page bytes as captured in the ESP-ECU test replies (300 W YC600, 600 W DS3); the
// limit position is overwritten when encoding.
constexpr std::array<std::uint8_t, 76> kYcPage{
    0x04, 0x11, 0x05, 0x44, 0x0F, 0xE5, 0x02, 0x0F, 0x32, 0xB0, 0x03, 0xCF, 0x05, 0x44, 0x0F, 0xE5, 0x02, 0x0F, 0x32,
    0xB0, 0x06, 0x66, 0x04, 0xCC, 0x0E, 0xA3, 0xA8, 0x04, 0xD7, 0x02, 0x14, 0x05, 0x0C, 0x10, 0x0F, 0xD8, 0x0E, 0xD0,
    0x7A, 0x0F, 0x32, 0xB0, 0x05, 0x6A, 0x05, 0x4F, 0x01, 0x90, 0x00, 0x64, 0x1F, 0x3F, 0xE4, 0x80, 0x06, 0x8A, 0xCE,
    0x8A, 0xCE, 0x00, 0x01, 0x30, 0x10, 0x30, 0x30, 0x19, 0x06, 0x04, 0x00, 0x1D, 0x21, 0xDB, 0x3B, 0x66, 0x00, 0x00};
constexpr std::array<std::uint8_t, 91> kDs3Page{
    0xDE, 0x01, 0x04, 0x26, 0xE2, 0x00, 0x13, 0xBA, 0x14, 0xB4, 0x13, 0xEC, 0x00, 0x0A, 0x03, 0x20, 0x00, 0x50, 0x00,
    0x03, 0xDD, 0x03, 0xA4, 0x03, 0x20, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x03, 0xDD, 0x03,
    0xA5, 0x03, 0x35, 0x03, 0x04, 0x01, 0x2C, 0x06, 0x0D, 0x03, 0xFF, 0x04, 0x5F, 0x0E, 0x93, 0x14, 0x0E, 0x32, 0x04,
    0x89, 0x02, 0x58, 0x00, 0x13, 0x74, 0x13, 0x6F, 0x12, 0x5C, 0x00, 0x14, 0x03, 0x20, 0x07, 0xD0, 0x23, 0xA6, 0x03,
    0x14, 0x01, 0xBF, 0x03, 0xD9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x23, 0xA6, 0xC8, 0xFF};

constexpr std::size_t kL2BodyAt = 4;

struct ParametersLayout {
  Model model = Model::Yc600;
  std::uint8_t cmd = 0;
  std::optional<std::uint8_t> page_tag;  // first body byte, when the reply names its page
  std::size_t limit_at = 0;              // L2 offset of the BE u16 limit
  std::span<const std::uint8_t> page;    // body template (after cmd)
  bool zero_checksum = false;            // the firmware leaves the checksum 00 00
};

constexpr std::array<ParametersLayout, 3> kParameters{{
    {.model = Model::Yc600, .cmd = 0xDE, .page_tag = {}, .limit_at = 74, .page = kYcPage, .zero_checksum = true},
    {.model = Model::Qs1, .cmd = 0xDE, .page_tag = {}, .limit_at = 74, .page = kYcPage, .zero_checksum = true},
    {.model = Model::Ds3, .cmd = 0xDD, .page_tag = 0xDE, .limit_at = 7, .page = kDs3Page, .zero_checksum = false},
}};

// The answers to a set command that are not a page (replies.hpp): n = 06, DE or DF.
constexpr std::uint8_t kAckLength = 0x06;
constexpr std::uint8_t kAckAccepted = 0xDE;
constexpr std::uint8_t kAckRefused = 0xDF;
constexpr std::array<std::uint8_t, 5> kAckAcceptedBody{0x02, 0x00, 0x00, 0x00, 0x00};
constexpr std::array<std::uint8_t, 5> kAckRefusedBody{0x00, 0x03, 0x00, 0x00, 0x00};
constexpr std::uint8_t kQs1SerialPrefix = 0x80;

constexpr bool limits_inside_pages() {
  for (const auto& p : kParameters) {
    if (p.limit_at < kL2BodyAt || p.limit_at + 2 > kL2BodyAt + p.page.size()) return false;
  }
  return true;
}
static_assert(limits_inside_pages(), "power limit offset outside the parameter page");

const ParametersLayout& parameters_layout(Model m) noexcept {
  for (const auto& p : kParameters) {
    if (p.model == m) return p;
  }
  return kParameters.front();
}

constexpr std::size_t reply_size(const ParametersLayout& p) noexcept {
  return detail::kSerialSize + detail::kL2Overhead + 1 + p.page.size();
}

util::Result<double> decode_limit(util::ByteView payload, Model model) {
  const auto& p = parameters_layout(model);
  const auto& mi = info(model);
  if (payload.size() != reply_size(p)) {
    return util::make_error(Errc::WrongLength, fmt::format("{} parameter reply must be {} bytes, got {}", mi.name,
                                                           reply_size(p), payload.size()));
  }
  auto l2 = decode_l2(payload.subspan(detail::kL2At));
  if (!l2) return l2.error();
  if (l2->frame.size() + detail::kSerialSize != payload.size()) {
    return util::make_error(Errc::WrongLength, "parameter reply has bytes after its L2 frame");
  }
  if (l2->cmd != p.cmd || (p.page_tag && (l2->body.empty() || l2->body[0] != *p.page_tag))) {
    return util::make_error(Errc::UnknownReply,
                            fmt::format("{:02X} is not the {} parameter page reply", l2->cmd, mi.name));
  }
  const auto verdict = verify_checksum(*l2);
  if (verdict == ChecksumVerdict::Mismatch || (verdict == ChecksumVerdict::NotComputed && !p.zero_checksum)) {
    return util::make_error(Errc::BadL2Checksum, fmt::format("{} parameter reply checksum is {:04X}, computed {:04X}",
                                                             mi.name, l2->checksum, computed_checksum(*l2)));
  }
  const auto& frame = l2->frame;
  const unsigned value = (unsigned{frame[p.limit_at]} << 8) | frame[p.limit_at + 1];
  return static_cast<double>(value) / mi.power_limit_scale;
}

Model page_model(util::ByteView payload) noexcept {
  const auto& ds3 = parameters_layout(Model::Ds3);
  if (payload.size() == reply_size(ds3) && payload.size() > detail::kReplyCmdAt &&
      payload[detail::kReplyCmdAt] == ds3.cmd) {
    return Model::Ds3;
  }
  return payload.size() > 0 && payload[0] == kQs1SerialPrefix ? Model::Qs1 : Model::Yc600;
}

util::Result<SetReply> decode_reply_to_set(util::ByteView payload) {
  if (payload.size() < detail::kSerialSize) {
    return util::make_error(Errc::WrongLength, fmt::format("answer to a set is {} bytes, too short", payload.size()));
  }
  auto l2 = decode_l2(payload.subspan(detail::kL2At));
  if (!l2) return l2.error();
  SetReply reply;
  reply.serial = Serial::from_bytes(payload.first(detail::kSerialSize));
  const bool ack = l2->body.size() + 1 == kAckLength && (l2->cmd == kAckAccepted || l2->cmd == kAckRefused);
  if (!ack) {
    // A YC600/QS1 answers with its whole parameter page, which reports the limit it now holds.
    auto page = decode_parameters(payload);
    if (!page) {
      return util::make_error(Errc::UnknownReply, fmt::format("L2 {:02X} of {} bytes is not an answer to a set ({})",
                                                              l2->cmd, l2->frame.size(), page.error().message));
    }
    reply.accepted = true;
    reply.limit_per_panel_w = page->limit_per_panel_w;
    return reply;
  }
  if (verify_checksum(*l2) == ChecksumVerdict::Mismatch) {
    return util::make_error(Errc::BadL2Checksum, fmt::format("set acknowledgement checksum is {:04X}, computed {:04X}",
                                                             l2->checksum, computed_checksum(*l2)));
  }
  reply.accepted = l2->cmd == kAckAccepted;
  reply.status = {l2->body[0], l2->body[1]};
  return reply;
}

}  // namespace

util::Result<Parameters> decode_parameters(util::ByteView payload, std::optional<Model> model) noexcept {
  try {
    const auto m = model.value_or(page_model(payload));
    auto limit = decode_limit(payload, m);
    if (!limit) return limit.error();
    return Parameters{Serial::from_bytes(payload.first(detail::kSerialSize)), m, *limit};
  } catch (...) {
    return util::Error{make_error_code(Errc::WrongLength), "out of memory while decoding a parameter reply"};
  }
}

util::Result<SetReply> decode_set_reply(util::ByteView payload) noexcept {
  try {
    return decode_reply_to_set(payload);
  } catch (...) {
    return util::Error{make_error_code(Errc::UnknownReply), "out of memory while decoding an answer to a set"};
  }
}

util::Bytes encode_set_ack(const Serial& serial, bool accepted) {
  const auto l2 = accepted ? encode_l2(kAckAccepted, kAckAcceptedBody, 0x0000) : encode_l2(kAckRefused, kAckRefusedBody, 0x0000);
  util::Bytes out(serial.bytes().begin(), serial.bytes().end());
  out.insert(out.end(), l2.begin(), l2.end());
  return out;
}

util::Result<double> decode_power_limit(util::ByteView payload, Model model) noexcept {
  try {
    return decode_limit(payload, model);
  } catch (...) {
    return util::Error{make_error_code(Errc::WrongLength), "out of memory while decoding a parameter reply"};
  }
}

util::Bytes encode_parameters_reply(const Serial& serial, Model model, double limit_per_panel_w) {
  const auto& p = parameters_layout(model);
  const auto& mi = info(model);
  util::Bytes page(p.page.begin(), p.page.end());
  double scaled = std::round(limit_per_panel_w * mi.power_limit_scale);
  scaled = std::clamp(std::isnan(scaled) ? 0.0 : scaled, 0.0, 65535.0);
  const auto value = static_cast<std::uint16_t>(scaled);
  const std::size_t at = p.limit_at - kL2BodyAt;
  page[at] = static_cast<std::uint8_t>(value >> 8);
  page[at + 1] = static_cast<std::uint8_t>(value & 0xFF);
  const auto l2 = !p.zero_checksum ? encode_l2(p.cmd, page) : encode_l2(p.cmd, page, 0x0000);
  util::Bytes out(serial.bytes().begin(), serial.bytes().end());
  out.insert(out.end(), l2.begin(), l2.end());
  return out;
}

}  // namespace apsecu::aps
