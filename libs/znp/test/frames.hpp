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

inline std::string hex(const unpi::Frame& f) {
  auto bytes = unpi::encode(f);
  return bytes ? util::to_hex(*bytes) : "<oversize>";
}

}  // namespace apsecu::znp::test
