// SPDX-License-Identifier: GPL-3.0-or-later
// The engine's Radio against the emulator over a pseudo-terminal: a DS3 that answers pairing
// after step 2 and step 3 (read-APSystems-YC600-QS1-DS3 #19) and joins only with steps 3 and 4,
// power limits per panel answered as the ECU-C sniff of ESP32-read-APS-inverters #34 shows,
// and on/off.

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "apsecu/aps/requests.hpp"
#include "apsecu/emulator/emulator.hpp"
#include "apsecu/engine/engine.hpp"
#include "apsecu/engine/radio.hpp"
#include "apsecu/engine/setup.hpp"
#include "apsecu/transport/reset_line.hpp"
#include "apsecu/transport/spec.hpp"
#include "apsecu/znp/coordinator.hpp"

#include "stepped_clock.hpp"

namespace {
using namespace apsecu;
using namespace std::chrono_literals;

using apsecu::testing::SteppedClock;

const aps::Serial kDs3 = *aps::Serial::parse("703000021300");
const aps::Serial kYc600 = *aps::Serial::parse("408000158215");
constexpr std::uint16_t kDs3Address = 0x6C22;
constexpr std::uint16_t kYcAddress = 0x103A;

class RadioE2E : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(boot(emulator::LimitMode::Obey)); }

  void boot(emulator::LimitMode ds3_limit_mode, double bad_l2_checksum_rate = 0) {
    clock_ = std::make_unique<SteppedClock>(*emulator::parse_utc("2026-06-21T10:00Z"));
    emulator::EmulatorConfig cfg;
    cfg.start = clock_->now();
    cfg.timing_scale = emulator::kFastTiming;
    cfg.cloudiness = 0.0;
    cfg.faults.bad_l2_checksum_rate = bad_l2_checksum_rate;
    cfg.inverters = emulator::default_inverters();
    for (auto& inv : cfg.inverters) {
      inv.paired = false;
      if (inv.model == aps::Model::Ds3) inv.limit_mode = ds3_limit_mode;
    }
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
    serial_ = std::move(*serial);
    reset_ = std::move(*reset);
    client_ = std::make_unique<znp::ZnpClient>(*serial_);
    auto cc = engine::coordinator_config(ecu_);
    cc.reset_timing = {.low = 50ms, .wait = 300ms};
    coordinator_ = std::make_unique<znp::Coordinator>(*client_, reset_.get(), cc);
    engine::RadioTimings timings;
    timings.pair_step_gap = 200ms;
    timings.read_back_pause = 100ms;
    radio_ = std::make_unique<engine::Radio>(*client_, ecu_, timings);
    ASSERT_TRUE(coordinator_->start(znp::StartMode::Pairing).ok());
  }

  void TearDown() override {
    if (client_) client_->stop();
    if (emu_) emu_->stop();
  }

  void pair(const aps::Serial& serial, std::uint16_t address) {
    const auto r = radio_->pair(serial, {.daylight = true});
    ASSERT_EQ(r.outcome, engine::PairOutcome::Paired) << r.detail;
    EXPECT_EQ(r.short_address, address);
    EXPECT_EQ(r.steps_sent, 4);
  }

  engine::PollResult poll(const aps::Serial& serial, std::uint16_t address) {
    clock_->advance(60s);
    return radio_->poll(address, serial, {});
  }

  aps::EcuId ecu_ = *aps::EcuId::parse("D8A3011B9780");
  std::unique_ptr<SteppedClock> clock_;
  std::unique_ptr<emulator::Emulator> emu_;
  std::unique_ptr<transport::Transport> serial_;
  std::unique_ptr<transport::ResetLine> reset_;
  std::unique_ptr<znp::ZnpClient> client_;
  std::unique_ptr<znp::Coordinator> coordinator_;
  std::unique_ptr<engine::Radio> radio_;
};

TEST_F(RadioE2E, Ds3AnswersAfterStepsTwoAndThreeIsPairedAndPolled) {
  const auto r = radio_->pair(kDs3, {.daylight = true});
  ASSERT_EQ(r.outcome, engine::PairOutcome::Paired) << r.detail;
  EXPECT_EQ(r.short_address, kDs3Address);
  EXPECT_EQ(r.answered_after, (std::vector<int>{2, 3})) << r.detail;
  const auto truth = emu_->inverter(kDs3.str());
  ASSERT_TRUE(truth.has_value());
  ASSERT_TRUE(truth->paired_ecu.has_value()) << "the DS3 did not join";
  ASSERT_TRUE(truth->paired_pan.has_value());
  EXPECT_EQ(*truth->paired_pan, ecu_.pan_id());
  ASSERT_TRUE(coordinator_->send_normal_op_broadcast().ok());
  const auto p = poll(kDs3, kDs3Address);
  ASSERT_TRUE(p.ok()) << engine::outcome_name(p.outcome) << " " << p.detail;
  EXPECT_EQ(p.telemetry->model, aps::Model::Ds3);
  EXPECT_FALSE(p.checksum_mismatch);
}

TEST_F(RadioE2E, StoppingAtTheFirstAnswerLeavesTheDs3Silent) {
  // What the old pairing did: steps until the first answer (after step 2 for a DS3), no more.
  const auto steps = aps::pairing_steps(ecu_, kDs3);
  auto answer = client_->expect(znp::incoming_from(kDs3Address, aps::kPairAnswerCluster));
  for (std::size_t i = 0; i < 2; ++i) {
    znp::AfDataRequestExt req;
    req.addr_mode = znp::kAddrModeBroadcast;
    req.dst_addr.fill(0xFF);
    req.dst_endpoint = aps::kEndpoint;
    req.dst_pan = 0xFFFF;
    req.src_endpoint = aps::kEndpoint;
    req.cluster_id = steps[i].cluster;
    req.trans_id = steps[i].trans_id;
    req.radius = aps::kRadius;
    req.data = steps[i].data;
    ASSERT_TRUE(client_->request_ok(req).ok());
  }
  ASSERT_TRUE(answer.wait(2s).ok()) << "the DS3 answers step 2";
  ASSERT_TRUE(coordinator_->send_normal_op_broadcast().ok());
  for (int i = 0; i < 2; ++i) {
    const auto p = poll(kDs3, kDs3Address);
    EXPECT_FALSE(p.ok()) << "a DS3 paired without steps 3 and 4 answered a poll";
  }
  EXPECT_FALSE(emu_->inverter(kDs3.str())->paired_ecu.has_value());
  // All four steps pair it.
  ASSERT_NO_FATAL_FAILURE(pair(kDs3, kDs3Address));
  EXPECT_TRUE(poll(kDs3, kDs3Address).ok());
}

TEST_F(RadioE2E, LimitPerPanelIsAcceptedReadBackAndCapsEachInput) {
  ASSERT_NO_FATAL_FAILURE(pair(kDs3, kDs3Address));
  ASSERT_NO_FATAL_FAILURE(pair(kYc600, kYcAddress));
  ASSERT_TRUE(coordinator_->send_normal_op_broadcast().ok());
  for (const auto& [serial, address, model] : {std::tuple{kDs3, kDs3Address, aps::Model::Ds3},
                                               std::tuple{kYc600, kYcAddress, aps::Model::Yc600}}) {
    const auto r = radio_->set_power_limit(address, model, 150);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_TRUE(r->accepted) << r->detail;
    ASSERT_TRUE(r->read_back_per_panel_w.has_value());
    EXPECT_NEAR(*r->read_back_per_panel_w, 150, 0.1);
    const auto truth = emu_->inverter(serial.str());
    EXPECT_NEAR(truth->power_limit_per_panel_w, 150, 0.1);
    EXPECT_NEAR(truth->power_limit_w, 300, 0.2) << "two inputs of 150 W";
  }
}

TEST_F(RadioE2E, Ds3RefusalIsReported) {
  TearDown();
  ASSERT_NO_FATAL_FAILURE(boot(emulator::LimitMode::Refuse));
  ASSERT_NO_FATAL_FAILURE(pair(kDs3, kDs3Address));
  ASSERT_TRUE(coordinator_->send_normal_op_broadcast().ok());
  const auto r = radio_->set_power_limit(kDs3Address, aps::Model::Ds3, 150);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_FALSE(r->accepted);
  EXPECT_NE(r->detail.find("refused"), std::string::npos) << r->detail;
}

TEST_F(RadioE2E, RealChecksumMismatchesAreCountedAndTheAnswerNotUsed) {
  TearDown();
  ASSERT_NO_FATAL_FAILURE(boot(emulator::LimitMode::Obey, 1.0));
  ASSERT_NO_FATAL_FAILURE(pair(kYc600, kYcAddress));
  ASSERT_TRUE(coordinator_->send_normal_op_broadcast().ok());
  for (std::uint64_t n = 1; n <= 2; ++n) {
    const auto p = poll(kYc600, kYcAddress);
    EXPECT_EQ(p.outcome, engine::PollOutcome::Malformed) << p.detail;
    EXPECT_TRUE(p.checksum_mismatch);
    EXPECT_EQ(p.checksum_mismatches, n);
  }
}

TEST_F(RadioE2E, OnOffRoundTrip) {
  ASSERT_NO_FATAL_FAILURE(pair(kDs3, kDs3Address));
  ASSERT_TRUE(coordinator_->send_normal_op_broadcast().ok());
  const auto off = radio_->set_output(kDs3Address, false);
  ASSERT_TRUE(off.ok()) << off.error().describe();
  EXPECT_FALSE(emu_->inverter(kDs3.str())->output_on);
  const auto p = poll(kDs3, kDs3Address);
  EXPECT_TRUE(p.ok()) << "an inverter turned off still answers: " << p.detail;
  const auto on = radio_->set_output(kDs3Address, true);
  ASSERT_TRUE(on.ok()) << on.error().describe();
  EXPECT_TRUE(emu_->inverter(kDs3.str())->output_on);
}

// The engine's jobs for the radio: what they send and what the snapshot says afterwards.
struct Recorder final : engine::EngineListener {
  void on_frame(znp::Direction dir, const unpi::Frame& f) override {
    if (dir != znp::Direction::Sent) return;
    std::lock_guard lock(mutex);
    sent.push_back(f);
  }
  std::vector<unpi::Frame> take() {
    std::lock_guard lock(mutex);
    return std::exchange(sent, {});
  }
  std::mutex mutex;
  std::vector<unpi::Frame> sent;
};

class EngineJobsE2E : public RadioE2E {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(boot(emulator::LimitMode::Obey));
    fleet::InverterSpec ds3;
    ds3.serial = kDs3;
    ds3.model = aps::Model::Ds3;
    fleet_ = std::make_unique<fleet::Fleet>(std::vector<fleet::InverterSpec>{ds3}, fleet::FleetPolicy{});
    engine::EngineSettings settings;
    settings.poll_interval = std::chrono::hours(1);
    engine_ = std::make_unique<engine::Engine>(*clock_, *client_, *coordinator_, *radio_, *fleet_, recorder_,
                                               settings);
    runner_ = std::thread([this] { engine_->run(); });
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!engine_->snapshot()->coordinator_up && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(engine_->snapshot()->coordinator_up);
    std::this_thread::sleep_for(200ms);  // the start-up cycle (nothing paired: nothing to poll)
  }
  void TearDown() override {
    if (engine_) engine_->stop();
    if (runner_.joinable()) runner_.join();
    engine_.reset();
    RadioE2E::TearDown();
  }
  util::Result<std::string> run(engine::Job job) {
    std::promise<util::Result<std::string>> done;
    auto result = done.get_future();
    engine_->post(std::move(job), [&done](util::Result<std::string> r) { done.set_value(std::move(r)); });
    if (result.wait_for(60s) != std::future_status::ready) return util::make_error(znp::Errc::Timeout, "job hung");
    return result.get();
  }
  [[nodiscard]] std::optional<engine::InverterControl> control() const {
    for (const auto& c : engine_->snapshot()->controls) {
      if (c.serial == kDs3) return c;
    }
    return std::nullopt;
  }

  Recorder recorder_;
  std::unique_ptr<fleet::Fleet> fleet_;
  std::unique_ptr<engine::Engine> engine_;
  std::thread runner_;
};

TEST_F(EngineJobsE2E, PairingOnAModuleThatIsUpSendsOnlyTheFourSteps) {
  (void)recorder_.take();
  const auto r = run(engine::Pair{kDs3});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto sent = recorder_.take();
  ASSERT_EQ(sent.size(), 4U) << "no restart, no NV write, no broadcast: only the pairing steps";
  for (const auto& f : sent) {
    EXPECT_EQ(f.cmd0(), 0x24);
    EXPECT_EQ(f.command, 0x02) << "AF_DATA_REQUEST_EXT";
  }
  EXPECT_EQ(fleet_->find(kDs3)->short_address, kDs3Address);
  EXPECT_TRUE(emu_->inverter(kDs3.str())->paired_ecu.has_value());
}

TEST_F(EngineJobsE2E, LimitOutputAndRebootJobsKeepTheControlState) {
  ASSERT_TRUE(run(engine::Pair{kDs3}).ok());
  const auto limited = run(engine::SetPowerLimit{kDs3, 150});
  ASSERT_TRUE(limited.ok()) << limited.error().describe();
  EXPECT_NE(limited->find("150 W per panel (300 W for the DS3's 2 inputs)"), std::string::npos) << *limited;
  auto c = control();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->limit_state, engine::LimitState::Accepted);
  EXPECT_EQ(c->limit_per_panel_w, 150);

  const auto too_high = run(engine::SetPowerLimit{kDs3, 600});
  ASSERT_FALSE(too_high.ok());
  EXPECT_EQ(too_high.error().code, aps::Errc::OutOfRange);
  EXPECT_EQ(control()->limit_per_panel_w, 150) << "a limit never sent is not recorded";

  ASSERT_TRUE(run(engine::SetOutput{kDs3, false}).ok());
  EXPECT_EQ(control()->output_on, false);
  EXPECT_FALSE(emu_->inverter(kDs3.str())->output_on);

  const auto reboot = run(engine::Reboot{kDs3});
  ASSERT_TRUE(reboot.ok()) << reboot.error().describe();
  EXPECT_NE(reboot->find("no restart command is known"), std::string::npos) << *reboot;
  EXPECT_EQ(control()->output_on, true);
  EXPECT_TRUE(emu_->inverter(kDs3.str())->output_on);
}

}  // namespace
