// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Engine events for the web page's live streams: after every poll cycle, every journal entry
// and every frame on the wire. Subscribers are called on the engine thread and must return
// quickly (the web server queues per client).

#include <functional>
#include <list>
#include <memory>
#include <mutex>

#include "apsecu/api/backend.hpp"
#include "apsecu/engine/engine.hpp"

namespace apsecu::app {

class LiveBus final : public engine::EngineListener, public std::enable_shared_from_this<LiveBus> {
 public:
  using SnapshotSource = std::function<std::shared_ptr<const engine::Snapshot>()>;
  explicit LiveBus(const util::Clock& clock) : clock_(clock) {}

  void set_snapshot_source(SnapshotSource source);
  [[nodiscard]] std::unique_ptr<api::Subscription> subscribe(api::LiveCallback callback);

  void on_cycle(const engine::CycleReport& report) override;
  void on_journal(const engine::JournalEntry& entry) override;
  void on_window_closed(const std::vector<fleet::InverterView>& views) override;
  void on_frame(znp::Direction dir, const unpi::Frame& frame) override;

 private:
  void publish(const api::LiveEvent& event);
  void cycle_event();

  const util::Clock& clock_;
  std::mutex mutex_;
  SnapshotSource snapshot_;
  std::list<std::shared_ptr<api::LiveCallback>> subscribers_;
};

}  // namespace apsecu::app
