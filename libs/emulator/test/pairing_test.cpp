// SPDX-License-Identifier: GPL-3.0-or-later
// Inter-PAN pairing (protocol §4.4, §6.7, §9.4).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bench.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::emulator;
using namespace apsecu::emulator::testing;
using namespace std::chrono_literals;

// The four steps for serial 408000119348 and ECU D8A3011B9780, as captured.
constexpr const char* kStep1 = "FE2524020FFFFFFFFFFFFFFFFF14FFFF140D0200000F1100408000119348FFFF10FFFF80971B01A3D871";
constexpr const char* kStep2 = "FE1A24020FFFFFFFFFFFFFFFFF14FFFF140C0201000F06004080001193483F";
constexpr const char* kStep3 = "FE2524020FFFFFFFFFFFFFFFFF14FFFF140F0102000F1100408000119348A3D810FFFF80971B01A3D809";
constexpr const char* kStep4 = "FE1A24020FFFFFFFFFFFFFFFFF14FFFF14010103000F060080971B01A3D84F";
constexpr const char* kPoll7C3A = "FE1D24013A7C1414060001000F1380971B01A3D8FBFB06BB000000000000C1FEFE6F";

EmulatorConfig unpaired() {
  auto c = noon_config(kRealisticTiming);
  c.inverters[0].paired = false;
  return c;
}

std::vector<Incoming> incoming(const Exchange& ex) {
  std::vector<Incoming> out;
  for (const auto& f : ex.frames()) {
    if (auto m = parse_incoming(f)) out.push_back(*m);
  }
  return out;
}

// What every host does: the 4 hex characters after the last occurrence of the serial.
std::string host_extraction(const Exchange& ex) {
  const auto text = util::to_hex(ex.bytes());
  const auto at = text.rfind("408000119348");
  return at == std::string::npos ? "" : text.substr(at + 12, 4);
}

TEST(Pairing, AnswerComesOnlyAfterStepThreeAndFitsTheHostWindows) {
  Bench b(unpaired());
  b.start_coordinator();
  EXPECT_EQ(b.exchange(kPoll7C3A).frames().back(), "FE034480CD14011F");  // not paired yet

  const auto s1 = b.exchange(kStep1);
  EXPECT_EQ(s1.frames().front(), "FE0164020067");
  auto m1 = incoming(s1);
  ASSERT_EQ(m1.size(), 1U);  // our broadcast heard back, relayed by the inverter
  EXPECT_EQ(m1[0].cluster, 0x020D);
  EXPECT_EQ(m1[0].src, 0x0000);
  EXPECT_TRUE(m1[0].was_broadcast);
  EXPECT_EQ(m1[0].mac_src, 0x7C3A);
  EXPECT_EQ(util::to_hex(m1[0].data), "408000119348FFFF10FFFF80971B01A3D8");
  EXPECT_EQ(s1.frames()[1].substr(0, 26), "FE25448100000D020000141401");

  const auto s2 = b.exchange(kStep2);
  EXPECT_EQ(s2.frames().front(), "FE0164020067");
  auto m2 = incoming(s2);
  ASSERT_EQ(m2.size(), 1U);
  EXPECT_EQ(m2[0].cluster, 0x020C);
  EXPECT_EQ(m2[0].mac_src, 0xD021);  // relayed by another device: not the inverter's address
  EXPECT_EQ(host_extraction(s2), "21D0");
  EXPECT_LT(s2.bytes().size(), 70U);  // outside the ESP window, so the hosts ignore it

  const auto s3 = b.exchange(kStep3);
  const auto m3 = incoming(s3);
  ASSERT_EQ(m3.size(), 2U);
  EXPECT_EQ(m3[0].cluster, 0x010F);  // echo
  EXPECT_TRUE(m3[0].was_broadcast);
  EXPECT_EQ(m3[1].cluster, 0x0101);  // the answer
  EXPECT_EQ(m3[1].src, 0x7C3A);
  EXPECT_FALSE(m3[1].was_broadcast);
  EXPECT_EQ(m3[1].mac_src, 0x7C3A);
  EXPECT_EQ(m3[1].radius, 0x0E);
  EXPECT_EQ(util::to_hex(m3[1].data), "FFFF408000119348");
  EXPECT_EQ(s3.frames()[2].substr(0, 24), "FE1C4481000001013A7C1414");
  EXPECT_EQ(host_extraction(s3), "3A7C");
  // ESP/ESPHome keep a read of 70..111 bytes, RPI 130..180 hex characters (§9.4).
  EXPECT_GE(s3.bytes().size(), 70U);
  EXPECT_LE(s3.bytes().size(), 90U);
  EXPECT_LT(s3.writes.back().at - s3.writes.front().at, 500ms);

  const auto s4 = b.exchange(kStep4);
  const auto m4 = incoming(s4);
  ASSERT_EQ(m4.size(), 1U);
  EXPECT_EQ(m4[0].cluster, 0x0101);
  EXPECT_TRUE(m4[0].was_broadcast);
  EXPECT_EQ(m4[0].src, 0x0000);

  // Paired now: the poll is answered.
  EXPECT_EQ(b.exchange(kPoll7C3A).frames().size(), 4U);
}

TEST(Pairing, NoAnswerAtNight) {
  Bench b(unpaired(), "2026-06-21T23:00Z");
  b.start_coordinator();
  const auto s3 = b.exchange(kStep3);
  EXPECT_EQ(s3.frames().front(), "FE0164020067");
  for (const auto& m : incoming(s3)) EXPECT_NE(m.cluster, 0x0101);
  // Only the neighbour's echo: the naive "4 characters after the serial" finds the PAN bytes
  // of the echoed step-3 data, which is why the Python host rejects them.
  EXPECT_EQ(host_extraction(s3), "A3D8");
  EXPECT_LT(s3.bytes().size(), 70U);
}

TEST(Pairing, UnknownSerialGetsEchoesButNoAnswer) {
  Bench b(unpaired());
  b.start_coordinator();
  const auto s3 = b.exchange(
      "FE2524020FFFFFFFFFFFFFFFFF14FFFF140F0102000F1100408000999999A3D810FFFF80971B01A3D85A");
  EXPECT_EQ(s3.frames().front(), "FE0164020067");
  for (const auto& m : incoming(s3)) EXPECT_NE(m.cluster, 0x0101);
}

TEST(Pairing, PairingSurvivesAModuleResetAndRestart) {
  Bench b(unpaired());
  b.start_coordinator();
  b.exchange(kStep3);
  b.module->set_reset_low(true, b.now);
  b.collect(500ms);
  b.module->set_reset_low(false, b.now);
  b.collect(2s);
  EXPECT_EQ(b.exchange(kPoll7C3A).frames().back(), "FE016401C2A6");  // network down
  b.start_coordinator();
  EXPECT_EQ(b.exchange(kPoll7C3A).frames().size(), 4U);
}

}  // namespace
