// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Text specs for the link and the reset line, as they appear in the config and on the
// command line:
//   link:  "/dev/ttyS0"  "serial:/dev/ttyUSB0"  "serial:/dev/ttyUSB0@57600"  "tcp:host:port"
//          "tcp:[::1]:2000"
//   reset: "none"  "gpio:gpiochip0:18"  "fifo:/run/apsemu/reset"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "apsecu/transport/reset_line.hpp"
#include "apsecu/transport/serial_port.hpp"
#include "apsecu/transport/transport.hpp"

namespace apsecu::transport {

struct TransportSpec {
  enum class Kind { Serial, Tcp } kind = Kind::Serial;
  std::string path;  // Serial
  unsigned baud = kDefaultBaud;
  std::string host;  // Tcp
  std::uint16_t port = 0;
};

struct ResetSpec {
  enum class Kind { None, Gpio, Fifo } kind = Kind::None;
  std::string chip;  // Gpio
  unsigned offset = 0;
  std::string path;  // Fifo
};

// Errc::BadSpec with a message that shows the accepted forms.
[[nodiscard]] util::Result<TransportSpec> parse_transport_spec(std::string_view spec);
[[nodiscard]] util::Result<ResetSpec> parse_reset_spec(std::string_view spec);

[[nodiscard]] util::Result<std::unique_ptr<Transport>> open_transport(std::string_view spec);
// Never null on success: "none" yields a NoResetLine.
[[nodiscard]] util::Result<std::unique_ptr<ResetLine>> open_reset_line(std::string_view spec);

}  // namespace apsecu::transport
