// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/transport/reset_line.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <thread>

#include "errno_text.hpp"

namespace apsecu::transport {
namespace {

// Writing to a pipe whose reader left raises SIGPIPE, which would end the daemon. Block it on
// this thread for the duration of the write and swallow one that became pending, so the
// failure arrives as EPIPE instead.
ssize_t write_without_sigpipe(int fd, const void* data, std::size_t size) {
  sigset_t pipe_set;
  sigset_t old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  const ssize_t n = ::write(fd, data, size);
  const int err = errno;
  if (n < 0 && err == EPIPE) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  errno = err;
  return n;
}

util::Result<int> open_fifo_writer(const std::string& path) {
  // O_NONBLOCK makes open() fail with ENXIO instead of waiting for a reader to appear.
  const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENXIO) {
      return util::make_error(Errc::OpenFailed,
                              "reset fifo " + path + " has no reader (is the emulator running?)");
    }
    return util::make_error(Errc::OpenFailed, "cannot open reset fifo " + path + ": " + errno_text(err));
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
    ::close(fd);
    return util::make_error(Errc::OpenFailed, path + " is not a named pipe (create it with mkfifo)");
  }
  return fd;
}

}  // namespace

Sleeper real_sleeper() {
  return [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

util::Status hard_reset(ResetLine& line, const ResetTiming& timing, const Sleeper& sleep) {
  if (!line.present()) return {};
  auto low = line.set_low(true);
  if (low) sleep(timing.low);
  auto high = line.set_low(false);
  if (!high) {
    return util::Error{high.error().code, "cannot release reset line " + line.describe() +
                                              " (module may be held in reset): " + high.error().describe()};
  }
  if (!low) return util::Error{low.error().code, "cannot pull reset line " + line.describe() + " low: " + low.error().describe()};
  sleep(timing.wait);
  return {};
}

util::Result<std::unique_ptr<FifoResetLine>> FifoResetLine::open(const std::string& path) {
  auto fd = open_fifo_writer(path);
  if (!fd) return fd.error();
  return std::unique_ptr<FifoResetLine>(new FifoResetLine(*fd, path));
}

FifoResetLine::~FifoResetLine() {
  if (fd_ >= 0) ::close(fd_);
}

util::Status FifoResetLine::set_low(bool low) { return write_level(low ? '0' : '1'); }

util::Status FifoResetLine::write_level(char level) {
  // A restarted emulator is a new reader: on EPIPE reopen once and try again.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0) {
      auto fd = open_fifo_writer(path_);
      if (!fd) return fd.error();
      fd_ = *fd;
    }
    const ssize_t n = write_without_sigpipe(fd_, &level, 1);
    if (n == 1) return {};
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    if (err != EPIPE) {
      return util::make_error(Errc::WriteFailed, "writing reset fifo " + path_ + " failed: " + errno_text(err));
    }
  }
  return util::make_error(Errc::WriteFailed, "reset fifo " + path_ + " lost its reader");
}

}  // namespace apsecu::transport
