// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The in-process front door. The host writes into an Inbox (woken through an eventfd that the
// worker thread polls) and reads from its own Port. Both are shared_ptr-owned so that a host
// holding a Transport after the emulator is gone gets Closed instead of a dangling pointer.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "apsecu/transport/transport.hpp"
#include "apsecu/util/bytes.hpp"

namespace apsecu::emulator {

struct InputEvent {
  enum class Kind : std::uint8_t { Bytes, ResetLow, ResetHigh };
  Kind kind = Kind::Bytes;
  util::Bytes bytes;
};

class Inbox {
 public:
  Inbox();
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  bool push(InputEvent e);  // false once closed
  [[nodiscard]] std::vector<InputEvent> take();
  void wake() const noexcept;  // makes the worker's poll() return
  void drain_wakeups() const noexcept;
  void close();
  [[nodiscard]] int fd() const noexcept { return event_fd_; }

 private:
  std::mutex mutex_;
  std::vector<InputEvent> events_;
  bool closed_ = false;
  int event_fd_ = -1;
};

// Bytes from the module waiting for one host connection to read them.
class Port {
 public:
  void deliver(util::ByteView bytes);
  util::Result<std::size_t> read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout);
  void close();
  [[nodiscard]] bool closed() const;

 private:
  // A real UART has a small buffer; 64 KiB is plenty and bounds a host that never reads.
  static constexpr std::size_t kCapacity = 64 * 1024;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::uint8_t> rx_;
  bool closed_ = false;
};

class InProcessTransport final : public transport::Transport {
 public:
  InProcessTransport(std::shared_ptr<Inbox> inbox, std::shared_ptr<Port> port)
      : inbox_(std::move(inbox)), port_(std::move(port)) {}
  ~InProcessTransport() override { port_->close(); }
  util::Result<std::size_t> read_some(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override;
  util::Status write_all(util::ByteView bytes) override;
  void close() override { port_->close(); }
  [[nodiscard]] std::string describe() const override { return "emulator (in-process)"; }

 private:
  std::shared_ptr<Inbox> inbox_;
  std::shared_ptr<Port> port_;
};

class InProcessResetLine final : public transport::ResetLine {
 public:
  explicit InProcessResetLine(std::shared_ptr<Inbox> inbox) : inbox_(std::move(inbox)) {}
  util::Status set_low(bool low) override;
  [[nodiscard]] std::string describe() const override { return "emulator reset pin (in-process)"; }

 private:
  std::shared_ptr<Inbox> inbox_;
};

}  // namespace apsecu::emulator
