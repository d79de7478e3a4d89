// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/transport/fd_transport.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

#include "errno_text.hpp"

namespace apsecu::transport {
namespace {

using Clock = std::chrono::steady_clock;

// Milliseconds left until `deadline`, clamped to what poll() takes.
int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 60'000 ? 60'000 : static_cast<int>(left);
}

}  // namespace

util::Result<int> FdTransport::make_wake_fd() {
  const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return util::make_error(Errc::OpenFailed, "cannot create eventfd: " + errno_text(errno));
  return fd;
}

FdTransport::FdTransport(int fd, int wake_fd, Kind kind, std::string description)
    : fd_(fd), wake_fd_(wake_fd), kind_(kind), description_(std::move(description)) {}

FdTransport::~FdTransport() {
  close();
  ::close(wake_fd_);
}

void FdTransport::close() {
  if (closed_.exchange(true)) return;
  const std::uint64_t one = 1;
  // The counter is never read back, so the eventfd stays readable and every later poll wakes.
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
  std::scoped_lock lock(read_mutex_, write_mutex_);
  ::close(fd_);
  fd_ = -1;
}

util::Result<std::size_t> FdTransport::read_some(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) {
  std::lock_guard lock(read_mutex_);
  if (closed_) return util::make_error(Errc::Closed, description_ + " is closed");
  if (buffer.empty()) return std::size_t{0};
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, remaining_ms(deadline));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return util::make_error(Errc::ReadFailed, "poll on " + description_ + " failed: " + errno_text(errno));
    }
    if (fds[1].revents != 0) return util::make_error(Errc::Closed, description_ + " was closed");
    if (ready == 0) return std::size_t{0};

    const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
    if (n > 0) return static_cast<std::size_t>(n);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n == 0 && kind_ == Kind::Tty && (fds[0].revents & POLLHUP) == 0) continue;  // VMIN=0: nothing yet
    const std::string why = n == 0 ? "end of stream (peer closed)" : errno_text(errno);
    return util::make_error(Errc::ReadFailed, "reading " + description_ + " failed: " + why);
  }
}

util::Status FdTransport::write_all(util::ByteView bytes) {
  std::lock_guard lock(write_mutex_);
  if (closed_) return util::make_error(Errc::Closed, description_ + " is closed");
  const auto deadline = Clock::now() + kWriteTimeout;
  while (!bytes.empty()) {
    // MSG_NOSIGNAL: a vanished ser2net peer must give EPIPE, not kill the daemon with SIGPIPE.
    const ssize_t n = kind_ == Kind::Socket ? ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL)
                                            : ::write(fd_, bytes.data(), bytes.size());
    if (n > 0) {
      bytes = bytes.subspan(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) {
      return util::make_error(Errc::WriteFailed, "writing " + description_ + " failed: " + errno_text(errno));
    }
    pollfd fds[2] = {{fd_, POLLOUT, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return util::make_error(Errc::WriteFailed, "poll on " + description_ + " failed: " + errno_text(errno));
    if (fds[1].revents != 0) return util::make_error(Errc::Closed, description_ + " was closed");
    if (ready == 0) {
      return util::make_error(Errc::WriteFailed, "writing " + description_ + " timed out after " +
                                                     std::to_string(kWriteTimeout.count()) + " ms");
    }
  }
  return {};
}

}  // namespace apsecu::transport
