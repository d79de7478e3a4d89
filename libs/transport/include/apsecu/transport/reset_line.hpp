// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Ways to pull the CC2530 RST pin, and the hard-reset pulse itself (protocol §1.3). The module
// sometimes freezes after many hours; only the pin brings it back.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "apsecu/transport/transport.hpp"

struct gpiod_chip;
struct gpiod_line;

namespace apsecu::transport {

// Blocks the calling thread. Injected wherever a layer waits on purpose, so tests do not sleep.
using Sleeper = std::function<void(std::chrono::milliseconds)>;
[[nodiscard]] Sleeper real_sleeper();

// No reset wire: present() is false and set_low() does nothing.
class NoResetLine final : public ResetLine {
 public:
  util::Status set_low(bool /*low*/) override { return {}; }
  [[nodiscard]] std::string describe() const override { return "none"; }
  [[nodiscard]] bool present() const override { return false; }
};

// A GPIO line through libgpiod 1.6. The pin is requested as an output driven high (module
// running) and held until destruction. set_low(true) drives the physical level low.
class GpioResetLine final : public ResetLine {
 public:
  // `chip` is anything gpiod_chip_open_lookup() accepts: "gpiochip0", "/dev/gpiochip0", a label
  // or a number. Fails with a clear message when apsecu was built without libgpiod.
  static util::Result<std::unique_ptr<GpioResetLine>> open(const std::string& chip, unsigned offset);
  ~GpioResetLine() override;
  GpioResetLine(const GpioResetLine&) = delete;
  GpioResetLine& operator=(const GpioResetLine&) = delete;

  util::Status set_low(bool low) override;
  [[nodiscard]] std::string describe() const override;

 private:
  GpioResetLine(::gpiod_chip* chip, ::gpiod_line* line, std::string chip_name, unsigned offset);
  ::gpiod_chip* chip_;
  ::gpiod_line* line_;
  std::string chip_name_;
  unsigned offset_;
};

// Whether this build can drive GPIO lines.
[[nodiscard]] bool gpio_supported() noexcept;

// Writes '0' (low) or '1' (high) to a named pipe. The emulator behind a pty listens on such a
// pipe to see the reset pin. Opening fails when nobody reads the pipe, so a missing emulator is
// reported at start-up rather than at the first reset.
class FifoResetLine final : public ResetLine {
 public:
  static util::Result<std::unique_ptr<FifoResetLine>> open(const std::string& path);
  ~FifoResetLine() override;
  FifoResetLine(const FifoResetLine&) = delete;
  FifoResetLine& operator=(const FifoResetLine&) = delete;

  util::Status set_low(bool low) override;
  [[nodiscard]] std::string describe() const override { return "fifo:" + path_; }

 private:
  FifoResetLine(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  util::Status write_level(char level);
  int fd_;
  std::string path_;
};

struct ResetTiming {
  std::chrono::milliseconds low{500};    // RPI and ESP hold the pin 500 ms
  std::chrono::milliseconds wait{1500};  // hosts wait 1000..2500 ms before the first frame
};

// Pulls the line low for timing.low, releases it, then waits timing.wait for the module to
// boot. Does nothing for a line that is not present(). The line is released even if the low
// phase reported an error, because a module held in reset is worse than a failed pulse.
util::Status hard_reset(ResetLine& line, const ResetTiming& timing = {}, const Sleeper& sleep = real_sleeper());

}  // namespace apsecu::transport
