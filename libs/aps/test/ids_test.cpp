// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/aps/ids.hpp"

#include <gtest/gtest.h>

#include "apsecu/aps/model.hpp"
#include "apsecu/util/hex.hpp"

namespace {
using namespace apsecu;
using aps::EcuId;
using aps::Errc;
using aps::Serial;

TEST(ApsEcuId, ParsesAndDerivesWireForms) {
  const auto id = EcuId::parse("D8A3011B9780");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->str(), "D8A3011B9780");
  EXPECT_EQ(util::to_hex(id->bytes()), "D8A3011B9780");
  EXPECT_EQ(util::to_hex(id->reversed()), "80971B01A3D8");
  EXPECT_EQ(util::to_hex(id->ieee()), "FFFF80971B01A3D8");
  EXPECT_EQ(id->pan_id(), 0xA3D8);
}

TEST(ApsEcuId, SecondExampleAndLowerCase) {
  const auto id = EcuId::parse("d6b3011b9780");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->str(), "D6B3011B9780");
  EXPECT_EQ(id->pan_id(), 0xB3D6);
  EXPECT_EQ(*id, *EcuId::parse("D6B3011B9780"));
}

TEST(ApsEcuId, RejectsWrongLengthSayingSo) {
  for (const auto* text : {"", "D8A3011B978", "D8A3011B97800", "0xD8A3011B9780"}) {
    const auto id = EcuId::parse(text);
    ASSERT_FALSE(id.ok()) << text;
    EXPECT_EQ(id.error().code, Errc::BadEcuId);
    EXPECT_NE(id.error().message.find("exactly 12"), std::string::npos) << id.error().message;
  }
}

TEST(ApsEcuId, RejectsNonHexSayingWhere) {
  const auto id = EcuId::parse("D8A3011B97G0");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, Errc::BadEcuId);
  EXPECT_NE(id.error().message.find("'G'"), std::string::npos) << id.error().message;
  EXPECT_NE(id.error().message.find("position 11"), std::string::npos) << id.error().message;
  EXPECT_FALSE(EcuId::parse("D8A3 011B978").ok());
}

TEST(ApsSerial, ParsesDigitsAsNibbles) {
  const auto s = Serial::parse("408000158215");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(util::to_hex(s->bytes()), "408000158215");
  EXPECT_EQ(s->str(), "408000158215");
  EXPECT_EQ(Serial::from_bytes(s->bytes()), *s);
  EXPECT_LT(*Serial::parse("408000119348"), *s);
}

TEST(ApsSerial, RejectsLengthAndHexLetters) {
  const auto short_one = Serial::parse("40800015821");
  ASSERT_FALSE(short_one.ok());
  EXPECT_EQ(short_one.error().code, Errc::BadSerial);
  EXPECT_NE(short_one.error().message.find("exactly 12"), std::string::npos);

  const auto letter = Serial::parse("40800015821A");
  ASSERT_FALSE(letter.ok());
  EXPECT_EQ(letter.error().code, Errc::BadSerial);
  EXPECT_NE(letter.error().message.find("'A'"), std::string::npos) << letter.error().message;
  EXPECT_NE(letter.error().message.find("position 12"), std::string::npos) << letter.error().message;
}

TEST(ApsSerial, FromBytesNeverFailsAndShowsWhatCame) {
  const util::Bytes garbage{0xAB, 0xCD};
  EXPECT_EQ(Serial::from_bytes(garbage).str(), "ABCD00000000");
  EXPECT_EQ(Serial::from_bytes({}).str(), "000000000000");
}

TEST(ApsErrors, HaveACategoryAndMessages) {
  const std::error_code ec = Errc::BadL2Checksum;
  EXPECT_STREQ(ec.category().name(), "aps");
  EXPECT_EQ(ec.message(), "L2 checksum mismatch");
  EXPECT_EQ(std::error_code(Errc::OutOfRange).message(), "value out of range");
}

TEST(ApsModel, TableLookups) {
  EXPECT_EQ(aps::info(aps::Model::Qs1).inputs, 4);
  EXPECT_EQ(aps::info(aps::Model::Ds3).reply_cmd, 0xBB);
  EXPECT_EQ(aps::info(aps::Model::Yc600).reply_length, 94);
  EXPECT_EQ(aps::model_from_name("qs1"), aps::Model::Qs1);
  EXPECT_EQ(aps::model_from_name("Yc600"), aps::Model::Yc600);
  EXPECT_EQ(aps::model_from_name("DS3"), aps::Model::Ds3);
  EXPECT_EQ(aps::model_from_name("DS3x"), std::nullopt);
  EXPECT_EQ(aps::model_from_name(""), std::nullopt);
}

}  // namespace
