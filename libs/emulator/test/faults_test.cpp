// SPDX-License-Identifier: GPL-3.0-or-later
// Each injected fault is visible on the wire (rates of 1 make them deterministic).
#include <gtest/gtest.h>

#include "apsecu/aps/l2.hpp"
#include "apsecu/aps/telemetry.hpp"
#include "bench.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::emulator;
using namespace apsecu::emulator::testing;
using namespace std::chrono_literals;

constexpr const char* kPoll7C3A = "FE1D24013A7C1414060001000F1380971B01A3D8FBFB06BB000000000000C1FEFE6F";

FaultConfig only(double FaultConfig::*rate) {
  FaultConfig f;
  f.*rate = 1.0;
  return f;
}

bool has_answer(const std::vector<std::string>& frames) {
  for (const auto& f : frames) {
    if (f.rfind("FE724481", 0) == 0) return true;
  }
  return false;
}

TEST(Faults, DroppedAnswerLeavesOnlyTheConfirm) {
  auto c = noon_config();
  c.faults = only(&FaultConfig::drop_rate);
  Bench b(c);
  b.start_coordinator();
  for (int i = 0; i < 6; ++i) {
    const auto frames = b.exchange(kPoll7C3A).frames();
    ASSERT_EQ(frames.size(), 2U);
    EXPECT_EQ(frames[0], "FE0164010064");
    EXPECT_TRUE(frames[1] == "FE034480001401D2" || frames[1] == "FE034480E914013B") << frames[1];
  }
  EXPECT_EQ(b.module->status(b.now).faults.dropped, 6U);
}

TEST(Faults, BadFcsFrameIsDiscardedByADecoder) {
  auto c = noon_config();
  c.faults = only(&FaultConfig::bad_fcs_rate);
  Bench b(c);
  // Even the boot indication may be hit; start anyway.
  b.start_coordinator();
  const auto ex = b.exchange(kPoll7C3A);
  EXPECT_EQ(ex.stats().bad_fcs, 1U);
  EXPECT_FALSE(has_answer(ex.frames()));  // the long answer is the one corrupted
  EXPECT_EQ(ex.frames().size(), 3U);
}

TEST(Faults, GarbageBetweenFramesDoesNotHideThem) {
  auto c = noon_config();
  c.faults = only(&FaultConfig::garbage_rate);
  Bench b(c);
  b.start_coordinator();
  for (int i = 0; i < 5; ++i) {
    const auto ex = b.exchange(kPoll7C3A);
    EXPECT_GT(ex.stats().skipped_bytes, 0U);
    EXPECT_EQ(ex.frames().size(), 4U);
    EXPECT_TRUE(has_answer(ex.frames()));
  }
}

TEST(Faults, SplitRepliesArriveInSmallWrites) {
  auto c = noon_config();
  c.faults = only(&FaultConfig::split_rate);
  Bench b(c);
  b.start_coordinator();
  const auto ex = b.exchange(kPoll7C3A);
  EXPECT_GT(ex.writes.size(), 20U);
  for (const auto& w : ex.writes) EXPECT_LE(w.bytes.size(), 8U);
  EXPECT_EQ(ex.frames().size(), 4U);
}

TEST(Faults, LateAnswerComesAfterTheHostTimeout) {
  auto c = noon_config();
  c.faults = only(&FaultConfig::late_rate);
  Bench b(c);
  b.start_coordinator();
  const auto early = b.exchange(kPoll7C3A, 2s);
  EXPECT_EQ(early.frames().size(), 2U);  // SRSP and confirm on time
  const auto late = b.collect(4s);
  EXPECT_TRUE(has_answer(late.frames()));
  EXPECT_EQ(b.module->status(b.now).faults.late, 1U);
}

struct L2Checksums {
  std::uint16_t sent;
  std::uint16_t computed;
};

// The checksum an answer carries and the one the sum rule gives (protocol §4.6).
L2Checksums checksums_of(const Exchange& ex) {
  const auto msg = parse_incoming(ex.frames().back());
  EXPECT_TRUE(msg);
  if (!msg) return {};
  const auto l2 = aps::decode_l2(util::ByteView(msg->data).subspan(6));
  EXPECT_TRUE(l2);
  if (!l2) return {};
  return {l2->checksum, aps::l2_checksum(static_cast<std::uint8_t>(l2->body.size() + 1), l2->cmd, l2->body)};
}

TEST(L2Checksum, Yc600AndQs1SendZeroesTheDs3TheSumAndItsAcknowledgementZeroes) {
  Bench b;
  b.start_coordinator();
  // YC600/QS1: 00 00 in every captured B1 and DE reply (§4.6).
  for (const std::uint16_t address : {std::uint16_t{0x7C3A}, std::uint16_t{0x6C14}}) {
    EXPECT_EQ(checksums_of(b.exchange(af_request(address, "FBFB06BB000000000000C1FEFE"))).sent, 0x0000);
    EXPECT_EQ(checksums_of(b.exchange(af_request(address, "FBFB06DE000000000000E4FEFE"))).sent, 0x0000);
  }
  // DS3: the poll answer (37C4 in iLeopod's capture, zigbee2mqtt #4221, 2022-03-27) and the DE page
  // (1C01 in ESP32-read-APS-inverters #37) carry the sum …
  for (const char* l2 : {"FBFB06BB000000000000C1FEFE", "FBFB06DE000000000000E4FEFE"}) {
    const auto ck = checksums_of(b.exchange(af_request(0x6C22, l2)));
    EXPECT_NE(ck.sent, 0x0000);
    EXPECT_EQ(ck.sent, ck.computed);
  }
  // … its set acknowledgement 00 00 (ESP32-read-APS-inverters #34).
  EXPECT_EQ(checksums_of(b.exchange(af_request(0x6C22, "FBFB06AA270000067B0158FEFE"))).sent, 0x0000);
}

TEST(L2Checksum, TheFaultSendsAWrongNonZeroChecksumInAValidFrame) {
  auto c = noon_config();
  c.faults.bad_l2_checksum_rate = 1.0;
  Bench b(c);
  b.start_coordinator();
  for (const std::uint16_t address : {std::uint16_t{0x7C3A}, std::uint16_t{0x6C14}, std::uint16_t{0x6C22}}) {
    const auto ex = b.exchange(af_request(address, "FBFB06BB000000000000C1FEFE"));
    EXPECT_EQ(ex.stats().bad_fcs, 0U);  // the MT frame is sound: only the inverter's sum is off
    const auto ck = checksums_of(ex);
    EXPECT_NE(ck.sent, 0x0000);
    EXPECT_NE(ck.sent, ck.computed);
  }
  EXPECT_EQ(b.module->status(b.now).faults.bad_l2_checksum, 3U);
  // The DS3 decoder notices; the YC600 one cannot tell (its firmware sends no sum).
  const auto msg = parse_incoming(b.exchange(af_request(0x6C22, "FBFB06BB000000000000C1FEFE")).frames().back());
  ASSERT_TRUE(msg);
  EXPECT_FALSE(aps::decode_telemetry(msg->data));
}

TEST(Faults, NoFaultsWithZeroRates) {
  Bench b;
  b.start_coordinator();
  for (int i = 0; i < 10; ++i) {
    const auto ex = b.exchange(kPoll7C3A);
    EXPECT_EQ(ex.stats().skipped_bytes, 0U);
    EXPECT_EQ(ex.frames().size(), 4U);
  }
  const auto counters = b.module->status(b.now).faults;
  EXPECT_EQ(counters.dropped + counters.bad_fcs + counters.garbage + counters.split + counters.late +
                counters.bad_l2_checksum,
            0U);
}

}  // namespace
