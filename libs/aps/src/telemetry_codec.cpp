// SPDX-License-Identifier: GPL-3.0-or-later
// Poll reply payload <-> RawTelemetry (protocol §5). P = the AF_INCOMING_MSG data.
//
// Common envelope (every model):
//   P[0..5] serial | P[6..7] FB FB | P[8] n | P[9] reply cmd | P[10..len-5] body
//   | P[len-4..len-3] checksum | P[len-2..len-1] FE FE            n = len - 13
//
// YC600, reply B1, 94 bytes, checksum 00 00 (not validated):
//    0       6     8    9    10    12      15          19     22      25      28
//   +-------+-----+----+----+-----+-------+-----------+------+-------+-------+
//   | serial|FB FB| 51 | B1 | temp| period| uptime u32| 00x3 | DC  B | DC  A | ...
//   +-------+-----+----+----+-----+-------+-----------+------+-------+-------+
//    28    30     32     37        42        47 .. 89             90     92
//   +-----+------+------+---------+---------+--------------------+------+------+
//   | ACV | 0000 | 00x5 | E A (5) | E B (5) | 1F 00 03 05 55 ... | 0000 | FEFE |
//   +-----+------+------+---------+---------+--------------------+------+------+
//   input 1 = group A + energy P[37]; input 2 = group B + energy P[42], as the RPI-ECU v3.7
//   (inverterPoll.cpp: dcVoltage[0] from P[26..27], energy offset 74 = P[37]) and the
//   ESP32-ECU v1.4 (AAA_DECODE.ino: dcv[0] from P[26..27], en_extr at P[37]) number them,
//   so that an owner's panel 1 stays panel 1. The ESP8266 ESP-ECU v10.9 and Z-Tool swap them.
//
// QS1, reply B1, 94 bytes, checksum 00 00 (not validated):
//    0       6     8    9    10    12      15   16      19      22      25      28
//   +-------+-----+----+----+-----+-------+----+-------+-------+-------+-------+
//   | serial|FB FB| 51 | B1 | temp| period| 00 | DC  D | DC  C | DC  B | DC  A | ...
//   +-------+-----+----+----+-----+-------+----+-------+-------+-------+-------+
//    28    30       32       37    42    47    52    57 .. 89           90     92
//   +-----+--------+--------+-----+-----+-----+-----+------------------+------+------+
//   | ACV | uptime | status | E A | E B | E C | E D | 1F 00 03 05 54 ..| 0000 | FEFE |
//   +-----+--------+--------+-----+-----+-----+-----+------------------+------+------+
//   inputs 1..4 = groups A, B, C, D; energies 5 bytes (40-bit BE) each
//
//   DC group (3 bytes at o): I = (P[o+1] & 0F) << 8 | P[o];  V = P[o+2] << 4 | P[o+1] >> 4
//
// DS3, reply BB, 105 bytes, checksum valid (sum of P[8..100]):
//    0       6     8    9    10       26    28    30    32    34    36     38
//   +-------+-----+----+----+--------+-----+-----+-----+-----+-----+------+--------+
//   | serial|FB FB| 5C | BB | status | V A | V B | I A | I B | ACV | freq | uptime | ...
//   +-------+-----+----+----+--------+-----+-----+-----+-----+-----+------+--------+
//    40    42        48     50       54       58 .. 100    101    103
//   +-----+---------+------+--------+--------+-----------+------+------+
//   | P W | unknown | temp | E A u32| E B u32| FF padding|  ck  | FEFE |
//   +-----+---------+------+--------+--------+-----------+------+------+
//   all other fields u16 BE; inputs 1..2 = A, B
#include <algorithm>

#include <fmt/format.h>

#include "apsecu/aps/l2.hpp"
#include "apsecu/aps/telemetry.hpp"
#include "telemetry_layout.hpp"

namespace apsecu::aps {
namespace detail {
namespace {

// Unknown bytes as captured (protocol §5.3 / §6.1 YC600; QS1 test vector of the ESP-ECU;
// §6.5 DS3 payload).
constexpr std::array<std::uint8_t, 14> kYc600Tail{0x1F, 0x00, 0x03, 0x05, 0x55, 0x07, 0x3F,
                                                  0x03, 0x03, 0x03, 0x01, 0x00, 0x00, 0x01};
constexpr std::array<ConstantRun, 1> kYc600Constants{{{.at = 47, .bytes = kYc600Tail}}};

constexpr std::array<std::uint8_t, 5> kQs1Status{0x00, 0x00, 0x06, 0xA8, 0x00};
constexpr std::array<std::uint8_t, 5> kQs1Tail{0x1F, 0x00, 0x03, 0x05, 0x54};
constexpr std::array<std::uint8_t, 2> kQs1TailEnd{0x2B, 0x2A};
constexpr std::array<ConstantRun, 3> kQs1Constants{{
    {.at = 32, .bytes = kQs1Status},
    {.at = 57, .bytes = kQs1Tail},
    {.at = 88, .bytes = kQs1TailEnd},
}};

constexpr std::array<std::uint8_t, 16> kDs3Status{0xBB, 0x20, 0x00, 0xFC, 0x00, 0x01, 0xFF, 0xFF,
                                                  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
constexpr std::array<std::uint8_t, 6> kDs3Middle{0x00, 0x26, 0xFF, 0xFF, 0x05, 0x25};
constexpr std::array<ConstantRun, 2> kDs3Constants{{
    {.at = 10, .bytes = kDs3Status},
    {.at = 42, .bytes = kDs3Middle},
}};

// Uptime: the community hosts read YC600 P[17..18]; Z-Tool reads P[15..18] as one u32 and
// P[15..16] were 0 in every sample, so u32 gives the same numbers and survives days longer
// than 18 h. QS1 has group D at P[16], so its counter stays u16.
constexpr std::array<TelemetryLayout, 3> kLayouts{{
    {.model = Model::Yc600,
     .temperature = {.at = 10, .width = 2},
     .frequency = {.at = 12, .width = 3},
     .ac_voltage = {.at = 28, .width = 2},
     .uptime = {.at = 15, .width = 4},
     .ac_power = {},
     .dc_packing = DcPacking::Packed12,
     .energy_width = 5,
     .inputs = {{{.dc_voltage_at = 25, .dc_current_at = 25, .energy_at = 37},
                 {.dc_voltage_at = 22, .dc_current_at = 22, .energy_at = 42}}},
     .filler = 0x00,
     .constants = kYc600Constants},
    {.model = Model::Qs1,
     .temperature = {.at = 10, .width = 2},
     .frequency = {.at = 12, .width = 3},
     .ac_voltage = {.at = 28, .width = 2},
     .uptime = {.at = 30, .width = 2},
     .ac_power = {},
     .dc_packing = DcPacking::Packed12,
     .energy_width = 5,
     .inputs = {{{.dc_voltage_at = 25, .dc_current_at = 25, .energy_at = 37},
                 {.dc_voltage_at = 22, .dc_current_at = 22, .energy_at = 42},
                 {.dc_voltage_at = 19, .dc_current_at = 19, .energy_at = 47},
                 {.dc_voltage_at = 16, .dc_current_at = 16, .energy_at = 52}}},
     .filler = 0x00,
     .constants = kQs1Constants},
    {.model = Model::Ds3,
     .temperature = {.at = 48, .width = 2},
     .frequency = {.at = 36, .width = 2},
     .ac_voltage = {.at = 34, .width = 2},
     .uptime = {.at = 38, .width = 2},
     .ac_power = {.at = 40, .width = 2},
     .dc_packing = DcPacking::Split16,
     .energy_width = 4,
     .inputs = {{{.dc_voltage_at = 26, .dc_current_at = 30, .energy_at = 50},
                 {.dc_voltage_at = 28, .dc_current_at = 32, .energy_at = 54}}},
     .filler = 0xFF,
     .constants = kDs3Constants},
}};

// Every field must lie inside the body, so reads after the length check cannot overrun.
constexpr bool inside_body(std::size_t at, std::size_t width, std::size_t length) {
  return at >= kBodyAt && at + width <= length - kChecksumFromEnd;
}
constexpr bool layouts_fit() {
  for (const auto& l : kLayouts) {
    const auto len = model_row(l.model).reply_length;
    for (const auto* f : {&l.temperature, &l.frequency, &l.ac_voltage, &l.uptime, &l.ac_power}) {
      if (f->width != 0 && !inside_body(f->at, f->width, len)) return false;
    }
    for (std::size_t i = 0; i < model_row(l.model).inputs; ++i) {
      const auto& in = l.inputs[i];
      const std::size_t dc_width = l.dc_packing == DcPacking::Packed12 ? kPackedGroupSize : 2;
      if (!inside_body(in.dc_voltage_at, dc_width, len) || !inside_body(in.dc_current_at, dc_width, len) ||
          !inside_body(in.energy_at, l.energy_width, len)) {
        return false;
      }
    }
    for (const auto& c : l.constants) {
      if (!inside_body(c.at, c.bytes.size(), len)) return false;
    }
  }
  return true;
}

// Ordered: the first matching rule wins. B1 serves two models; the serial prefix decides
// (QS1 serials start 80, YC600 40, protocol §3.2), and for an unseen prefix the slots a
// YC600 leaves empty (P[19..21] and P[30..31] all zero) do.
enum class Shape : std::uint8_t { Any, Yc600Blanks };
struct DetectionRule {
  std::uint8_t reply_cmd = 0;
  std::optional<std::uint8_t> serial_first_byte;
  Shape shape = Shape::Any;
  Model model = Model::Yc600;
};
constexpr std::array<DetectionRule, 5> kDetection{{
    {.reply_cmd = 0xBB, .serial_first_byte = {}, .shape = Shape::Any, .model = Model::Ds3},
    {.reply_cmd = 0xB1, .serial_first_byte = 0x80, .shape = Shape::Any, .model = Model::Qs1},
    {.reply_cmd = 0xB1, .serial_first_byte = 0x40, .shape = Shape::Any, .model = Model::Yc600},
    {.reply_cmd = 0xB1, .serial_first_byte = {}, .shape = Shape::Yc600Blanks, .model = Model::Yc600},
    {.reply_cmd = 0xB1, .serial_first_byte = {}, .shape = Shape::Any, .model = Model::Qs1},
}};
constexpr std::size_t kYc600UnusedGroupAt = 19;
constexpr std::size_t kYc600UnusedWordAt = 30;

}  // namespace

const TelemetryLayout& layout(Model m) noexcept {
  for (const auto& l : kLayouts) {
    if (l.model == m) return l;
  }
  return kLayouts.front();
}

}  // namespace detail

namespace {
using detail::DcPacking;
using detail::Field;

static_assert(detail::layouts_fit(), "a telemetry field lies outside its model's reply body");

std::uint64_t read_field(util::ByteView p, Field f) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < f.width; ++i) v = (v << 8) | p[f.at + i];
  return v;
}

void write_field(util::Bytes& p, Field f, std::uint64_t v) {
  for (std::size_t i = f.width; i-- > 0;) {
    p[f.at + i] = static_cast<std::uint8_t>(v & 0xFF);
    v >>= 8;
  }
}

bool all_zero(util::ByteView p, std::size_t at, std::size_t n) noexcept {
  return std::all_of(p.begin() + static_cast<std::ptrdiff_t>(at), p.begin() + static_cast<std::ptrdiff_t>(at + n),
                     [](std::uint8_t b) { return b == 0; });
}

bool shape_matches(detail::Shape shape, util::ByteView p) noexcept {
  switch (shape) {
    case detail::Shape::Any: return true;
    case detail::Shape::Yc600Blanks:
      return p.size() >= detail::kYc600UnusedWordAt + 2 &&
             all_zero(p, detail::kYc600UnusedGroupAt, detail::kPackedGroupSize) &&
             all_zero(p, detail::kYc600UnusedWordAt, 2);
  }
  return false;
}

std::string hex_byte(std::uint8_t b) { return fmt::format("{:02X}", b); }

// Checks the envelope shared by all models and returns the L2 view.
util::Result<L2View> open_envelope(util::ByteView payload) {
  if (payload.size() < detail::kSerialSize + detail::kL2Overhead + 1) {
    return util::make_error(Errc::WrongLength, fmt::format("payload of {} bytes is too short for serial + L2 frame",
                                                           payload.size()));
  }
  auto l2 = decode_l2(payload.subspan(detail::kL2At));
  if (!l2) return l2.error();
  if (l2->frame.size() + detail::kSerialSize != payload.size()) {
    return util::make_error(Errc::WrongLength,
                            fmt::format("payload of {} bytes carries {} bytes after the L2 frame", payload.size(),
                                        payload.size() - detail::kSerialSize - l2->frame.size()));
  }
  return l2;
}

util::Status check_model(util::ByteView payload, const L2View& l2, Model model) {
  const auto& mi = info(model);
  if (l2.cmd != mi.reply_cmd) {
    return util::make_error(Errc::UnknownReply, fmt::format("{} answers a poll with {}, not {}", mi.name,
                                                            hex_byte(mi.reply_cmd), hex_byte(l2.cmd)));
  }
  if (payload.size() != mi.reply_length) {
    return util::make_error(Errc::WrongLength, fmt::format("{} poll reply must be {} bytes, got {}", mi.name,
                                                           mi.reply_length, payload.size()));
  }
  if (mi.reply_checksum_valid) {
    const auto n = static_cast<std::uint8_t>(l2.body.size() + 1);
    const auto expected = l2_checksum(n, l2.cmd, l2.body);
    if (expected != l2.checksum) {
      return util::make_error(Errc::BadL2Checksum, fmt::format("{} reply checksum is {:04X}, computed {:04X}", mi.name,
                                                               l2.checksum, expected));
    }
  }
  return {};
}

util::Result<Model> detect(util::ByteView payload, const L2View& l2) {
  for (const auto& rule : detail::kDetection) {
    if (rule.reply_cmd != l2.cmd) continue;
    if (rule.serial_first_byte && payload[detail::kSerialAt] != *rule.serial_first_byte) continue;
    if (!shape_matches(rule.shape, payload)) continue;
    return rule.model;
  }
  return util::make_error(Errc::UnknownReply, fmt::format("reply opcode {} is not a poll answer", hex_byte(l2.cmd)));
}

RawTelemetry read_fields(util::ByteView p, Model model) {
  const auto& l = detail::layout(model);
  RawTelemetry raw;
  raw.serial = Serial::from_bytes(p.subspan(detail::kSerialAt, detail::kSerialSize));
  raw.model = model;
  raw.temperature_raw = static_cast<std::uint16_t>(read_field(p, l.temperature));
  raw.frequency_raw = static_cast<std::uint32_t>(read_field(p, l.frequency));
  raw.ac_voltage_raw = static_cast<std::uint16_t>(read_field(p, l.ac_voltage));
  raw.uptime_s = static_cast<std::uint32_t>(read_field(p, l.uptime));
  raw.ac_power_w = static_cast<std::uint16_t>(read_field(p, l.ac_power));
  raw.inputs.resize(info(model).inputs);
  for (std::size_t i = 0; i < raw.inputs.size(); ++i) {
    const auto& in = l.inputs[i];
    auto& out = raw.inputs[i];
    if (l.dc_packing == DcPacking::Packed12) {
      const std::size_t o = in.dc_voltage_at;
      out.dc_current_raw = static_cast<std::uint16_t>(((p[o + 1] & 0x0F) << 8) | p[o]);
      out.dc_voltage_raw = static_cast<std::uint16_t>((p[o + 2] << 4) | (p[o + 1] >> 4));
    } else {
      out.dc_voltage_raw = static_cast<std::uint16_t>(read_field(p, {.at = in.dc_voltage_at, .width = 2}));
      out.dc_current_raw = static_cast<std::uint16_t>(read_field(p, {.at = in.dc_current_at, .width = 2}));
    }
    out.energy_raw = read_field(p, {.at = in.energy_at, .width = l.energy_width});
  }
  return raw;
}

util::Result<RawTelemetry> decode_impl(util::ByteView payload, std::optional<Model> expected) {
  auto l2 = open_envelope(payload);
  if (!l2) return l2.error();
  Model model = Model::Yc600;
  if (expected) {
    model = *expected;
  } else {
    auto detected = detect(payload, *l2);
    if (!detected) return detected.error();
    model = *detected;
  }
  if (auto ok = check_model(payload, *l2, model); !ok) return ok.error();
  return read_fields(payload, model);
}

// Allocation is the only thing that can throw in here; turn it into an error value.
util::Result<RawTelemetry> guarded(util::ByteView payload, std::optional<Model> expected) noexcept {
  try {
    return decode_impl(payload, expected);
  } catch (...) {
    return util::Error{make_error_code(Errc::WrongLength), "out of memory while decoding a poll reply"};
  }
}

}  // namespace

util::Result<RawTelemetry> decode_raw(util::ByteView payload) noexcept { return guarded(payload, std::nullopt); }

util::Result<RawTelemetry> decode_raw(util::ByteView payload, Model expected) noexcept {
  return guarded(payload, expected);
}

util::Result<Model> detect_model(util::ByteView payload) noexcept {
  try {
    auto l2 = open_envelope(payload);
    if (!l2) return l2.error();
    auto model = detect(payload, *l2);
    if (!model) return model.error();
    if (auto ok = check_model(payload, *l2, *model); !ok) return ok.error();
    return model;
  } catch (...) {
    return util::Error{make_error_code(Errc::WrongLength), "out of memory while decoding a poll reply"};
  }
}

bool is_input_order(std::span<const std::uint8_t> order, std::size_t inputs) noexcept {
  if (order.size() != inputs) return false;
  std::array<bool, 8> seen{};
  for (const auto k : order) {
    if (k < 1 || k > inputs || k > seen.size() || seen[k - 1]) return false;
    seen[k - 1] = true;
  }
  return true;
}

// The owner's numbering is applied here, once, so that everything downstream (energy books,
// history, MQTT, pages) agrees on which panel is input 1.
void put_in_input_order(Telemetry& t, std::span<const std::uint8_t> order) {
  if (!is_input_order(order, t.inputs.size()) || t.raw.inputs.size() != t.inputs.size()) return;
  std::vector<InputReading> readings;
  std::vector<RawInput> raws;
  for (const auto k : order) {
    readings.push_back(t.inputs[k - 1]);
    raws.push_back(t.raw.inputs[k - 1]);
  }
  t.inputs = std::move(readings);
  t.raw.inputs = std::move(raws);
}

util::Bytes encode_raw(const RawTelemetry& raw) {
  const auto& mi = info(raw.model);
  const auto& l = detail::layout(raw.model);
  const std::size_t len = mi.reply_length;
  util::Bytes p(len, l.filler);
  for (const auto& run : l.constants) std::ranges::copy(run.bytes, p.begin() + static_cast<std::ptrdiff_t>(run.at));

  std::ranges::copy(raw.serial.bytes(), p.begin() + detail::kSerialAt);
  p[detail::kL2At] = 0xFB;
  p[detail::kL2At + 1] = 0xFB;
  p[detail::kL2LengthAt] = static_cast<std::uint8_t>(len - detail::kSerialSize - detail::kL2Overhead);
  p[detail::kReplyCmdAt] = mi.reply_cmd;

  write_field(p, l.temperature, raw.temperature_raw);
  write_field(p, l.frequency, raw.frequency_raw);
  write_field(p, l.ac_voltage, raw.ac_voltage_raw);
  write_field(p, l.uptime, raw.uptime_s);
  write_field(p, l.ac_power, raw.ac_power_w);
  const std::size_t count = std::min<std::size_t>(raw.inputs.size(), mi.inputs);
  for (std::size_t i = 0; i < count; ++i) {
    const auto& in = l.inputs[i];
    const auto& src = raw.inputs[i];
    if (l.dc_packing == DcPacking::Packed12) {
      const std::size_t o = in.dc_voltage_at;
      const unsigned v = src.dc_voltage_raw & detail::kPacked12Max;
      const unsigned c = src.dc_current_raw & detail::kPacked12Max;
      p[o] = static_cast<std::uint8_t>(c & 0xFF);
      p[o + 1] = static_cast<std::uint8_t>(((v & 0x0F) << 4) | (c >> 8));
      p[o + 2] = static_cast<std::uint8_t>(v >> 4);
    } else {
      write_field(p, {.at = in.dc_voltage_at, .width = 2}, src.dc_voltage_raw);
      write_field(p, {.at = in.dc_current_at, .width = 2}, src.dc_current_raw);
    }
    write_field(p, {.at = in.energy_at, .width = l.energy_width}, src.energy_raw);
  }

  std::uint16_t checksum = 0;
  if (mi.reply_checksum_valid) {
    const auto body = util::ByteView(p).subspan(detail::kBodyAt, len - detail::kBodyAt - detail::kChecksumFromEnd);
    checksum = l2_checksum(p[detail::kL2LengthAt], p[detail::kReplyCmdAt], body);
  }
  write_field(p, {.at = len - detail::kChecksumFromEnd, .width = 2}, checksum);
  p[len - detail::kEndMarkFromEnd] = 0xFE;
  p[len - detail::kEndMarkFromEnd + 1] = 0xFE;
  return p;
}

}  // namespace apsecu::aps
