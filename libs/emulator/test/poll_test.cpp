// SPDX-License-Identifier: GPL-3.0-or-later
// Polls, queries and commands to the inverters (protocol §4.5–4.7, §5, §9.5, §9.7).
#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "apsecu/aps/l2.hpp"
#include "apsecu/aps/requests.hpp"
#include "apsecu/aps/telemetry.hpp"
#include "bench.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::emulator;
using namespace apsecu::emulator::testing;
using namespace std::chrono_literals;
using ::testing::ElementsAre;

constexpr const char* kPoll7C3A = "FE1D24013A7C1414060001000F1380971B01A3D8FBFB06BB000000000000C1FEFE6F";
constexpr const char* kNoRoute = "FE034480CD14011F";
constexpr const char* kPollL2 = "FBFB06BB000000000000C1FEFE";

const InverterStatus& find(const std::vector<InverterStatus>& all, std::uint16_t address) {
  for (const auto& s : all) {
    if (s.short_address == address) return s;
  }
  throw std::runtime_error("no such inverter");
}

InverterStatus status_of(Bench& b, std::uint16_t address) {
  std::vector<InverterStatus> all;
  for (const auto& inv : b.plant->inverters()) all.push_back(inv.status(b.plant->time()));
  return find(all, address);
}

TEST(Poll, Yc600AnswerHasTheCapturedStructureAndTheSimulatedValues) {
  Bench b(noon_config(kRealisticTiming));
  b.start_coordinator();
  const auto ex = b.exchange(kPoll7C3A);
  const auto frames = ex.frames();
  ASSERT_EQ(frames.size(), 4U);
  EXPECT_EQ(frames[0], "FE0164010064");
  EXPECT_EQ(frames[1], "FE034480001401D2");
  EXPECT_EQ(frames[2], "FE0345C43A7C00C4");  // route report for 0x7C3A, no relays
  EXPECT_EQ(frames[3].substr(0, 20), "FE724481000006013A7C");
  EXPECT_GE(util::to_hex(ex.bytes()).size(), 223U);  // the hosts' minimum (§4.5)

  // Timing windows of the ESP/RPI readers (§7.1, §9.7).
  EXPECT_LT(ex.writes.front().at, 2s);
  EXPECT_LT(ex.writes.back().at - ex.writes.front().at, 500ms);

  const auto msg = parse_incoming(frames[3]);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->cluster, 0x0106);
  EXPECT_EQ(msg->src, 0x7C3A);
  EXPECT_EQ(msg->mac_src, 0x7C3A);
  EXPECT_EQ(msg->radius, 0x0E);
  EXPECT_FALSE(msg->was_broadcast);
  EXPECT_EQ(msg->data.size(), 94U);

  const auto t = aps::decode_telemetry(msg->data);
  ASSERT_TRUE(t) << t.error().describe();
  const auto sim = status_of(b, 0x7C3A);
  EXPECT_EQ(t->serial.str(), "408000119348");
  EXPECT_EQ(t->model, aps::Model::Yc600);
  EXPECT_EQ(t->uptime_s, sim.uptime_s);
  EXPECT_GT(sim.uptime_s, 3600U);  // running since the morning (warm start)
  ASSERT_EQ(t->inputs.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(*t->inputs[i].dc_voltage_v, sim.inputs[i].dc_voltage_v, 0.03);
    EXPECT_NEAR(*t->inputs[i].dc_current_a, sim.inputs[i].dc_current_a, 0.01);
    EXPECT_NEAR(t->inputs[i].energy_counter_wh, sim.inputs[i].energy_j / 3600.0, 8.311 / 3600);
    EXPECT_GT(sim.inputs[i].dc_power_w, 100.0);
    EXPECT_GT(sim.inputs[i].dc_voltage_v, 20.0);
  }
  EXPECT_NEAR(*t->frequency_hz, 50.0, 0.05);
  EXPECT_NEAR(*t->ac_voltage_v, 232.0, 6.0);
  EXPECT_NEAR(*t->temperature_c, sim.temperature_c, 0.3);
}

TEST(Poll, Ds3AnswerCarriesTwoRouteReportsAndAValidChecksum) {
  Bench b;
  b.start_coordinator();
  const auto frames = b.exchange(af_request(0x6C22, kPollL2)).frames();
  ASSERT_EQ(frames.size(), 5U);
  EXPECT_EQ(frames[2], "FE0345C4226C00CC");  // as in the DS3 capture (§6.8)
  EXPECT_EQ(frames[3], "FE0345C4226C00CC");
  EXPECT_EQ(frames[4].substr(0, 4), "FE7D");
  const auto msg = parse_incoming(frames[4]);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->data.size(), 105U);
  const auto t = aps::decode_telemetry(msg->data);
  ASSERT_TRUE(t) << t.error().describe();
  EXPECT_EQ(t->model, aps::Model::Ds3);
  EXPECT_EQ(t->serial.str(), "703000021300");
  const auto sim = status_of(b, 0x6C22);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(t->inputs[i].energy_counter_wh, sim.inputs[i].energy_j / 3600.0, 1.66e-5 * 2);
  }
}

TEST(Poll, Qs1QuirkSendsZeroFrequencyAndAcVoltage) {
  auto c = noon_config();
  c.inverters[1].qs1_zero_grid = true;
  Bench b(c);
  b.start_coordinator();
  const auto frames = b.exchange(af_request(0x6C14, kPollL2)).frames();
  const auto msg = parse_incoming(frames.back());
  ASSERT_TRUE(msg);
  const auto t = aps::decode_telemetry(msg->data);
  ASSERT_TRUE(t) << t.error().describe();
  EXPECT_EQ(t->model, aps::Model::Qs1);
  EXPECT_EQ(t->inputs.size(), 4U);
  EXPECT_FALSE(t->frequency_hz.has_value());
  EXPECT_FALSE(t->ac_voltage_v.has_value());
}

TEST(Poll, NightUnknownAddressAndUnpairedInverterGiveNoRoute) {
  {
    Bench night(noon_config(), "2026-06-21T23:30Z");
    night.start_coordinator();
    EXPECT_THAT(night.exchange(kPoll7C3A).frames(), ElementsAre("FE0164010064", kNoRoute));
  }
  Bench b;
  b.start_coordinator();
  EXPECT_THAT(b.exchange(af_request(0x1234, kPollL2)).frames(), ElementsAre("FE0164010064", kNoRoute));

  auto c = noon_config();
  c.inverters[0].paired = false;
  Bench unpaired(c);
  unpaired.start_coordinator();
  EXPECT_THAT(unpaired.exchange(kPoll7C3A).frames(), ElementsAre("FE0164010064", kNoRoute));
}

TEST(Poll, CapturedFailedQs1PollBytes) {
  // RPI-APS-inverters #96: a QS1 at 0x6C14 under ECU D6B3011B9780 that does not answer.
  auto c = noon_config();
  c.inverters[1].paired = false;
  Bench b(c);
  b.start_coordinator();
  EXPECT_THAT(b.exchange("FE1D2401146C1414060001000F1380971B01B3D6FBFB06BB000000000000C1FEFE4F").frames(),
              ElementsAre("FE0164010064", kNoRoute));
}

TEST(Poll, BeforeTheNetworkRunsTheRequestIsRefused) {
  Bench b;
  b.exchange("FE0D240014050F0001010002000015000020");
  // SRSP status C2 (ZNwkInvalidRequest) and nothing else.
  EXPECT_THAT(b.exchange(kPoll7C3A).frames(), ElementsAre("FE016401C2A6"));
}

TEST(Poll, EspTruncatedNormalOperationBroadcastIsAccepted) {
  Bench b;
  b.start_coordinator();
  EXPECT_THAT(b.exchange("FE162401FFFF1414060001000F1E80971B01A3D8FBFB1100000D4F").frames(),
              ElementsAre("FE0164010064"));
}

// The DS3's answers to a set, as sniffed from an ECU-C (ESP32-read-APS-inverters #34).
constexpr const char* kDs3Accepted = "703000021300FBFB06DE02000000000000FEFE";
constexpr const char* kDs3Refused = "703000021300FBFB06DF00030000000000FEFE";
constexpr const char* kQueryL2 = "FBFB06DE000000000000E4FEFE";

// The APS payload of the inverter's answer (the last frame of the exchange).
std::optional<std::string> answer_of(const Exchange& ex) {
  const auto frames = ex.frames();
  if (frames.empty()) return std::nullopt;
  const auto msg = parse_incoming(frames.back());
  if (!msg) return std::nullopt;
  EXPECT_EQ(msg->cluster, 0x0106);
  return util::to_hex(msg->data);
}

double queried_limit(Bench& b, std::uint16_t address, aps::Model model) {
  const auto answer = answer_of(b.exchange(af_request(address, kQueryL2)));
  EXPECT_TRUE(answer);
  const auto w = aps::decode_power_limit(hex(answer.value_or("")), model);
  EXPECT_TRUE(w) << w.error().describe();
  return w ? *w : -1;
}

// 1C 8C 02 HH LL 00 with HH LL = W per panel × 28.89 (ESP32-ECU SETPOWER, OpenAPS QS1).
std::string yc_set(double w) {
  const auto v = static_cast<unsigned>(std::lround(w * 28.89));
  const std::uint8_t body[] = {0x8C, 0x02, static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v), 0x00};
  return util::to_hex(aps::encode_l2(0x1C, body));
}
// AA 27 00 00 HH LL with HH LL = W per panel × 16.59 (the ECU-C sniff, zigbee2mqtt #4221).
std::string ds3_raw(unsigned v) {
  const std::uint8_t body[] = {0x27, 0x00, 0x00, static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  return util::to_hex(aps::encode_l2(0xAA, body));
}
std::string ds3_set(double w) { return ds3_raw(static_cast<unsigned>(std::lround(w * 16.59))); }

TEST(Limit, DefaultIsTheRatingPerInputAndTheYc600AnswersASetWithItsPage) {
  Bench b;
  b.start_coordinator();
  EXPECT_NEAR(queried_limit(b, 0x7C3A, aps::Model::Yc600), 300.0, 0.1);  // 600 W over two inputs
  EXPECT_NEAR(queried_limit(b, 0x6C14, aps::Model::Qs1), 300.0, 0.1);
  EXPECT_NEAR(queried_limit(b, 0x6C22, aps::Model::Ds3), 440.0, 0.1);

  // The set's own answer is the whole DE page with the new limit (ESP32-read-APS-inverters #31
  // and #34: FBFB4DDE… after a 1C set of 300 W carries 21DB at L2 bytes 74-75).
  const auto set = b.exchange(af_request(0x7C3A, yc_set(150)));
  ASSERT_EQ(set.frames().size(), 4U);
  const auto page = answer_of(set);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->substr(12, 8), "FBFB4DDE");
  EXPECT_NEAR(*aps::decode_power_limit(hex(*page), aps::Model::Yc600), 150.0, 0.05);
  EXPECT_NEAR(queried_limit(b, 0x7C3A, aps::Model::Yc600), 150.0, 0.05);

  // Per panel: each input is capped at 150 W AC, the inverter at 300 W.
  b.advance_sim(10s);
  const auto st = status_of(b, 0x7C3A);
  EXPECT_NEAR(st.power_limit_per_panel_w, 150.0, 0.05);
  EXPECT_NEAR(st.power_limit_w, 300.0, 0.1);
  for (const auto& in : st.inputs) EXPECT_EQ(in.ac_power_w, st.power_limit_per_panel_w);  // noon: both clipped
}

TEST(Limit, CapturedYc600SetFrameOfThreeHundredWatts) {
  // ESP32-read-APS-inverters #31: FBFB061C8C0221DB0001ACFEFE, and the page read back with 21DB.
  Bench b;
  b.start_coordinator();
  const auto page = answer_of(b.exchange(af_request(0x7C3A, "FBFB061C8C0221DB0001ACFEFE")));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->substr(12 + 2 * 74, 4), "21DB");
  EXPECT_EQ(page->substr(page->size() - 8), "0000FEFE");  // the YC600's page carries no checksum
}

TEST(Limit, Ds3AcknowledgesTheSniffedSetAndCapsEachInput) {
  Bench b;
  b.start_coordinator();
  // The ECU-C frame for 100 W (zigbee2mqtt #4221, 2025-07-10): 067B = 1659 = 100 × 16.59.
  const auto set = b.exchange(af_request(0x6C22, "FBFB06AA270000067B0158FEFE"));
  EXPECT_EQ(answer_of(set), kDs3Accepted);
  EXPECT_NEAR(status_of(b, 0x6C22).power_limit_per_panel_w, 100.0, 0.05);
  EXPECT_NEAR(queried_limit(b, 0x6C22, aps::Model::Ds3), 100.0, 0.05);
  b.advance_sim(10s);
  const auto st = status_of(b, 0x6C22);
  for (const auto& in : st.inputs) EXPECT_LE(in.ac_power_w, 100.0 + 1e-6);
  EXPECT_LE(st.ac_power_w, 200.0 + 1e-6);
  EXPECT_GT(st.ac_power_w, 150.0);  // both inputs at their cap, not the inverter at 100 W
}

TEST(Limit, Ds3RefusesAValueOutsideItsRangeAndARefusingInverterKeepsItsLimit) {
  Bench b;
  b.start_coordinator();
  EXPECT_EQ(answer_of(b.exchange(af_request(0x6C22, ds3_set(10)))), kDs3Refused);  // under 20 W per panel
  EXPECT_EQ(answer_of(b.exchange(af_request(0x6C22, ds3_raw(0x4800)))), kDs3Refused);  // > 0x474C
  EXPECT_NEAR(queried_limit(b, 0x6C22, aps::Model::Ds3), 440.0, 0.1);

  auto c = noon_config();
  c.inverters[2].limit_mode = LimitMode::Refuse;
  c.inverters[0].limit_mode = LimitMode::Refuse;
  Bench refusing(c);
  refusing.start_coordinator();
  EXPECT_EQ(answer_of(refusing.exchange(af_request(0x6C22, ds3_set(300)))), kDs3Refused);
  EXPECT_NEAR(queried_limit(refusing, 0x6C22, aps::Model::Ds3), 440.0, 0.1);
  // A YC600 has no refusal of its own: its page shows the limit it kept [U].
  const auto page = answer_of(refusing.exchange(af_request(0x7C3A, yc_set(150))));
  ASSERT_TRUE(page);
  EXPECT_NEAR(*aps::decode_power_limit(hex(*page), aps::Model::Yc600), 300.0, 0.05);
}

TEST(Limit, AnIgnoringInverterReportsTheLimitAndFeedsMore) {
  auto c = noon_config();
  c.inverters[2].limit_mode = LimitMode::Ignore;
  Bench b(c);
  b.start_coordinator();
  EXPECT_EQ(answer_of(b.exchange(af_request(0x6C22, ds3_set(100)))), kDs3Accepted);
  EXPECT_NEAR(queried_limit(b, 0x6C22, aps::Model::Ds3), 100.0, 0.05);
  b.advance_sim(10s);
  EXPECT_GT(status_of(b, 0x6C22).inputs[0].ac_power_w, 150.0);
}

TEST(Limit, TheOpcodeDecidesTheScaleAndTheModelTheAnswer) {
  Bench b;
  b.start_coordinator();
  // The 1C form sent to a DS3 (as the ESP32-ECU sends it to every non-DS3): a DS3 acknowledges.
  EXPECT_EQ(answer_of(b.exchange(af_request(0x6C22, yc_set(200)))), kDs3Accepted);
  EXPECT_NEAR(status_of(b, 0x6C22).power_limit_per_panel_w, 200.0, 0.05);
  // OpenAPS's C3 form for a YC600: one byte, v = ((W × 0x1CE3) >> 14) >> 2.
  const unsigned v = ((250U * 0x1CE3U) >> 14U) >> 2U;
  const std::uint8_t body[] = {static_cast<std::uint8_t>(v), 0, 0, 0, 0};
  const auto page = answer_of(b.exchange(af_request(0x7C3A, util::to_hex(aps::encode_l2(0xC3, body)))));
  ASSERT_TRUE(page);
  EXPECT_NEAR(*aps::decode_power_limit(hex(*page), aps::Model::Yc600), v * 65536.0 / 0x1CE3, 0.05);
}

TEST(OnOff, TurnOffStopsFeedingAndTurnOnFeedsAgainAfterTheGridCheck) {
  Bench b;
  b.start_coordinator();
  // OpenAPS codec/onoff.go: off = FBFB06C2000000000000C8FEFE, on = FBFB06C1000000000000C7FEFE.
  EXPECT_THAT(b.exchange(af_request(0x7C3A, "FBFB06C2000000000000C8FEFE")).frames(),
              ElementsAre("FE0164010064", "FE034480001401D2"));  // no answer of its own [U]
  const auto off = status_of(b, 0x7C3A);
  EXPECT_FALSE(off.output_on);
  b.advance_sim(300s);
  const auto later = status_of(b, 0x7C3A);
  EXPECT_EQ(later.ac_power_w, 0.0);
  EXPECT_EQ(later.inputs[0].energy_raw, off.inputs[0].energy_raw);  // the counters stand still
  EXPECT_EQ(later.uptime_s, off.uptime_s + 300);
  // It still answers polls: no power, the panels' open-circuit voltage.
  const auto msg = parse_incoming(b.exchange(kPoll7C3A).frames().back());
  ASSERT_TRUE(msg);
  const auto t = aps::decode_telemetry(msg->data);
  ASSERT_TRUE(t);
  EXPECT_NEAR(*t->inputs[0].dc_current_a, 0.0, 0.01);
  EXPECT_GT(*t->inputs[0].dc_voltage_v, 30.0);

  EXPECT_THAT(b.exchange(af_request(0x7C3A, "FBFB06C1000000000000C7FEFE")).frames(),
              ElementsAre("FE0164010064", "FE034480001401D2"));
  b.advance_sim(30s);
  EXPECT_EQ(status_of(b, 0x7C3A).ac_power_w, 0.0);  // grid check
  b.advance_sim(60s);
  const auto on = status_of(b, 0x7C3A);
  EXPECT_TRUE(on.output_on);
  EXPECT_GT(on.ac_power_w, 200.0);
}

TEST(OnOff, OffSurvivesTheNightAndIsConfigurable) {
  auto c = noon_config();
  c.inverters[0].output_on = false;
  Bench b(c, "2026-06-21T20:00Z");
  EXPECT_FALSE(status_of(b, 0x7C3A).output_on);
  EXPECT_EQ(status_of(b, 0x7C3A).inputs[0].energy_j, 0.0);  // off all day
  b.advance_sim(std::chrono::hours{16});  // next noon
  EXPECT_TRUE(status_of(b, 0x7C3A).awake);
  EXPECT_EQ(status_of(b, 0x7C3A).ac_power_w, 0.0);
}

TEST(Reboot, TheCommunityRebootFrameIsTurnOnAndRestartsTheInverter) {
  // kadzsol's frame (zigbee2mqtt #4221, 2022-02-08; ESP "inverterReboot", Lua reboot.lua) is
  // OpenAPS's turn-on opcode C1 with 00 A6 where the sum rule gives 00 C7. The inverter does
  // not check it; turning on restarts its software: uptime and counters from 0.
  Bench b;
  b.start_coordinator();
  const auto before = status_of(b, 0x7C3A);
  ASSERT_GT(before.uptime_s, 0U);
  ASSERT_GT(before.inputs[0].energy_j, 0.0);
  EXPECT_THAT(b.exchange("FE1D24013A7C1414060001000F1380971B01A3D8FBFB06C1000000000000A6FEFE72").frames(),
              ElementsAre("FE0164010064", "FE034480001401D2"));
  const auto after = status_of(b, 0x7C3A);
  EXPECT_EQ(after.uptime_s, 0U);
  EXPECT_EQ(after.inputs[0].energy_j, 0.0);
  EXPECT_EQ(after.power_ups, before.power_ups + 1);

  b.advance_sim(120s);
  const auto msg = parse_incoming(b.exchange(kPoll7C3A).frames().back());
  ASSERT_TRUE(msg);
  const auto t = aps::decode_telemetry(msg->data);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->uptime_s, 120U);
  // Feeding again after the 60 s grid check: a minute of noon power, not the morning's.
  EXPECT_GT(t->inputs[0].energy_counter_wh, 0.5);
  EXPECT_LT(t->inputs[0].energy_counter_wh, 10.0);
}

}  // namespace
