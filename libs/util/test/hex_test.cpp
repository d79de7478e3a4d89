// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/util/hex.hpp"

#include <gtest/gtest.h>

using apsecu::util::from_hex;
using apsecu::util::to_hex;

TEST(Hex, RoundTrip) {
  const auto bytes = from_hex("fe01 6401-0064");
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(to_hex(*bytes), "FE0164010064");
}

TEST(Hex, RejectsOddLengthAndForeignCharacters) {
  EXPECT_FALSE(from_hex("FE0").has_value());
  EXPECT_FALSE(from_hex("FEZZ").has_value());
  EXPECT_TRUE(from_hex("0xFE").has_value());
}
