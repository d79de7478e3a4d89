// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Backup archives (docs/backup.md): one .tar.gz holding manifest.json, apsecu.json (the
// settings) and apsecu.db (a consistent snapshot of the history store, taken with SQLite's
// online backup API while the daemon keeps writing).
//
// The seed's users had "backups that had to be restored the same day": restoring replaced
// the database, so everything recorded since the backup was lost. Here a restore validates
// the whole archive first, keeps the current data until the restored data is verified, and
// then MERGES the backup into the current database (store::Store::merge_from): a backup
// restored a week later keeps the week in between.

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "apsecu/config/config.hpp"
#include "apsecu/store/store.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::backup {

enum class Errc {
  Io = 1,           // a file could not be read or written
  NoSpace,          // the disk is full; nothing was left under the final name
  TooLarge,         // the archive, an entry or the total exceeds a limit
  Unsafe,           // a path outside the target, a link, a device, an unexpected file
  Malformed,        // not a gzip'd tar, truncated, or the manifest does not match the files
  TooNew,           // written by a newer apsecu (archive format)
  SettingsInvalid,  // the archived settings do not parse or validate
  DatabaseInvalid,  // the archived database fails the store's checks
};
[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

inline constexpr int kFormatVersion = 1;
inline constexpr const char* kManifestName = "manifest.json";
inline constexpr const char* kSettingsName = "apsecu.json";
inline constexpr const char* kDatabaseName = "apsecu.db";  // also the store's name in a data directory

// What a restore accepts. The defaults fit years of history of a large site (3 years x 9
// QS1 is ~190 MB of database) with room to spare, and stop a decompression bomb long
// before it fills an SD card.
struct Limits {
  std::int64_t archive_bytes = std::int64_t{1} << 30;   // the .tar.gz itself
  std::int64_t database_bytes = std::int64_t{2} << 30;  // apsecu.db, uncompressed
  std::int64_t settings_bytes = std::int64_t{1} << 20;
  std::int64_t manifest_bytes = std::int64_t{64} << 10;
  std::int64_t total_bytes = (std::int64_t{2} << 30) + (std::int64_t{2} << 20);
  int entries = 3;
};

struct FileEntry {
  std::string name;
  std::int64_t bytes = 0;
  std::string sha256;  // lower-case hex
  bool operator==(const FileEntry&) const = default;
};

struct Manifest {
  int format_version = kFormatVersion;
  std::string apsecu_version;
  std::int64_t created_s = 0;  // UTC unix seconds
  int schema_version = 0;      // of apsecu.db
  std::vector<FileEntry> files;
  // A summary of the database, for people choosing which backup to restore.
  std::int64_t inverters = 0;
  std::int64_t samples = 0;
  std::int32_t first_day = 0;
  std::int32_t last_day = 0;
};

struct CreateOptions {
  std::string apsecu_version = "unknown";
  std::int64_t created_s = 0;  // 0: now
};

struct CreateReport {
  std::string path;
  std::int64_t archive_bytes = 0;
  Manifest manifest;
};

// Writes the archive to a temporary name next to `out_path` and renames it into place only
// when complete and flushed: a full disk (Errc::NoSpace) or a crash never leaves a partial
// archive under the final name. The database snapshot is a consistent one even while
// another connection (the daemon) writes; its temporary copy goes next to `out_path` too.
[[nodiscard]] util::Result<CreateReport> create_archive(const std::string& out_path, const config::Config& settings,
                                                        store::Store& store, const CreateOptions& options = {});
// The same with the settings file as it is on disk; it must load and validate.
[[nodiscard]] util::Result<CreateReport> create_archive(const std::string& out_path,
                                                        const std::string& settings_path, store::Store& store,
                                                        const CreateOptions& options = {});

enum class SettingsPolicy : std::uint8_t {
  IfMissing,  // restore the settings only when there are none yet (default)
  Replace,    // replace them atomically; the old file is kept as <settings>.bak
  Keep,       // never touch them
};

struct RestoreOptions {
  SettingsPolicy settings = SettingsPolicy::IfMissing;
  Limits limits;
  std::string actor = "restore";  // for the audit trail
  std::int64_t now_s = 0;         // 0: now
};

enum class SettingsOutcome : std::uint8_t { Restored, Replaced, KeptExisting };

struct RestoreReport {
  Manifest manifest;
  store::MergeReport merge;
  SettingsOutcome settings = SettingsOutcome::KeptExisting;
  std::string settings_backup_path;  // Replaced: where the previous settings are
};

// Validates the whole archive before changing anything: size limits (archive, each entry,
// total uncompressed, entry count), only the three expected regular files (no absolute
// paths, `..`, links or devices), the manifest present and matching every file's size and
// SHA-256, the settings parsing and validating, the database passing the store's checks.
// The entries are extracted into a temporary directory inside `data_dir`, removed on every
// path. Then the database is merged into `data_dir`/apsecu.db (created if missing), and the
// settings are written to `settings_path` as the policy says, with storage.data_dir set to
// `data_dir` (the archive may come from a machine that kept its data elsewhere).
[[nodiscard]] util::Result<RestoreReport> restore_archive(const std::string& archive_path, const std::string& data_dir,
                                                          const std::string& settings_path,
                                                          const RestoreOptions& options = {});
// The same, merging into an open store (e.g. the daemon's own second connection).
[[nodiscard]] util::Result<RestoreReport> restore_archive(const std::string& archive_path, const std::string& data_dir,
                                                          const std::string& settings_path, store::Store& target,
                                                          const RestoreOptions& options = {});

// Every check of restore_archive, nothing changed (e.g. to vet an upload). Extracts into a
// temporary directory inside `scratch_dir` and removes it.
[[nodiscard]] util::Result<Manifest> verify_archive(const std::string& archive_path, const std::string& scratch_dir,
                                                    const Limits& limits = {});

// A few lines for people (CLI output, the HTTP API's reply).
[[nodiscard]] std::string describe(const CreateReport& report);
[[nodiscard]] std::string describe(const RestoreReport& report);

}  // namespace apsecu::backup

template <>
struct std::is_error_code_enum<apsecu::backup::Errc> : std::true_type {};
