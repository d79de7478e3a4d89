// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Store-and-forward: a bounded FIFO of messages in one file, so that readings taken while
// the broker is away survive a daemon restart and go out later, in order. Payloads stay on
// disk; RAM holds a few counters whatever the length of the queue.
//
// File layout (host byte order; the file never leaves the machine):
//
//   0   "APSQ"                magic
//   4   u32 version = 1
//   8   u64 head              file offset of the oldest message not yet delivered
//   16  records...            appended at the end
//
//   record: u32 body_length | u32 crc32(body) | body
//   body:   u8 qos | u8 retain | u16 topic_length | topic | payload
//
// A crash can leave a torn record at the end: open() stops at the first record whose length
// or CRC does not check out and cuts the file there. Delivered messages are dropped by
// moving `head`; the file is cut back to its header when the queue empties with 64 KiB or
// more behind it, and rewritten without the delivered part when that part is more than half
// of a file above 1 MiB.
//
// Positions are logical (they survive that rewrite), so a sender can hold on to them.
// Not thread-safe: the owner serialises calls.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "apsecu/mqtt/format.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::mqtt {

class DiskQueue {
 public:
  using Position = std::uint64_t;

  struct Entry {
    Position position = 0;  // of this message
    Position next = 0;      // of the one after it
    Message message;
  };

  // Opens (or creates) the queue file. `max_messages` >= 1: beyond it the oldest message is
  // dropped and counted.
  [[nodiscard]] static util::Result<std::unique_ptr<DiskQueue>> open(const std::filesystem::path& file,
                                                                     std::size_t max_messages);
  ~DiskQueue();
  DiskQueue(const DiskQueue&) = delete;
  DiskQueue& operator=(const DiskQueue&) = delete;

  // Appends a message; when the queue is full the oldest one is dropped first.
  util::Status push(const Message& m);
  // The oldest undelivered message at or after `from`; nullopt at the end.
  [[nodiscard]] util::Result<std::optional<Entry>> read(Position from);
  // The message at `position` was delivered. Deliveries are confirmed oldest first; a
  // position already dropped is ignored.
  util::Status pop(Position position, Position next);
  // Drops everything (counted), e.g. after finding a damaged record.
  util::Status clear();
  // Forces the file to the storage device (pushes are in the page cache until then).
  util::Status sync();
  // A second descriptor of the file, to fdatasync() it without holding up the owner's lock
  // (-1 on failure; the caller closes it).
  [[nodiscard]] int duplicate_fd() const;

  [[nodiscard]] Position head() const noexcept { return base_ + head_; }
  [[nodiscard]] Position tail() const noexcept { return base_ + tail_; }
  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  [[nodiscard]] std::uint64_t bytes() const noexcept { return tail_ - head_; }  // of queued records
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_; }
  [[nodiscard]] std::size_t max_messages() const noexcept { return max_messages_; }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  DiskQueue(std::filesystem::path path, int fd, std::size_t max_messages);
  util::Status load();
  util::Status drop_oldest();
  util::Status write_head();
  util::Status after_pop();
  util::Status compact();
  [[nodiscard]] util::Result<std::uint32_t> body_length_at(std::uint64_t offset) const;

  std::filesystem::path path_;
  int fd_ = -1;
  std::size_t max_messages_;
  std::uint64_t base_ = 0;  // logical position of file offset 0
  std::uint64_t head_ = 0;  // file offsets
  std::uint64_t tail_ = 0;
  std::size_t count_ = 0;
  std::uint64_t dropped_ = 0;
};

[[nodiscard]] std::uint32_t crc32(const void* data, std::size_t size) noexcept;

}  // namespace apsecu::mqtt
