// SPDX-License-Identifier: GPL-3.0-or-later
// Poll replies: the published vectors, byte-exact re-encoding, model detection and the
// encode/decode round trip over random raw values.
#include "apsecu/aps/telemetry.hpp"

#include <random>

#include <gtest/gtest.h>

#include "apsecu/aps/l2.hpp"
#include "apsecu/aps/requests.hpp"
#include "support.hpp"

namespace {
using namespace apsecu;
using aps::test::hex;

util::Bytes yc600_payload() {
  const auto in = aps::test::incoming_in(aps::test::kYc600PollRead);
  EXPECT_EQ(in.cluster, aps::kReplyCluster);
  EXPECT_EQ(in.src_addr, 0x103A);
  return in.data;
}

util::Bytes qs1_payload() { return aps::test::incoming_in(aps::test::kQs1PollRead).data; }

void expect_same(const aps::RawTelemetry& a, const aps::RawTelemetry& b) {
  EXPECT_EQ(a.serial, b.serial);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.temperature_raw, b.temperature_raw);
  EXPECT_EQ(a.frequency_raw, b.frequency_raw);
  EXPECT_EQ(a.ac_voltage_raw, b.ac_voltage_raw);
  EXPECT_EQ(a.uptime_s, b.uptime_s);
  EXPECT_EQ(a.ac_power_w, b.ac_power_w);
  ASSERT_EQ(a.inputs.size(), b.inputs.size());
  for (std::size_t i = 0; i < a.inputs.size(); ++i) {
    EXPECT_EQ(a.inputs[i].dc_voltage_raw, b.inputs[i].dc_voltage_raw) << "input " << i;
    EXPECT_EQ(a.inputs[i].dc_current_raw, b.inputs[i].dc_current_raw) << "input " << i;
    EXPECT_EQ(a.inputs[i].energy_raw, b.inputs[i].energy_raw) << "input " << i;
  }
}

TEST(ApsTelemetry, Yc600VectorDecodesToThePublishedValues) {
  const auto payload = yc600_payload();
  ASSERT_EQ(payload.size(), 94U);
  const auto t = aps::decode_telemetry(payload);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ(t->model, aps::Model::Yc600);
  EXPECT_EQ(t->serial.str(), "408000158215");
  EXPECT_EQ(t->raw.temperature_raw, 980);
  EXPECT_NEAR(*t->temperature_c, 11.0, 0.05);
  EXPECT_EQ(t->raw.frequency_raw, 999703U);
  EXPECT_NEAR(*t->frequency_hz, 50.015, 0.0005);
  EXPECT_EQ(t->raw.ac_voltage_raw, 1174);
  EXPECT_NEAR(*t->ac_voltage_v, 221.06, 0.005);
  EXPECT_EQ(t->uptime_s, 29903U);
  ASSERT_EQ(t->inputs.size(), 2U);
  // Input 1 is group A (P[25]) with the counter at P[37], as RPI-ECU v3.7 and ESP32-ECU v1.4
  // number them: 34.74 V, 0.772 A, 218.69 Wh; the ESP8266 ESP-ECU called this panel 2.
  EXPECT_EQ(t->raw.inputs[0].dc_voltage_raw, 1725);
  EXPECT_EQ(t->raw.inputs[0].dc_current_raw, 115);
  EXPECT_EQ(t->raw.inputs[0].energy_raw >> 16, 94727U);
  EXPECT_NEAR(*t->inputs[0].dc_voltage_v, 34.74, 0.005);
  EXPECT_NEAR(*t->inputs[0].dc_current_a, 0.772, 0.0005);
  EXPECT_NEAR(t->inputs[0].energy_counter_wh, 218.69, 0.005);
  EXPECT_EQ(t->raw.inputs[1].dc_voltage_raw, 1703);
  EXPECT_EQ(t->raw.inputs[1].dc_current_raw, 118);
  EXPECT_EQ(t->raw.inputs[1].energy_raw >> 16, 96354U);
  EXPECT_NEAR(*t->inputs[1].dc_voltage_v, 34.30, 0.005);
  EXPECT_NEAR(*t->inputs[1].dc_current_a, 0.792, 0.0005);
  EXPECT_NEAR(t->inputs[1].energy_counter_wh, 222.44, 0.005);
}

TEST(ApsTelemetry, Yc600VectorReencodesByteForByte) {
  const auto payload = yc600_payload();
  const auto raw = aps::decode_raw(payload);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(util::to_hex(aps::encode_raw(*raw)), util::to_hex(payload));
}

TEST(ApsTelemetry, Qs1VectorDecodesAllFourInputs) {
  const auto payload = qs1_payload();
  const auto t = aps::decode_telemetry(payload);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ(t->model, aps::Model::Qs1);
  EXPECT_EQ(t->serial.str(), "801000085070");
  EXPECT_NEAR(*t->temperature_c, 17.33, 0.01);
  EXPECT_NEAR(*t->frequency_hz, 50.009, 0.001);
  EXPECT_NEAR(*t->ac_voltage_v, 227.46, 0.01);
  EXPECT_EQ(t->uptime_s, 26848U);  // P[30..31]
  ASSERT_EQ(t->inputs.size(), 4U);
  // Inputs 1..4 = groups A (P[25]), B (P[22]), C (P[19]), D (P[16]).
  const std::array<double, 4> volts{33.56, 33.76, 33.82, 34.14};
  const std::array<double, 4> amps{1.296, 1.336, 1.457, 1.356};
  const std::array<double, 4> wh{261.94, 272.40, 300.89, 279.78};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(*t->inputs[i].dc_voltage_v, volts[i], 0.005) << i;
    EXPECT_NEAR(*t->inputs[i].dc_current_a, amps[i], 0.0005) << i;
    EXPECT_NEAR(t->inputs[i].energy_counter_wh, wh[i], 0.005) << i;
  }
  EXPECT_EQ(util::to_hex(aps::encode_raw(t->raw)), util::to_hex(payload));
}

aps::RawTelemetry ds3_fields_of_section_6_5() {
  aps::RawTelemetry raw;
  raw.serial = *aps::Serial::parse("703000021300");
  raw.model = aps::Model::Ds3;
  raw.ac_voltage_raw = 0x036E;
  raw.frequency_raw = 0x1388;
  raw.uptime_s = 0x2D5F;
  raw.ac_power_w = 0x0148;
  raw.temperature_raw = 0x0843;
  raw.inputs = {{.dc_voltage_raw = 0x06E5, .dc_current_raw = 0x00E2, .energy_raw = 0x0049F8C4},
                {.dc_voltage_raw = 0x06EE, .dc_current_raw = 0x00EA, .energy_raw = 0x0048C77C}};
  return raw;
}

TEST(ApsTelemetry, Ds3PayloadBuiltFromTheSection65Fields) {
  const auto payload = aps::encode_raw(ds3_fields_of_section_6_5());
  ASSERT_EQ(payload.size(), 105U);
  EXPECT_EQ(util::to_hex(payload).substr(0, 36), "703000021300FBFB5CBBBB2000FC0001FFFF");
  // Everything but P[58] (00 in that sample, FF padding here) and the checksum, which in
  // the sample belongs to an earlier edit of the values.
  const auto reference = hex(aps::test::kDs3Payload);
  ASSERT_EQ(reference.size(), payload.size());
  for (std::size_t i = 0; i < payload.size(); ++i) {
    if (i == 58 || i == 101 || i == 102) continue;
    EXPECT_EQ(payload[i], reference[i]) << "P[" << i << "]";
  }
  const auto l2 = aps::decode_l2(util::ByteView(payload).subspan(6));
  ASSERT_TRUE(l2.ok());
  EXPECT_EQ(l2->checksum, aps::l2_checksum(0x5C, 0xBB, l2->body));
  for (std::size_t i = 58; i < 101; ++i) EXPECT_EQ(payload[i], 0xFF) << "P[" << i << "]";

  const auto t = aps::decode_telemetry(payload);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ(t->model, aps::Model::Ds3);
  EXPECT_NEAR(*t->frequency_hz, 50.00, 0.005);
  EXPECT_NEAR(*t->ac_voltage_v, 231.05, 0.005);   // 878 / 3.8
  EXPECT_NEAR(*t->temperature_c, 18.04, 0.005);   // 0.0198 × 2115 − 23.84
  EXPECT_EQ(t->uptime_s, 11615U);
  EXPECT_EQ(t->raw.ac_power_w, 328);
  EXPECT_NEAR(*t->inputs[0].dc_voltage_v, 36.77, 0.005);  // 1765 / 48
  EXPECT_NEAR(*t->inputs[1].dc_voltage_v, 36.96, 0.005);  // 1774 / 48
  EXPECT_NEAR(*t->inputs[0].dc_current_a, 2.825, 0.0005);
  EXPECT_NEAR(*t->inputs[1].dc_current_a, 2.925, 0.0005);
  EXPECT_NEAR(t->inputs[0].energy_counter_wh, 80.47, 0.005);  // 4847812 × 1.66e-5
  EXPECT_NEAR(t->inputs[1].energy_counter_wh, 79.18, 0.005);
}

TEST(ApsTelemetry, Ds3SampleDecodesOnceItsChecksumIsRight) {
  auto sample = hex(aps::test::kDs3Payload);
  const auto stale = aps::decode_raw(sample);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, aps::Errc::BadL2Checksum);
  const auto l2 = aps::decode_l2(util::ByteView(sample).subspan(6));
  ASSERT_TRUE(l2.ok());
  const auto ck = aps::l2_checksum(0x5C, 0xBB, l2->body);
  sample[101] = static_cast<std::uint8_t>(ck >> 8);
  sample[102] = static_cast<std::uint8_t>(ck & 0xFF);
  const auto raw = aps::decode_raw(sample);
  ASSERT_TRUE(raw.ok()) << raw.error().describe();
  expect_same(*raw, ds3_fields_of_section_6_5());
}

TEST(ApsTelemetry, Yc600ChecksumIsNotValidated) {
  auto payload = yc600_payload();
  payload[90] = 0x12;
  payload[91] = 0x34;
  EXPECT_TRUE(aps::decode_raw(payload).ok());
}

TEST(ApsTelemetry, DetectionPrefersTheSerialPrefix) {
  auto payload = yc600_payload();
  EXPECT_EQ(*aps::detect_model(payload), aps::Model::Yc600);
  EXPECT_EQ(*aps::detect_model(qs1_payload()), aps::Model::Qs1);
  EXPECT_EQ(*aps::detect_model(aps::encode_raw(ds3_fields_of_section_6_5())), aps::Model::Ds3);

  // A QS1 serial wins even though the frame has the YC600's empty slots.
  payload[0] = 0x80;
  EXPECT_EQ(*aps::detect_model(payload), aps::Model::Qs1);
  // Unknown prefix: the empty slots decide.
  payload[0] = 0x50;
  EXPECT_EQ(*aps::detect_model(payload), aps::Model::Yc600);
  payload[30] = 0x01;  // a QS1 uptime
  EXPECT_EQ(*aps::detect_model(payload), aps::Model::Qs1);
}

TEST(ApsTelemetry, ConfiguredModelOverridesDetection) {
  const auto payload = yc600_payload();
  const auto as_qs1 = aps::decode_raw(payload, aps::Model::Qs1);
  ASSERT_TRUE(as_qs1.ok());
  EXPECT_EQ(as_qs1->model, aps::Model::Qs1);
  EXPECT_EQ(as_qs1->inputs.size(), 4U);
  EXPECT_EQ(as_qs1->inputs[0].dc_voltage_raw, 1725);  // QS1 input 1 = group A

  aps::DecodeOptions options;
  options.model = aps::Model::Qs1;
  EXPECT_EQ(aps::decode_telemetry(payload, options)->inputs.size(), 4U);

  const auto as_ds3 = aps::decode_raw(payload, aps::Model::Ds3);
  ASSERT_FALSE(as_ds3.ok());
  EXPECT_EQ(as_ds3.error().code, aps::Errc::UnknownReply);
}

// Random values within each field's width survive encode -> decode unchanged.
TEST(ApsTelemetry, EncodeIsTheExactInverseOfDecode) {
  std::mt19937_64 rng(20240611);
  const auto bits = [&rng](unsigned n) { return rng() & ((std::uint64_t{1} << n) - 1); };
  for (const auto& mi : aps::kModels) {
    const bool packed = mi.model != aps::Model::Ds3;
    for (int round = 0; round < 500; ++round) {
      aps::RawTelemetry raw;
      util::Bytes sn(6);
      for (auto& b : sn) b = static_cast<std::uint8_t>(bits(8));
      raw.serial = aps::Serial::from_bytes(sn);
      raw.model = mi.model;
      raw.temperature_raw = static_cast<std::uint16_t>(bits(16));
      raw.frequency_raw = static_cast<std::uint32_t>(bits(packed ? 24 : 16));
      raw.ac_voltage_raw = static_cast<std::uint16_t>(bits(16));
      raw.uptime_s = static_cast<std::uint32_t>(bits(mi.model == aps::Model::Yc600 ? 32 : 16));
      raw.ac_power_w = packed ? std::uint16_t{0} : static_cast<std::uint16_t>(bits(16));
      raw.inputs.resize(mi.inputs);
      for (auto& in : raw.inputs) {
        in.dc_voltage_raw = static_cast<std::uint16_t>(bits(packed ? 12 : 16));
        in.dc_current_raw = static_cast<std::uint16_t>(bits(packed ? 12 : 16));
        in.energy_raw = bits(packed ? 40 : 32);
      }
      const auto payload = aps::encode_raw(raw);
      ASSERT_EQ(payload.size(), mi.reply_length);
      const auto back = aps::decode_raw(payload, mi.model);
      ASSERT_TRUE(back.ok()) << mi.name << ": " << back.error().describe();
      expect_same(*back, raw);
      // And the bytes are a fixed point: decode -> encode gives them back.
      ASSERT_EQ(aps::encode_raw(*back), payload);
    }
  }
}

TEST(ApsTelemetry, EncodeMasksWhatDoesNotFit) {
  aps::RawTelemetry raw;
  raw.model = aps::Model::Qs1;
  raw.uptime_s = 0x12345;
  raw.inputs = {{.dc_voltage_raw = 0xFFFF, .dc_current_raw = 0x1001, .energy_raw = 0xFF'FFFF'FFFF'FFFF}};
  const auto back = aps::decode_raw(aps::encode_raw(raw));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->uptime_s, 0x2345U);
  EXPECT_EQ(back->inputs[0].dc_voltage_raw, 0x0FFF);
  EXPECT_EQ(back->inputs[0].dc_current_raw, 0x0001);
  EXPECT_EQ(back->inputs[0].energy_raw, 0xFF'FFFF'FFFFU);
  EXPECT_EQ(back->inputs[1].energy_raw, 0U);  // missing inputs are zero
}

}  // namespace

namespace {
TEST(ApsTelemetry, InputOrderRenumbersReadingsAndRawFieldsAlike) {
  const auto payload = yc600_payload();
  aps::DecodeOptions swapped;
  swapped.input_order = {2, 1};
  const auto t = aps::decode_telemetry(payload, swapped);
  ASSERT_TRUE(t.ok());
  // The owner's input 1 is physical input 2: group B (P[22]) with its counter at P[42].
  EXPECT_NEAR(*t->inputs[0].dc_voltage_v, 34.30, 0.005);
  EXPECT_NEAR(t->inputs[0].energy_counter_wh, 222.44, 0.005);
  EXPECT_EQ(t->raw.inputs[0].energy_raw >> 16, 96354U);
  EXPECT_NEAR(*t->inputs[1].dc_voltage_v, 34.74, 0.005);
  EXPECT_EQ(t->raw.inputs[1].energy_raw >> 16, 94727U);

  // Anything but a permutation of the model's inputs leaves the physical order.
  for (const auto& order : std::vector<std::vector<std::uint8_t>>{{1, 1}, {2}, {2, 1, 3}, {0, 1}, {3, 1}}) {
    aps::DecodeOptions bad;
    bad.input_order = order;
    EXPECT_FALSE(aps::is_input_order(order, 2));
    EXPECT_NEAR(aps::decode_telemetry(payload, bad)->inputs[0].energy_counter_wh, 218.69, 0.005);
  }
  EXPECT_TRUE(aps::is_input_order(std::vector<std::uint8_t>{4, 3, 1, 2}, 4));
}
}  // namespace
