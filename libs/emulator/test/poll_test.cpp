// SPDX-License-Identifier: GPL-3.0-or-later
// Polls, queries and commands to the inverters (protocol §4.5–4.7, §5, §9.5, §9.7).
#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

TEST(Query, ParametersReplyCarriesTheLimitAndSetPowerChangesIt) {
  Bench b;
  b.start_coordinator();
  auto query = [&] {
    const auto frames = b.exchange("FE1D24013A7C1414060001000F1380971B01A3D8FBFB06DE000000000000E4FEFE2F").frames();
    EXPECT_EQ(frames.size(), 4U);
    const auto msg = parse_incoming(frames.back());
    EXPECT_TRUE(msg);
    const auto w = aps::decode_power_limit(msg->data, aps::Model::Yc600);
    EXPECT_TRUE(w) << w.error().describe();
    return *w;
  };
  EXPECT_NEAR(query(), 600.0, 1.0);

  const auto ecu = *aps::EcuId::parse("D8A3011B9780");
  const auto payload = aps::encode_set_power_limit(ecu, aps::Model::Yc600, 300);
  ASSERT_TRUE(payload);
  const auto l2 = util::to_hex(util::ByteView(*payload).subspan(6));
  const auto set = b.exchange(af_request(0x7C3A, l2)).frames();
  EXPECT_THAT(set, ElementsAre("FE0164010064", "FE034480001401D2"));  // no APS answer
  EXPECT_NEAR(query(), 300.0, 1.0);

  b.advance_sim(10s);
  EXPECT_LE(status_of(b, 0x7C3A).ac_power_w, 300.0 + 1e-6);
}

TEST(Query, Ds3SetPowerSniffFrameSetsOneHundredWatts) {
  Bench b;
  b.start_coordinator();
  b.exchange(af_request(0x6C22, "FBFB06AA270000067B0158FEFE"));
  EXPECT_NEAR(status_of(b, 0x6C22).power_limit_w, 100.0, 0.5);
  b.advance_sim(10s);
  EXPECT_LE(status_of(b, 0x6C22).ac_power_w, 100.0 + 1e-6);
}

TEST(Reboot, CapturedRebootFrameRestartsUptimeAndCounters) {
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
