// SPDX-License-Identifier: GPL-3.0-or-later
#include "daemon_backend.hpp"

#include <spawn.h>
#include <cerrno>
#include <cstring>
#include <utility>
#include <sys/wait.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apsecu/api/errors.hpp"
#include "apsecu/backup/backup.hpp"
#include "apsecu/config/load_save.hpp"
#include "apsecu/mqtt/connection.hpp"
#include "apsecu/util/log.hpp"

extern char** environ;

namespace apsecu::app {

DaemonBackend::DaemonBackend(const util::Clock& clock, ConfigService& config, std::shared_ptr<LiveBus> bus,
                             store::Store reader, std::string data_dir, BackendHooks hooks)
    : clock_(clock),
      config_(config),
      bus_(std::move(bus)),
      data_dir_(std::move(data_dir)),
      hooks_(std::move(hooks)),
      reader_(std::move(reader)) {}

namespace {

// As many as one engine queues (the jobs move from one to the other): beyond that the radio
// would be busy for minutes anyway.
constexpr std::size_t kMaxHeldJobs = engine::kMaxQueuedJobs;

void fail_all(std::deque<engine::QueuedJob> jobs, const std::string& why) {
  for (auto& q : jobs) {
    if (q.done) q.done(util::make_error(znp::Errc::Cancelled, why));
  }
}

}  // namespace

DaemonBackend::~DaemonBackend() { fail_all(std::exchange(held_, {}), "apsecu is stopping"); }

void DaemonBackend::attach(engine::Engine* engine) {
  std::lock_guard lock(engine_mutex_);
  if (engine_ && !engine) {
    last_snapshot_ = engine_->snapshot();
    // held_ is empty while an engine runs, and the engine queued no more than kMaxHeldJobs.
    held_ = engine_->take_unrun();
  }
  engine_ = engine;
  if (engine_) {
    for (auto& q : std::exchange(held_, {})) engine_->post(std::move(q.job), std::move(q.done));
  }
}

void DaemonBackend::set_radio_down(std::string why, std::shared_ptr<const engine::Snapshot> idle) {
  std::deque<engine::QueuedJob> held;
  {
    std::lock_guard lock(engine_mutex_);
    radio_error_ = why;
    if (!engine_) last_snapshot_ = std::move(idle);
    held = std::exchange(held_, {});
  }
  fail_all(std::move(held), "the radio is not open: " + why);
}

void DaemonBackend::set_radio_up() {
  std::lock_guard lock(engine_mutex_);
  radio_error_.clear();
}

std::string DaemonBackend::radio_error() const {
  std::lock_guard lock(engine_mutex_);
  return radio_error_;
}

std::shared_ptr<const engine::Snapshot> DaemonBackend::snapshot() const {
  std::lock_guard lock(engine_mutex_);
  if (engine_) return engine_->snapshot();
  if (last_snapshot_) return last_snapshot_;
  auto empty = std::make_shared<engine::Snapshot>();
  empty->time = clock_.now();
  return empty;
}

engine::JobDone DaemonBackend::remembering(const engine::Job& job, engine::JobDone done) {
  std::optional<double> limit;
  std::optional<bool> on;
  aps::Serial serial;
  if (const auto* l = std::get_if<engine::SetPowerLimit>(&job)) {
    serial = l->serial;
    limit = l->limit_per_panel_w;
  } else if (const auto* o = std::get_if<engine::SetOutput>(&job)) {
    serial = o->serial;
    on = o->on;
  } else if (const auto* r = std::get_if<engine::Reboot>(&job)) {
    // The frame known as "reboot" is turn-on (C1); the engine sends that.
    serial = r->serial;
    on = true;
  } else {
    return done;
  }
  // The engine answers a refused or unanswered set with an error: only what the inverter
  // accepted is kept.
  return [this, serial, limit, on, done = std::move(done)](util::Result<std::string> outcome) {
    if (outcome.ok()) config_.set_control(serial, limit, on);
    if (done) done(std::move(outcome));
  };
}

void DaemonBackend::post(engine::Job job, engine::JobDone done) {
  done = remembering(job, std::move(done));
  std::string refused;
  {
    std::lock_guard lock(engine_mutex_);
    if (engine_) {
      engine_->post(std::move(job), std::move(done));
      return;
    }
    if (!radio_error_.empty()) {
      refused = "the radio is not open: " + radio_error_;
    } else if (held_.size() >= kMaxHeldJobs) {
      refused = "the radio is busy: too many commands are waiting";
    } else {
      held_.push_back({std::move(job), std::move(done)});
      return;
    }
  }
  if (done) done(util::make_error(znp::Errc::Cancelled, refused));
}

void DaemonBackend::with_store(const std::function<void(store::Store&)>& fn) {
  std::lock_guard lock(store_mutex_);
  // The engine registers inverters through its own connection; a stale list here would show
  // a newly added inverter's history under no name.
  if (auto st = reader_.refresh(); !st) util::logger("api")->warn("store: {}", st.error().describe());
  fn(reader_);
}

util::Status DaemonBackend::backup_to(const std::string& path) {
  std::lock_guard lock(store_mutex_);
  const backup::CreateOptions options{.apsecu_version = APSECU_VERSION,
                                      .created_s = util::unix_seconds(clock_.now())};
  auto made = backup::create_archive(path, config_.get(), reader_, options);
  if (!made) return made.error();
  return {};
}

util::Result<std::string> DaemonBackend::restore_from(const std::string& path) {
  std::lock_guard lock(store_mutex_);
  // The running daemon keeps its settings; the history of the archive is merged into the
  // live database, so nothing recorded since the backup is lost.
  backup::RestoreOptions options;
  options.actor = "web";
  options.now_s = util::unix_seconds(clock_.now());  // the demo's audit trail runs on simulated time
  auto report = backup::restore_archive(path, data_dir_, hooks_.settings_path, reader_, options);
  if (!report) return report.error();
  return backup::describe(*report);
}

util::Result<std::string> DaemonBackend::test_mqtt(const std::string& settings_json) {
  // The page's settings over the saved ones, validated as a save would be: the test tries
  // exactly what would be used, and a typo gets the same message as on saving.
  auto merged = config::to_json(config_.get());
  auto patch = nlohmann::json::parse(settings_json, nullptr, false);
  if (patch.is_discarded() || !patch.is_object()) {
    return util::make_error(api::Errc::BadOption, "the MQTT settings to test are not a JSON object");
  }
  merged["mqtt"].merge_patch(patch);
  auto loaded = config::from_json(merged);
  if (const auto* errors = std::get_if<std::vector<config::FieldError>>(&loaded)) {
    return util::make_error(api::Errc::BadOption, config::describe(*errors));
  }
  return mqtt::test_settings(std::get<config::Config>(loaded).mqtt);
}

void DaemonBackend::attach_mqtt(const mqtt::MqttSink* sink) {
  std::lock_guard lock(mqtt_mutex_);
  mqtt_ = sink;
}

util::Result<std::string> DaemonBackend::mqtt_status() const {
  nlohmann::json j{{"enabled", config_.get().mqtt.enabled}};
  std::lock_guard lock(mqtt_mutex_);
  if (!mqtt_) {
    j["state"] = "off";
    return j.dump();
  }
  const auto s = mqtt_->status();
  j["state"] = mqtt::link_state_name(s.state);
  j["endpoint"] = s.endpoint;
  j["last_error"] = s.last_error ? nlohmann::json(s.last_error->describe()) : nlohmann::json(nullptr);
  j["connected_since_s"] = s.connected_since ? nlohmann::json(util::unix_seconds(*s.connected_since)) : nlohmann::json(nullptr);
  j["listening"] = s.listening;
  j["queued"] = s.queued;
  j["queue_bytes"] = s.queue_bytes;
  j["dropped"] = s.dropped;
  j["delivered"] = s.delivered;
  j["connects"] = s.connects;
  j["commands"] = s.commands;
  j["commands_rejected"] = s.commands_rejected;
  return j.dump();
}

util::Status DaemonBackend::power_action(api::PowerAction action) {
  const auto& command = action == api::PowerAction::Reboot ? hooks_.reboot_command : hooks_.shutdown_command;
  if (command.empty()) return util::make_error(api::Errc::NotSupported, "no command is set for this action");
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int rc = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ); rc != 0) {
    return util::make_error(api::Errc::Io, fmt::format("cannot run {}: {}", command[0], std::strerror(rc)));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return util::make_error(api::Errc::Io,
                            fmt::format("{} failed (exit status {}); apsecu may lack the privilege for it",
                                        fmt::join(command, " "), WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }
  return {};
}

}  // namespace apsecu::app
