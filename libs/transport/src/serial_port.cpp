// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/transport/serial_port.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <optional>
#include <utility>

#include "errno_text.hpp"

namespace apsecu::transport {
namespace {

constexpr std::array<std::pair<unsigned, speed_t>, 8> kBauds = {{
    {9600, B9600},
    {19200, B19200},
    {38400, B38400},
    {57600, B57600},
    {115200, B115200},
    {230400, B230400},
    {460800, B460800},
    {921600, B921600},
}};

std::optional<speed_t> to_speed(unsigned baud) {
  for (const auto& [rate, speed] : kBauds) {
    if (rate == baud) return speed;
  }
  return std::nullopt;
}

// Raw 8N1, no flow control (the module's RTS/CTS pins are not wired), no echo, no line
// discipline; VMIN=VTIME=0 because waiting is done with poll().
util::Status configure(int fd, speed_t speed, const std::string& path) {
  termios tio{};
  if (::tcgetattr(fd, &tio) != 0) {
    return util::make_error(Errc::OpenFailed, path + " is not a serial port: " + errno_text(errno));
  }
  ::cfmakeraw(&tio);
  tio.c_cflag &= ~static_cast<tcflag_t>(CSIZE);
  tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB);
  tio.c_cflag &= ~static_cast<tcflag_t>(PARENB);
  tio.c_cflag &= ~static_cast<tcflag_t>(CRTSCTS);
  tio.c_cflag |= static_cast<tcflag_t>(CS8) | static_cast<tcflag_t>(CLOCAL) | static_cast<tcflag_t>(CREAD);
  tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  if (::cfsetispeed(&tio, speed) != 0 || ::cfsetospeed(&tio, speed) != 0 || ::tcsetattr(fd, TCSANOW, &tio) != 0) {
    return util::make_error(Errc::OpenFailed, "cannot configure " + path + ": " + errno_text(errno));
  }
  // Whatever sat in the buffer predates us (boot noise, half frames) and would only be skipped.
  ::tcflush(fd, TCIOFLUSH);
  return {};
}

}  // namespace

bool is_supported_baud(unsigned baud) noexcept { return to_speed(baud).has_value(); }

util::Result<std::unique_ptr<SerialPort>> SerialPort::open(const std::string& path, SerialOptions options) {
  const auto speed = to_speed(options.baud);
  if (!speed) {
    return util::make_error(Errc::OpenFailed, "unsupported baud rate " + std::to_string(options.baud) + " for " + path);
  }
  auto wake = make_wake_fd();
  if (!wake) return wake.error();

  const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    ::close(*wake);
    return util::make_error(Errc::OpenFailed, "cannot open serial port " + path + ": " + errno_text(err));
  }
  if (auto st = configure(fd, *speed, path); !st) {
    ::close(fd);
    ::close(*wake);
    return st.error();
  }
  const std::string description =
      options.baud == kDefaultBaud ? "serial:" + path : "serial:" + path + "@" + std::to_string(options.baud);
  return std::unique_ptr<SerialPort>(new SerialPort(fd, *wake, Kind::Tty, description));
}

}  // namespace apsecu::transport
