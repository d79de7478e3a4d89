// SPDX-License-Identifier: GPL-3.0-or-later
// Every host -> inverter frame of protocol §4, rebuilt from the payload codec plus the
// AF header and compared with the captured wire bytes including the FCS.
#include "apsecu/aps/requests.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "apsecu/aps/l2.hpp"
#include "support.hpp"

namespace {
using namespace apsecu;
using aps::test::af_data_request;
using aps::test::af_data_request_ext;
using aps::test::hex;

constexpr std::uint16_t kInverter = 0x7C3A;
constexpr std::uint16_t kBroadcast = 0xFFFF;

aps::EcuId ecu(const char* text = "D8A3011B9780") { return *aps::EcuId::parse(text); }
aps::Serial serial(const char* text = "408000119348") { return *aps::Serial::parse(text); }

std::string unicast(const util::Bytes& payload, std::uint16_t dst = kInverter) {
  return af_data_request(dst, aps::kRequestCluster, aps::kUnicastTransId, payload);
}

util::Bytes l2_of(const util::Bytes& payload) { return {payload.begin() + 6, payload.end()}; }

TEST(ApsRequests, PollPayloadAndFrame) {
  EXPECT_EQ(util::to_hex(aps::encode_poll(ecu())), "80971B01A3D8FBFB06BB000000000000C1FEFE");
  EXPECT_EQ(unicast(aps::encode_poll(ecu())), "FE1D24013A7C1414060001000F1380971B01A3D8FBFB06BB000000000000C1FEFE6F");
}

TEST(ApsRequests, PollFramesFromOtherCaptures) {
  // RPI log, DS3 at 0x998B, and the failed QS1 poll of RPI-APS-inverters #96 (0x6C14).
  EXPECT_EQ(unicast(aps::encode_poll(ecu("D6B3011B9780")), 0x998B),
            "FE1D24018B991414060001000F1380971B01B3D6FBFB06BB000000000000C1FEFE25");
  EXPECT_EQ(unicast(aps::encode_poll(ecu("D6B3011B9780")), 0x6C14),
            "FE1D2401146C1414060001000F1380971B01B3D6FBFB06BB000000000000C1FEFE4F");
}

TEST(ApsRequests, QueryParameters) {
  EXPECT_EQ(util::to_hex(l2_of(aps::encode_query_parameters(ecu()))), "FBFB06DE000000000000E4FEFE");
  EXPECT_EQ(unicast(aps::encode_query_parameters(ecu())),
            "FE1D24013A7C1414060001000F1380971B01A3D8FBFB06DE000000000000E4FEFE2F");
}

TEST(ApsRequests, OnAndOffAreOpenApsFramesWithTheSumChecksum) {
  // OpenAPS codec/onoff.go: on FB FB 06 C1 .. 00 C7, off FB FB 06 C2 .. 00 C8, unicast.
  EXPECT_EQ(util::to_hex(l2_of(aps::encode_set_output(ecu(), true))), "FBFB06C1000000000000C7FEFE");
  EXPECT_EQ(util::to_hex(l2_of(aps::encode_set_output(ecu(), false))), "FBFB06C2000000000000C8FEFE");
  EXPECT_EQ(unicast(aps::encode_set_output(ecu(), false)).substr(0, 40), "FE1D24013A7C1414060001000F1380971B01A3D8");
  // Not the community's "reboot" frame (same opcode, checksum 00A6 that fails the sum rule).
  EXPECT_NE(util::to_hex(l2_of(aps::encode_set_output(ecu(), true))), "FBFB06C1000000000000A6FEFE");
}

TEST(ApsRequests, NormalOperationBroadcastIsTheFullThirtyBytes) {
  const auto payload = aps::encode_normal_operation(ecu());
  EXPECT_EQ(payload.size(), 30U);
  EXPECT_EQ(util::to_hex(payload), "80971B01A3D8FBFB1100000D6030FBD3000000000000000004010281FEFE");
  EXPECT_EQ(unicast(payload, kBroadcast),
            "FE282401FFFF1414060001000F1E80971B01A3D8FBFB1100000D6030FBD3000000000000000004010281FEFE8F");
  const auto other = unicast(aps::encode_normal_operation(ecu("D6B3011B9780")), kBroadcast);
  EXPECT_EQ(other.substr(other.size() - 4), "FE91");
  EXPECT_NE(other.find("80971B01B3D6"), std::string::npos);
}

TEST(ApsRequests, SetPowerLimitDs3ReproducesTheSniffedFrame) {
  const auto payload = aps::encode_set_power_limit(ecu(), aps::Model::Ds3, 100);
  ASSERT_TRUE(payload.ok()) << payload.error().describe();
  EXPECT_EQ(util::to_hex(l2_of(*payload)), "FBFB06AA270000067B0158FEFE");
  // The DS3 rule as the seed states it: VV = (MM + LL - 0x29) & 0xFF with a 01 high byte.
  const auto l2 = l2_of(*payload);
  EXPECT_EQ(l2[10], static_cast<std::uint8_t>((l2[7] + l2[8] - 0x29) & 0xFF));
}

TEST(ApsRequests, SetPowerLimitYc600AndQs1) {
  for (const auto model : {aps::Model::Yc600, aps::Model::Qs1}) {
    const auto payload = aps::encode_set_power_limit(ecu(), model, 300);
    ASSERT_TRUE(payload.ok());
    // 300 × 28.89 = 8667 = 0x21DB; checksum = 06+1C+8C+02+21+DB+00 = 0x01AC
    EXPECT_EQ(util::to_hex(l2_of(*payload)), "FBFB061C8C0221DB0001ACFEFE");
    EXPECT_EQ(unicast(*payload).substr(0, 12), "FE1D24013A7C");
  }
}

TEST(ApsRequests, SetPowerLimitAddsCalibrationAndRounds) {
  const auto payload = aps::encode_set_power_limit(ecu(), aps::Model::Qs1, 250, -5.5);
  ASSERT_TRUE(payload.ok());
  const auto l2 = l2_of(*payload);
  const unsigned value = (unsigned{l2[6]} << 8) | l2[7];
  EXPECT_EQ(value, static_cast<unsigned>(std::lround(244.5 * 28.89)));  // 7063.6 -> 7064
}

TEST(ApsRequests, SetPowerLimitIsPerPanelTwentyToFiveHundred) {
  // OpenAPS codec/limits.go: the stock ECU refuses < 20 or > 500 W per panel.
  EXPECT_EQ(aps::kMinLimitPerPanel_w, 20);
  EXPECT_EQ(aps::kMaxLimitPerPanel_w, 500);
  const auto over = aps::encode_set_power_limit(ecu(), aps::Model::Qs1, 600);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().describe().find("per panel"), std::string::npos) << over.error().describe();
  EXPECT_TRUE(aps::encode_set_power_limit(ecu(), aps::Model::Qs1, 500).ok());
}

TEST(ApsRequests, SetPowerLimitRejectsOutOfRange) {
  for (const double w : {19.99, 500.01, 700.0, -1.0, 0.0, std::nan(""), 1e9}) {
    const auto payload = aps::encode_set_power_limit(ecu(), aps::Model::Ds3, w);
    ASSERT_FALSE(payload.ok()) << w;
    EXPECT_EQ(payload.error().code, aps::Errc::OutOfRange);
  }
  EXPECT_TRUE(aps::encode_set_power_limit(ecu(), aps::Model::Yc600, 20).ok());
  EXPECT_TRUE(aps::encode_set_power_limit(ecu(), aps::Model::Yc600, 500).ok());
  const auto huge_calibration = aps::encode_set_power_limit(ecu(), aps::Model::Yc600, 500, 5000);
  ASSERT_FALSE(huge_calibration.ok());
  EXPECT_EQ(huge_calibration.error().code, aps::Errc::OutOfRange);
}

TEST(ApsRequests, PairingStepsReproduceTheLuaTrace) {
  const auto steps = aps::pairing_steps(ecu(), serial());
  const std::array<std::string, 4> expected{
      "FE2524020FFFFFFFFFFFFFFFFF14FFFF140D0200000F1100408000119348FFFF10FFFF80971B01A3D871",
      "FE1A24020FFFFFFFFFFFFFFFFF14FFFF140C0201000F06004080001193483F",
      "FE2524020FFFFFFFFFFFFFFFFF14FFFF140F0102000F1100408000119348A3D810FFFF80971B01A3D809",
      "FE1A24020FFFFFFFFFFFFFFFFF14FFFF14010103000F060080971B01A3D84F",
  };
  const std::array<std::uint16_t, 4> clusters{0x020D, 0x020C, 0x010F, 0x0101};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].cluster, clusters[i]);
    EXPECT_EQ(steps[i].trans_id, i);
    EXPECT_EQ(af_data_request_ext(steps[i].cluster, steps[i].trans_id, steps[i].data), expected[i]) << "step " << i;
  }
}

TEST(ApsRequests, PairingStepsForTheSecondEcu) {
  const auto steps = aps::pairing_steps(ecu("D6B3011B9780"), serial());
  const auto tail = [](const std::string& s, std::size_t n) { return s.substr(s.size() - n); };
  EXPECT_EQ(tail(af_data_request_ext(steps[0].cluster, 0, steps[0].data), 14), "80971B01B3D66F");
  EXPECT_EQ(tail(af_data_request_ext(steps[2].cluster, 2, steps[2].data), 36), "408000119348B3D610FFFF80971B01B3D609");
  EXPECT_EQ(tail(af_data_request_ext(steps[3].cluster, 3, steps[3].data), 14), "80971B01B3D651");
}

TEST(ApsRequests, PairingAnswerIsTwoBytesPlusTheSerial) {
  // Answers from the Lua trace and the RPI comments, and the echoes that must not count.
  const auto answer = aps::test::incoming_in("FE1C4481000001013A7C14140024004E8204000008FFFF4080001193483A7C0E39");
  EXPECT_EQ(answer.cluster, aps::kPairAnswerCluster);
  EXPECT_EQ(answer.src_addr, 0x7C3A);
  EXPECT_TRUE(aps::is_pairing_answer(answer.data, serial()));
  EXPECT_FALSE(aps::is_pairing_answer(answer.data, serial("408000158215")));

  const auto variant = aps::test::incoming_in("FE1C4481000001013A101414003400622305000008FF1A4080001582153A100E08");
  EXPECT_TRUE(aps::is_pairing_answer(variant.data, serial("408000158215")));

  const auto echo2 = aps::test::incoming_in("FE1A448100000C02000014140122003F420400000640800011934821D00D7B");
  EXPECT_FALSE(aps::is_pairing_answer(echo2.data, serial()));
  const auto echo1 = aps::test::incoming_in(
      "FE25448100000D0200001414012700130004000011408000119348FFFF10FFFF80971B01A3D83A7C0DE8");
  EXPECT_FALSE(aps::is_pairing_answer(echo1.data, serial()));

  EXPECT_FALSE(aps::is_pairing_answer(hex("FF408000119348"), serial()));
  EXPECT_FALSE(aps::is_pairing_answer(hex("FFFF40800011934800"), serial()));
  EXPECT_FALSE(aps::is_pairing_answer(hex("0000408000119348"), serial()));  // only FF FF / FF 1A seen
  EXPECT_FALSE(aps::is_pairing_answer({}, serial()));
}

TEST(ApsRequests, DsThreeAnswersAfterStepTwoAndStepThree) {
  // read-APSystems-YC600-QS1-DS3 #19: FF 1A after step 2, FF FF after step 3, from 0x6C22.
  const auto ds3 = serial("703000021300");
  const auto after2 = aps::test::incoming_in("FE1C448100000101226C1414008300C75E00000008FF1A703000021300226C0E71");
  const auto after3 = aps::test::incoming_in("FE1C448100000101226C1414008000927300000008FFFF703000021300226C0EEF");
  for (const auto& a : {after2, after3}) {
    EXPECT_EQ(a.cluster, aps::kPairAnswerCluster);
    EXPECT_EQ(a.src_addr, 0x6C22);
    EXPECT_TRUE(aps::is_pairing_answer(a.data, ds3));
    EXPECT_EQ(aps::pairing_answer_serial(a.data), ds3);
    EXPECT_FALSE(aps::pairing_echo_step(a.cluster, a.data).has_value());
  }
}

TEST(ApsRequests, EchoesOfOurOwnStepsAreRecognised) {
  const auto echo1 = aps::test::incoming_in(
      "FE25448100000D0200001414012700130004000011408000119348FFFF10FFFF80971B01A3D83A7C0DE8");
  EXPECT_EQ(aps::pairing_echo_step(echo1.cluster, echo1.data), 1);
  const auto echo2 = aps::test::incoming_in("FE1A448100000C02000014140122003F420400000640800011934821D00D7B");
  EXPECT_EQ(aps::pairing_echo_step(echo2.cluster, echo2.data), 2);  // relayed by 0xD021
  const auto echo3 = aps::test::incoming_in(
      "FE25448100000F0100001414013100204D03000011408000158215A3D610FFFF80971B01A3D63A100DD9");
  EXPECT_EQ(aps::pairing_echo_step(echo3.cluster, echo3.data), 3);
  const auto echo4 = aps::test::incoming_in("FE1A44810000010100001414012700CEB60400000680971B01A3D83A7C0DBE");
  EXPECT_EQ(aps::pairing_echo_step(echo4.cluster, echo4.data), 4);
  EXPECT_FALSE(aps::pairing_answer_serial(echo4.data).has_value());
  // Every step we build is recognised as its own echo.
  const auto steps = aps::pairing_steps(ecu(), serial());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(aps::pairing_echo_step(steps[i].cluster, steps[i].data), static_cast<int>(i) + 1);
  }
  EXPECT_FALSE(aps::pairing_echo_step(aps::kReplyCluster, steps[1].data).has_value());
}

}  // namespace
