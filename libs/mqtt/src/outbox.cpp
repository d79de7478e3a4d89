// SPDX-License-Identifier: GPL-3.0-or-later
#include "outbox.hpp"

#include <unistd.h>

#include "apsecu/util/log.hpp"

namespace apsecu::mqtt {
namespace {

// A broker away for days drops a message per poll; say so at the first and then every
// thousandth, not every time.
constexpr std::uint64_t kDropLogEvery = 1000;

}  // namespace

Outbox::Outbox(std::unique_ptr<DiskQueue> queue, bool store_forward)
    : queue_(std::move(queue)), store_forward_(store_forward) {}

void Outbox::push(const std::vector<Message>& messages) {
  std::lock_guard lock(mutex_);
  const bool connected = connected_;
  if (!store_forward_ && !connected) {
    dropped_elsewhere_ += messages.size();
    note_drops();
    return;
  }
  for (const auto& m : messages) {
    if (auto st = queue_->push(m); !st) {
      ++dropped_elsewhere_;
      util::logger("mqtt")->error("message to {} lost: {}", m.topic, st.error().describe());
    }
  }
  note_drops();
  // While the broker is away these messages have to outlive a power cut; when it is
  // there they leave within milliseconds.
  if (!connected) dirty_ = true;
}

void Outbox::sync_if_dirty() {
  int fd = -1;
  {
    std::lock_guard lock(mutex_);
    if (!dirty_) return;
    dirty_ = false;
    fd = queue_->duplicate_fd();
  }
  if (fd < 0) return;
  (void)::fdatasync(fd);
  ::close(fd);
}

void Outbox::note_drops() {
  const auto total = queue_->dropped() + dropped_elsewhere_;
  if (total == logged_drops_) return;
  if (logged_drops_ == 0 || total - logged_drops_ >= kDropLogEvery) {
    util::logger("mqtt")->warn("MQTT queue full or off ({} messages kept at most): {} messages dropped so far",
                               queue_->max_messages(), total);
    logged_drops_ = total;
  }
}

std::optional<DiskQueue::Entry> Outbox::read(std::uint64_t from) {
  std::lock_guard lock(mutex_);
  auto e = queue_->read(from);
  if (e) return std::move(*e);
  util::logger("mqtt")->error("{}; emptying the queue ({} messages lost)", e.error().describe(), queue_->size());
  (void)queue_->clear();
  return std::nullopt;
}

void Outbox::delivered(std::uint64_t position, std::uint64_t next) {
  std::lock_guard lock(mutex_);
  if (auto st = queue_->pop(position, next); !st) {
    util::logger("mqtt")->error("{}", st.error().describe());
  }
}

void Outbox::sync() {
  std::lock_guard lock(mutex_);
  (void)queue_->sync();
}

Outbox::Counts Outbox::counts() const {
  std::lock_guard lock(mutex_);
  return {queue_->size(), queue_->bytes(), queue_->dropped() + dropped_elsewhere_};
}

}  // namespace apsecu::mqtt
