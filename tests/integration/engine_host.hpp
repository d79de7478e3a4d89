// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One apsecu host for the engine's end-to-end tests: the pty opened with the real serial
// code, the reset line through the FIFO, an engine on its own thread, and a recorder of
// what the host sent and journaled.

#include <algorithm>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "apsecu/emulator/emulator.hpp"
#include "apsecu/engine/engine.hpp"
#include "apsecu/engine/setup.hpp"
#include "apsecu/transport/reset_line.hpp"
#include "apsecu/transport/spec.hpp"

namespace apsecu::testing {
using namespace std::chrono_literals;

struct SentFrame {
  std::uint8_t cmd0 = 0;
  std::uint8_t cmd1 = 0;
  util::Bytes data;
};

// What the host sent and journaled, from the engine's listener.
class Recorder final : public engine::EngineListener {
 public:
  void on_frame(znp::Direction dir, const unpi::Frame& f) override {
    if (dir != znp::Direction::Sent) return;
    std::lock_guard lock(mutex_);
    sent_.push_back({f.cmd0(), f.command, f.data});
  }
  void on_journal(const engine::JournalEntry& e) override {
    std::lock_guard lock(mutex_);
    journal_.push_back(e.message);
  }
  void on_cycle(const engine::CycleReport& r) override {
    std::lock_guard lock(mutex_);
    ++cycles_;
    for (const auto& p : r.polls) ++(p.result.ok() ? stored_ : failed_);
  }
  std::vector<SentFrame> sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }
  std::size_t count_journal(const std::string& part) const {
    std::lock_guard lock(mutex_);
    const auto has = [&](const std::string& m) { return m.find(part) != std::string::npos; };
    return static_cast<std::size_t>(std::count_if(journal_.begin(), journal_.end(), has));
  }
  std::string journal_text() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& m : journal_) out += m + "\n";
    return out;
  }
  int cycles() const {
    std::lock_guard lock(mutex_);
    return cycles_;
  }
  std::pair<int, int> polls() const {
    std::lock_guard lock(mutex_);
    return {stored_, failed_};
  }
  void clear() {
    std::lock_guard lock(mutex_);
    sent_.clear();
    journal_.clear();
    stored_ = failed_ = 0;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<SentFrame> sent_;
  std::vector<std::string> journal_;
  int stored_ = 0;
  int failed_ = 0;
  int cycles_ = 0;  // never cleared
};

bool is_soft_reset(const SentFrame& f) { return f.cmd0 == 0x41 && f.cmd1 == 0x00; }
bool is_nv_write(const SentFrame& f) { return f.cmd0 == 0x26 && f.cmd1 == 0x05; }
bool is_network_start(const SentFrame& f) { return f.cmd0 == 0x26 && f.cmd1 == 0x00; }
bool is_broadcast(const SentFrame& f) {
  return f.cmd0 == 0x24 && f.cmd1 == 0x01 && f.data.size() >= 2 && f.data[0] == 0xFF && f.data[1] == 0xFF;
}
bool is_poll(const SentFrame& f) { return f.cmd0 == 0x24 && f.cmd1 == 0x01 && !is_broadcast(f); }
// Anything that manages the module rather than talks to an inverter.
bool is_module_management(const SentFrame& f) { return !is_poll(f); }

template <typename Pred>
std::size_t count(const std::vector<SentFrame>& frames, Pred pred) {
  return static_cast<std::size_t>(std::count_if(frames.begin(), frames.end(), pred));
}

// One apsecu process: the pty opened with the real serial code, the reset line through the
// FIFO, and an engine on its own thread.
class Host {
 public:
  Host(const emulator::PtyPaths& paths, const util::Clock& clock, engine::EngineSettings settings,
       const std::vector<fleet::InverterSpec>& specs, engine::EngineListener& listener)
      : clock_(clock), settings_(std::move(settings)), specs_(specs), listener_(listener) {
    auto serial = transport::open_transport(paths.pty);
    EXPECT_TRUE(serial.ok()) << serial.error().describe();
    auto reset = transport::open_reset_line(paths.reset_spec());
    EXPECT_TRUE(reset.ok()) << reset.error().describe();
    serial_ = std::move(*serial);
    reset_ = std::move(*reset);
    client_ = std::make_unique<znp::ZnpClient>(*serial_);
    auto cc = engine::coordinator_config(ecu_);
    cc.reset_timing = {.low = 50ms, .wait = 300ms};
    cc.timeouts.step = 400ms;
    cc.recovery.first_delay = 100ms;
    cc.health.gap = 100ms;
    coordinator_ = std::make_unique<znp::Coordinator>(*client_, reset_.get(), cc);
    engine::RadioTimings timings;
    timings.srsp = 300ms;
    timings.confirm = 600ms;
    timings.answer = 300ms;
    timings.pair_step_gap = 150ms;
    radio_ = std::make_unique<engine::Radio>(*client_, ecu_, timings);
  }
  ~Host() {
    stop_engine();
    client_->stop();
  }

  // A new engine on this host's module, as the daemon builds one after a settings change.
  void start_engine() {
    fleet_ = std::make_unique<fleet::Fleet>(specs_, fleet::FleetPolicy{});
    engine_ = std::make_unique<engine::Engine>(clock_, *client_, *coordinator_, *radio_, *fleet_, listener_, settings_);
    thread_ = std::thread([this] { engine_->run(); });
  }
  void stop_engine() {
    if (!engine_) return;
    engine_->stop();
    thread_.join();
    engine_.reset();
    fleet_.reset();
  }

  // Runs a job on the engine and waits for its outcome.
  util::Result<std::string> run(engine::Job job, std::chrono::seconds limit = 60s) {
    auto promise = std::make_shared<std::promise<util::Result<std::string>>>();
    auto future = promise->get_future();
    engine_->post(std::move(job), [promise](util::Result<std::string> r) { promise->set_value(std::move(r)); });
    if (future.wait_for(limit) != std::future_status::ready) {
      return util::make_error(znp::Errc::Timeout, "the job did not finish");
    }
    return future.get();
  }
  util::Result<std::string> poll_all() { return run(engine::PollNow{}); }

  znp::Coordinator& coordinator() { return *coordinator_; }
  engine::Engine& engine() { return *engine_; }

 private:
  aps::EcuId ecu_ = *aps::EcuId::parse("D8A3011B9780");
  const util::Clock& clock_;
  engine::EngineSettings settings_;
  std::vector<fleet::InverterSpec> specs_;
  engine::EngineListener& listener_;
  std::unique_ptr<transport::Transport> serial_;
  std::unique_ptr<transport::ResetLine> reset_;
  std::unique_ptr<znp::ZnpClient> client_;
  std::unique_ptr<znp::Coordinator> coordinator_;
  std::unique_ptr<engine::Radio> radio_;
  std::unique_ptr<fleet::Fleet> fleet_;
  std::unique_ptr<engine::Engine> engine_;
  std::thread thread_;
};

}  // namespace apsecu::testing
