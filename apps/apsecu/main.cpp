// SPDX-License-Identifier: GPL-3.0-or-later
// apsecu: one program, one subcommand per task. This file is the composition root: it
// parses the command line and hands over to the selected subcommand.

#include <string>
#include <utility>
#include <vector>

#include "apsecu/util/log.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App root{"apsecu: a local ECU for APsystems YC600, QS1 and DS3 micro-inverters"};
  root.require_subcommand(1);
  root.set_version_flag("--version", APSECU_VERSION);
  std::string log_level = "info";
  root.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")->capture_default_str();

  std::vector<std::pair<CLI::App*, apsecu::app::Runner>> commands;
  auto add = [&](apsecu::app::Runner (*registrar)(CLI::App&)) {
    const auto before = root.get_subcommands({}).size();
    auto runner = registrar(root);
    commands.emplace_back(root.get_subcommands({}).at(before), std::move(runner));
  };
  add(apsecu::app::add_run_command);
  add(apsecu::app::add_demo_command);
  add(apsecu::app::add_decode_command);
  add(apsecu::app::add_console_command);
  add(apsecu::app::add_emulator_command);
  add(apsecu::app::add_backup_command);
  add(apsecu::app::add_restore_command);
  add(apsecu::app::add_export_command);

  CLI11_PARSE(root, argc, argv);
  apsecu::util::set_log_level(log_level);
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) return run();
  }
  return 1;
}
