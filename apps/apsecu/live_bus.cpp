// SPDX-License-Identifier: GPL-3.0-or-later
#include "live_bus.hpp"

#include "apsecu/util/hex.hpp"
#include "apsecu/znp/describe.hpp"

namespace apsecu::app {
namespace {

class BusSubscription final : public api::Subscription {
 public:
  BusSubscription(std::weak_ptr<LiveBus> bus, std::function<void()> remove)
      : bus_(std::move(bus)), remove_(std::move(remove)) {}
  ~BusSubscription() override {
    if (bus_.lock()) remove_();
  }

 private:
  std::weak_ptr<LiveBus> bus_;
  std::function<void()> remove_;
};

}  // namespace

void LiveBus::set_snapshot_source(SnapshotSource source) {
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(source);
}

std::unique_ptr<api::Subscription> LiveBus::subscribe(api::LiveCallback callback) {
  auto cb = std::make_shared<api::LiveCallback>(std::move(callback));
  {
    std::lock_guard lock(mutex_);
    subscribers_.push_back(cb);
  }
  return std::make_unique<BusSubscription>(weak_from_this(), [this, cb] {
    std::lock_guard lock(mutex_);
    subscribers_.remove(cb);
  });
}

void LiveBus::publish(const api::LiveEvent& event) {
  std::vector<std::shared_ptr<api::LiveCallback>> targets;
  {
    std::lock_guard lock(mutex_);
    targets.assign(subscribers_.begin(), subscribers_.end());
  }
  for (const auto& cb : targets) (*cb)(event);
}

void LiveBus::cycle_event() {
  SnapshotSource source;
  {
    std::lock_guard lock(mutex_);
    source = snapshot_;
  }
  if (source) publish(api::CycleEvent{source()});
}

void LiveBus::on_cycle(const engine::CycleReport& /*report*/) { cycle_event(); }

void LiveBus::on_window_closed(const std::vector<fleet::InverterView>& /*views*/) { cycle_event(); }

void LiveBus::on_journal(const engine::JournalEntry& entry) { publish(api::JournalEvent{entry}); }

void LiveBus::on_frame(znp::Direction dir, const unpi::Frame& frame) {
  const auto wire = unpi::encode(frame);
  publish(api::FrameEvent{clock_.now(), dir == znp::Direction::Sent, wire ? util::to_hex(*wire) : std::string(),
                          znp::describe(frame)});
}

}  // namespace apsecu::app
