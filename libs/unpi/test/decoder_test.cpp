// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/unpi/decoder.hpp"

#include <random>

#include <gtest/gtest.h>

#include "apsecu/util/hex.hpp"

namespace {
using namespace apsecu;

util::Bytes hex(const char* text) { return *util::from_hex(text); }

std::vector<std::string> drain(unpi::Decoder& d) {
  std::vector<std::string> out;
  while (auto f = d.next()) out.push_back(util::to_hex(*unpi::encode(*f)));
  return out;
}

// A complete YC600 poll read (protocol §6.1): SRSP, data confirm, route report, telemetry.
constexpr const char* kPollRead =
    "FE0164010064FE034480001401D2FE0345C43A1000A8FE724481000006013A101414007100B57CFA00005E408000158215FBFB51B103"
    "D40F4117000074CF00000076706A73D06B0496000000000000000172072D88017862E8201F00030555073F03030301000001000000"
    "00000000000000000000000000000000000000000000000000000000FEFE3A100E76";

const std::vector<std::string> kPollFrames = {
    "FE0164010064", "FE034480001401D2", "FE0345C43A1000A8",
    "FE724481000006013A101414007100B57CFA00005E408000158215FBFB51B103D40F4117000074CF00000076706A73D06B0496000000"
    "000000000172072D88017862E8201F00030555073F0303030100000100000000000000000000000000000000000000000000000000"
    "000000000000FEFE3A100E76"};

TEST(Decoder, DecodesACompleteRead) {
  unpi::Decoder d;
  d.feed(hex(kPollRead));
  EXPECT_EQ(drain(d), kPollFrames);
  EXPECT_EQ(d.stats().skipped_bytes, 0U);
  EXPECT_FALSE(d.has_partial());
}

TEST(Decoder, YieldsExactlyTheFramesForEverySplitPointWithNoise) {
  // Junk of the kinds seen on real lines: a leading F0F8, 4E filler, a stray SOF and an
  // SOF followed by an impossible length.
  const auto noise_before = hex("F0F8");
  const auto noise_between = hex("4E4E4EFE4E");
  auto stream = noise_before;
  const auto read = hex(kPollRead);
  stream.insert(stream.end(), read.begin(), read.begin() + 14);  // two frames
  stream.insert(stream.end(), noise_between.begin(), noise_between.end());
  stream.insert(stream.end(), read.begin() + 14, read.end());
  stream.push_back(0xFE);
  stream.push_back(0xFF);

  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    for (std::size_t cut2 = cut; cut2 <= stream.size(); cut2 += 7) {
      unpi::Decoder d;
      d.feed(util::ByteView(stream).first(cut));
      d.feed(util::ByteView(stream).subspan(cut, cut2 - cut));
      d.feed(util::ByteView(stream).subspan(cut2));
      ASSERT_EQ(drain(d), kPollFrames) << "cuts at " << cut << "," << cut2;
    }
  }
}

TEST(Decoder, ByteAtATime) {
  unpi::Decoder d;
  for (const auto b : hex(kPollRead)) d.feed(util::ByteView(&b, 1));
  EXPECT_EQ(drain(d), kPollFrames);
}

TEST(Decoder, BadFcsDropsOneByteAndFindsTheFrameInside) {
  // A false SOF whose claimed frame swallows the start of a real one: a whole-frame drop
  // would lose the real frame.
  unpi::Decoder d;
  d.feed(hex("FE04FE0164010064AA"));
  EXPECT_EQ(drain(d), std::vector<std::string>{"FE0164010064"});
  EXPECT_EQ(d.stats().bad_fcs, 1U);
}

TEST(Decoder, CorruptedFrameIsCountedAndFollowingFrameSurvives) {
  unpi::Decoder d;
  d.feed(hex("FE034480001401D3FE0164010064"));
  EXPECT_EQ(drain(d), std::vector<std::string>{"FE0164010064"});
  EXPECT_EQ(d.stats().bad_fcs, 1U);
  EXPECT_GT(d.stats().skipped_bytes, 0U);
}

TEST(Decoder, RefusesLengthAbove250) {
  unpi::Decoder d;
  d.feed(hex("FEFB0000FE00260026"));
  EXPECT_EQ(drain(d), std::vector<std::string>{"FE00260026"});
  EXPECT_EQ(d.stats().oversize, 1U);
}

TEST(Decoder, IdleLineAbandonsAFalseStartThatWouldStallARealFrame) {
  unpi::Decoder d;
  d.feed(hex("FEC8FE0164010064"));  // "FE C8" claims 200 bytes that never come
  EXPECT_TRUE(drain(d).empty());
  d.on_idle();
  EXPECT_EQ(drain(d), std::vector<std::string>{"FE0164010064"});
  EXPECT_EQ(d.stats().abandoned, 1U);
}

TEST(Decoder, MemoryStaysBoundedUnderEndlessJunk) {
  unpi::Decoder d;
  util::Bytes junk(100000, 0xFE);  // every byte a candidate SOF with an oversize length
  d.feed(junk);
  EXPECT_LE(d.has_partial() ? 1U : 0U, 1U);
  EXPECT_TRUE(drain(d).empty());
  EXPECT_EQ(d.stats().skipped_bytes + (d.has_partial() ? 1U : 0U), junk.size());
}

TEST(Decoder, RandomFramesInRandomNoiseInRandomChunks) {
  std::mt19937 rng(20261125);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> expected;
    util::Bytes stream;
    const int frames = static_cast<int>(rng() % 6);
    for (int i = 0; i < frames; ++i) {
      // Noise without SOF so that it cannot combine with frame bytes into a valid frame.
      const auto noise = rng() % 8;
      for (unsigned n = 0; n < noise; ++n) stream.push_back(static_cast<std::uint8_t>(rng() % 0xFE));
      unpi::Frame f;
      f.type = unpi::Type::Areq;
      f.subsystem = unpi::Subsystem::Af;
      f.command = static_cast<std::uint8_t>(rng());
      f.data.resize(rng() % 251);
      for (auto& b : f.data) b = static_cast<std::uint8_t>(rng());
      const auto wire = *unpi::encode(f);
      stream.insert(stream.end(), wire.begin(), wire.end());
      expected.push_back(util::to_hex(wire));
    }
    unpi::Decoder d;
    std::size_t pos = 0;
    while (pos < stream.size()) {
      const std::size_t n = std::min<std::size_t>(1 + rng() % 64, stream.size() - pos);
      d.feed(util::ByteView(stream).subspan(pos, n));
      pos += n;
    }
    // Frame data may itself contain FE bytes; the decoder must still return exactly the frames.
    ASSERT_EQ(drain(d), expected) << "round " << round;
  }
}
}  // namespace
