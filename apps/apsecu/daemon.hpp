// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The daemon's composition root: settings -> store -> radio (serial port or the built-in
// emulator) -> engine -> sinks; runs until SIGINT/SIGTERM and shuts down without losing a
// committed sample.

#include <memory>
#include <optional>
#include <string>

#include "apsecu/config/config.hpp"
#include "apsecu/emulator/config.hpp"
#include "apsecu/engine/radio.hpp"
#include "apsecu/util/clock.hpp"

namespace apsecu::app {

struct DaemonSetup {
  config::Config config;
  std::string config_path;  // pairing results and edits are saved here; "" = not saved
  std::shared_ptr<util::Clock> clock;
  std::optional<emulator::EmulatorConfig> emulator;  // the built-in emulator instead of a port
  bool pair_unpaired_at_start = false;               // the demo pairs its inverters itself
  engine::RadioTimings radio_timings;
  // Multiplies the host's waits (reset pulse, step and reply timeouts). Below 1 only with the
  // emulator, whose module answers faster than the real one when its timing is shortened.
  double host_timing_scale = 1.0;
  std::string http_listen;  // "" = no web interface
  bool allow_power_actions = false;  // the System page may reboot / shut the machine down
  std::optional<util::WallTime> stop_at;  // stop cleanly once the clock reaches this
};

// Returns the process exit status.
int run_daemon(DaemonSetup setup);

// The built-in emulator for a config whose radio.port is "emulator": the configured
// inverters (not yet paired) at the configured location.
[[nodiscard]] emulator::EmulatorConfig emulator_for(const config::Config& c, util::WallTime start, double speed);

}  // namespace apsecu::app
