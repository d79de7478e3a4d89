// SPDX-License-Identifier: GPL-3.0-or-later
// Coordinator against the scripted peer, using the reference start sequence of §4.1.
#include "apsecu/znp/coordinator.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "apsecu/util/hex.hpp"
#include "apsecu/znp/messages.hpp"
#include "frames.hpp"
#include "script_peer.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::znp;
using namespace std::chrono_literals;
using test::ScriptPeer;

const Ieee kIeee = {0xFF, 0xFF, 0x80, 0x97, 0x1B, 0x01, 0xA3, 0xD8};  // ECU D8A3011B9780
constexpr const char* kNormalOpPayload = "80971B01A3D8FBFB1100000D6030FBD3000000000000000004010281FEFE";
constexpr const char* kDeviceInfoUp = "FE0E670000FFFF80971B01A3D8000007090011";
constexpr const char* kDeviceInfoHold = "FE0E670000FFFF80971B01A3D8000007000018";
constexpr const char* kWriteOk = "FE0166050062";
constexpr const char* kWriteFailed = "FE0166050163";  // status 0x01

// The exact frames every host sends, in order (§4.1 steps 0..9), and the module's answers.
const std::vector<std::string> kStartFrames = {
    "FE03260503010321",
    "FE0141000040",
    "FE0A26050108FFFF80971B01A3D856",
    "FE032605870100A6",
    "FE0426058302D8A3DD",
    "FE062605840400000100A4",
    "FE0D240014050F0001010002000015000020",
    "FE00260026",
    "FE00270027",
    "FE282401FFFF1414060001000F1E80971B01A3D8FBFB1100000D6030FBD3000000000000000004010281FEFE8F",
};

void script_start(ScriptPeer& peer, StartMode mode) {
  peer.expect(kStartFrames[0]).reply(kWriteOk);
  peer.expect(kStartFrames[1]).reply("FE064180020202020702C2", 20ms);
  for (std::size_t i = 2; i <= 5; ++i) peer.expect(kStartFrames[i]).reply(kWriteOk);
  peer.expect(kStartFrames[6]).reply("FE0164000065");
  peer.expect(kStartFrames[7])
      .reply("FE00660066")
      .reply("FE0145C0088C", 10ms)
      .reply("FE0145C0088C", 20ms)
      .reply("FE0145C0098D", 40ms);
  peer.expect(kStartFrames[8]).reply(kDeviceInfoUp);
  if (mode == StartMode::Normal) peer.expect(kStartFrames[9]).reply("FE0164010064");
}

CoordinatorConfig config() {
  CoordinatorConfig c;
  c.ieee = kIeee;
  c.pan_id = 0xA3D8;
  c.normal_op_payload = *util::from_hex(kNormalOpPayload);
  return c;
}

struct RecordingLine final : transport::ResetLine {
  std::vector<bool> levels;
  util::Status set_low(bool low) override {
    levels.push_back(low);
    return {};
  }
  [[nodiscard]] std::string describe() const override { return "recording"; }
};

struct Sleeps {
  std::vector<std::chrono::milliseconds> delays;
  transport::Sleeper sleeper() {
    return [this](std::chrono::milliseconds d) { delays.push_back(d); };
  }
};

TEST(Coordinator, NormalStartSendsTheReferenceSequence) {
  ScriptPeer peer;
  script_start(peer, StartMode::Normal);
  ZnpClient client(peer);
  RecordingLine line;
  Sleeps sleeps;
  Coordinator coord(client, &line, config(), sleeps.sleeper());

  auto st = coord.start(StartMode::Normal);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_EQ(peer.written(), kStartFrames);
  EXPECT_TRUE(peer.unexpected().empty());
  EXPECT_EQ(peer.pending_steps(), 0U);
  EXPECT_EQ(line.levels, (std::vector<bool>{true, false}));
  EXPECT_EQ(sleeps.delays, (std::vector<std::chrono::milliseconds>{500ms, 1500ms}));
  EXPECT_EQ(coord.stats().starts, 1U);
  EXPECT_EQ(coord.stats().start_failures, 0U);
  // The state-8 indications nobody waited for are left for the caller.
  auto ind = client.next_indication(2000ms);
  ASSERT_TRUE(ind.has_value());
  EXPECT_EQ(ZdoStateChangeInd::decode(*ind)->state, kDevCoordStarting);
}

TEST(Coordinator, PairingStartSkipsTheBroadcast) {
  ScriptPeer peer;
  script_start(peer, StartMode::Pairing);
  ZnpClient client(peer);
  Coordinator coord(client, nullptr, config(), Sleeps{}.sleeper());
  auto st = coord.start(StartMode::Pairing);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_EQ(peer.written(), std::vector<std::string>(kStartFrames.begin(), kStartFrames.end() - 1));
  EXPECT_TRUE(peer.unexpected().empty());
}

TEST(Coordinator, MissingResetIndicationNamesTheStep) {
  ScriptPeer peer;
  peer.expect(kStartFrames[0]).reply(kWriteOk);
  peer.expect(kStartFrames[1]);  // the module never reports its reset
  ZnpClient client(peer);
  auto cfg = config();
  cfg.timeouts.reset_ind = 80ms;
  Coordinator coord(client, nullptr, cfg, Sleeps{}.sleeper());
  auto st = coord.start(StartMode::Normal);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::Timeout);
  EXPECT_EQ(st.error().describe(),
            "coordinator start (normal) failed at step 2/10 (SYS_RESET_REQ): no SYS_RESET_IND within 80 ms");
  EXPECT_EQ(peer.written().size(), 2U);  // stopped at the failed step
  EXPECT_EQ(coord.stats().start_failures, 1U);
}

TEST(Coordinator, BadStatusNamesTheStep) {
  ScriptPeer refusing;  // the reference script, except that PANID is refused
  refusing.expect(kStartFrames[0]).reply(kWriteOk);
  refusing.expect(kStartFrames[1]).reply("FE064180020202020702C2");
  refusing.expect(kStartFrames[2]).reply(kWriteOk);
  refusing.expect(kStartFrames[3]).reply(kWriteOk);
  refusing.expect(kStartFrames[4]).reply(kWriteFailed);
  ZnpClient refused_client(refusing);
  Coordinator coord(refused_client, nullptr, config(), Sleeps{}.sleeper());
  auto st = coord.start(StartMode::Normal);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::BadStatus);
  EXPECT_EQ(st.error().describe(),
            "coordinator start (normal) failed at step 5/10 (write PANID): ZB_WRITE_CONFIGURATION answered status "
            "0x01 (failure)");
}

TEST(Coordinator, NetworkThatNeverReachesStateNineSaysHowFarItGot) {
  ScriptPeer peer;
  for (std::size_t i = 0; i <= 6; ++i) {
    peer.expect(kStartFrames[i]).reply(i == 1 ? "FE064180020202020702C2" : (i == 6 ? "FE0164000065" : kWriteOk));
  }
  peer.expect(kStartFrames[7]).reply("FE00660066").reply("FE0145C0088C", 10ms);
  ZnpClient client(peer);
  auto cfg = config();
  cfg.timeouts.state_change = 150ms;
  Coordinator coord(client, nullptr, cfg, Sleeps{}.sleeper());
  auto st = coord.start(StartMode::Normal);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().describe(),
            "coordinator start (normal) failed at step 8/10 (ZB_START_REQUEST): no ZDO_STATE_CHANGE_IND (state 9) "
            "within 150 ms; last state seen 8 (coordinator starting)");
}

TEST(Coordinator, WrongIeeeAfterStartIsAnError) {
  auto cfg = config();
  cfg.ieee[7] = 0xD6;  // configured for another ECU than the one the module reports
  ScriptPeer other;      // the reference answers, with our EXTADDR frame
  for (std::size_t i = 0; i <= 8; ++i) {
    std::string frame = kStartFrames[i];
    if (i == 2) frame = test::hex(ZbWriteConfiguration::ext_addr(cfg.ieee).encode());
    const char* reply = i == 1 ? "FE064180020202020702C2" : i == 6 ? "FE0164000065" : i == 8 ? kDeviceInfoUp : kWriteOk;
    if (i == 7) {
      other.expect(frame).reply("FE00660066").reply("FE0145C0098D", 5ms);
    } else {
      other.expect(frame).reply(reply);
    }
  }
  ZnpClient other_client(other);
  Coordinator coord(other_client, nullptr, cfg, Sleeps{}.sleeper());
  auto st = coord.start(StartMode::Pairing);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::WrongIeee);
  EXPECT_EQ(st.error().describe(),
            "coordinator start (pairing) failed at step 9/9 (UTIL_GET_DEVICE_INFO): module reports IEEE "
            "FFFF80971B01A3D8, configured FFFF80971B01A3D6");
}

TEST(Coordinator, HealthCheckUpAndDown) {
  ScriptPeer peer;
  peer.expect("FE00270027").reply(kDeviceInfoUp);
  peer.expect("FE00270027").reply(kDeviceInfoHold);
  for (int i = 0; i < 3; ++i) peer.expect("FE00270027");  // silence, asked three times
  ZnpClient client(peer);
  auto cfg = config();
  cfg.timeouts.step = 60ms;
  Sleeps sleeps;
  Coordinator coord(client, nullptr, cfg, sleeps.sleeper());

  auto up = coord.health_check();
  EXPECT_TRUE(up.up()) << up.reason;
  ASSERT_TRUE(up.info.has_value());
  EXPECT_EQ(up.info->ieee, kIeee);

  auto hold = coord.health_check();
  EXPECT_FALSE(hold.up());
  EXPECT_EQ(hold.fault, HealthFault::NotStarted);
  EXPECT_EQ(hold.reason, "device state 0 (hold), expected 9 (coordinator)");

  auto silent = coord.health_check();
  EXPECT_EQ(silent.fault, HealthFault::NoAnswer);
  EXPECT_EQ(silent.reason, "no SRSP to UTIL_GET_DEVICE_INFO within 60 ms");
  EXPECT_EQ(coord.stats().health_checks, 3U);
  EXPECT_EQ(coord.stats().health_down, 2U);
  // A module in hold is an answer; only silence is asked again, 700 ms apart (ESP32-ECU).
  EXPECT_EQ(sleeps.delays, (std::vector<std::chrono::milliseconds>{700ms, 700ms}));
  EXPECT_EQ(peer.written().size(), 5U);
  EXPECT_FALSE(coord.known_up());
}

TEST(Coordinator, HealthCheckSurvivesOneLostReply) {
  ScriptPeer peer;
  peer.expect("FE00270027");  // lost
  peer.expect("FE00270027").reply(kDeviceInfoUp);
  ZnpClient client(peer);
  auto cfg = config();
  cfg.timeouts.step = 60ms;
  Sleeps sleeps;
  Coordinator coord(client, nullptr, cfg, sleeps.sleeper());
  auto h = coord.health_check();
  EXPECT_TRUE(h.up()) << h.reason;
  EXPECT_EQ(coord.stats().health_down, 0U);
  EXPECT_TRUE(coord.known_up());
}

// A daemon restarted on a running module: one UTIL_GET_DEVICE_INFO and the endpoint
// registration, which the module still has (0xB8). No reset, no NV write, no broadcast.
TEST(Coordinator, BringUpAdoptsAHealthyModuleWithoutResetOrNvWrite) {
  ScriptPeer peer;
  peer.expect("FE00270027").reply(kDeviceInfoUp);
  peer.expect(kStartFrames[6]).reply("FE016400B8DD");  // ZApsDuplicateEntry: still registered
  ZnpClient client(peer);
  RecordingLine line;
  Sleeps sleeps;
  Coordinator coord(client, &line, config(), sleeps.sleeper());
  auto up = coord.bring_up(StartMode::Normal);
  ASSERT_TRUE(up.ok()) << up.error().describe();
  EXPECT_EQ(*up, BringUp::Adopted);
  EXPECT_EQ(peer.written(), (std::vector<std::string>{"FE00270027", kStartFrames[6]}));
  EXPECT_TRUE(line.levels.empty());
  EXPECT_TRUE(peer.unexpected().empty());
  EXPECT_EQ(coord.stats().adoptions, 1U);
  EXPECT_EQ(coord.stats().starts, 0U);
  EXPECT_EQ(coord.stats().hard_resets, 0U);
  EXPECT_TRUE(coord.notes().empty());
  EXPECT_TRUE(coord.known_up());
}

// A module that restarted on its own came back up from NV but without its endpoint: the
// registration is accepted (0x00), and that is said.
TEST(Coordinator, BringUpRegistersALostEndpointAndSaysSo) {
  ScriptPeer peer;
  peer.expect("FE00270027").reply(kDeviceInfoUp);
  peer.expect(kStartFrames[6]).reply("FE0164000065");
  ZnpClient client(peer);
  Sleeps sleeps;
  Coordinator coord(client, nullptr, config(), sleeps.sleeper());
  auto up = coord.bring_up(StartMode::Normal);
  ASSERT_TRUE(up.ok()) << up.error().describe();
  EXPECT_EQ(*up, BringUp::Adopted);
  ASSERT_EQ(coord.notes().size(), 1U);
  EXPECT_NE(coord.notes()[0].find("lost its endpoint"), std::string::npos) << coord.notes()[0];
}

TEST(Coordinator, BringUpStartsAModuleThatIsNotUp) {
  ScriptPeer peer;
  peer.expect("FE00270027").reply(kDeviceInfoHold);
  script_start(peer, StartMode::Normal);
  ZnpClient client(peer);
  RecordingLine line;
  Sleeps sleeps;
  Coordinator coord(client, &line, config(), sleeps.sleeper());
  auto up = coord.bring_up(StartMode::Normal);
  ASSERT_TRUE(up.ok()) << up.error().describe();
  EXPECT_EQ(*up, BringUp::Started);
  auto expected = kStartFrames;
  expected.insert(expected.begin(), "FE00270027");
  EXPECT_EQ(peer.written(), expected);
  EXPECT_EQ(line.levels, (std::vector<bool>{true, false}));
  EXPECT_EQ(coord.stats().hard_resets, 1U);
}

// No field host reads the broadcast's reply (RPI-ECU sends it unread, ESP-ECU drops it).
TEST(Coordinator, RefusedNormalOperationBroadcastIsANoteNotAFailedStart) {
  ScriptPeer peer;
  script_start(peer, StartMode::Pairing);
  peer.expect(kStartFrames[9]).reply("FE0164010165");  // status 0x01
  ZnpClient client(peer);
  Sleeps sleeps;
  Coordinator coord(client, nullptr, config(), sleeps.sleeper());
  auto st = coord.start(StartMode::Normal);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  ASSERT_EQ(coord.notes().size(), 1U);
  EXPECT_NE(coord.notes()[0].find("normal-operation broadcast not taken"), std::string::npos) << coord.notes()[0];
  EXPECT_EQ(coord.stats().start_failures, 0U);
  EXPECT_TRUE(coord.known_up());
}

TEST(Coordinator, HealthCheckWithPingAndWrongIeee) {
  ScriptPeer peer;
  peer.expect("FE00210120").reply("FE02610179071C");
  peer.expect("FE00270027").reply(kDeviceInfoUp);
  ZnpClient client(peer);
  auto cfg = config();
  cfg.ping_before_health_check = true;
  cfg.ieee[7] = 0xD6;
  Coordinator coord(client, nullptr, cfg, Sleeps{}.sleeper());
  auto h = coord.health_check();
  EXPECT_EQ(h.fault, HealthFault::WrongIeee);
  EXPECT_EQ(h.reason, "module reports IEEE FFFF80971B01A3D8, configured FFFF80971B01A3D6");
  EXPECT_EQ(peer.written(), (std::vector<std::string>{"FE00210120", "FE00270027"}));
}

TEST(Coordinator, RecoveryDelayDoublesUpToTheCap) {
  const RecoveryPolicy policy;  // 2 s doubling, 5 min cap
  EXPECT_EQ(recovery_delay(policy, 0), 0ms);
  EXPECT_EQ(recovery_delay(policy, 1), 2000ms);
  EXPECT_EQ(recovery_delay(policy, 2), 4000ms);
  EXPECT_EQ(recovery_delay(policy, 3), 8000ms);
  EXPECT_EQ(recovery_delay(policy, 8), 256000ms);
  EXPECT_EQ(recovery_delay(policy, 9), 300000ms);
  EXPECT_EQ(recovery_delay(policy, 1000), 300000ms);
}

TEST(Coordinator, RecoverRetriesWithBackOffThenSucceeds) {
  ScriptPeer peer;  // a module that refuses to clear its NV
  peer.on(kStartFrames[0]).reply(kWriteFailed);
  ZnpClient client(peer);
  RecordingLine line;
  Sleeps sleeps;
  auto cfg = config();
  cfg.recovery = {.first_delay = 2000ms, .max_delay = 5000ms, .max_attempts = 4};
  Coordinator coord(client, &line, cfg, sleeps.sleeper());

  auto failed = coord.recover(StartMode::Normal);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, Errc::RecoveryFailed);
  EXPECT_EQ(failed.error().describe(),
            "coordinator recovery failed after 4 attempts; last: coordinator start (normal) failed at step 2/11 "
            "(write STARTUP_OPTION): ZB_WRITE_CONFIGURATION answered status 0x01 (failure)");
  // Each attempt starts with a hard reset (500 ms low, 1500 ms wait); back-off in between.
  using D = std::vector<std::chrono::milliseconds>;
  EXPECT_EQ(sleeps.delays, (D{500ms, 1500ms, 2000ms, 500ms, 1500ms, 4000ms, 500ms, 1500ms, 5000ms, 500ms, 1500ms}));
  EXPECT_EQ(line.levels.size(), 8U);
  EXPECT_EQ(coord.stats().recovery_attempts, 4U);
  EXPECT_EQ(coord.stats().recovery_failures, 1U);
  EXPECT_EQ(coord.stats().consecutive_failures, 4U);

  // The module comes back: the next call keeps the capped back-off, then succeeds.
  sleeps.delays.clear();
  peer.clear_rules();
  script_start(peer, StartMode::Normal);
  auto ok = coord.recover(StartMode::Normal);
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_EQ(sleeps.delays, (D{5000ms, 500ms, 1500ms}));
  EXPECT_EQ(coord.stats().recoveries, 1U);
  EXPECT_EQ(coord.stats().recovery_attempts, 5U);
  EXPECT_EQ(coord.stats().consecutive_failures, 0U);
  EXPECT_TRUE(peer.unexpected().empty());
}

// A USB adapter pulled out: no back-off of resets against a dead link (minutes with the
// default policy); the caller learns at once and can reopen the port.
TEST(Coordinator, RecoverGivesUpAtOnceWhenTheLinkIsLost) {
  ScriptPeer peer;
  ZnpClient client(peer);
  RecordingLine line;
  Sleeps sleeps;
  Coordinator coord(client, &line, config(), sleeps.sleeper());
  peer.close();
  for (int i = 0; i < 200 && client.link_up(); ++i) std::this_thread::sleep_for(5ms);
  ASSERT_FALSE(client.link_up());
  auto st = coord.recover(StartMode::Normal);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::LinkDown);
  EXPECT_TRUE(sleeps.delays.empty());
  EXPECT_TRUE(line.levels.empty());
}

}  // namespace
