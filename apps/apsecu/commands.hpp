// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Each subcommand registers itself on the root CLI::App and returns the function that runs
// it when the user selected it. The returned int is the process exit status.

#include <functional>

#include <CLI/CLI.hpp>

namespace apsecu::app {

using Runner = std::function<int()>;

Runner add_decode_command(CLI::App& root);
Runner add_console_command(CLI::App& root);
Runner add_emulator_command(CLI::App& root);
Runner add_run_command(CLI::App& root);
Runner add_demo_command(CLI::App& root);
Runner add_backup_command(CLI::App& root);
Runner add_restore_command(CLI::App& root);
Runner add_export_command(CLI::App& root);

}  // namespace apsecu::app
