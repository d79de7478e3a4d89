// SPDX-License-Identifier: GPL-3.0-or-later
// Answers to set commands and parameter pages, from the field captures of protocol §4.7.
#include "apsecu/aps/replies.hpp"

#include <gtest/gtest.h>

#include "apsecu/aps/l2.hpp"
#include "apsecu/aps/telemetry.hpp"
#include "support.hpp"

namespace {
using namespace apsecu;
using aps::test::hex;

const aps::Serial kDs3 = *aps::Serial::parse("703000021300");

util::Bytes payload(const aps::Serial& serial, std::string_view l2_hex) {
  util::Bytes out(serial.bytes().begin(), serial.bytes().end());
  const auto l2 = hex(l2_hex);
  out.insert(out.end(), l2.begin(), l2.end());
  return out;
}

// ESP32-read-APS-inverters #31: a YC600's DE page after a 300 W set (0x21DB), and #37 the same
// inverter holding 195 W (0x1609); both with checksum 00 00.
constexpr std::string_view kYc600PageAfterSet =
    "FE6E448100000601E9121414006B00E1783200005A408000152479FBFB4DDE041105440FE5020F32B003CF05440FE5020F32B0066604CC"
    "0EA3A804D70214050C100FD80ED07A0F32B0056A054F019000641F3FE480068ACE8ACE000130103030190604001D21DB3B6600000000"
    "FEFEE9120E67";
constexpr std::string_view kYc600Page195 =
    "FE6E448100000601E9121414003F000C821500005A408000152479FBFB4DDE041105440FE5020F32B003CF05440FE5020F32B0066604CC"
    "0EA3A804D70214050C100FD80ED07A0F32B0056A054F019000641F3FE480068ACE8ACE000130103030190604001D16093B6600000000"
    "FEFEE9120EE6";

TEST(ApsReplies, DsThreeAcknowledgementsFromTheEcuCSniff) {
  // ESP32-read-APS-inverters #34: DE = pass, DF = fail, checksum 00 00 in both.
  const auto pass = aps::decode_set_reply(payload(kDs3, "FBFB06DE02000000000000FEFE"));
  ASSERT_TRUE(pass.ok()) << pass.error().describe();
  EXPECT_TRUE(pass->accepted);
  EXPECT_EQ(pass->serial, kDs3);
  EXPECT_EQ(pass->status, (std::array<std::uint8_t, 2>{0x02, 0x00}));
  EXPECT_FALSE(pass->limit_per_panel_w.has_value());

  const auto fail = aps::decode_set_reply(payload(kDs3, "FBFB06DF00030000000000FEFE"));
  ASSERT_TRUE(fail.ok()) << fail.error().describe();
  EXPECT_FALSE(fail->accepted);
  EXPECT_EQ(fail->status, (std::array<std::uint8_t, 2>{0x00, 0x03}));

  // The sum is accepted as well; any other checksum is a real mismatch.
  EXPECT_TRUE(aps::decode_set_reply(payload(kDs3, "FBFB06DE020000000000E6FEFE")).ok());
  const auto bad = aps::decode_set_reply(payload(kDs3, "FBFB06DE020000000000E7FEFE"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, aps::Errc::BadL2Checksum);
}

TEST(ApsReplies, EncodedAcknowledgementsAreTheCapturedBytes) {
  EXPECT_EQ(util::to_hex(aps::encode_set_ack(kDs3, true)), "703000021300FBFB06DE02000000000000FEFE");
  EXPECT_EQ(util::to_hex(aps::encode_set_ack(kDs3, false)), "703000021300FBFB06DF00030000000000FEFE");
}

TEST(ApsReplies, YcSixHundredAnswersASetWithItsWholePage) {
  const auto in = aps::test::incoming_in(kYc600PageAfterSet);
  const auto reply = aps::decode_set_reply(in.data);
  ASSERT_TRUE(reply.ok()) << reply.error().describe();
  EXPECT_TRUE(reply->accepted);
  EXPECT_EQ(reply->serial.str(), "408000152479");
  ASSERT_TRUE(reply->limit_per_panel_w.has_value());
  EXPECT_NEAR(*reply->limit_per_panel_w, 300.0, 0.02);

  const auto page = aps::decode_parameters(aps::test::incoming_in(kYc600Page195).data);
  ASSERT_TRUE(page.ok()) << page.error().describe();
  EXPECT_EQ(page->model, aps::Model::Yc600);
  EXPECT_NEAR(page->limit_per_panel_w, 0x1609 / 28.89, 1e-9);  // 195 W per panel
}

TEST(ApsReplies, TelemetryIsNotAnAnswerToASet) {
  const auto poll = aps::test::incoming_in(aps::test::kYc600PollRead);
  const auto r = aps::decode_set_reply(poll.data);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, aps::Errc::UnknownReply);
  EXPECT_FALSE(aps::decode_set_reply({}).ok());
  EXPECT_FALSE(aps::decode_set_reply(hex("703000021300FBFB06DE02")).ok());
}

TEST(ApsReplies, ParametersTellTheModelFromThePage) {
  const auto ds3 = aps::decode_parameters(aps::test::incoming_in(aps::test::kDs3ParametersRead).data);
  ASSERT_TRUE(ds3.ok()) << ds3.error().describe();
  EXPECT_EQ(ds3->model, aps::Model::Ds3);
  EXPECT_NEAR(ds3->limit_per_panel_w, 600.0, 0.01);
  const auto qs1 = aps::decode_parameters(aps::encode_parameters_reply(*aps::Serial::parse("801000085070"),
                                                                       aps::Model::Qs1, 250));
  ASSERT_TRUE(qs1.ok());
  EXPECT_EQ(qs1->model, aps::Model::Qs1);
  EXPECT_NEAR(qs1->limit_per_panel_w, 250.0, 0.02);
  const auto forced = aps::decode_parameters(aps::test::incoming_in(kYc600Page195).data, aps::Model::Ds3);
  EXPECT_FALSE(forced.ok());
}

TEST(ApsReplies, ParameterPageChecksumZeroIsNotComputedButAnotherValueIsAMismatch) {
  auto page = aps::encode_parameters_reply(*aps::Serial::parse("408000158215"), aps::Model::Yc600, 300);
  EXPECT_TRUE(aps::decode_power_limit(page, aps::Model::Yc600).ok());
  page[page.size() - 3] = 0x01;  // 00 01: neither 00 00 nor the sum
  const auto bad = aps::decode_power_limit(page, aps::Model::Yc600);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, aps::Errc::BadL2Checksum);
}

TEST(ApsL2Checksum, VerdictsOnCapturedFrames) {
  const auto verdict = [](std::string_view text) {
    const auto bytes = hex(text);
    const auto l2 = aps::decode_l2(bytes);
    EXPECT_TRUE(l2.ok()) << text;
    return l2 ? aps::verify_checksum(*l2) : aps::ChecksumVerdict::Mismatch;
  };
  EXPECT_EQ(verdict("FBFB06BB000000000000C1FEFE"), aps::ChecksumVerdict::Valid);
  EXPECT_EQ(verdict("FBFB06DE02000000000000FEFE"), aps::ChecksumVerdict::NotComputed);
  EXPECT_EQ(verdict("FBFB06C1000000000000A6FEFE"), aps::ChecksumVerdict::Mismatch);  // the "reboot" frame
}

}  // namespace
