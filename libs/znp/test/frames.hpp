// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test helpers: frames from capture hex and back.

#include <string>

#include <gtest/gtest.h>

#include "apsecu/unpi/decoder.hpp"
#include "apsecu/util/hex.hpp"

namespace apsecu::znp::test {

// The one frame in `wire_hex` (SOF..FCS); an empty SRSP SYS 0xFF frame if it is not exactly one.
inline unpi::Frame wire(const std::string& wire_hex) {
  unpi::Decoder d;
  const auto bytes = util::from_hex(wire_hex);
  EXPECT_TRUE(bytes.has_value()) << wire_hex;
  if (bytes) d.feed(*bytes);
  auto f = d.next();
  EXPECT_TRUE(f.has_value()) << "not a valid frame: " << wire_hex;
  EXPECT_FALSE(d.next().has_value()) << "more than one frame: " << wire_hex;
  return f.value_or(unpi::Frame{unpi::Type::Srsp, unpi::Subsystem::Sys, 0xFF, {}});
}

// The telemetry frame of the §6.1 YC600 poll read (cluster 0x0106, src 0x103A, 94 data bytes).
inline constexpr const char* kYc600Answer =
    "FE724481000006013A101414007100B57CFA00005E408000158215FBFB51B103D40F4117000074CF00000076706A73D06B0496000000"
    "000000000172072D88017862E8201F00030555073F0303030100000100000000000000000000000000000000000000000000000000"
    "000000000000FEFE3A100E76";

inline std::string hex(const unpi::Frame& f) {
  auto bytes = unpi::encode(f);
  return bytes ? util::to_hex(*bytes) : "<oversize>";
}

}  // namespace apsecu::znp::test
