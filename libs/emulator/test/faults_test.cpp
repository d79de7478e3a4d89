// SPDX-License-Identifier: GPL-3.0-or-later
// Each injected fault is visible on the wire (rates of 1 make them deterministic).
#include <gtest/gtest.h>

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

TEST(Faults, NoFaultsWithZeroRates) {
  Bench b;
  b.start_coordinator();
  for (int i = 0; i < 10; ++i) {
    const auto ex = b.exchange(kPoll7C3A);
    EXPECT_EQ(ex.stats().skipped_bytes, 0U);
    EXPECT_EQ(ex.frames().size(), 4U);
  }
  const auto counters = b.module->status(b.now).faults;
  EXPECT_EQ(counters.dropped + counters.bad_fcs + counters.garbage + counters.split + counters.late, 0U);
}

}  // namespace
