// SPDX-License-Identifier: GPL-3.0-or-later
// `apsecu run --config FILE`: the daemon with a real coordinator (or the built-in emulator
// when radio.port is "emulator").

#include <iostream>

#include "apsecu/config/load_save.hpp"
#include "apsecu/emulator/config.hpp"
#include "commands.hpp"
#include "daemon.hpp"

namespace apsecu::app {

Runner add_run_command(CLI::App& root) {
  struct Args {
    std::string config_path = "/etc/apsecu/apsecu.json";
    std::string http = "0.0.0.0:8080";
    std::string clock_start;  // simulated clock, for soak tests against `apsecu emulator`
    double clock_speed = 1.0;
    bool allow_power_actions = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = root.add_subcommand("run", "Run the ECU daemon: poll the inverters, keep history, serve the web pages");
  cmd->add_option("--config", args->config_path, "Settings file (docs/config.md)")->capture_default_str();
  cmd->add_option("--http", args->http, "Web interface address, or \"\" for none")->capture_default_str();
  cmd->add_option("--clock-start", args->clock_start,
                  "Run on a simulated clock from this UTC time (soak tests with `apsecu emulator --start`)");
  cmd->add_option("--clock-speed", args->clock_speed, "Simulated seconds per real second with --clock-start")
      ->check(CLI::Range(1.0, 100000.0));
  cmd->add_flag("--allow-power-actions", args->allow_power_actions,
                "Let the admin reboot or shut down the machine from the System page (runs systemctl)");

  return [args] {
    auto cfg = config::load_file(args->config_path);
    if (!cfg) {
      std::cerr << "run: " << cfg.error().describe() << '\n';
      return 2;
    }
    DaemonSetup setup;
    setup.config = std::move(*cfg);
    setup.config_path = args->config_path;
    if (args->clock_start.empty()) {
      setup.clock = std::make_shared<util::SystemClock>();
    } else {
      const auto start = emulator::parse_utc(args->clock_start);
      if (!start) {
        std::cerr << "run: --clock-start " << args->clock_start << " is not a UTC time like 2026-06-21T04:00Z\n";
        return 2;
      }
      setup.clock = std::make_shared<util::ScaledClock>(*start, args->clock_speed);
    }
    setup.http_listen = args->http;
    setup.allow_power_actions = args->allow_power_actions;
    if (setup.config.radio.port == "emulator") {
      setup.emulator = emulator_for(setup.config, setup.clock->now(), 1.0);
    }
    return run_daemon(std::move(setup));
  };
}

}  // namespace apsecu::app
