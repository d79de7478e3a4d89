// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The byte pipe to the coordinator and its reset line: a serial port or TCP with a reset
// spec, or the built-in emulator (started here, stopped when the link goes away).

#include <memory>
#include <optional>
#include <string>

#include "apsecu/emulator/emulator.hpp"
#include "apsecu/transport/transport.hpp"
#include "apsecu/util/clock.hpp"

namespace apsecu::app {

struct RadioLink {
  std::unique_ptr<emulator::Emulator> emulator;  // declared first: destroyed after the transport
  std::unique_ptr<transport::Transport> transport;
  std::unique_ptr<transport::ResetLine> reset;

  RadioLink() = default;
  RadioLink(RadioLink&&) noexcept = default;
  RadioLink& operator=(RadioLink&&) noexcept = default;
  ~RadioLink();
};

// `port`/`reset` as in the settings ("/dev/serial0", "tcp:host:port"; "none", "gpio:..",
// "fifo:.."); with `emu` the emulator is used instead and the specs are ignored.
[[nodiscard]] util::Result<RadioLink> open_radio(const std::string& port, const std::string& reset,
                                                 const std::optional<emulator::EmulatorConfig>& emu,
                                                 const util::Clock& clock);

}  // namespace apsecu::app
