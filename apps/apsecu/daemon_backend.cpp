// SPDX-License-Identifier: GPL-3.0-or-later
#include "daemon_backend.hpp"

#include "apsecu/backup/backup.hpp"

namespace apsecu::app {

DaemonBackend::DaemonBackend(const util::Clock& clock, ConfigService& config, std::shared_ptr<LiveBus> bus,
                             store::Store reader, std::string data_dir, BackendHooks hooks)
    : clock_(clock),
      config_(config),
      bus_(std::move(bus)),
      data_dir_(std::move(data_dir)),
      hooks_(std::move(hooks)),
      reader_(std::move(reader)) {}

void DaemonBackend::attach(engine::Engine* engine) {
  std::lock_guard lock(engine_mutex_);
  if (engine_ && !engine) last_snapshot_ = engine_->snapshot();
  engine_ = engine;
}

std::shared_ptr<const engine::Snapshot> DaemonBackend::snapshot() const {
  std::lock_guard lock(engine_mutex_);
  if (engine_) return engine_->snapshot();
  if (last_snapshot_) return last_snapshot_;
  auto empty = std::make_shared<engine::Snapshot>();
  empty->time = clock_.now();
  return empty;
}

void DaemonBackend::post(engine::Job job, engine::JobDone done) {
  std::lock_guard lock(engine_mutex_);
  if (engine_) {
    engine_->post(std::move(job), std::move(done));
    return;
  }
  if (done) done(util::make_error(znp::Errc::Cancelled, "the engine is restarting with new settings; try again"));
}

void DaemonBackend::with_store(const std::function<void(store::Store&)>& fn) {
  std::lock_guard lock(store_mutex_);
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

}  // namespace apsecu::app
