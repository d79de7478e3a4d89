// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A POSIX serial port set to raw 8N1 without flow control, the way every host drives the
// CC2530 (protocol §1.1). A pty slave opened by path works the same way, which is how the
// emulator is attached in tests and demos.

#include <memory>
#include <string>

#include "apsecu/transport/fd_transport.hpp"

namespace apsecu::transport {

inline constexpr unsigned kDefaultBaud = 115200;

struct SerialOptions {
  unsigned baud = kDefaultBaud;  // one of the standard rates 9600 .. 921600
};

class SerialPort final : public FdTransport {
 public:
  // Opens and configures `path`; pending input from before the open is discarded.
  static util::Result<std::unique_ptr<SerialPort>> open(const std::string& path, SerialOptions options = {});

 private:
  using FdTransport::FdTransport;
};

// True for the rates open() accepts.
[[nodiscard]] bool is_supported_baud(unsigned baud) noexcept;

}  // namespace apsecu::transport
