// SPDX-License-Identifier: GPL-3.0-or-later
// Bad input must come back as an error value naming the problem, never as a crash (the
// suite runs under ASan/UBSan).
#include <random>

#include <gtest/gtest.h>

#include "apsecu/aps/l2.hpp"
#include "apsecu/aps/replies.hpp"
#include "apsecu/aps/requests.hpp"
#include "apsecu/aps/telemetry.hpp"
#include "support.hpp"

namespace {
using namespace apsecu;

util::Bytes yc600() { return aps::test::incoming_in(aps::test::kYc600PollRead).data; }

util::Bytes ds3() {
  aps::RawTelemetry raw;
  raw.serial = *aps::Serial::parse("703000021300");
  raw.model = aps::Model::Ds3;
  raw.inputs.resize(2);
  raw.frequency_raw = 5000;
  return aps::encode_raw(raw);
}

aps::Errc code_of(util::ByteView payload) {
  const auto r = aps::decode_raw(payload);
  EXPECT_FALSE(r.ok());
  return r.ok() ? aps::Errc{} : static_cast<aps::Errc>(r.error().code.value());
}

TEST(ApsRobustness, EveryTruncationIsAnError) {
  for (const auto& payload : {yc600(), ds3()}) {
    for (std::size_t n = 0; n < payload.size(); ++n) {
      const auto r = aps::decode_raw(util::ByteView(payload).first(n));
      ASSERT_FALSE(r.ok()) << n;
      EXPECT_FALSE(r.error().describe().empty());
    }
  }
  EXPECT_EQ(code_of(util::ByteView(yc600()).first(60)), aps::Errc::WrongLength);
}

TEST(ApsRobustness, WrongDelimiters) {
  auto p = yc600();
  p[7] = 0xFA;
  EXPECT_EQ(code_of(p), aps::Errc::NotL2);
  p = yc600();
  p[93] = 0xFF;
  EXPECT_EQ(code_of(p), aps::Errc::NotL2);
}

TEST(ApsRobustness, WrongLengths) {
  auto longer = yc600();
  longer.push_back(0x00);  // a byte after FE FE
  EXPECT_EQ(code_of(longer), aps::Errc::WrongLength);

  // A well-formed L2 frame of the wrong size for its opcode.
  util::Bytes short_b1(6, 0x40);
  const auto l2 = aps::encode_l2(0xB1, util::Bytes(20, 0x00), 0x0000);
  short_b1.insert(short_b1.end(), l2.begin(), l2.end());
  EXPECT_EQ(code_of(short_b1), aps::Errc::WrongLength);

  util::Bytes long_bb(6, 0x70);
  const auto l2bb = aps::encode_l2(0xBB, util::Bytes(95, 0xFF));
  long_bb.insert(long_bb.end(), l2bb.begin(), l2bb.end());
  EXPECT_EQ(code_of(long_bb), aps::Errc::WrongLength);
}

TEST(ApsRobustness, Ds3BadChecksum) {
  auto p = ds3();
  p[40] ^= 0x10;  // a data byte changes, the checksum does not
  EXPECT_EQ(code_of(p), aps::Errc::BadL2Checksum);
  const auto r = aps::decode_raw(p);
  EXPECT_NE(r.error().message.find("checksum"), std::string::npos) << r.error().message;
}

TEST(ApsRobustness, UnknownOpcode) {
  auto p = yc600();
  p[9] = 0xB2;
  EXPECT_EQ(code_of(p), aps::Errc::UnknownReply);
  EXPECT_EQ(aps::detect_model(p).error().code, aps::Errc::UnknownReply);
  EXPECT_FALSE(aps::decode_telemetry(p).ok());
}

TEST(ApsRobustness, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> length(0, 140);
  for (int i = 0; i < 20000; ++i) {
    util::Bytes b(length(rng));
    for (auto& x : b) x = static_cast<std::uint8_t>(byte(rng));
    // Half the time give it a plausible envelope so the deeper checks get exercised.
    if (i % 2 == 0 && b.size() >= 13) {
      b[6] = 0xFB;
      b[7] = 0xFB;
      b[8] = static_cast<std::uint8_t>(b.size() - 13);
      b[9] = (i % 4 == 0) ? 0xB1 : 0xBB;
      b[b.size() - 2] = 0xFE;
      b[b.size() - 1] = 0xFE;
    }
    const auto raw = aps::decode_raw(b);
    if (raw.ok()) {
      // Only a reply of a model's exact size can pass.
      EXPECT_EQ(b.size(), aps::info(raw->model).reply_length);
      EXPECT_EQ(aps::encode_raw(*raw).size(), b.size());
    }
    (void)aps::detect_model(b);
    (void)aps::decode_telemetry(b);
    (void)aps::decode_l2(b);
    (void)aps::decode_set_reply(b);
    (void)aps::decode_parameters(b);
    (void)aps::pairing_answer_serial(b);
    (void)aps::pairing_echo_step(0x020D, b);
    for (const auto& mi : aps::kModels) {
      (void)aps::decode_raw(b, mi.model);
      (void)aps::decode_power_limit(b, mi.model);
      (void)aps::decode_parameters(b, mi.model);
    }
  }
}

TEST(ApsRobustness, SingleByteCorruptionOfValidRepliesNeverCrashes) {
  for (const auto& payload : {yc600(), ds3()}) {
    for (std::size_t i = 0; i < payload.size(); ++i) {
      for (const int x : {0x00, 0xFF, 0x5A}) {
        auto p = payload;
        p[i] = static_cast<std::uint8_t>(x);
        const auto r = aps::decode_telemetry(p);
        if (r.ok()) {
          EXPECT_EQ(r->inputs.size(), aps::info(r->model).inputs);
        }
      }
    }
  }
}

}  // namespace
