// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "apsecu/aps/l2.hpp"
#include "apsecu/aps/telemetry.hpp"
#include "support.hpp"

namespace {
using namespace apsecu;

TEST(ApsParameters, CapturedRepliesGiveTheProgrammedLimit) {
  const auto yc = aps::test::incoming_in(aps::test::kYc600ParametersRead);
  ASSERT_EQ(yc.data.size(), 0x5AU);
  const auto yc_limit = aps::decode_power_limit(yc.data, aps::Model::Yc600);
  ASSERT_TRUE(yc_limit.ok()) << yc_limit.error().describe();
  EXPECT_NEAR(*yc_limit, 300.0, 0.01);  // 0x21DB / 28.89
  EXPECT_NEAR(*aps::decode_power_limit(yc.data, aps::Model::Qs1), 300.0, 0.01);

  const auto ds3 = aps::test::incoming_in(aps::test::kDs3ParametersRead);
  ASSERT_EQ(ds3.data.size(), 0x69U);
  const auto ds3_limit = aps::decode_power_limit(ds3.data, aps::Model::Ds3);
  ASSERT_TRUE(ds3_limit.ok()) << ds3_limit.error().describe();
  EXPECT_NEAR(*ds3_limit, 600.0, 0.01);  // 0x26E2 / 16.59
}

TEST(ApsParameters, EncodedRepliesMatchTheCaptures) {
  const auto serial = *aps::Serial::parse("408000158215");
  EXPECT_EQ(util::to_hex(aps::encode_parameters_reply(serial, aps::Model::Yc600, 300)),
            util::to_hex(aps::test::incoming_in(aps::test::kYc600ParametersRead).data));
  const auto ds3_serial = *aps::Serial::parse("704000202594");
  EXPECT_EQ(util::to_hex(aps::encode_parameters_reply(ds3_serial, aps::Model::Ds3, 600)),
            util::to_hex(aps::test::incoming_in(aps::test::kDs3ParametersRead).data));
}

TEST(ApsParameters, RoundTripWithinOneStep) {
  const auto serial = *aps::Serial::parse("801000085070");
  for (const auto& mi : aps::kModels) {
    for (const double w : {20.0, 123.4, 300.0, 499.0, 700.0}) {
      const auto reply = aps::encode_parameters_reply(serial, mi.model, w);
      const auto back = aps::decode_power_limit(reply, mi.model);
      ASSERT_TRUE(back.ok()) << mi.name << " " << w << ": " << back.error().describe();
      EXPECT_NEAR(*back, w, 0.5 / mi.power_limit_scale + 1e-9) << mi.name;
    }
  }
  // Out-of-field values clamp instead of wrapping.
  const auto huge = aps::encode_parameters_reply(serial, aps::Model::Ds3, 1e6);
  EXPECT_NEAR(*aps::decode_power_limit(huge, aps::Model::Ds3), 65535 / 16.59, 1e-9);
}

TEST(ApsParameters, RejectsWhatIsNotAParameterReply) {
  const auto serial = *aps::Serial::parse("408000158215");
  const auto yc = aps::encode_parameters_reply(serial, aps::Model::Yc600, 300);
  const auto ds3 = aps::encode_parameters_reply(serial, aps::Model::Ds3, 300);

  EXPECT_EQ(aps::decode_power_limit(yc, aps::Model::Ds3).error().code, aps::Errc::WrongLength);
  EXPECT_EQ(aps::decode_power_limit(ds3, aps::Model::Yc600).error().code, aps::Errc::WrongLength);
  EXPECT_EQ(aps::decode_power_limit(util::ByteView(yc).first(50), aps::Model::Yc600).error().code,
            aps::Errc::WrongLength);

  auto bad_ck = ds3;
  bad_ck[bad_ck.size() - 3] ^= 0x01;
  EXPECT_EQ(aps::decode_power_limit(bad_ck, aps::Model::Ds3).error().code, aps::Errc::BadL2Checksum);

  auto other_page = ds3;
  other_page[10] = 0xDD;  // page tag
  const auto ck = aps::l2_checksum(0x5C, 0xDD, util::ByteView(other_page).subspan(10, 91));
  other_page[101] = static_cast<std::uint8_t>(ck >> 8);
  other_page[102] = static_cast<std::uint8_t>(ck & 0xFF);
  EXPECT_EQ(aps::decode_power_limit(other_page, aps::Model::Ds3).error().code, aps::Errc::UnknownReply);

  auto other_cmd = yc;
  other_cmd[9] = 0xB1;
  EXPECT_EQ(aps::decode_power_limit(other_cmd, aps::Model::Yc600).error().code, aps::Errc::UnknownReply);

  auto no_l2 = yc;
  no_l2[6] = 0x00;
  EXPECT_EQ(aps::decode_power_limit(no_l2, aps::Model::Yc600).error().code, aps::Errc::NotL2);
}

}  // namespace
