// SPDX-License-Identifier: GPL-3.0-or-later
#include "pty_door.hpp"

#include <fcntl.h>
#include <pty.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "apsecu/util/log.hpp"

namespace apsecu::emulator {
namespace {

std::string errno_text() { return std::strerror(errno); }

bool set_flags(int fd, int add) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | add) == 0;
}

}  // namespace

util::Result<std::unique_ptr<PtyDoor>> PtyDoor::open(const PtyOptions& options) {
  std::unique_ptr<PtyDoor> door(new PtyDoor());
  char name[256] = {};
  if (::openpty(&door->master_, &door->slave_, name, nullptr, nullptr) != 0) {
    return util::make_error(Errc::PtyFailed, "openpty failed: " + errno_text());
  }
  ::fcntl(door->master_, F_SETFD, FD_CLOEXEC);
  ::fcntl(door->slave_, F_SETFD, FD_CLOEXEC);
  // Raw 8N1 at 115200 like the module's UART, so a host that does not configure the port
  // itself still gets bytes unchanged (no echo, no CR/LF mapping).
  termios tio{};
  if (::tcgetattr(door->slave_, &tio) == 0) {
    ::cfmakeraw(&tio);
    ::cfsetispeed(&tio, B115200);
    ::cfsetospeed(&tio, B115200);
    ::tcsetattr(door->slave_, TCSANOW, &tio);
  }
  if (!set_flags(door->master_, O_NONBLOCK)) return util::make_error(Errc::PtyFailed, "fcntl: " + errno_text());
  door->paths_.pty = name;

  std::string fifo = options.reset_fifo;
  if (fifo.empty()) {
    char dir[] = "/tmp/apsecu-emu-XXXXXX";
    if (::mkdtemp(dir) == nullptr) return util::make_error(Errc::FifoFailed, "mkdtemp: " + errno_text());
    door->temp_dir_ = dir;
    fifo = door->temp_dir_ + "/reset";
  }
  ::unlink(fifo.c_str());
  if (::mkfifo(fifo.c_str(), 0600) != 0) {
    return util::make_error(Errc::FifoFailed, "mkfifo " + fifo + ": " + errno_text());
  }
  door->paths_.reset_fifo = fifo;
  door->fifo_read_ = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (door->fifo_read_ < 0) return util::make_error(Errc::FifoFailed, "open " + fifo + ": " + errno_text());
  door->fifo_keepalive_ = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);

  if (!options.link.empty()) {
    ::unlink(options.link.c_str());
    if (::symlink(name, options.link.c_str()) != 0) {
      return util::make_error(Errc::PtyFailed, "symlink " + options.link + ": " + errno_text());
    }
    door->link_ = options.link;
  }
  return door;
}

PtyDoor::~PtyDoor() {
  for (const int fd : {master_, slave_, fifo_read_, fifo_keepalive_}) {
    if (fd >= 0) ::close(fd);
  }
  if (!paths_.reset_fifo.empty()) ::unlink(paths_.reset_fifo.c_str());
  if (!temp_dir_.empty()) ::rmdir(temp_dir_.c_str());
  if (!link_.empty()) ::unlink(link_.c_str());
}

util::Bytes PtyDoor::read_host() {
  util::Bytes out;
  std::uint8_t buf[1024];
  for (;;) {
    const auto n = ::read(master_, buf, sizeof buf);
    if (n <= 0) break;  // EAGAIN: nothing more; EIO: no host has the slave open
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

std::vector<bool> PtyDoor::read_levels() {
  std::vector<bool> levels;
  char buf[64];
  for (;;) {
    const auto n = ::read(fifo_read_, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '0') levels.push_back(true);
      if (buf[i] == '1') levels.push_back(false);
    }
  }
  return levels;
}

void PtyDoor::write_host(util::ByteView bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(master_, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      util::logger("emulator")->debug("pty output overrun: {} bytes lost", bytes.size() - done);
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace apsecu::emulator
