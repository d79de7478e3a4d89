// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/unpi/frame.hpp"

#include <gtest/gtest.h>

#include "apsecu/util/hex.hpp"

namespace {
using namespace apsecu;

util::Bytes hex(const char* text) { return *util::from_hex(text); }

struct Vector {
  const char* command;  // CMD0 CMD1 DATA as the hosts keep it
  const char* wire;     // complete frame from the reference captures
};

// Frames of the reference start sequence, pairing and polling (protocol §4).
constexpr Vector kVectors[] = {
    {"2605030103", "FE03260503010321"},
    {"410000", "FE0141000040"},
    {"26050108FFFF80971B01A3D8", "FE0A26050108FFFF80971B01A3D856"},
    {"2605870100", "FE032605870100A6"},
    {"26058302D8A3", "FE0426058302D8A3DD"},
    {"2605840400000100", "FE062605840400000100A4"},
    {"240014050F00010100020000150000", "FE0D240014050F0001010002000015000020"},
    {"2600", "FE00260026"},
    {"2700", "FE00270027"},
    {"24013A7C1414060001000F1380971B01A3D8FBFB06BB000000000000C1FEFE",
     "FE1D24013A7C1414060001000F1380971B01A3D8FBFB06BB000000000000C1FEFE6F"},
    {"2710AABBCC", "FE032710AABBCCE9"},
};

TEST(Frame, EncodesEveryReferenceVector) {
  for (const auto& v : kVectors) {
    const auto frame = unpi::frame_from_command_bytes(hex(v.command));
    ASSERT_TRUE(frame.ok()) << v.command;
    const auto wire = unpi::encode(*frame);
    ASSERT_TRUE(wire.ok());
    EXPECT_EQ(util::to_hex(*wire), v.wire) << v.command;
  }
}

TEST(Frame, SplitsCmd0IntoTypeAndSubsystem) {
  const auto f = unpi::make_frame(0x44, 0x81, {});
  EXPECT_EQ(f.type, unpi::Type::Areq);
  EXPECT_EQ(f.subsystem, unpi::Subsystem::Af);
  EXPECT_EQ(f.cmd0(), 0x44);
}

TEST(Frame, RefusesOversizeData) {
  unpi::Frame f;
  f.data.assign(251, 0);
  const auto wire = unpi::encode(f);
  ASSERT_FALSE(wire.ok());
  EXPECT_EQ(wire.error().code, unpi::Errc::Oversize);
  EXPECT_FALSE(unpi::frame_from_command_bytes(hex("26")).ok());
}
}  // namespace
