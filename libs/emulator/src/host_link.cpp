// SPDX-License-Identifier: GPL-3.0-or-later
#include "host_link.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

namespace apsecu::emulator {

Inbox::Inbox() : event_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

Inbox::~Inbox() {
  if (event_fd_ >= 0) ::close(event_fd_);
}

bool Inbox::push(InputEvent e) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    events_.push_back(std::move(e));
  }
  wake();
  return true;
}

std::vector<InputEvent> Inbox::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(events_, {});
}

void Inbox::wake() const noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(event_fd_, &one, sizeof one);
}

void Inbox::drain_wakeups() const noexcept {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto n = ::read(event_fd_, &count, sizeof count);
}

void Inbox::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  events_.clear();
}

void Port::deliver(util::ByteView bytes) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    rx_.insert(rx_.end(), bytes.begin(), bytes.end());
    while (rx_.size() > kCapacity) rx_.pop_front();  // overrun: the oldest bytes are lost
  }
  cv_.notify_all();
}

util::Result<std::size_t> Port::read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [&] { return closed_ || !rx_.empty(); });
  if (closed_) return util::make_error(transport::Errc::Closed, "emulator connection closed");
  const auto n = std::min(buffer.size(), rx_.size());
  std::copy_n(rx_.begin(), n, buffer.begin());
  rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

void Port::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool Port::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

util::Result<std::size_t> InProcessTransport::read_some(std::span<std::uint8_t> buffer,
                                                        std::chrono::milliseconds timeout) {
  return port_->read(buffer, timeout);
}

util::Status InProcessTransport::write_all(util::ByteView bytes) {
  if (port_->closed()) return util::make_error(transport::Errc::Closed, "emulator connection closed");
  if (!inbox_->push(InputEvent{.kind = InputEvent::Kind::Bytes, .bytes = util::Bytes(bytes.begin(), bytes.end())})) {
    return util::make_error(transport::Errc::Closed, "emulator stopped");
  }
  return {};
}

util::Status InProcessResetLine::set_low(bool low) {
  const auto kind = low ? InputEvent::Kind::ResetLow : InputEvent::Kind::ResetHigh;
  if (!inbox_->push(InputEvent{.kind = kind, .bytes = {}})) {
    return util::make_error(transport::Errc::Closed, "emulator stopped");
  }
  return {};
}

}  // namespace apsecu::emulator
