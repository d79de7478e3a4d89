// SPDX-License-Identifier: GPL-3.0-or-later
// Start sequence, liveness and resets: exact bytes of protocol §4.1, §4.3, §6.7.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bench.hpp"

namespace {
using namespace apsecu::emulator;
using namespace apsecu::emulator::testing;
using namespace std::chrono_literals;
using ::testing::ElementsAre;

constexpr const char* kStarted = "FE0E670000FFFF80971B01A3D8000007090011";
constexpr const char* kConfiguredNotStarted = "FE0E670000FFFF80971B01A3D8000007000018";
constexpr const char* kResetInd = "FE064180020202020702C2";

TEST(Cc2530, PowerOnSendsTheResetIndication) {
  EmulatorConfig c = noon_config();
  auto done = finalize(c);
  ASSERT_TRUE(done);
  SolarPlant plant(*done);
  plant.start(at_utc("2026-06-21T12:00Z"));
  Cc2530 module(*done, plant);
  module.power_on({});
  std::vector<std::string> frames;
  while (auto due = module.next_due()) {
    for (auto& w : module.take_due(*due)) frames.push_back(apsecu::util::to_hex(w));
  }
  EXPECT_THAT(frames, ElementsAre(kResetInd));
}

TEST(Cc2530, AnswersTheCanonicalStartSequenceByteForByte) {
  Bench b(noon_config(kRealisticTiming));
  EXPECT_THAT(b.exchange("FE03260503010321").frames(), ElementsAre("FE0166050062"));
  EXPECT_THAT(b.exchange("FE0141000040").frames(), ElementsAre(kResetInd));
  EXPECT_THAT(b.exchange("FE0A26050108FFFF80971B01A3D856").frames(), ElementsAre("FE0166050062"));
  EXPECT_THAT(b.exchange("FE032605870100A6").frames(), ElementsAre("FE0166050062"));
  EXPECT_THAT(b.exchange("FE0426058302D8A3DD").frames(), ElementsAre("FE0166050062"));
  EXPECT_THAT(b.exchange("FE062605840400000100A4").frames(), ElementsAre("FE0166050062"));
  EXPECT_THAT(b.exchange("FE0D240014050F0001010002000015000020").frames(), ElementsAre("FE0164000065"));
  EXPECT_THAT(b.exchange("FE00670067").frames(), ElementsAre(kConfiguredNotStarted));

  const auto start = b.exchange("FE00260026");
  const auto frames = start.frames();
  ASSERT_GE(frames.size(), 3U);
  EXPECT_EQ(frames.front(), "FE00660066");
  EXPECT_EQ(frames.back(), "FE0145C0098D");
  for (std::size_t i = 1; i + 1 < frames.size(); ++i) EXPECT_EQ(frames[i], "FE0145C0088C");
  // State 9 comes 1–3 s after ZB_START (Lua trace: 2–3 s; Python: ~1 s).
  EXPECT_GE(start.writes.back().at, 1s);
  EXPECT_LE(start.writes.back().at, 3s);

  EXPECT_THAT(b.exchange("FE00670067").frames(), ElementsAre(kStarted));
  EXPECT_THAT(b.exchange("FE00270027").frames(), ElementsAre(kStarted));  // type bits ignored
  EXPECT_THAT(b.exchange("FE282401FFFF1414060001000F1E80971B01A3D8FBFB1100000D6030FBD3000000000000000004010281FEFE8F")
                  .frames(),
              ElementsAre("FE0164010064"));
}

TEST(Cc2530, DeviceInfoDuringStartReportsStartingAndEchoesAnotherEcu) {
  Bench b;
  b.exchange("FE0A26050108FFFF80971B01B3D648");  // ECU D6B3011B9780
  b.exchange("FE0D240014050F0001010002000015000020");
  b.module->receive(hex("FE00260026"), b.now);
  b.collect(std::chrono::milliseconds{2});
  const auto info = b.exchange("FE00270027", 3ms).frames();
  ASSERT_EQ(info.size(), 1U);
  EXPECT_EQ(info[0].substr(0, 26), "FE0E670000FFFF80971B01B3D6");
  EXPECT_EQ(info[0].substr(30, 4), "0708");  // coordinator starting
}

TEST(Cc2530, PingLoopbackAndUnknownCommands) {
  Bench b;
  EXPECT_THAT(b.exchange("FE00210120").frames(), ElementsAre("FE02610179071C"));
  EXPECT_THAT(b.exchange("FE032710AABBCCE9").frames(), ElementsAre("FE036710AABBCCA9"));
  // Unknown SREQ: RPC error "unknown command" with the request's CMD0/CMD1.
  EXPECT_THAT(b.exchange("FE0021AA8B").frames(), ElementsAre("FE0360000221AAEA"));
}

TEST(Cc2530, StartupOptionThreeClearsTheConfigurationAtTheNextReset) {
  Bench b;
  b.start_coordinator();
  EXPECT_THAT(b.exchange("FE00270027").frames(), ElementsAre(kStarted));
  b.exchange("FE03260503010321");
  EXPECT_THAT(b.exchange("FE0141000040").frames(), ElementsAre(kResetInd));
  // Factory IEEE again, network not running.
  EXPECT_THAT(b.exchange("FE00270027").frames(), ElementsAre("FE0E670000C4B3A201004B12000000070000E3"));
}

TEST(Cc2530, HardResetLosesTheNetworkButKeepsTheConfiguration) {
  Bench b;
  b.start_coordinator();
  b.module->set_reset_low(true, b.now);
  EXPECT_TRUE(b.collect(500ms).writes.empty());
  EXPECT_TRUE(b.exchange("FE00210120").writes.empty());  // held in reset: deaf
  b.module->set_reset_low(false, b.now);
  EXPECT_THAT(b.collect(2s).frames(), ElementsAre(kResetInd));
  EXPECT_THAT(b.exchange("FE00270027").frames(), ElementsAre(kConfiguredNotStarted));
}

TEST(Cc2530, FrozenModuleIgnoresEverythingUntilAHardReset) {
  Bench b;
  b.start_coordinator();
  b.module->freeze();
  EXPECT_TRUE(b.exchange("FE00210120").writes.empty());
  EXPECT_TRUE(b.exchange("FE0141000040").writes.empty());  // not even SYS_RESET_REQ
  EXPECT_TRUE(b.exchange("FE00270027").writes.empty());
  EXPECT_TRUE(b.module->status(b.now).frozen);
  EXPECT_EQ(b.module->status(b.now).faults.ignored_frozen, 3U);
  b.module->set_reset_low(true, b.now);
  b.collect(500ms);
  b.module->set_reset_low(false, b.now);
  EXPECT_THAT(b.collect(2s).frames(), ElementsAre(kResetInd));
  EXPECT_THAT(b.exchange("FE00210120").frames(), ElementsAre("FE02610179071C"));
}

TEST(Cc2530, FrozenModuleStaysMuteThroughSoftAndSpontaneousResets) {
  // zigbee2mqtt #4221 (patience, 2021-09-14): the module freezes, "the only cure … seems to
  // reset the module through its reset pin (or powercycle)".
  Bench b;
  b.start_coordinator();
  b.module->freeze();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.exchange("FE0141000040", 2s).writes.empty());
  b.module->spontaneous_reset(b.now);
  EXPECT_TRUE(b.collect(2s).writes.empty());
  EXPECT_TRUE(b.exchange("FE1D24013A7C1414060001000F1380971B01A3D8FBFB06BB000000000000C1FEFE6F").writes.empty());
  EXPECT_TRUE(b.module->status(b.now).frozen);
}

constexpr const char* kPoll7C3A = "FE1D24013A7C1414060001000F1380971B01A3D8FBFB06BB000000000000C1FEFE6F";

TEST(Cc2530, ZombieAnswersTheHealthCheckButRoutesNothing) {
  Bench b;
  b.start_coordinator();
  ASSERT_EQ(b.exchange(kPoll7C3A).frames().size(), 4U);
  b.module->zombie();
  // What the field hosts check is fine: ping, and device state 9 with our IEEE (§4.3).
  EXPECT_THAT(b.exchange("FE00210120").frames(), ElementsAre("FE02610179071C"));
  EXPECT_THAT(b.exchange("FE00270027").frames(), ElementsAre(kStarted));
  // A poll is taken and then nothing: no confirm, no answer.
  for (int i = 0; i < 3; ++i) EXPECT_THAT(b.exchange(kPoll7C3A).frames(), ElementsAre("FE0164010064"));
  // Broadcasts likewise: a pairing step hears no echo and no answer.
  EXPECT_THAT(b.exchange("FE1A24020FFFFFFFFFFFFFFFFF14FFFF140C0201000F06004080001193483F").frames(),
              ElementsAre("FE0164020067"));
  const auto st = b.module->status(b.now);
  EXPECT_TRUE(st.zombie);
  EXPECT_EQ(st.faults.unrouted_zombie, 4U);
}

TEST(Cc2530, ZombieSurvivesASoftResetAndIsCuredByTheResetPin) {
  Bench b;
  b.start_coordinator();
  b.module->zombie();
  // SYS_RESET_REQ reboots the stack (the indication comes, the network must be restarted) but
  // the radio stays dead [U].
  EXPECT_THAT(b.exchange("FE0141000040").frames(), ElementsAre(kResetInd));
  b.start_coordinator();
  EXPECT_THAT(b.exchange("FE00270027").frames(), ElementsAre(kStarted));
  EXPECT_THAT(b.exchange(kPoll7C3A).frames(), ElementsAre("FE0164010064"));
  // The pin: a real power-on of the chip.
  b.module->set_reset_low(true, b.now);
  b.collect(100ms);
  b.module->set_reset_low(false, b.now);
  EXPECT_THAT(b.collect(2s).frames(), ElementsAre(kResetInd));
  EXPECT_FALSE(b.module->status(b.now).zombie);
  b.start_coordinator();
  EXPECT_EQ(b.exchange(kPoll7C3A).frames().size(), 4U);
}

TEST(Cc2530, RegisteringTheEndpointTwiceIsADuplicate) {
  Bench b;
  EXPECT_THAT(b.exchange("FE0D240014050F0001010002000015000020").frames(), ElementsAre("FE0164000065"));
  EXPECT_THAT(b.exchange("FE0D240014050F0001010002000015000020").frames(), ElementsAre("FE016400B8DD"));
  b.exchange("FE0141000040");  // a reset forgets registrations
  EXPECT_THAT(b.exchange("FE0D240014050F0001010002000015000020").frames(), ElementsAre("FE0164000065"));
}

}  // namespace
