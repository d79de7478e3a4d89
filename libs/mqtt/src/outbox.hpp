// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The sink's thread-safe front to the store-and-forward queue: producers (engine thread,
// command replies) push, the I/O thread reads and confirms deliveries. Shared by pointer
// so that a reply arriving after the sink is gone finds nothing rather than freed memory.

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "apsecu/mqtt/disk_queue.hpp"

namespace apsecu::mqtt {

class Outbox {
 public:
  // `store_forward` false (queue_max_messages 0): nothing is kept while disconnected.
  Outbox(std::unique_ptr<DiskQueue> queue, bool store_forward);

  void push(const std::vector<Message>& messages);
  void push(const Message& m) { push(std::vector<Message>{m}); }
  // The oldest undelivered message at or after `from`; a damaged queue is emptied (logged).
  [[nodiscard]] std::optional<DiskQueue::Entry> read(std::uint64_t from);
  void delivered(std::uint64_t position, std::uint64_t next);
  void set_connected(bool connected) noexcept { connected_ = connected; }
  // Forces what was pushed while disconnected to the storage device. Called by the I/O
  // thread, so that the engine thread never waits for an SD card; producers can go on
  // pushing meanwhile.
  void sync_if_dirty();
  void sync();

  struct Counts {
    std::size_t queued = 0;
    std::uint64_t bytes = 0;
    std::uint64_t dropped = 0;
  };
  [[nodiscard]] Counts counts() const;

 private:
  void note_drops();  // with mutex_ held

  mutable std::mutex mutex_;
  std::unique_ptr<DiskQueue> queue_;
  bool store_forward_;
  std::atomic<bool> connected_{false};
  std::uint64_t dropped_elsewhere_ = 0;  // not by the queue bound: I/O errors, store-and-forward off
  std::uint64_t logged_drops_ = 0;
  bool dirty_ = false;  // pushed while disconnected and not synced yet
};

}  // namespace apsecu::mqtt
