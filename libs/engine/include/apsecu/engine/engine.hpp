// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The engine owns the radio. One thread runs run(): it keeps the coordinator up, polls every
// inverter once per interval inside the sun's poll window, closes the day at local midnight,
// and executes jobs posted from other threads (poll now, pair, raw console commands, on/off,
// power limit) between exchanges, so that nothing is ever interleaved on the wire.
//
// Results leave through an EngineListener (called on the engine thread) and an immutable
// snapshot that any thread can read.

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "apsecu/engine/limit_watch.hpp"
#include "apsecu/engine/radio.hpp"
#include "apsecu/fleet/fleet.hpp"
#include "apsecu/schedule/poll_window.hpp"
#include "apsecu/util/clock.hpp"
#include "apsecu/znp/coordinator.hpp"

namespace apsecu::engine {

enum class Level : std::uint8_t { Debug, Info, Warning, Error };

struct JournalEntry {
  util::WallTime time;
  Level level = Level::Info;
  std::string source;  // "zigbee", "poll", "pair", "energy", "console"
  std::string message;
};

struct InverterPoll {
  aps::Serial serial;
  util::WallTime time;  // when the answer (or the failure) came
  PollResult result;
  std::optional<fleet::Applied> applied;  // when the poll succeeded
};

struct CycleReport {
  util::WallTime time;
  fleet::DayKey day = 0;
  std::vector<InverterPoll> polls;
  std::vector<std::pair<std::string, std::string>> states;  // serial -> persisted state JSON
  std::vector<fleet::InverterView> views;
};

// What apsecu last asked of an inverter's output and what came of it, for the pages, MQTT
// and Home Assistant.
enum class LimitState : std::uint8_t {
  None,        // never set through apsecu
  Accepted,    // the inverter acknowledged the set (and the read-back matched, when it answered)
  Refused,     // the inverter answered the set with a refusal
  Confirmed,   // later polls showed the measured power within the limit
  NotApplied,  // later polls showed more power than the limit allows: acknowledged but ignored
};
struct InverterControl {
  aps::Serial serial;
  std::optional<double> limit_per_panel_w;  // the last limit sent
  LimitState limit_state = LimitState::None;
  std::optional<bool> output_on;  // the last on/off sent; nullopt: never switched (on)
  std::string detail;             // for a person: what the inverter answered
};

struct Snapshot {
  util::WallTime time;
  bool coordinator_up = false;
  // No reset line configured: a frozen module (known to happen after about 20 h, zigbee2mqtt
  // #4221) cannot be cured without one, only by a power cycle. The home page says so.
  bool reset_line_missing = false;
  bool in_window = false;
  schedule::PollWindow window;
  std::optional<util::WallTime> next_cycle;
  std::vector<fleet::InverterView> inverters;
  std::vector<InverterControl> controls;  // one per inverter that was limited or switched
};

class EngineListener {
 public:
  virtual ~EngineListener() = default;
  virtual void on_cycle(const CycleReport& /*report*/) {}
  virtual void on_journal(const JournalEntry& /*entry*/) {}
  virtual void on_window_closed(const std::vector<fleet::InverterView>& /*views*/) {}
  virtual void on_day_closed(fleet::DayKey /*day*/, const std::vector<std::pair<std::string, fleet::ClosedDay>>& /*d*/) {}
  virtual void on_paired(const aps::Serial& /*serial*/, std::uint16_t /*short_address*/) {}
  virtual void on_frame(znp::Direction /*dir*/, const unpi::Frame& /*frame*/) {}
};

// Jobs from other threads.
struct PollNow {
  std::optional<aps::Serial> serial;  // nullopt: all
};
struct Pair {
  aps::Serial serial;
  bool force = false;  // even at night
};
struct RawCommand {
  util::Bytes command;  // CMD0 CMD1 DATA; LEN and FCS are added
  std::chrono::milliseconds listen{1500};
};
// No source knows a restart command for APsystems inverters: the frame the community sends as
// "reboot" is the turn-on opcode C1 (OpenAPS codec/onoff.go) with a checksum that fails the
// sum rule. This job therefore sends turn-on, which is what that frame asks for, and says so.
struct Reboot {
  aps::Serial serial;
};
// The stock ECU's set_maxpower takes watts per panel (per input), not per inverter.
struct SetPowerLimit {
  aps::Serial serial;
  double limit_per_panel_w = 0;
};
// Switches the inverter's grid output on or off (it stays awake and answers polls when off).
struct SetOutput {
  aps::Serial serial;
  bool on = true;
};
struct HealthCheck {};
struct StartCoordinator {
  znp::StartMode mode = znp::StartMode::Normal;
};
using Job = std::variant<PollNow, Pair, RawCommand, Reboot, SetPowerLimit, SetOutput, HealthCheck, StartCoordinator>;
// The outcome as text for a person (console, API); an Error when the job failed.
using JobDone = std::function<void(util::Result<std::string>)>;

inline constexpr std::size_t kMaxQueuedJobs = 64;

struct EngineSettings {
  std::chrono::seconds poll_interval{300};
  std::chrono::seconds health_interval{600};
  schedule::WindowPolicy window;
  std::function<fleet::DayKey(util::WallTime)> day_of;  // local day of a wall time
  std::size_t max_queued_jobs = kMaxQueuedJobs;

  // Polling as the field hosts do: a pause between inverters (leaberry/ESP32C6-APsystems-ECU
  // POLL_SCHEDULER.ino waits 250 ms before the next one) and, for a failure that may be
  // passing (no answer, no MAC ack, a garbled answer, no confirm), one more try within the
  // cycle after a pause (its ZIGBEE_POLLING.ino: one retry after 300-600 ms). A NoRoute is
  // not retried: that is an inverter asleep, every night.
  std::chrono::milliseconds poll_gap{250};
  std::chrono::milliseconds poll_retry_delay{450};
  unsigned poll_retries = 1;

  // The "zombie" module answers UTIL_GET_DEVICE_INFO with state 9 but routes nothing. After
  // this many consecutive cycles in daylight (sun at least zombie_min_sun_elevation_deg up,
  // when the location is known) in which no inverter answered, it gets one hard reset and
  // a new start; then no further reset until an inverter has answered or the back-off
  // (doubling from zombie_backoff_first up to zombie_backoff_max) has passed. 0 = never.
  unsigned zombie_cycles = 3;
  double zombie_min_sun_elevation_deg = 10.0;
  std::chrono::minutes zombie_backoff_first{60};
  std::chrono::minutes zombie_backoff_max{24 * 60};

  // How often the journal repeats that no reset line is configured (also said at start).
  std::chrono::hours reset_line_warning_interval{24};

  // After a SetPowerLimit was accepted: that many consecutive polls within the limit
  // (+ tolerance) confirm it, as many above it report it "not applied".
  unsigned limit_confirm_polls = 2;
  double limit_tolerance_pct = 5.0;
  double limit_tolerance_w = 2.0;

  // Real-time pauses between exchanges (poll gap, retry delay); tests replace it.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// A command waiting for the engine, with whom to tell its outcome.
struct QueuedJob {
  Job job;
  JobDone done;
};

class Engine {
 public:
  Engine(const util::Clock& clock, znp::ZnpClient& client, znp::Coordinator& coordinator, Radio& radio,
         fleet::Fleet& fleet, EngineListener& listener, EngineSettings settings);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs until stop(); returns false when the serial link was lost for good.
  bool run();
  void stop();

  // Thread-safe. Refused (done called with an error) when the queue is full.
  void post(Job job, JobDone done = {});
  [[nodiscard]] std::shared_ptr<const Snapshot> snapshot() const;
  // After run() has returned: the commands that were posted but not run, for the next
  // engine (a settings change rebuilds it; a command sent just then must not be lost).
  // What is still queued when the engine is destroyed is told it was cancelled.
  [[nodiscard]] std::deque<QueuedJob> take_unrun();

 private:
  void ensure_coordinator();
  void run_cycle(util::WallTime now, std::optional<aps::Serial> only = {});
  PollResult poll_with_retry(const fleet::InverterSpec& spec);
  void watch_limit(const aps::Serial& serial, const fleet::Applied& applied);
  void count_silence(util::WallTime now, int attempted, int answered);
  void zombie_reset(util::WallTime now);
  void warn_reset_line(util::WallTime now);
  void journal_notes();
  void roll_day(util::WallTime now);
  void check_health(const char* why);
  util::Result<std::string> execute(Job& job);
  util::Result<std::string> execute(Pair& job);
  util::Result<std::string> execute(RawCommand& job);
  util::Result<std::string> execute(SetPowerLimit& job);
  util::Result<std::string> execute(SetOutput& job);
  util::Result<std::string> execute(Reboot& job);
  // What was last asked of this inverter's output; created on first use.
  InverterControl& control_of(const aps::Serial& serial);
  bool drain_jobs();
  void wait_until(util::WallTime deadline);
  void journal(Level level, std::string source, std::string message);
  void publish(util::WallTime now);
  [[nodiscard]] std::optional<bool> daylight(util::WallTime now) const;

  const util::Clock& clock_;
  znp::ZnpClient& client_;
  znp::Coordinator& coordinator_;
  Radio& radio_;
  fleet::Fleet& fleet_;
  EngineListener& listener_;
  EngineSettings settings_;

  // The module's care (engine_module.cpp) and the limits being confirmed.
  unsigned silent_cycles_ = 0;  // consecutive daylight cycles in which no inverter answered
  std::optional<util::WallTime> zombie_reset_not_before_;
  std::chrono::minutes zombie_backoff_{0};
  std::optional<util::WallTime> next_reset_line_warning_;
  std::map<std::string, LimitWatch> limit_watches_;  // serial -> the polls since an accepted limit

  bool coordinator_up_ = false;
  bool was_in_window_ = false;
  fleet::DayKey day_ = 0;
  std::optional<util::WallTime> next_cycle_;
  util::WallTime next_health_{};
  std::vector<InverterControl> controls_;  // engine thread only; copied into every snapshot

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::deque<QueuedJob> jobs_;
  bool stop_ = false;
  std::shared_ptr<const Snapshot> snapshot_;
  std::vector<unpi::Frame> capture_;  // frames received during a raw console command
  bool capturing_ = false;
};

[[nodiscard]] std::string_view level_name(Level l) noexcept;
// "none", "accepted", "refused", "confirmed", "not_applied"
[[nodiscard]] std::string_view limit_state_name(LimitState s) noexcept;

}  // namespace apsecu::engine
