// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A byte pipe to the coordinator: a serial port, a TCP socket (ser2net) or, in tests, the
// in-process emulator. Blocking with timeouts; one reader thread and one writer at a time.

#include <chrono>
#include <cstddef>
#include <span>
#include <string>

#include "apsecu/util/bytes.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::transport {

enum class Errc { OpenFailed = 1, ReadFailed, WriteFailed, Closed, BadSpec };
[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

class Transport {
 public:
  virtual ~Transport() = default;
  // Waits up to `timeout` for at least one byte. 0 means the line stayed quiet.
  virtual util::Result<std::size_t> read_some(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) = 0;
  virtual util::Status write_all(util::ByteView bytes) = 0;
  // Unblocks a pending read_some(); further calls fail with Errc::Closed.
  virtual void close() = 0;
  [[nodiscard]] virtual std::string describe() const = 0;
};

// The CC2530 RST pin (active low). A hard reset is the only way out of a frozen module.
class ResetLine {
 public:
  virtual ~ResetLine() = default;
  virtual util::Status set_low(bool low) = 0;
  [[nodiscard]] virtual std::string describe() const = 0;
  // False for the "none" line: there is nothing to pulse, so hard_reset() neither drives it nor
  // waits for a reboot that will not happen.
  [[nodiscard]] virtual bool present() const { return true; }
};

}  // namespace apsecu::transport

template <>
struct std::is_error_code_enum<apsecu::transport::Errc> : std::true_type {};
