// SPDX-License-Identifier: GPL-3.0-or-later
// The engine's Radio against a scripted module: pairing replayed from the real DS3 trace of
// read-APSystems-YC600-QS1-DS3 #19, the set commands' own answers (ESP32-read-APS-inverters
// #34), on/off, and the L2 checksum rule of protocol §4.6.
#include "apsecu/engine/radio.hpp"

#include <gtest/gtest.h>

#include "apsecu/aps/replies.hpp"
#include "apsecu/aps/requests.hpp"
#include "apsecu/unpi/frame.hpp"
#include "apsecu/util/hex.hpp"
#include "apsecu/znp/msg_af.hpp"
#include "script_peer.hpp"

namespace {
using namespace apsecu;
using namespace std::chrono_literals;
using znp::test::ScriptPeer;

const aps::EcuId kEcu = *aps::EcuId::parse("D8A3011B9780");
const aps::Serial kDs3 = *aps::Serial::parse("703000021300");
const aps::Serial kYc600 = *aps::Serial::parse("408000158215");
constexpr std::uint16_t kDs3Address = 0x6C22;
constexpr std::uint16_t kYcAddress = 0x103A;

constexpr const char* kStepSrsp = "FE0164020067";     // AF_DATA_REQUEST_EXT accepted
constexpr const char* kRequestSrsp = "FE0164010064";  // AF_DATA_REQUEST accepted
constexpr const char* kConfirmOk = "FE034480001401D2";

// The four steps for serial 703000021300 and ECU D8A3011B9780, as every field host sends them.
constexpr const char* kDs3Steps[4] = {
    "FE2524020FFFFFFFFFFFFFFFFF14FFFF140D0200000F1100703000021300FFFF10FFFF80971B01A3D82A",
    "FE1A24020FFFFFFFFFFFFFFFFF14FFFF140C0201000F060070300002130064",
    "FE2524020FFFFFFFFFFFFFFFFF14FFFF140F0102000F1100703000021300A3D810FFFF80971B01A3D852",
    "FE1A24020FFFFFFFFFFFFFFFFF14FFFF14010103000F060080971B01A3D84F",
};
// read-APSystems-YC600-QS1-DS3 #19, byte for byte: FF 1A after step 2, FF FF after step 3.
constexpr const char* kDs3AnswerAfterStep2 = "FE1C448100000101226C1414008300C75E00000008FF1A703000021300226C0E71";
constexpr const char* kDs3AnswerAfterStep3 = "FE1C448100000101226C1414008000927300000008FFFF703000021300226C0EEF";

std::string wire(const unpi::Frame& f) { return util::to_hex(*unpi::encode(f)); }

// An AF_INCOMING_MSG on the reply cluster from `src` carrying `data`.
std::string incoming(std::uint16_t src, const util::Bytes& data, std::uint16_t cluster = aps::kReplyCluster,
                     std::uint8_t was_broadcast = 0) {
  znp::AfIncomingMsg m;
  m.cluster_id = cluster;
  m.src_addr = src;
  m.src_endpoint = aps::kEndpoint;
  m.dst_endpoint = aps::kEndpoint;
  m.was_broadcast = was_broadcast;
  m.link_quality = 0x80;
  m.data = data;
  m.mac_src_addr = src;
  m.radius = 0x0E;
  return wire(m.encode());
}

std::string unicast(std::uint16_t dst, const util::Bytes& payload) {
  znp::AfDataRequest req;
  req.dst_addr = dst;
  req.dst_endpoint = aps::kEndpoint;
  req.src_endpoint = aps::kEndpoint;
  req.cluster_id = aps::kRequestCluster;
  req.trans_id = aps::kUnicastTransId;
  req.radius = aps::kRadius;
  req.data = payload;
  return wire(req.encode());
}

util::Bytes payload_of(const aps::Serial& serial, const char* l2_hex) {
  util::Bytes out(serial.bytes().begin(), serial.bytes().end());
  const auto l2 = *util::from_hex(l2_hex);
  out.insert(out.end(), l2.begin(), l2.end());
  return out;
}

class RadioTest : public ::testing::Test {
 protected:
  RadioTest() : client_(peer_) {
    timings_.srsp = 500ms;
    timings_.confirm = 500ms;
    timings_.answer = 600ms;
    timings_.pair_step_gap = 400ms;
    timings_.pair_answer = 400ms;
    timings_.read_back_pause = 50ms;
  }
  ~RadioTest() override { client_.stop(); }

  engine::Radio radio() { return engine::Radio(client_, kEcu, timings_); }
  // A unicast that the module takes and the inverter's radio acknowledges.
  ScriptPeer& expect_delivered(const std::string& request) {
    return peer_.expect(request).reply(kRequestSrsp).reply(kConfirmOk, 5ms);
  }

  ScriptPeer peer_;
  znp::ZnpClient client_;
  engine::RadioTimings timings_;
};

TEST_F(RadioTest, PairingReplaysTheDs3TraceAndSendsAllFourSteps) {
  peer_.expect(kDs3Steps[0]).reply(kStepSrsp);
  peer_.expect(kDs3Steps[1]).reply(kStepSrsp).reply(kDs3AnswerAfterStep2, 150ms);
  peer_.expect(kDs3Steps[2]).reply(kStepSrsp).reply(kDs3AnswerAfterStep3, 150ms);
  peer_.expect(kDs3Steps[3]).reply(kStepSrsp);

  const auto r = radio().pair(kDs3, {.attempts = 1, .daylight = true});
  ASSERT_EQ(r.outcome, engine::PairOutcome::Paired) << r.detail;
  EXPECT_EQ(r.short_address, kDs3Address);
  EXPECT_EQ(r.steps_sent, 4);
  EXPECT_EQ(r.answered_after, (std::vector<int>{2, 3}));
  EXPECT_EQ(peer_.pending_steps(), 0U) << "a step was not sent";
  EXPECT_TRUE(peer_.unexpected().empty());
  const auto written = peer_.written();
  ASSERT_EQ(written.size(), 4U);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(written[i], kDs3Steps[i]) << "step " << i + 1;
}

TEST_F(RadioTest, PairingTakesTheLastValidAnswer) {
  // An answer from another address after step 2, the inverter's own after step 3.
  peer_.expect(kDs3Steps[0]).reply(kStepSrsp);
  peer_.expect(kDs3Steps[1]).reply(kStepSrsp).reply(
      incoming(0x1111, *util::from_hex("FF1A703000021300"), aps::kPairAnswerCluster),
      100ms);
  peer_.expect(kDs3Steps[2]).reply(kStepSrsp).reply(kDs3AnswerAfterStep3, 100ms);
  peer_.expect(kDs3Steps[3]).reply(kStepSrsp);
  const auto r = radio().pair(kDs3, {.attempts = 1, .daylight = true});
  ASSERT_EQ(r.outcome, engine::PairOutcome::Paired) << r.detail;
  EXPECT_EQ(r.short_address, kDs3Address);
  EXPECT_NE(r.detail.find("0x1111"), std::string::npos) << r.detail;
}

TEST_F(RadioTest, ASlowAnswerAfterTheLastStepStillCounts) {
  for (const auto* step : kDs3Steps) peer_.expect(step).reply(kStepSrsp);
  peer_.push(kDs3AnswerAfterStep3, 1800ms);  // after the fourth step's gap (4 × 400 ms)
  const auto r = radio().pair(kDs3, {.attempts = 1, .daylight = true});
  ASSERT_EQ(r.outcome, engine::PairOutcome::Paired) << r.detail;
  EXPECT_EQ(r.answered_after, (std::vector<int>{4}));
  EXPECT_EQ(r.short_address, kDs3Address);
}

TEST_F(RadioTest, EchoesOfOurOwnStepsAreNotAnswers) {
  const auto steps = aps::pairing_steps(kEcu, kDs3);
  // The module hears steps 1, 2 (relayed by another router, 0xD021, protocol §4.4) and 4 back.
  peer_.expect(kDs3Steps[0]).reply(kStepSrsp).reply(incoming(0x0000, steps[0].data, steps[0].cluster, 1), 50ms);
  peer_.expect(kDs3Steps[1]).reply(kStepSrsp).reply(incoming(0x0000, steps[1].data, steps[1].cluster, 1), 50ms);
  peer_.expect(kDs3Steps[2]).reply(kStepSrsp);
  peer_.expect(kDs3Steps[3]).reply(kStepSrsp).reply(incoming(0x0000, steps[3].data, steps[3].cluster, 1), 50ms);
  // And an answer-shaped frame that came as a broadcast.
  peer_.push(incoming(0xD021, *util::from_hex("FFFF703000021300"), aps::kPairAnswerCluster, 1), 900ms);
  const auto r = radio().pair(kDs3, {.attempts = 1, .daylight = true});
  EXPECT_EQ(r.outcome, engine::PairOutcome::NoAnswer) << r.detail;
  EXPECT_EQ(r.steps_sent, 4);
  EXPECT_EQ(peer_.pending_steps(), 0U);
}

TEST_F(RadioTest, ARefusedStepDoesNotStopTheOthersButTheAttemptDoesNotCount) {
  peer_.expect(kDs3Steps[0]).reply(kStepSrsp);
  peer_.expect(kDs3Steps[1]).reply("FE0164020166").reply(kDs3AnswerAfterStep2, 50ms);  // status 01
  peer_.expect(kDs3Steps[2]).reply(kStepSrsp).reply(kDs3AnswerAfterStep3, 50ms);
  peer_.expect(kDs3Steps[3]).reply(kStepSrsp);
  const auto r = radio().pair(kDs3, {.attempts = 1, .daylight = true});
  EXPECT_EQ(r.outcome, engine::PairOutcome::NoAnswer) << r.detail;
  EXPECT_NE(r.detail.find("step 2 refused"), std::string::npos) << r.detail;
  EXPECT_EQ(peer_.pending_steps(), 0U);
}

TEST_F(RadioTest, Ds3LimitTakesTheSetsAcknowledgementThenReadsBack) {
  const auto set = *aps::encode_set_power_limit(kEcu, aps::Model::Ds3, 300);
  // The acknowledgement comes a little after the confirm; the old flow had already sent its
  // query by then and took the 19-byte acknowledgement for the 105-byte page.
  expect_delivered(unicast(kDs3Address, set))
      .reply(incoming(kDs3Address, payload_of(kDs3, "FBFB06DE02000000000000FEFE")), 20ms);
  expect_delivered(unicast(kDs3Address, aps::encode_query_parameters(kEcu)))
      .reply(incoming(kDs3Address, aps::encode_parameters_reply(kDs3, aps::Model::Ds3, 300)), 100ms);
  const auto r = radio().set_power_limit(kDs3Address, aps::Model::Ds3, 300);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->accepted) << r->detail;
  ASSERT_TRUE(r->read_back_per_panel_w.has_value());
  EXPECT_NEAR(*r->read_back_per_panel_w, 300, 0.1);
  EXPECT_NE(r->detail.find("600 W for the inverter's 2 inputs"), std::string::npos) << r->detail;
  EXPECT_EQ(peer_.pending_steps(), 0U);
}

TEST_F(RadioTest, Ds3RefusalIsReportedAndNothingIsReadBack) {
  const auto set = *aps::encode_set_power_limit(kEcu, aps::Model::Ds3, 450);
  expect_delivered(unicast(kDs3Address, set))
      .reply(incoming(kDs3Address, payload_of(kDs3, "FBFB06DF00030000000000FEFE")), 50ms);
  const auto r = radio().set_power_limit(kDs3Address, aps::Model::Ds3, 450);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_FALSE(r->accepted);
  EXPECT_FALSE(r->read_back_per_panel_w.has_value());
  EXPECT_NE(r->detail.find("refused the limit of 450 W per panel (answer DF 00 03)"), std::string::npos) << r->detail;
  EXPECT_EQ(peer_.written().size(), 1U) << "no read-back after a refusal";
}

TEST_F(RadioTest, Yc600AnswersTheSetWithItsPage) {
  const auto set = *aps::encode_set_power_limit(kEcu, aps::Model::Yc600, 250);
  expect_delivered(unicast(kYcAddress, set))
      .reply(incoming(kYcAddress, aps::encode_parameters_reply(kYc600, aps::Model::Yc600, 250)), 60ms);
  expect_delivered(unicast(kYcAddress, aps::encode_query_parameters(kEcu)))
      .reply(incoming(kYcAddress, aps::encode_parameters_reply(kYc600, aps::Model::Yc600, 250)), 30ms);
  const auto r = radio().set_power_limit(kYcAddress, aps::Model::Yc600, 250);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->accepted) << r->detail;
  EXPECT_NE(r->detail.find("page shows 250 W per panel"), std::string::npos) << r->detail;
  EXPECT_NEAR(r->read_back_per_panel_w.value_or(0), 250, 0.1);
}

TEST_F(RadioTest, AReadBackThatDiffersIsNotAccepted) {
  const auto set = *aps::encode_set_power_limit(kEcu, aps::Model::Ds3, 200);
  expect_delivered(unicast(kDs3Address, set))
      .reply(incoming(kDs3Address, payload_of(kDs3, "FBFB06DE02000000000000FEFE")), 20ms);
  expect_delivered(unicast(kDs3Address, aps::encode_query_parameters(kEcu)))
      .reply(incoming(kDs3Address, aps::encode_parameters_reply(kDs3, aps::Model::Ds3, 600)), 30ms);
  const auto r = radio().set_power_limit(kDs3Address, aps::Model::Ds3, 200);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_FALSE(r->accepted);
  EXPECT_NE(r->detail.find("reads back 600 W per panel after setting 200 W"), std::string::npos) << r->detail;
}

TEST_F(RadioTest, LimitOutsideTwentyToFiveHundredPerPanelSendsNothing) {
  const auto r = radio().set_power_limit(kDs3Address, aps::Model::Ds3, 600);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, aps::Errc::OutOfRange);
  EXPECT_TRUE(peer_.written().empty());
}

TEST_F(RadioTest, TurnOffIsC2AndARefusalIsAnError) {
  expect_delivered(unicast(kDs3Address, aps::encode_set_output(kEcu, false)));
  const auto off = radio().set_output(kDs3Address, false);
  ASSERT_TRUE(off.ok()) << off.error().describe();
  EXPECT_FALSE(off->acknowledged);
  EXPECT_NE(off->detail.find("sent no answer"), std::string::npos) << off->detail;

  expect_delivered(unicast(kDs3Address, aps::encode_set_output(kEcu, true)))
      .reply(incoming(kDs3Address, payload_of(kDs3, "FBFB06DF00030000000000FEFE")), 20ms);
  const auto on = radio().set_output(kDs3Address, true);
  ASSERT_FALSE(on.ok());
  EXPECT_EQ(on.error().code, aps::Errc::Refused);
  const auto written = peer_.written();
  ASSERT_EQ(written.size(), 2U);
  EXPECT_NE(written[0].find("FBFB06C2000000000000C8FEFE"), std::string::npos);
  EXPECT_NE(written[1].find("FBFB06C1000000000000C7FEFE"), std::string::npos);
}

TEST_F(RadioTest, ChecksumZeroIsNotComputedForYc600ButAMismatchIsCountedAndNotUsed) {
  const std::string poll = unicast(kYcAddress, aps::encode_poll(kEcu));
  const auto good = aps::encode_raw(aps::RawTelemetry{.serial = kYc600,
                                                      .model = aps::Model::Yc600,
                                                      .inputs = {aps::RawInput{}, aps::RawInput{}}});
  auto bad = good;
  bad[bad.size() - 3] = 0x01;  // 00 01: neither 00 00 nor the sum
  auto r1 = [&] {
    expect_delivered(poll).reply(incoming(kYcAddress, good), 10ms);
    return radio().poll(kYcAddress, kYc600, {});
  }();
  EXPECT_TRUE(r1.ok()) << r1.detail;
  EXPECT_FALSE(r1.checksum_mismatch);

  auto r = radio();
  for (std::uint64_t n = 1; n <= 2; ++n) {
    expect_delivered(poll).reply(incoming(kYcAddress, bad), 10ms);
    const auto r2 = r.poll(kYcAddress, kYc600, {});
    EXPECT_EQ(r2.outcome, engine::PollOutcome::Malformed);
    EXPECT_TRUE(r2.checksum_mismatch);
    EXPECT_EQ(r2.checksum_mismatches, n);
    EXPECT_NE(r2.detail.find("checksum 0001"), std::string::npos) << r2.detail;
  }
  expect_delivered(poll).reply(incoming(kYcAddress, good), 10ms);
  const auto r3 = r.poll(kYcAddress, kYc600, {});
  EXPECT_TRUE(r3.ok());
  EXPECT_EQ(r3.checksum_mismatches, 2U);
}

TEST_F(RadioTest, ChecksumZeroFromADs3PollIsAMismatch) {
  auto ds3 = aps::encode_raw(aps::RawTelemetry{.serial = kDs3,
                                               .model = aps::Model::Ds3,
                                               .inputs = {aps::RawInput{}, aps::RawInput{}}});
  ds3[ds3.size() - 4] = 0;
  ds3[ds3.size() - 3] = 0;
  expect_delivered(unicast(kDs3Address, aps::encode_poll(kEcu))).reply(incoming(kDs3Address, ds3), 10ms);
  const auto r = radio().poll(kDs3Address, kDs3, {});
  EXPECT_EQ(r.outcome, engine::PollOutcome::Malformed);
  EXPECT_TRUE(r.checksum_mismatch);
}

TEST_F(RadioTest, ALatePageTakenForAPollIsNoChecksumMismatch) {
  expect_delivered(unicast(kYcAddress, aps::encode_poll(kEcu)))
      .reply(incoming(kYcAddress, aps::encode_parameters_reply(kYc600, aps::Model::Yc600, 300)), 10ms);
  const auto r = radio().poll(kYcAddress, kYc600, {});
  EXPECT_EQ(r.outcome, engine::PollOutcome::Malformed);
  EXPECT_FALSE(r.checksum_mismatch) << r.detail;
}

}  // namespace
