// SPDX-License-Identifier: GPL-3.0-or-later
// The engine as the daemon runs it, against the emulator on a pseudo-terminal: start-up on
// a module that is already up, an engine rebuilt on the same module, a mute module, a module
// that routes nothing, and polling on a noisy link. What the host wrote is counted through
// the engine's frame tap; what the module went through, through the emulator's own view.

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "apsecu/emulator/emulator.hpp"
#include "apsecu/engine/engine.hpp"
#include "apsecu/engine/setup.hpp"
#include "apsecu/transport/reset_line.hpp"
#include "apsecu/transport/spec.hpp"

#include "engine_host.hpp"
#include "stepped_clock.hpp"

namespace {
using namespace apsecu;
using namespace std::chrono_literals;

using namespace apsecu::testing;  // SteppedClock, Host, Recorder and the frame counters

class EngineE2E : public ::testing::Test {
 protected:
  void start_emulator(const std::function<void(emulator::EmulatorConfig&)>& tweak = {}) {
    clock_ = std::make_unique<SteppedClock>(*emulator::parse_utc("2026-06-21T10:00Z"));
    emulator::EmulatorConfig cfg;
    cfg.start = clock_->now();
    cfg.timing_scale = emulator::kFastTiming;
    cfg.cloudiness = 0.1;
    cfg.location = {52.1, 5.3};
    cfg.inverters = emulator::default_inverters();  // paired with this ECU already
    if (tweak) tweak(cfg);
    auto emu = emulator::Emulator::create(cfg, *clock_);
    ASSERT_TRUE(emu.ok()) << emu.error().describe();
    emu_ = std::move(*emu);
    emu_->start();
    auto paths = emu_->open_pty();
    ASSERT_TRUE(paths.ok()) << paths.error().describe();
    paths_ = *paths;
    for (const auto& inv : emu_->config().inverters) {
      fleet::InverterSpec s;
      s.serial = *aps::Serial::parse(inv.serial);
      s.model = inv.model;
      s.short_address = inv.short_address;
      s.decode.model = inv.model;
      specs_.push_back(s);
    }
  }

  void TearDown() override {
    host_.reset();
    if (emu_) emu_->stop();
  }

  engine::EngineSettings settings() {
    engine::EngineSettings s;
    s.poll_interval = std::chrono::hours(24);  // only the first pass and the test's own polls
    s.health_interval = std::chrono::hours(24);
    s.window.where = schedule::GeoPosition{52.1, 5.3};
    s.sleep = [this](std::chrono::milliseconds d) {
      {
        std::lock_guard lock(sleeps_mutex_);
        sleeps_.push_back(d);
      }
      std::this_thread::sleep_for(d);
    };
    return s;
  }

  void open_host(engine::EngineSettings s) {
    host_ = std::make_unique<Host>(paths_, *clock_, std::move(s), specs_, recorder_);
  }

  // Starts the host's engine and waits until its start-up is over: the module brought up,
  // the cycle it runs on entering the poll window, and one polled on request.
  void start_and_settle() {
    const int cycles = recorder_.cycles();
    host_->start_engine();
    ASSERT_TRUE(host_->poll_all().ok());
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (recorder_.cycles() < cycles + 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    ASSERT_GE(recorder_.cycles(), cycles + 2);
  }

  // A started module with the three inverters answering.
  void bring_up_first_host(engine::EngineSettings s) {
    open_host(std::move(s));
    start_and_settle();
    ASSERT_TRUE(host_->engine().snapshot()->coordinator_up) << recorder_.journal_text();
  }

  std::vector<std::chrono::milliseconds> sleeps() {
    std::lock_guard lock(sleeps_mutex_);
    return sleeps_;
  }

  std::unique_ptr<SteppedClock> clock_;
  std::unique_ptr<emulator::Emulator> emu_;
  emulator::PtyPaths paths_;
  std::vector<fleet::InverterSpec> specs_;
  Recorder recorder_;
  std::unique_ptr<Host> host_;
  std::mutex sleeps_mutex_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

// A daemon restarted while the module runs: one UTIL_GET_DEVICE_INFO and the endpoint
// registration; no reset (soft or through the line), no NV write, no network start, no
// broadcast, and the inverters answer at once.
TEST_F(EngineE2E, RestartOnAHealthyModuleSendsNoResetAndNoNvWrite) {
  start_emulator();
  bring_up_first_host(settings());
  const auto first = recorder_.sent();
  ASSERT_EQ(count(first, is_soft_reset), 1U) << "a fresh module is started";
  ASSERT_GE(count(first, is_nv_write), 1U);
  const auto module_before = emu_->coordinator();
  ASSERT_EQ(module_before.device_state, 9);

  host_.reset();  // the process ends: port and reset line closed
  recorder_.clear();
  clock_->advance(60s);
  open_host(settings());
  start_and_settle();
  const auto second = recorder_.sent();
  EXPECT_EQ(count(second, is_soft_reset), 0U);
  EXPECT_EQ(count(second, is_nv_write), 0U);
  EXPECT_EQ(count(second, is_network_start), 0U);
  EXPECT_EQ(count(second, is_broadcast), 0U);
  EXPECT_EQ(count(second, is_module_management), 2U) << "UTIL_GET_DEVICE_INFO and AF_REGISTER only";
  EXPECT_EQ(host_->coordinator().stats().hard_resets, 0U);
  EXPECT_EQ(host_->coordinator().stats().adoptions, 1U);
  const auto module_after = emu_->coordinator();
  EXPECT_EQ(module_after.resets, module_before.resets) << "the module was never reset";
  EXPECT_EQ(module_after.device_state, 9);
  EXPECT_EQ(recorder_.count_journal("left as it is"), 1U) << recorder_.journal_text();

  clock_->advance(300s);
  recorder_.clear();
  ASSERT_TRUE(host_->poll_all().ok());
  EXPECT_EQ(recorder_.polls(), (std::pair<int, int>{3, 0})) << recorder_.journal_text();
}

// A settings change that leaves the radio alone rebuilds the engine on the same module and
// coordinator: nothing at all is sent to the module, only the polls.
TEST_F(EngineE2E, EngineRebuiltOnTheSameModuleSendsNothingToIt) {
  start_emulator();
  bring_up_first_host(settings());
  const auto resets = emu_->coordinator().resets;
  host_->stop_engine();
  recorder_.clear();

  start_and_settle();
  clock_->advance(300s);
  ASSERT_TRUE(host_->poll_all().ok());
  const auto sent = recorder_.sent();
  EXPECT_EQ(count(sent, is_module_management), 0U);
  EXPECT_GE(count(sent, is_poll), 3U);
  EXPECT_EQ(emu_->coordinator().resets, resets);
  EXPECT_TRUE(host_->engine().snapshot()->coordinator_up);
}

// The module goes mute (answers nothing, not even SYS_RESET_REQ, until its reset pin is
// pulled): the cycle in which every poll fails at the module finds it down and cures it with
// one hard reset; polling goes on and no further reset follows.
TEST_F(EngineE2E, MuteModuleIsRecoveredOnceInDaylight) {
  start_emulator();
  bring_up_first_host(settings());
  const auto hard_before = host_->coordinator().stats().hard_resets;

  emu_->freeze_coordinator();
  clock_->advance(300s);
  ASSERT_TRUE(host_->poll_all().ok());
  EXPECT_FALSE(emu_->coordinator().frozen) << recorder_.journal_text();
  EXPECT_EQ(host_->coordinator().stats().hard_resets, hard_before + 1);
  EXPECT_EQ(recorder_.count_journal("coordinator recovered"), 1U) << recorder_.journal_text();

  recorder_.clear();
  for (int i = 0; i < 3; ++i) {
    clock_->advance(300s);
    ASSERT_TRUE(host_->poll_all().ok());
  }
  EXPECT_EQ(recorder_.polls(), (std::pair<int, int>{9, 0})) << recorder_.journal_text();
  EXPECT_EQ(host_->coordinator().stats().hard_resets, hard_before + 1);
  EXPECT_TRUE(host_->engine().snapshot()->coordinator_up);
}

// The "zombie": the module still answers UTIL_GET_DEVICE_INFO with state 9 and takes every
// request (SRSP 00), but nothing reaches the inverters until its reset pin is pulled. Three
// silent cycles in daylight, one hard reset, and the inverters answer again.
TEST_F(EngineE2E, ZombieModuleIsRecoveredOnceInDaylight) {
  start_emulator();
  bring_up_first_host(settings());
  const auto hard_before = host_->coordinator().stats().hard_resets;

  emu_->zombie_coordinator();
  for (int i = 0; i < 4 && host_->coordinator().stats().hard_resets == hard_before; ++i) {
    clock_->advance(300s);
    ASSERT_TRUE(host_->poll_all().ok());
  }
  EXPECT_EQ(host_->coordinator().stats().hard_resets, hard_before + 1) << recorder_.journal_text();
  EXPECT_EQ(recorder_.count_journal("no inverter answered in 3 cycles"), 1U) << recorder_.journal_text();
  EXPECT_FALSE(emu_->coordinator().zombie);
  EXPECT_GT(emu_->coordinator().faults.unrouted_zombie, 0U);

  recorder_.clear();
  for (int i = 0; i < 3; ++i) {
    clock_->advance(300s);
    ASSERT_TRUE(host_->poll_all().ok());
  }
  EXPECT_EQ(recorder_.polls(), (std::pair<int, int>{9, 0})) << recorder_.journal_text();
  EXPECT_EQ(host_->coordinator().stats().hard_resets, hard_before + 1);
}

// Nothing comes back though the module says it is up (every answer lost): after three
// silent cycles in daylight one hard reset; while the silence lasts, no second one before the
// back-off has passed; then one more, with the back-off doubled.
TEST_F(EngineE2E, SilentModuleGetsOneResetThenBacksOff) {
  start_emulator([](emulator::EmulatorConfig& c) { c.faults.drop_rate = 1.0; });
  bring_up_first_host(settings());  // two silent cycles already
  const auto hard_before = host_->coordinator().stats().hard_resets;
  for (int i = 0; i < 3 && host_->coordinator().stats().hard_resets == hard_before; ++i) {
    clock_->advance(300s);
    ASSERT_TRUE(host_->poll_all().ok());
  }
  EXPECT_EQ(host_->coordinator().stats().hard_resets, hard_before + 1) << recorder_.journal_text();
  EXPECT_EQ(recorder_.count_journal("no inverter answered in 3 cycles"), 1U) << recorder_.journal_text();

  for (int i = 0; i < 5; ++i) {  // 25 min of silence more: within the first back-off (60 min)
    clock_->advance(300s);
    ASSERT_TRUE(host_->poll_all().ok());
  }
  EXPECT_EQ(host_->coordinator().stats().hard_resets, hard_before + 1) << "backing off: " << recorder_.journal_text();

  clock_->advance(std::chrono::minutes(40));  // 65 min after the reset
  ASSERT_TRUE(host_->poll_all().ok());
  EXPECT_EQ(host_->coordinator().stats().hard_resets, hard_before + 2) << recorder_.journal_text();
  EXPECT_EQ(recorder_.count_journal("no further reset for 120 min"), 1U) << recorder_.journal_text();
}

// No reset line: said at start, and in the snapshot for the home page.
TEST_F(EngineE2E, MissingResetLineIsJournaledAndFlagged) {
  start_emulator();
  auto s = settings();
  open_host(s);
  start_and_settle();
  EXPECT_FALSE(host_->engine().snapshot()->reset_line_missing);
  EXPECT_EQ(recorder_.count_journal("no reset line"), 0U);
  host_.reset();

  // The same module through a host without a reset line.
  recorder_.clear();
  auto serial = transport::open_transport(paths_.pty);
  ASSERT_TRUE(serial.ok());
  znp::ZnpClient client(**serial);
  znp::Coordinator coordinator(client, nullptr, engine::coordinator_config(*aps::EcuId::parse("D8A3011B9780")));
  engine::Radio radio(client, *aps::EcuId::parse("D8A3011B9780"));
  fleet::Fleet fleet(specs_, {});
  engine::Engine eng(*clock_, client, coordinator, radio, fleet, recorder_, s);
  std::thread t([&] { eng.run(); });
  for (int i = 0; i < 100 && recorder_.count_journal("no reset line") == 0; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(recorder_.count_journal("no reset line is configured"), 1U) << recorder_.journal_text();
  EXPECT_EQ(recorder_.count_journal("GPIO18"), 1U);
  EXPECT_TRUE(eng.snapshot()->reset_line_missing);
  eng.stop();
  t.join();
  client.stop();
}

// On a link that garbles or loses one exchange in ten, one retry within the cycle keeps
// nearly every poll; the pause between inverters is kept.
TEST_F(EngineE2E, NoisyLinkPollsAreRetriedOnceAndSpaced) {
  start_emulator([](emulator::EmulatorConfig& c) {
    c.faults.bad_fcs_rate = 0.05;
    c.faults.drop_rate = 0.05;
    c.seed = 7;
  });
  bring_up_first_host(settings());
  recorder_.clear();
  {
    std::lock_guard lock(sleeps_mutex_);
    sleeps_.clear();
  }
  constexpr int kCycles = 20;
  for (int i = 0; i < kCycles; ++i) {
    clock_->advance(300s);
    ASSERT_TRUE(host_->poll_all().ok());
  }
  const auto [stored, failed] = recorder_.polls();
  EXPECT_EQ(stored + failed, 3 * kCycles);
  EXPECT_GE(stored, 3 * kCycles * 95 / 100) << recorder_.journal_text();
  const auto retries = recorder_.count_journal("trying again");
  EXPECT_GE(retries, 1U) << "a 10 % fault rate over 60 polls";
  const auto s = sleeps();
  EXPECT_EQ(static_cast<std::size_t>(std::count(s.begin(), s.end(), 250ms)), static_cast<std::size_t>(2 * kCycles));
  EXPECT_EQ(static_cast<std::size_t>(std::count(s.begin(), s.end(), 450ms)), retries);
}

// At night the inverters sleep (NoRoute): no retry, no zombie reset.
TEST_F(EngineE2E, NightSilenceIsNeitherRetriedNorAZombie) {
  start_emulator();
  bring_up_first_host(settings());
  const auto hard_before = host_->coordinator().stats().hard_resets;
  clock_->advance(std::chrono::hours(13));  // 23:00 UTC
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (emu_->inverters().front().awake && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  recorder_.clear();
  for (int i = 0; i < 5; ++i) {
    clock_->advance(300s);
    ASSERT_TRUE(host_->poll_all().ok());
  }
  EXPECT_EQ(recorder_.count_journal("trying again"), 0U);
  EXPECT_EQ(recorder_.polls(), (std::pair<int, int>{0, 15}));
  EXPECT_EQ(host_->coordinator().stats().hard_resets, hard_before);
}

}  // namespace

namespace {
// After an accepted limit the next polls decide: an inverter that caps its inputs is
// confirmed; one that reports the limit but keeps feeding is "not applied", with a warning.
TEST_F(EngineE2E, AcceptedLimitIsConfirmedOrFoundNotAppliedByThePolls) {
  start_emulator([](emulator::EmulatorConfig& c) {
    c.cloudiness = 0;
    for (auto& inv : c.inverters) {
      if (inv.model == aps::Model::Qs1) inv.limit_mode = emulator::LimitMode::Ignore;
    }
  });
  bring_up_first_host(settings());
  const auto& inverters = emu_->config().inverters;
  const auto serial_of = [&](aps::Model m) {
    return *aps::Serial::parse(std::find_if(inverters.begin(), inverters.end(), [&](const auto& i) {
              return i.model == m;
            })->serial);
  };
  const auto obeying = serial_of(aps::Model::Yc600);
  const auto ignoring = serial_of(aps::Model::Qs1);
  clock_->advance(std::chrono::hours(1));  // 11:00 UTC, a clear June sky: far above 40 W a panel
  for (const auto& s : {obeying, ignoring}) {
    (void)host_->run(engine::SetPowerLimit{s, 40.0});
  }
  const auto state_of = [&](const aps::Serial& s) {
    for (const auto& c : host_->engine().snapshot()->controls) {
      if (c.serial == s) return c.limit_state;
    }
    return engine::LimitState::None;
  };
  ASSERT_EQ(state_of(obeying), engine::LimitState::Accepted);
  ASSERT_EQ(state_of(ignoring), engine::LimitState::Accepted);
  for (int i = 0; i < 3; ++i) {
    clock_->advance(300s);
    ASSERT_TRUE(host_->poll_all().ok());
  }
  EXPECT_EQ(state_of(obeying), engine::LimitState::Confirmed) << recorder_.journal_text();
  EXPECT_EQ(state_of(ignoring), engine::LimitState::NotApplied) << recorder_.journal_text();
  EXPECT_EQ(recorder_.count_journal(ignoring.str() + " reports the limit of 40 W per panel but feeds"), 1U)
      << recorder_.journal_text();
}
}  // namespace
