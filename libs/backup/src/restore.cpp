// SPDX-License-Identifier: GPL-3.0-or-later
// restore_archive: everything is checked before anything changes. The archive is read
// entry by entry with libarchive, but nothing in it decides where a byte goes: only three
// fixed names are accepted, each written by us into a fresh temporary directory with
// O_EXCL | O_NOFOLLOW. That is stricter than ARCHIVE_EXTRACT_SECURE_SYMLINKS |
// SECURE_NODOTDOT | SECURE_NOABSOLUTEPATHS, which would still create links, directories
// and devices that merely stay inside the target.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <map>
#include <memory>

#include "apsecu/config/load_save.hpp"
#include "apsecu/util/clock.hpp"
#include "archive_lib.hpp"
#include "files.hpp"
#include "gzip_check.hpp"
#include "manifest.hpp"
#include "sha256.hpp"

namespace apsecu::backup {
namespace {

namespace fs = std::filesystem;
using ReadPtr = std::unique_ptr<archive, decltype(detail::ArchiveLib::read_free)>;

constexpr std::size_t kChunkBytes = 64 * 1024;

struct Extracted {
  detail::TempDir dir;
  Manifest manifest;
  config::Config settings;
  std::string db_path;
};

struct Seen {
  std::int64_t bytes = 0;
  std::string sha256;
};

std::string mb(std::int64_t bytes) { return detail::human_size(bytes); }

util::Error unsafe(const std::string& what) {
  return util::make_error(Errc::Unsafe, fmt::format("refusing the archive: {}", what));
}

bool leaves_target(const std::string& name) {
  for (const auto& part : fs::path(name)) {
    if (part == "..") return true;
  }
  return false;
}

class Extractor {
 public:
  Extractor(const detail::ArchiveLib& la, const std::string& archive_path, const fs::path& dir, const Limits& limits)
      : la_(la), a_(la.read_new(), la.read_free), archive_path_(archive_path), dir_(dir), limits_(limits) {}

  util::Status run() {
    if (!a_) return util::make_error(Errc::Io, "libarchive: out of memory");
    la_.read_support_filter_gzip(a_.get());
    la_.read_support_format_tar(a_.get());
    if (la_.read_open_filename(a_.get(), archive_path_.c_str(), kChunkBytes) != ARCHIVE_OK) return damaged();
    for (;;) {
      archive_entry* e = nullptr;
      const int r = la_.read_next_header(a_.get(), &e);
      if (r == ARCHIVE_EOF) return {};
      if (r < ARCHIVE_WARN) return damaged();
      const char* raw = la_.entry_pathname(e);
      const std::string name = raw != nullptr ? raw : "";
      // Names first: an unexpected or repeated entry is the clearer reason. The count can
      // then only be exceeded by a caller's stricter limit.
      if (auto st = check(e, name); !st) return st;
      if (++entries_ > limits_.entries) {
        return util::make_error(Errc::TooLarge, fmt::format("refusing the archive: more than {} entries", limits_.entries));
      }
      if (auto st = copy(e, name); !st) return st;
    }
  }

  std::map<std::string, Seen> seen;
  std::string manifest_text;
  std::string settings_text;
  std::optional<Manifest> manifest;

 private:
  util::Error damaged() {
    const char* why = la_.error_string(a_.get());
    return util::make_error(Errc::Malformed, fmt::format("'{}' is not a complete .tar.gz archive (damaged or "
                                                         "truncated?): {}",
                                                         archive_path_, why != nullptr ? why : "unreadable"));
  }

  std::int64_t limit_for(const std::string& name) const {
    if (name == kManifestName) return limits_.manifest_bytes;
    if (name == kSettingsName) return limits_.settings_bytes;
    return limits_.database_bytes;
  }

  util::Status check(archive_entry* e, const std::string& name) {
    if (name.empty()) return unsafe("an entry has no name");
    if (name.front() == '/') return unsafe(fmt::format("'{}' is an absolute path", name));
    if (leaves_target(name)) return unsafe(fmt::format("'{}' points outside the target directory", name));
    if (la_.entry_hardlink(e) != nullptr) return unsafe(fmt::format("'{}' is a hard link", name));
    const auto type = la_.entry_filetype(e);
    if (type == AE_IFLNK) {
      const char* to = la_.entry_symlink(e);
      return unsafe(fmt::format("'{}' is a symbolic link (to '{}')", name, to != nullptr ? to : ""));
    }
    if (type == AE_IFDIR) return unsafe(fmt::format("'{}' is a directory", name));
    if (type != AE_IFREG) return unsafe(fmt::format("'{}' is a device or another special file", name));
    if (name != kManifestName && name != kSettingsName && name != kDatabaseName) {
      return unsafe(fmt::format("unexpected file '{}'; an apsecu backup holds only {}, {} and {}", name, kManifestName,
                                kSettingsName, kDatabaseName));
    }
    if (seen.contains(name)) return unsafe(fmt::format("'{}' appears twice", name));
    if (la_.entry_size_is_set(e) != 0 && la_.entry_size(e) > limit_for(name)) {
      return too_large(name, la_.entry_size(e));
    }
    return {};
  }

  util::Error too_large(const std::string& name, std::int64_t bytes) const {
    return util::make_error(Errc::TooLarge, fmt::format("refusing the archive: '{}' is {} or more, the limit is {}", name,
                                                        mb(bytes), mb(limit_for(name))));
  }

  util::Status copy(archive_entry* /*e*/, const std::string& name) {
    const std::string out = (dir_ / name).string();  // one of three fixed names
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return detail::io_error(errno, "cannot create", out);
    auto st = stream(fd, name, out);
    if (::close(fd) != 0 && st) st = detail::io_error(errno, "cannot write", out);
    if (!st) return st;
    if (name == kManifestName) return read_manifest();
    return {};
  }

  util::Status stream(int fd, const std::string& name, const std::string& out) {
    const bool keep = name != kDatabaseName;
    detail::Sha256 hash;
    std::array<char, kChunkBytes> buf{};
    std::int64_t bytes = 0;
    for (;;) {
      const la_ssize_t n = la_.read_data(a_.get(), buf.data(), buf.size());
      if (n < 0) return damaged();
      if (n == 0) break;
      const auto size = static_cast<std::size_t>(n);
      bytes += n;
      total_ += n;
      if (bytes > limit_for(name)) return too_large(name, bytes);
      if (total_ > limits_.total_bytes) {
        return util::make_error(Errc::TooLarge, fmt::format("refusing the archive: it unpacks to more than {}",
                                                            mb(limits_.total_bytes)));
      }
      hash.update(std::string_view(buf.data(), size));
      if (keep) (name == kManifestName ? manifest_text : settings_text).append(buf.data(), size);
      if (auto st = detail::write_all(fd, buf.data(), size, out); !st) return st;
    }
    seen[name] = {bytes, hash.finish()};
    return {};
  }

  // Read as soon as it arrives (first, in our archives): the sizes it lists tell whether
  // the rest fits on the disk before the big file is unpacked.
  util::Status read_manifest() {
    auto m = detail::parse_manifest(manifest_text);
    if (!m) return m.error();
    std::int64_t need = 0;
    for (const auto& f : m->files) need += f.bytes;
    const std::int64_t free = detail::free_bytes(dir_);
    if (free >= 0 && need > free) {
      return util::make_error(Errc::NoSpace, fmt::format("unpacking the backup needs {} in '{}', only {} are free", mb(need),
                                                         dir_.parent_path().string(), mb(free)));
    }
    manifest = std::move(*m);
    return {};
  }

  const detail::ArchiveLib& la_;
  ReadPtr a_;
  std::string archive_path_;
  fs::path dir_;
  const Limits& limits_;
  int entries_ = 0;
  std::int64_t total_ = 0;
};

util::Error malformed(const std::string& message) { return util::make_error(Errc::Malformed, message); }

// Every file listed, every file present, sizes and digests equal.
util::Status check_manifest(const Manifest& m, const std::map<std::string, Seen>& seen, const std::string& archive) {
  for (const char* required : {kManifestName, kSettingsName, kDatabaseName}) {
    if (!seen.contains(required)) {
      return malformed(fmt::format("'{}' has no {}: it is not an apsecu backup, or it is incomplete", archive, required));
    }
  }
  std::map<std::string, const FileEntry*> listed;
  for (const auto& f : m.files) {
    if (f.name != kSettingsName && f.name != kDatabaseName) {
      return malformed(fmt::format("the manifest of '{}' lists an unexpected file '{}'", archive, f.name));
    }
    listed[f.name] = &f;
  }
  for (const auto& [name, got] : seen) {
    if (name == kManifestName) continue;
    const auto it = listed.find(name);
    if (it == listed.end()) return malformed(fmt::format("the manifest of '{}' does not list {}", archive, name));
    if (it->second->bytes != got.bytes || it->second->sha256 != got.sha256) {
      return malformed(fmt::format("{} in '{}' does not match its manifest ({} bytes, SHA-256 {}; expected {} bytes, "
                                   "{}): the archive is damaged",
                                   name, archive, got.bytes, got.sha256, it->second->bytes, it->second->sha256));
    }
  }
  return {};
}

util::Result<config::Config> parse_settings(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return util::make_error(Errc::SettingsInvalid, "the archived settings are not valid JSON");
  auto loaded = config::from_json(j);
  if (auto* errors = std::get_if<std::vector<config::FieldError>>(&loaded)) {
    return util::make_error(Errc::SettingsInvalid, "the archived settings are invalid: " + config::describe(*errors));
  }
  return std::get<config::Config>(std::move(loaded));
}

util::Error database_error(const util::Error& e) {
  if (e.code == store::Errc::SchemaTooNew) {
    return util::make_error(Errc::TooNew, "the archived database comes from a newer apsecu: " + e.describe());
  }
  if (e.code == store::Errc::DiskFull) return util::make_error(Errc::NoSpace, e.describe());
  if (e.code == store::Errc::Corrupt || e.code == store::Errc::NotApsecuFile || e.code == store::Errc::InvalidArgument) {
    return util::make_error(Errc::DatabaseInvalid, "the archived database cannot be used: " + e.describe());
  }
  return e;  // busy, I/O: the store's own error says what to do
}

util::Result<Extracted> extract(const std::string& archive_path, const fs::path& scratch, const Limits& limits,
                                bool full_database_check) {
  std::error_code ec;
  const auto status = fs::status(archive_path, ec);
  if (!fs::exists(status)) return util::make_error(Errc::Io, fmt::format("the archive '{}' does not exist", archive_path));
  if (!fs::is_regular_file(status)) {
    return util::make_error(Errc::Io, fmt::format("the archive '{}' is not a regular file", archive_path));
  }
  const auto size = static_cast<std::int64_t>(fs::file_size(archive_path, ec));
  if (size > limits.archive_bytes) {
    return util::make_error(Errc::TooLarge, fmt::format("refusing the archive: '{}' is {}, the limit is {}", archive_path,
                                                        mb(size), mb(limits.archive_bytes)));
  }
  // Tar adds a 512-byte header per entry (pax: two) and pads to 10 KiB records.
  constexpr std::int64_t kTarOverheadBytes = 64 * 1024;
  if (auto st = detail::check_gzip(archive_path, limits.total_bytes + kTarOverheadBytes); !st) return st.error();
  fs::create_directories(scratch, ec);
  auto dir = detail::TempDir::create(scratch, ".restore-");
  if (!dir) return dir.error();

  auto la = detail::archive_lib();
  if (!la) return la.error();
  Extractor x(**la, archive_path, dir->path(), limits);
  if (auto st = x.run(); !st) return st.error();
  if (!x.manifest) {
    return malformed(fmt::format("'{}' has no {}: it is not an apsecu backup", archive_path, kManifestName));
  }
  if (auto st = check_manifest(*x.manifest, x.seen, archive_path); !st) return st.error();
  auto settings = parse_settings(x.settings_text);
  if (!settings) return settings.error();
  Extracted out{std::move(*dir), std::move(*x.manifest), std::move(*settings), {}};
  out.db_path = (out.dir.path() / kDatabaseName).string();
  auto info = store::inspect_database(out.db_path, {.check_integrity = full_database_check});
  if (!info) return database_error(info.error());
  if (info->schema_version != out.manifest.schema_version) {
    return malformed(fmt::format("the manifest of '{}' says schema version {}, its database has {}", archive_path,
                                 out.manifest.schema_version, info->schema_version));
  }
  return out;
}

// The previous settings stay as <path>.bak, itself replaced atomically.
util::Status keep_copy(const std::string& path, const std::string& bak) {
  const std::string tmp = bak + ".tmp";
  std::error_code ec;
  fs::copy_file(path, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) return util::make_error(Errc::Io, fmt::format("cannot keep a copy of '{}': {}", path, ec.message()));
  fs::rename(tmp, bak, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return util::make_error(Errc::Io, fmt::format("cannot keep a copy of '{}' as '{}'", path, bak));
  }
  return {};
}

util::Status apply_settings(const Extracted& x, const std::string& data_dir, const std::string& path,
                            SettingsPolicy policy, RestoreReport& report) {
  const bool exists = fs::exists(path);
  if (policy == SettingsPolicy::Keep || (exists && policy == SettingsPolicy::IfMissing)) {
    report.settings = SettingsOutcome::KeptExisting;
    return {};
  }
  config::Config c = x.settings;
  // The daemon finds the history through this field; the archive may come from a machine
  // that kept it elsewhere.
  c.storage.data_dir = fs::absolute(data_dir).lexically_normal().string();
  if (exists) {
    report.settings_backup_path = path + ".bak";
    if (auto st = keep_copy(path, report.settings_backup_path); !st) return st;
  }
  if (auto st = config::save_file(path, c); !st) {
    return util::make_error(Errc::Io, "the history was merged, but the settings could not be written: " +
                                          st.error().describe());
  }
  report.settings = exists ? SettingsOutcome::Replaced : SettingsOutcome::Restored;
  return {};
}

// Callers with a clock of their own (the daemon, whose demo runs on simulated time) pass
// the time; 0 means the system's.
std::int64_t now_s() { return util::unix_seconds(std::chrono::system_clock::now()); }

util::Result<RestoreReport> merge_and_apply(Extracted& x, const std::string& archive_path, const std::string& data_dir,
                                            const std::string& settings_path, store::Store& target,
                                            const RestoreOptions& options) {
  RestoreReport report;
  report.manifest = x.manifest;
  const store::AuditNote note{options.now_s != 0 ? options.now_s : now_s(), options.actor,
                              fmt::format("restore of {} (backup of {})", fs::path(archive_path).filename().string(),
                                          detail::utc_text(x.manifest.created_s))};
  auto merged = target.merge_from(x.db_path, note);
  if (!merged) return database_error(merged.error());
  report.merge = *merged;
  if (auto st = apply_settings(x, data_dir, settings_path, options.settings, report); !st) return st.error();
  return report;
}

}  // namespace

// The full integrity check of the archived database runs once, in merge_from, before it
// changes anything.
util::Result<RestoreReport> restore_archive(const std::string& archive_path, const std::string& data_dir,
                                            const std::string& settings_path, store::Store& target,
                                            const RestoreOptions& options) {
  auto x = extract(archive_path, data_dir, options.limits, false);
  if (!x) return x.error();
  return merge_and_apply(*x, archive_path, data_dir, settings_path, target, options);
}

util::Result<RestoreReport> restore_archive(const std::string& archive_path, const std::string& data_dir,
                                            const std::string& settings_path, const RestoreOptions& options) {
  auto x = extract(archive_path, data_dir, options.limits, false);  // before the store is even opened
  if (!x) return x.error();
  auto target = store::Store::open((fs::path(data_dir) / kDatabaseName).string());
  if (!target) return target.error();
  return merge_and_apply(*x, archive_path, data_dir, settings_path, *target, options);
}

util::Result<Manifest> verify_archive(const std::string& archive_path, const std::string& scratch_dir,
                                      const Limits& limits) {
  auto x = extract(archive_path, scratch_dir, limits, true);
  if (!x) return x.error();
  return x->manifest;
}

}  // namespace apsecu::backup
