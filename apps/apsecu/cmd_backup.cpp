// SPDX-License-Identifier: GPL-3.0-or-later
// `apsecu backup` and `apsecu restore` (docs/backup.md). Both work beside a running daemon:
// the backup reads one consistent snapshot through SQLite's online backup API, and the
// restore merges inside one transaction that the daemon's writes simply wait for.

#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>

#include "apsecu/backup/backup.hpp"
#include "apsecu/store/store.hpp"
#include "commands.hpp"

namespace apsecu::app {
namespace {

namespace fs = std::filesystem;

struct BackupArgs {
  std::string data_dir;
  std::string config_path;  // default DIR/apsecu.json
  std::string out;          // default DIR/backups/apsecu-YYYYMMDD-HHMMSS.tar.gz
};

struct RestoreArgs {
  std::string data_dir;
  std::string config_path;
  bool replace_settings = false;
  std::string archive;
};

std::string settings_path(const std::string& data_dir, const std::string& given) {
  return given.empty() ? (fs::path(data_dir) / "apsecu.json").string() : given;
}

// Local time: the name a person looks for in the backups directory.
std::string default_out(const std::string& data_dir) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  return (fs::path(data_dir) / "backups" / (std::string("apsecu-") + stamp + ".tar.gz")).string();
}

int run_backup(const BackupArgs& args) {
  const auto db_path = fs::path(args.data_dir) / backup::kDatabaseName;
  if (!fs::exists(db_path)) {
    std::cerr << "backup: no history in " << args.data_dir << " (" << db_path.string() << " does not exist)\n";
    return 1;
  }
  // Read-only: a backup never creates, migrates or writes the live database.
  auto store = store::Store::open(db_path.string(), {.read_only = true});
  if (!store) {
    std::cerr << "backup: " << store.error().describe() << '\n';
    return 1;
  }
  const auto out = args.out.empty() ? default_out(args.data_dir) : args.out;
  auto report = backup::create_archive(out, settings_path(args.data_dir, args.config_path), *store,
                                       {.apsecu_version = APSECU_VERSION, .created_s = 0});
  if (!report) {
    std::cerr << "backup: " << report.error().describe() << '\n';
    return 1;
  }
  std::cout << backup::describe(*report);
  return 0;
}

int run_restore(const RestoreArgs& args) {
  backup::RestoreOptions options;
  options.settings = args.replace_settings ? backup::SettingsPolicy::Replace : backup::SettingsPolicy::IfMissing;
  options.actor = "cli";
  auto report = backup::restore_archive(args.archive, args.data_dir, settings_path(args.data_dir, args.config_path),
                                        options);
  if (!report) {
    std::cerr << "restore: " << report.error().describe() << "\nrestore: nothing was changed\n";
    return 1;
  }
  std::cout << backup::describe(*report);
  if (report->settings == backup::SettingsOutcome::KeptExisting) {
    std::cout << "(use --replace-settings to use the archive's settings instead)\n";
  } else {
    std::cout << "(a running apsecu uses the new settings after a restart)\n";
  }
  return 0;
}

}  // namespace

Runner add_backup_command(CLI::App& root) {
  auto args = std::make_shared<BackupArgs>();
  auto* cmd = root.add_subcommand("backup", "Write one archive with the settings and a consistent database snapshot");
  cmd->add_option("--data", args->data_dir, "The data directory (holds apsecu.db)")->required();
  cmd->add_option("--config", args->config_path, "The settings file (default: DIR/apsecu.json)");
  cmd->add_option("--out", args->out, "The archive to write (default: DIR/backups/apsecu-YYYYMMDD-HHMMSS.tar.gz)");
  return [args] { return run_backup(*args); };
}

Runner add_restore_command(CLI::App& root) {
  auto args = std::make_shared<RestoreArgs>();
  auto* cmd = root.add_subcommand(
      "restore", "Validate an archive, then merge its history into DIR (nothing recorded since is lost)");
  cmd->add_option("--data", args->data_dir, "The data directory to restore into")->required();
  cmd->add_option("--config", args->config_path, "The settings file (default: DIR/apsecu.json)");
  cmd->add_flag("--replace-settings", args->replace_settings,
                "Replace the current settings with the archive's (the old file is kept as .bak); by default they "
                "are restored only when there are none");
  cmd->add_option("archive", args->archive, "The .tar.gz written by `apsecu backup`")->required();
  return [args] { return run_restore(*args); };
}

}  // namespace apsecu::app
