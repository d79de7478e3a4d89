// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/util/bytes.hpp"

#include <gtest/gtest.h>

using apsecu::util::ByteReader;
using apsecu::util::Bytes;
using apsecu::util::ByteWriter;

TEST(ByteReader, ReadsBothByteOrders) {
  const Bytes data{0x12, 0x34, 0x56, 0x78, 0x9A};
  ByteReader r(data);
  EXPECT_EQ(r.u16be(), 0x1234);
  EXPECT_EQ(r.u16le(), 0x7856);
  EXPECT_EQ(r.remaining(), 1U);
  EXPECT_FALSE(r.failed());
}

TEST(ByteReader, ShortReadFailsWithoutThrowingAndStaysFailed) {
  const Bytes data{0x01, 0x02, 0x03};
  ByteReader r(data);
  EXPECT_EQ(r.u32be(), 0U);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.u8(), 0U);  // even though one byte would fit, a failed reader stays failed
  EXPECT_EQ(r.position(), 0U);
}

TEST(ByteWriter, RoundTripsThroughReader) {
  const auto bytes = ByteWriter{}.u8(0xFE).u16le(0x7C3A).u24be(0x0F4117).u32be(0x0049F8C4).take();
  ByteReader r(bytes);
  EXPECT_EQ(r.u8(), 0xFE);
  EXPECT_EQ(r.u16le(), 0x7C3A);
  EXPECT_EQ(r.u24be(), 0x0F4117U);
  EXPECT_EQ(r.u32be(), 0x0049F8C4U);
  EXPECT_EQ(r.remaining(), 0U);
}
