// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The part SerialPort and TcpClient share: a non-blocking file descriptor driven with poll(),
// plus an eventfd that close() signals so a reader blocked in read_some() returns at once
// instead of after its timeout.
//
// Thread safety: one thread may read while another writes; close() may be called from any
// thread at any time and waits for an in-flight read or write to leave before releasing the fd.

#include <atomic>
#include <mutex>
#include <string>

#include "apsecu/transport/transport.hpp"

namespace apsecu::transport {

class FdTransport : public Transport {
 public:
  ~FdTransport() override;
  FdTransport(const FdTransport&) = delete;
  FdTransport& operator=(const FdTransport&) = delete;

  util::Result<std::size_t> read_some(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override;
  // Gives up after kWriteTimeout: with no flow control a UART always drains, so a stuck
  // write means a dead ser2net peer, which must not block the caller forever.
  util::Status write_all(util::ByteView bytes) override;
  void close() override;
  [[nodiscard]] std::string describe() const override { return description_; }

  static constexpr std::chrono::milliseconds kWriteTimeout{5000};

 protected:
  enum class Kind { Tty, Socket };
  // Takes ownership of `fd`, which must already be non-blocking.
  FdTransport(int fd, int wake_fd, Kind kind, std::string description);
  // The eventfd close() signals; created before the device is opened so failure is reported early.
  static util::Result<int> make_wake_fd();

 private:
  std::mutex read_mutex_;
  std::mutex write_mutex_;
  int fd_;
  int wake_fd_;
  Kind kind_;
  std::atomic<bool> closed_{false};
  std::string description_;
};

}  // namespace apsecu::transport
