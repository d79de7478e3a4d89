// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/aps/l2.hpp"

#include <gtest/gtest.h>

#include "apsecu/aps/ids.hpp"
#include "support.hpp"

namespace {
using namespace apsecu;
using aps::test::hex;

TEST(ApsL2, ChecksumMatchesEveryCapturedFrame) {
  const util::Bytes zeros(5, 0);
  EXPECT_EQ(aps::l2_checksum(0x06, 0xBB, zeros), 0x00C1);
  EXPECT_EQ(aps::l2_checksum(0x06, 0xDE, zeros), 0x00E4);
  EXPECT_EQ(aps::l2_checksum(0x06, 0xAA, hex("270000067B")), 0x0158);
  EXPECT_EQ(aps::l2_checksum(0x11, 0x00, hex("000D6030FBD3000000000000000004 01")), 0x0281);
}

TEST(ApsL2, EncodesWithComputedOrExplicitChecksum) {
  const util::Bytes zeros(5, 0);
  EXPECT_EQ(util::to_hex(aps::encode_l2(0xBB, zeros)), "FBFB06BB000000000000C1FEFE");
  EXPECT_EQ(util::to_hex(aps::encode_l2(0xC1, zeros, 0x00A6)), "FBFB06C1000000000000A6FEFE");
  EXPECT_EQ(util::to_hex(aps::encode_l2(0x42, {})), "FBFB01420043FEFE");
  // The ESP32-ECU's "nonsense" DE sent after a set-power, with a zero checksum (§4.7).
  EXPECT_EQ(util::to_hex(aps::encode_l2(0xDE, zeros, 0x0000)), "FBFB06DE00000000000000FEFE");
}

TEST(ApsL2, DecodesAtTheStartAndIgnoresWhatFollows) {
  const auto bytes = hex("FBFB06BB000000000000C1FEFE3A10");
  const auto l2 = aps::decode_l2(bytes);
  ASSERT_TRUE(l2.ok()) << l2.error().describe();
  EXPECT_EQ(l2->cmd, 0xBB);
  EXPECT_EQ(l2->body.size(), 5U);
  EXPECT_EQ(l2->checksum, 0x00C1);
  EXPECT_EQ(l2->frame.size(), 13U);
}

TEST(ApsL2, ReportsWhatIsWrong) {
  const auto check = [](const char* text, aps::Errc expected) {
    const auto bytes = hex(text);
    const auto l2 = aps::decode_l2(bytes);
    ASSERT_FALSE(l2.ok()) << text;
    EXPECT_EQ(l2.error().code, expected) << text << ": " << l2.error().describe();
  };
  check("", aps::Errc::NotL2);
  check("FB", aps::Errc::NotL2);
  check("FBFA06BB000000000000C1FEFE", aps::Errc::NotL2);
  check("FBFB06BB000000000000C1FEFF", aps::Errc::NotL2);  // end mark
  check("FBFB00BB000000000000C1FEFE", aps::Errc::NotL2);  // n must count the opcode
  check("FBFB06BB00000000", aps::Errc::WrongLength);
  check("FBFB07BB000000000000C1FEFE", aps::Errc::WrongLength);  // n one too big
}

}  // namespace
