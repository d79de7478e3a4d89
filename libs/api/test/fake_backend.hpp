// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A Backend for tests and the browser harness: an in-memory store filled through its
// public API with `history_days` of a two-inverter site (a YC600 and a QS1), a scripted
// engine whose snapshot changes on push_cycle(), console jobs that finish on a worker
// thread, and settings validated like the daemon's. Time is a FakeClock the test moves.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "apsecu/api/backend.hpp"
#include "apsecu/util/clock.hpp"

namespace apsecu::api::test {

struct FakeOptions {
  util::WallTime start = util::WallTime{} + std::chrono::seconds(1718971200);  // 2024-06-21 12:00 UTC
  int history_days = 40;                                                      // before the start day
  std::chrono::milliseconds job_delay{20};
};

class FakeBackend final : public Backend {
 public:
  explicit FakeBackend(FakeOptions options = {});
  ~FakeBackend() override;

  // ---- Backend ----
  [[nodiscard]] const util::Clock& clock() const override { return clock_; }
  [[nodiscard]] std::shared_ptr<const engine::Snapshot> snapshot() const override;
  void post(engine::Job job, engine::JobDone done) override;
  [[nodiscard]] config::Config config() const override;
  std::variant<config::Config, std::vector<config::FieldError>> update_config(const config::Config& c) override;
  void with_store(const std::function<void(store::Store&)>& fn) override;
  util::Status backup_to(const std::string& path) override;
  util::Result<std::string> restore_from(const std::string& path) override;
  [[nodiscard]] std::unique_ptr<Subscription> subscribe(LiveCallback callback) override;
  [[nodiscard]] std::string data_dir() const override { return data_dir_.string(); }
  [[nodiscard]] std::string version() const override { return "0.1.0-test"; }
  [[nodiscard]] std::int32_t day_of(util::WallTime t) const override;  // UTC days: deterministic
  util::Status power_action(PowerAction action) override;

  // ---- scripting ----
  util::FakeClock& fake_clock() { return clock_; }
  // A new poll cycle: power follows a sine over the day plus `cycle` wiggle; energy grows.
  // Publishes the snapshot, a journal entry and two frames to subscribers.
  void push_cycle();
  void set_night(bool night);
  [[nodiscard]] std::vector<std::string> posted_jobs() const;
  [[nodiscard]] std::vector<PowerAction> power_actions() const;
  [[nodiscard]] std::size_t subscribers() const;
  void fail_jobs(bool fail) { fail_jobs_ = fail; }
  // Power limits are answered with a refusal (the job fails, the control says "refused").
  void refuse_limits(bool refuse) { refuse_limits_ = refuse; }
  // What a daemon restart does: the engine's control states are gone, the settings stay.
  void restart_engine();
  // What the engine's later polls conclude about an accepted limit.
  void confirm_limit(const std::string& serial, engine::LimitState state, std::string detail);
  [[nodiscard]] std::int32_t today() const { return day_of(clock_.now()); }

  static constexpr const char* kYc600 = "408000111111";
  static constexpr const char* kQs1 = "801000222222";

 private:
  class Sub;
  void fill_history(int days);
  void publish(const LiveEvent& e);
  void rebuild_snapshot();
  engine::InverterControl& control_of(const aps::Serial& serial);  // mutex_ held
  util::Result<std::string> control_limit(const engine::SetPowerLimit& job);
  util::Result<std::string> control_output(const engine::SetOutput& job);

  FakeOptions options_;
  util::FakeClock clock_;
  std::filesystem::path data_dir_;

  mutable std::mutex mutex_;
  config::Config config_;
  std::shared_ptr<const engine::Snapshot> snapshot_;
  std::map<std::uint64_t, LiveCallback> subscribers_;
  std::uint64_t next_sub_ = 1;
  std::vector<std::string> posted_;
  std::vector<PowerAction> power_actions_;
  int cycle_ = 0;
  bool night_ = false;
  std::map<std::string, double> today_wh_;
  std::vector<engine::InverterControl> controls_;

  std::mutex store_mutex_;
  std::unique_ptr<store::Store> store_;

  std::atomic<bool> fail_jobs_{false};
  std::atomic<bool> refuse_limits_{false};
  std::mutex jobs_mutex_;
  std::condition_variable jobs_wake_;
  std::deque<std::pair<engine::Job, engine::JobDone>> jobs_;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace apsecu::api::test
