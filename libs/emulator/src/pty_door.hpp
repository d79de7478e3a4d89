// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The pseudo-terminal front door: the host's serial code opens /dev/pts/N as if it were the
// CC2530's UART, and drives the reset pin by writing '0'/'1' into a named pipe.

#include <optional>
#include <string>
#include <vector>

#include "apsecu/emulator/emulator.hpp"
#include "apsecu/util/bytes.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::emulator {

class PtyDoor {
 public:
  static util::Result<std::unique_ptr<PtyDoor>> open(const PtyOptions& options);
  ~PtyDoor();
  PtyDoor(const PtyDoor&) = delete;
  PtyDoor& operator=(const PtyDoor&) = delete;

  [[nodiscard]] const PtyPaths& paths() const noexcept { return paths_; }
  [[nodiscard]] int master_fd() const noexcept { return master_; }
  [[nodiscard]] int fifo_fd() const noexcept { return fifo_read_; }

  // Non-blocking: whatever the host wrote since the last call.
  [[nodiscard]] util::Bytes read_host();
  // Reset-pin levels written since the last call: true = low.
  [[nodiscard]] std::vector<bool> read_levels();
  // Non-blocking; bytes the host does not read in time are lost, as on a real UART.
  void write_host(util::ByteView bytes);

 private:
  PtyDoor() = default;
  PtyPaths paths_;
  std::string temp_dir_;
  std::string link_;
  int master_ = -1;
  int slave_ = -1;       // kept open so the master never sees a hang-up between host sessions
  int fifo_read_ = -1;
  int fifo_keepalive_ = -1;  // our own writer: no EOF when the host closes its end
};

}  // namespace apsecu::emulator
