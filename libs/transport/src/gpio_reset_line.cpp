// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/transport/reset_line.hpp"

#if APSECU_HAVE_GPIOD
#include <gpiod.h>
#endif

#include "errno_text.hpp"

namespace apsecu::transport {
namespace {
constexpr const char* kConsumer = "apsecu-reset";
}

GpioResetLine::GpioResetLine(::gpiod_chip* chip, ::gpiod_line* line, std::string chip_name, unsigned offset)
    : chip_(chip), line_(line), chip_name_(std::move(chip_name)), offset_(offset) {}

std::string GpioResetLine::describe() const { return "gpio:" + chip_name_ + ":" + std::to_string(offset_); }

#if APSECU_HAVE_GPIOD

bool gpio_supported() noexcept { return true; }

util::Result<std::unique_ptr<GpioResetLine>> GpioResetLine::open(const std::string& chip_name, unsigned offset) {
  const std::string what = "gpio:" + chip_name + ":" + std::to_string(offset);
  ::gpiod_chip* chip = ::gpiod_chip_open_lookup(chip_name.c_str());
  if (chip == nullptr) {
    return util::make_error(Errc::OpenFailed, "cannot open GPIO chip " + chip_name + ": " + errno_text(errno));
  }
  ::gpiod_line* line = ::gpiod_chip_get_line(chip, offset);
  if (line == nullptr) {
    const int err = errno;
    ::gpiod_chip_close(chip);
    return util::make_error(Errc::OpenFailed, "no line " + std::to_string(offset) + " on GPIO chip " + chip_name +
                                                  ": " + errno_text(err));
  }
  // Requested high: the module keeps running while we hold the line.
  if (::gpiod_line_request_output(line, kConsumer, 1) != 0) {
    const int err = errno;
    ::gpiod_chip_close(chip);
    return util::make_error(Errc::OpenFailed, "cannot claim " + what + " as output: " + errno_text(err));
  }
  return std::unique_ptr<GpioResetLine>(new GpioResetLine(chip, line, chip_name, offset));
}

GpioResetLine::~GpioResetLine() {
  ::gpiod_line_release(line_);
  ::gpiod_chip_close(chip_);
}

util::Status GpioResetLine::set_low(bool low) {
  if (::gpiod_line_set_value(line_, low ? 0 : 1) != 0) {
    return util::make_error(Errc::WriteFailed, "cannot drive " + describe() + (low ? " low: " : " high: ") +
                                                   errno_text(errno));
  }
  return {};
}

#else  // built without libgpiod

bool gpio_supported() noexcept { return false; }

util::Result<std::unique_ptr<GpioResetLine>> GpioResetLine::open(const std::string& chip_name, unsigned offset) {
  return util::make_error(Errc::OpenFailed, "reset line gpio:" + chip_name + ":" + std::to_string(offset) +
                                                " needs GPIO support, but apsecu was built without libgpiod "
                                                "(install libgpiod-dev and rebuild, or use a fifo: or none reset line)");
}

GpioResetLine::~GpioResetLine() = default;

util::Status GpioResetLine::set_low(bool /*low*/) {
  return util::make_error(Errc::WriteFailed, "GPIO support not built in");
}

#endif

}  // namespace apsecu::transport
