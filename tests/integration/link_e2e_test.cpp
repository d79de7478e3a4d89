// SPDX-License-Identifier: GPL-3.0-or-later
// End to end over a pseudo-terminal: the emulator plays the CC2530 and a YC600, a QS1 and a
// DS3; the host opens the pty with its real serial code and pulls the reset line through a
// FIFO. The coordinator is started, the three inverters are paired and polled, and what the
// host decodes is compared with the emulator's own state.

#include <atomic>
#include <cmath>

#include <gtest/gtest.h>

#include "apsecu/emulator/emulator.hpp"
#include "apsecu/engine/radio.hpp"
#include "apsecu/engine/setup.hpp"
#include "apsecu/fleet/energy_accountant.hpp"
#include "apsecu/transport/reset_line.hpp"
#include "apsecu/transport/spec.hpp"
#include "apsecu/znp/coordinator.hpp"

#include "stepped_clock.hpp"

namespace {
using namespace apsecu;
using namespace std::chrono_literals;

using apsecu::testing::SteppedClock;

struct Host {
  std::unique_ptr<transport::Transport> serial;
  std::unique_ptr<transport::ResetLine> reset;
  std::unique_ptr<znp::ZnpClient> client;
  std::unique_ptr<znp::Coordinator> coordinator;
  std::unique_ptr<engine::Radio> radio;
};

class LinkE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_unique<SteppedClock>(*emulator::parse_utc("2026-06-21T10:00Z"));
    emulator::EmulatorConfig cfg;
    cfg.start = clock_->now();
    cfg.timing_scale = emulator::kFastTiming;
    cfg.cloudiness = 0.2;
    cfg.inverters = emulator::default_inverters();
    for (auto& inv : cfg.inverters) inv.paired = false;  // the host must pair them
    auto emu = emulator::Emulator::create(cfg, *clock_);
    ASSERT_TRUE(emu.ok()) << emu.error().describe();
    emu_ = std::move(*emu);
    emu_->start();
    auto paths = emu_->open_pty();
    ASSERT_TRUE(paths.ok()) << paths.error().describe();

    auto serial = transport::open_transport(paths->pty);
    ASSERT_TRUE(serial.ok()) << serial.error().describe();
    auto reset = transport::open_reset_line(paths->reset_spec());
    ASSERT_TRUE(reset.ok()) << reset.error().describe();
    host_.serial = std::move(*serial);
    host_.reset = std::move(*reset);
    host_.client = std::make_unique<znp::ZnpClient>(*host_.serial);
    auto cc = engine::coordinator_config(ecu_);
    cc.reset_timing = {.low = 50ms, .wait = 300ms};
    cc.recovery.first_delay = 100ms;
    host_.coordinator = std::make_unique<znp::Coordinator>(*host_.client, host_.reset.get(), cc);
    engine::RadioTimings timings;
    timings.pair_step_gap = 150ms;
    host_.radio = std::make_unique<engine::Radio>(*host_.client, ecu_, timings);
  }

  void TearDown() override {
    if (host_.client) host_.client->stop();
    if (emu_) emu_->stop();
  }

  void start_and_pair_all() {
    ASSERT_TRUE(host_.coordinator->start(znp::StartMode::Pairing).ok());
    for (const auto& inv : emu_->inverters()) {
      const auto r = host_.radio->pair(inv.serial, {.daylight = true});
      ASSERT_EQ(r.outcome, engine::PairOutcome::Paired) << inv.serial.str() << ": " << r.detail;
      EXPECT_EQ(r.short_address, inv.short_address) << inv.serial.str();
      addresses_.push_back({inv.serial, inv.short_address});
    }
    ASSERT_TRUE(host_.coordinator->send_normal_op_broadcast().ok());
  }

  engine::PollResult poll(const aps::Serial& serial, std::uint16_t addr) {
    return host_.radio->poll(addr, serial, {});
  }

  aps::EcuId ecu_ = *aps::EcuId::parse("D8A3011B9780");
  std::unique_ptr<SteppedClock> clock_;
  std::unique_ptr<emulator::Emulator> emu_;
  Host host_;
  std::vector<std::pair<aps::Serial, std::uint16_t>> addresses_;
};

TEST_F(LinkE2E, StartPairPollMatchesTheEmulatorsGroundTruth) {
  start_and_pair_all();
  const auto cs = emu_->coordinator();
  EXPECT_EQ(cs.device_state, 9);
  EXPECT_EQ(cs.ieee, ecu_.ieee());
  EXPECT_EQ(cs.pan_id, ecu_.pan_id());

  clock_->advance(300s);
  for (const auto& [serial, addr] : addresses_) {
    const auto r = poll(serial, addr);
    ASSERT_TRUE(r.ok()) << serial.str() << ": " << engine::outcome_name(r.outcome) << " " << r.detail;
    const auto truth = emu_->inverter(serial.str());
    ASSERT_TRUE(truth.has_value());
    const auto& t = *r.telemetry;
    EXPECT_EQ(t.serial, serial);
    EXPECT_EQ(t.model, truth->model);
    EXPECT_EQ(t.uptime_s, truth->uptime_s);
    ASSERT_EQ(t.inputs.size(), truth->inputs.size());
    for (std::size_t i = 0; i < t.inputs.size(); ++i) {
      const auto& in = truth->inputs[i];
      EXPECT_NEAR(t.inputs[i].energy_counter_wh, in.energy_j / 3600.0, 0.01) << serial.str() << " input " << i + 1;
      ASSERT_TRUE(t.inputs[i].dc_voltage_v.has_value());
      EXPECT_NEAR(*t.inputs[i].dc_voltage_v, in.dc_voltage_v, 0.05) << serial.str() << " input " << i + 1;
      EXPECT_NEAR(*t.inputs[i].dc_current_a, in.dc_current_a, 0.02) << serial.str() << " input " << i + 1;
      EXPECT_GT(in.energy_j, 0.0) << "a sunny June morning produces energy";
    }
    ASSERT_TRUE(t.temperature_c.has_value());
    EXPECT_NEAR(*t.temperature_c, truth->temperature_c, 0.5);
    ASSERT_TRUE(r.link_quality_pct.has_value());
    EXPECT_GT(*r.link_quality_pct, 0.0);
  }
}

TEST_F(LinkE2E, FrozenCoordinatorIsDetectedAndRecovered) {
  start_and_pair_all();
  ASSERT_TRUE(host_.coordinator->health_check().up());

  emu_->freeze_coordinator();
  const auto down = host_.coordinator->health_check();
  EXPECT_FALSE(down.up());
  EXPECT_EQ(down.fault, znp::HealthFault::NoAnswer) << down.reason;

  ASSERT_TRUE(host_.coordinator->recover(znp::StartMode::Normal).ok());
  EXPECT_FALSE(emu_->coordinator().frozen);
  EXPECT_TRUE(host_.coordinator->health_check().up());
  EXPECT_EQ(host_.coordinator->stats().recoveries, 1U);

  // Inverters keep their pairing across a module reset: polling works straight away.
  clock_->advance(60s);
  const auto& [serial, addr] = addresses_.front();
  const auto r = poll(serial, addr);
  EXPECT_TRUE(r.ok()) << r.detail;
}

TEST_F(LinkE2E, InverterResetIsReportedAsAResetNotNegativeEnergy) {
  start_and_pair_all();
  const auto& [serial, addr] = addresses_.front();
  const auto inputs = aps::info(emu_->inverter(serial.str())->model).inputs;
  fleet::EnergyAccountant accountant({.rated_power_w = std::vector<double>(inputs, 400.0)});

  auto to_sample = [](const aps::Telemetry& t) {
    fleet::CounterSample s{.uptime_s = t.uptime_s, .energy_counter_wh = {}};
    for (const auto& in : t.inputs) s.energy_counter_wh.push_back(in.energy_counter_wh);
    return s;
  };

  clock_->advance(300s);
  auto first = poll(serial, addr);
  ASSERT_TRUE(first.ok()) << first.detail;
  EXPECT_EQ(accountant.apply(to_sample(*first.telemetry)).kind, fleet::SampleKind::Baseline);
  clock_->advance(300s);
  auto second = poll(serial, addr);
  ASSERT_TRUE(second.ok()) << second.detail;
  const auto normal = accountant.apply(to_sample(*second.telemetry));
  EXPECT_EQ(normal.kind, fleet::SampleKind::Normal);
  EXPECT_GT(normal.increase_wh, 0.0);

  ASSERT_TRUE(emu_->reset_inverter(serial.str()));
  clock_->advance(240s);
  auto after = poll(serial, addr);
  ASSERT_TRUE(after.ok()) << after.detail;
  EXPECT_LT(after.telemetry->uptime_s, second.telemetry->uptime_s);
  const auto reset = accountant.apply(to_sample(*after.telemetry));
  EXPECT_EQ(reset.kind, fleet::SampleKind::InverterReset);
  EXPECT_GE(reset.increase_wh, 0.0);
  for (const auto& in : reset.inputs) EXPECT_GE(in.increase_wh, 0.0);
  const auto truth = emu_->inverter(serial.str());
  double since_restart_wh = 0;
  for (const auto& in : truth->inputs) since_restart_wh += in.energy_j / 3600.0;
  EXPECT_NEAR(reset.increase_wh, since_restart_wh, 0.02);
}

TEST_F(LinkE2E, NightPollsAreTypedNoRouteAndPairingIsRefused) {
  start_and_pair_all();
  clock_->set(*emulator::parse_utc("2026-06-21T23:30Z"));
  const auto& [serial, addr] = addresses_.front();
  // The emulator integrates the jump of 13 hours in its own thread; wait for dusk to arrive.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (emu_->inverter(serial.str())->awake && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  const auto r = poll(serial, addr);
  EXPECT_EQ(r.outcome, engine::PollOutcome::NoRoute) << r.detail;
  EXPECT_EQ(r.confirm_status, 0xCD);

  const auto p = host_.radio->pair(serial, {.daylight = false});
  EXPECT_EQ(p.outcome, engine::PairOutcome::NotDaylight);
}

TEST_F(LinkE2E, UnknownAddressIsNoRouteAndWrongSerialIsDetected) {
  start_and_pair_all();
  clock_->advance(60s);
  const auto r = poll(addresses_[0].first, 0x4242);
  EXPECT_EQ(r.outcome, engine::PollOutcome::NoRoute);
  // The QS1's address answered for the YC600's serial: the host notices.
  const auto w = poll(addresses_[0].first, addresses_[1].second);
  EXPECT_EQ(w.outcome, engine::PollOutcome::WrongSerial) << w.detail;
}
}  // namespace

namespace {
TEST_F(LinkE2E, PowerLimitPerPanelIsSetAndReadBackAndOutputSwitched) {
  start_and_pair_all();
  clock_->advance(60s);
  for (const auto& [serial, addr] : addresses_) {
    const auto model = emu_->inverter(serial.str())->model;
    const double limit_w = model == aps::Model::Ds3 ? 500 : 250;
    const auto set = host_.radio->set_power_limit(addr, model, limit_w);
    ASSERT_TRUE(set.ok()) << serial.str() << ": " << set.error().describe();
    EXPECT_TRUE(set->accepted) << set->detail;
    EXPECT_NEAR(set->read_back_per_panel_w.value_or(0), limit_w, 2.0);
    EXPECT_NEAR(emu_->inverter(serial.str())->power_limit_per_panel_w, limit_w, 2.0);
    const auto back = host_.radio->read_power_limit(addr, model);
    ASSERT_TRUE(back.ok()) << back.error().describe();
    EXPECT_NEAR(*back, limit_w, 2.0);
  }
  const auto too_high = host_.radio->set_power_limit(addresses_[0].second, aps::Model::Yc600, 501);
  EXPECT_FALSE(too_high.ok());

  const auto& [serial, addr] = addresses_.front();
  ASSERT_TRUE(host_.radio->set_output(addr, false).ok());
  EXPECT_FALSE(emu_->inverter(serial.str())->output_on);
  ASSERT_TRUE(host_.radio->set_output(addr, true).ok());
  EXPECT_TRUE(emu_->inverter(serial.str())->output_on);
}
}  // namespace
