// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/engine/engine.hpp"

#include <algorithm>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "apsecu/aps/model.hpp"
#include "apsecu/util/hex.hpp"
#include "apsecu/znp/describe.hpp"

namespace apsecu::engine {
namespace {

using namespace std::chrono_literals;

// Outcomes that say the module, not the inverter, is in trouble.
bool module_failure(PollOutcome o) {
  return o == PollOutcome::NoConfirm || o == PollOutcome::BadStatus || o == PollOutcome::LinkDown;
}

// Failures a second try a moment later may cure: a lost or garbled frame on the air or the
// serial line. NoRoute is an inverter asleep (every night), WrongSerial and BadStatus do not
// change by asking again, and a lost link is lost.
bool worth_retrying(PollOutcome o) {
  return o == PollOutcome::NoAnswer || o == PollOutcome::NoAck || o == PollOutcome::Malformed ||
         o == PollOutcome::NoConfirm;
}

}  // namespace

Engine::Engine(const util::Clock& clock, znp::ZnpClient& client, znp::Coordinator& coordinator, Radio& radio,
               fleet::Fleet& fleet, EngineListener& listener, EngineSettings settings)
    : clock_(clock),
      client_(client),
      coordinator_(coordinator),
      radio_(radio),
      fleet_(fleet),
      listener_(listener),
      settings_(std::move(settings)) {
  if (!settings_.sleep) settings_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  zombie_backoff_ = settings_.zombie_backoff_first;
  if (!settings_.day_of) {
    settings_.day_of = [](util::WallTime t) {
      const std::chrono::year_month_day d(std::chrono::floor<std::chrono::days>(t));
      return static_cast<fleet::DayKey>(static_cast<int>(d.year()) * 10000 + static_cast<int>(unsigned(d.month())) * 100 +
                                        static_cast<int>(unsigned(d.day())));
    };
  }
  client_.set_tap([this](znp::Direction dir, const unpi::Frame& f) {
    {
      std::lock_guard lock(mutex_);
      if (capturing_ && dir == znp::Direction::Received) capture_.push_back(f);
    }
    listener_.on_frame(dir, f);
  });
  publish(clock_.now());
}

Engine::~Engine() {
  client_.set_tap({});
  for (auto& q : take_unrun()) {
    if (q.done) q.done(util::make_error(znp::Errc::Cancelled, "the engine stopped before this command ran"));
  }
}

std::deque<QueuedJob> Engine::take_unrun() {
  std::lock_guard lock(mutex_);
  return std::exchange(jobs_, {});
}

void Engine::journal(Level level, std::string source, std::string message) {
  listener_.on_journal(JournalEntry{clock_.now(), level, std::move(source), std::move(message)});
}

void Engine::publish(util::WallTime now) {
  auto s = std::make_shared<Snapshot>();
  s->time = now;
  s->coordinator_up = coordinator_up_;
  s->reset_line_missing = !coordinator_.has_reset_line();
  s->window = schedule::poll_window(settings_.window, now);
  s->in_window = s->window.contains(now);
  s->next_cycle = next_cycle_;
  s->inverters = fleet_.views();
  s->controls = controls_;
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(s);
}

std::shared_ptr<const Snapshot> Engine::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void Engine::post(Job job, JobDone done) {
  {
    std::lock_guard lock(mutex_);
    if (jobs_.size() < settings_.max_queued_jobs) {
      jobs_.push_back({std::move(job), std::move(done)});
      wake_.notify_all();
      return;
    }
  }
  if (done) done(util::make_error(znp::Errc::Cancelled, "the radio is busy: too many commands are waiting"));
}

void Engine::stop() {
  std::lock_guard lock(mutex_);
  stop_ = true;
  wake_.notify_all();
}

std::optional<bool> Engine::daylight(util::WallTime now) const {
  if (!settings_.window.where) return std::nullopt;
  return schedule::sun_position(*settings_.window.where, now).elevation_deg > -2.0;
}

void Engine::roll_day(util::WallTime now) {
  const auto day = settings_.day_of(now);
  if (day == day_) return;
  const auto closed = fleet_.roll_to(day);
  if (day_ != 0 && !closed.empty()) {
    double total = 0;
    for (const auto& [serial, c] : closed) total += c.total_wh();
    journal(Level::Info, "energy", fmt::format("day {} closed: {:.0f} Wh", day_, total));
    listener_.on_day_closed(day_, closed);
  }
  day_ = day;
}

PollResult Engine::poll_with_retry(const fleet::InverterSpec& spec) {
  auto result = radio_.poll(*spec.short_address, spec.serial, spec.decode);
  for (unsigned retry = 0; retry < settings_.poll_retries && worth_retrying(result.outcome); ++retry) {
    journal(Level::Debug, "poll",
            fmt::format("{} ({}): {} {}; trying again", spec.serial.str(), address_text(*spec.short_address),
                        outcome_name(result.outcome), result.detail));
    settings_.sleep(settings_.poll_retry_delay);
    result = radio_.poll(*spec.short_address, spec.serial, spec.decode);
  }
  return result;
}

void Engine::run_cycle(util::WallTime now, std::optional<aps::Serial> only) {
  CycleReport report;
  report.time = now;
  report.day = settings_.day_of(now);
  int module_failures = 0;
  int attempted = 0;
  int answered = 0;
  int module_failures_in_a_row = 0;
  for (const auto& spec : fleet_.specs()) {
    if (only && !(spec.serial == *only)) continue;
    if (!spec.short_address) continue;  // not paired yet
    if (attempted > 0) settings_.sleep(settings_.poll_gap);
    ++attempted;
    // Two inverters in a row failed at the module, each after its retry: the module itself is
    // silent (a freeze). Asking the rest only delays the health check that cures it.
    PollResult result;
    if (module_failures_in_a_row >= 2) {
      result.outcome = PollOutcome::NoConfirm;
      result.detail = "not polled: the module did not answer the two inverters before it";
    } else {
      result = poll_with_retry(spec);
    }
    module_failures_in_a_row = module_failure(result.outcome) ? module_failures_in_a_row + 1 : 0;
    const auto when = clock_.now();
    InverterPoll p{spec.serial, when, std::move(result), std::nullopt};
    if (p.result.ok()) {
      ++answered;
      p.applied = fleet_.apply(spec.serial, *p.result.telemetry, p.result.link_quality_pct, when, report.day);
      if (p.applied && !p.applied->note.empty()) {
        const bool rejected = p.applied->accounted.kind == fleet::SampleKind::Rejected;
        journal(rejected ? Level::Warning : Level::Info, "energy", spec.serial.str() + ": " + p.applied->note);
      }
      if (p.applied) watch_limit(spec.serial, *p.applied);
    } else {
      if (module_failure(p.result.outcome)) ++module_failures;
      fleet_.record_failure(spec.serial, std::string(outcome_name(p.result.outcome)), p.result.detail, when);
      journal(p.result.outcome == PollOutcome::NoRoute ? Level::Debug : Level::Warning, "poll",
              fmt::format("{} ({}): {} {}", spec.serial.str(), address_text(*spec.short_address),
                          outcome_name(p.result.outcome), p.result.detail));
    }
    report.states.emplace_back(spec.serial.str(), fleet_.state_json(spec.serial));
    report.polls.push_back(std::move(p));
  }
  report.views = fleet_.views();
  publish(clock_.now());  // before the listeners, so that they read this cycle's snapshot
  listener_.on_cycle(report);
  if (!only) count_silence(now, attempted, answered);
  if (attempted > 0 && module_failures == attempted) {
    check_health("every poll failed at the module");
    // Up, yet every request refused: a module that reset itself and came back from NV has
    // lost its endpoint (AF_DATA_REQUEST status 0x02). Registering it again is harmless.
    if (coordinator_up_) {
      bool was_missing = false;
      if (auto st = coordinator_.register_endpoint(&was_missing); st && was_missing) {
        journal(Level::Warning, "zigbee", "the module had lost its endpoint registration (it restarted on its own): "
                                          "registered again");
      }
    }
    publish(clock_.now());
  }
  if (settings_.zombie_cycles > 0 && silent_cycles_ >= settings_.zombie_cycles && coordinator_up_ &&
      (!zombie_reset_not_before_ || now >= *zombie_reset_not_before_)) {
    zombie_reset(now);
    publish(clock_.now());
  }
}

util::Result<std::string> Engine::execute(Pair& job) {
  // Every field host restarts the module before pairing (ESP coordinator(false), RPI
  // startCoordinator 0: hard reset, NV wiped, no normal-operation broadcast) and afterwards
  // sends the broadcast and checks the module. Those two steps only undo the restart: the
  // broadcast re-announces the ECU to every inverter the wipe made forget it. The pairing
  // steps themselves are inter-PAN broadcasts that a started coordinator sends as it is, and
  // the stock ECU pairs with its network up (OpenAPS internal/pairing pauses its poller).
  // So a module that is up with our id gets the four steps and nothing else; a module that is
  // not up is started for pairing and closed as the field does it.
  const bool restart = !coordinator_up_;
  if (restart) {
    if (auto st = coordinator_.start(znp::StartMode::Pairing); !st) {
      coordinator_up_ = false;
      return st.error();
    }
  }
  PairOptions opts;
  opts.daylight = daylight(clock_.now());
  opts.force = job.force;
  const auto r = radio_.pair(job.serial, opts);
  if (restart) {
    // Back to normal operation whatever the outcome: polling must go on.
    auto st = coordinator_.send_normal_op_broadcast();
    if (!st) journal(Level::Warning, "zigbee", "normal-operation broadcast after pairing: " + st.error().describe());
    const auto health = coordinator_.health_check();
    coordinator_up_ = health.up();
    if (!health.up()) journal(Level::Error, "zigbee", "after pairing the module is down: " + health.reason);
  }
  journal(r.outcome == PairOutcome::Paired ? Level::Info : Level::Warning, "pair", r.detail);
  if (r.outcome != PairOutcome::Paired) return util::make_error(znp::Errc::Timeout, r.detail);
  fleet_.set_short_address(job.serial, r.short_address);
  listener_.on_paired(job.serial, r.short_address);
  return r.detail;
}

util::Result<std::string> Engine::execute(RawCommand& job) {
  auto frame = unpi::frame_from_command_bytes(job.command);
  if (!frame) return frame.error();
  {
    std::lock_guard lock(mutex_);
    capture_.clear();
    capturing_ = true;
  }
  std::string out = "> " + znp::describe(*frame) + "\n";
  auto st = client_.send(*frame);
  if (st) std::this_thread::sleep_for(job.listen);
  std::vector<unpi::Frame> frames;
  {
    std::lock_guard lock(mutex_);
    capturing_ = false;
    frames.swap(capture_);
  }
  if (!st) return st.error();
  for (const auto& f : frames) out += "< " + znp::describe(f) + "\n";
  if (frames.empty()) out += "(no reply)\n";
  return out;
}

util::Result<std::string> Engine::execute(Job& job) {
  return std::visit(
      [this](auto& j) -> util::Result<std::string> {
        using T = std::decay_t<decltype(j)>;
        if constexpr (std::is_same_v<T, PollNow>) {
          run_cycle(clock_.now(), j.serial);
          return std::string("polled");
        } else if constexpr (std::is_same_v<T, Pair> || std::is_same_v<T, RawCommand> ||
                             std::is_same_v<T, SetPowerLimit> || std::is_same_v<T, SetOutput> ||
                             std::is_same_v<T, Reboot>) {
          return execute(j);
        } else if constexpr (std::is_same_v<T, HealthCheck>) {
          const auto h = coordinator_.health_check();
          return h.up() ? std::string("coordinator up") : "coordinator down: " + h.reason;
        } else {
          auto st = coordinator_.start(j.mode);
          coordinator_up_ = st.ok();
          if (!st) return st.error();
          return std::string(j.mode == znp::StartMode::Pairing ? "started in pairing mode" : "started");
        }
      },
      job);
}

bool Engine::drain_jobs() {
  for (;;) {
    QueuedJob q;
    {
      std::lock_guard lock(mutex_);
      if (stop_ || jobs_.empty()) return !stop_;
      q = std::move(jobs_.front());
      jobs_.pop_front();
    }
    auto result = execute(q.job);
    if (q.done) q.done(std::move(result));
    publish(clock_.now());
  }
}

void Engine::wait_until(util::WallTime deadline) {
  const auto now = clock_.now();
  auto real = std::chrono::duration_cast<std::chrono::milliseconds>((deadline - now) / clock_.speed());
  real = std::clamp<std::chrono::milliseconds>(real, 0ms, 500ms);
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, real, [this] { return stop_ || !jobs_.empty(); });
}

bool Engine::run() {
  journal(Level::Info, "zigbee", "engine starting on " + client_.describe());
  warn_reset_line(clock_.now());
  // A settings change that leaves the radio alone rebuilds the engine on the same module:
  // what the last engine knew of it still holds, and nothing is sent.
  if (coordinator_.known_up()) {
    coordinator_up_ = true;
    journal(Level::Debug, "zigbee", "coordinator up as the previous engine left it: not touched");
  }
  ensure_coordinator();
  next_health_ = clock_.now() + settings_.health_interval;
  publish(clock_.now());
  for (;;) {
    if (!drain_jobs()) break;
    if (!client_.link_up()) {
      journal(Level::Error, "zigbee", "serial link lost: " + client_.describe());
      return false;
    }
    const auto now = clock_.now();
    roll_day(now);
    const auto window = schedule::poll_window(settings_.window, now);
    const bool in_window = window.contains(now);
    if (!coordinator_up_) ensure_coordinator();
    if (in_window && (!next_cycle_ || now >= *next_cycle_)) {
      if (!was_in_window_) journal(Level::Info, "poll", "poll window opened");
      run_cycle(now);
      next_cycle_ = std::max(now, next_cycle_.value_or(now)) + settings_.poll_interval;
      if (*next_cycle_ <= now) next_cycle_ = now + settings_.poll_interval;
    }
    if (!in_window && was_in_window_) {
      fleet_.zero_power();
      next_cycle_.reset();
      publish(now);
      journal(Level::Info, "poll", "poll window closed: power 0, today's energy kept");
      listener_.on_window_closed(fleet_.views());
    }
    was_in_window_ = in_window;
    if (now >= next_health_) {
      check_health("periodic");
      next_health_ = now + settings_.health_interval;
    }
    warn_reset_line(now);
    auto deadline = next_health_;
    if (in_window && next_cycle_) deadline = std::min(deadline, *next_cycle_);
    if (!in_window) {
      if (auto next = schedule::next_poll_time(settings_.window, now)) deadline = std::min(deadline, *next);
    }
    wait_until(deadline);
  }
  journal(Level::Info, "zigbee", "engine stopped");
  return true;
}

std::string_view level_name(Level l) noexcept {
  switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warning: return "warning";
    case Level::Error: return "error";
  }
  return "?";
}

std::string_view limit_state_name(LimitState s) noexcept {
  switch (s) {
    case LimitState::None: return "none";
    case LimitState::Accepted: return "accepted";
    case LimitState::Refused: return "refused";
    case LimitState::Confirmed: return "confirmed";
    case LimitState::NotApplied: return "not_applied";
  }
  return "?";
}

}  // namespace apsecu::engine
