// SPDX-License-Identifier: GPL-3.0-or-later
// create_archive: snapshot, hash, tar.gz, flush, rename. Nothing reaches the final name
// before every byte is on the disk.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>

#include "apsecu/config/load_save.hpp"
#include "apsecu/util/clock.hpp"
#include "archive_lib.hpp"
#include "files.hpp"
#include "manifest.hpp"
#include "sha256.hpp"

namespace apsecu::backup {
namespace {

using ArchivePtr = std::unique_ptr<archive, decltype(detail::ArchiveLib::write_free)>;
using EntryPtr = std::unique_ptr<archive_entry, decltype(detail::ArchiveLib::entry_free)>;

constexpr std::size_t kChunkBytes = 64 * 1024;

// Callers with a clock of their own (the daemon, whose demo runs on simulated time) pass
// the time; 0 means the system's.
std::int64_t now_s() { return util::unix_seconds(std::chrono::system_clock::now()); }

// libarchive keeps the errno of a failed write; a full disk must read as one.
util::Error archive_error(const detail::ArchiveLib& la, archive* a, const std::string& path) {
  const int err = la.error_number(a);
  if (err == ENOSPC || err == EDQUOT) return detail::io_error(err, "cannot write the backup", path);
  const char* text = la.error_string(a);
  return util::make_error(Errc::Io, fmt::format("cannot write the backup '{}': {}", path, text ? text : "unknown error"));
}

util::Result<std::string> hash_file(const std::string& path, std::int64_t& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return detail::io_error(errno, "cannot read", path);
  detail::Sha256 h;
  std::array<char, kChunkBytes> buf{};
  bytes = 0;
  while (in) {
    in.read(buf.data(), buf.size());
    const auto n = static_cast<std::size_t>(in.gcount());
    h.update(std::string_view(buf.data(), n));
    bytes += static_cast<std::int64_t>(n);
  }
  if (in.bad()) return detail::io_error(errno, "cannot read", path);
  return h.finish();
}

class Writer {
 public:
  Writer(const detail::ArchiveLib& la, int fd, std::string path, std::int64_t mtime_s)
      : la_(la), a_(la.write_new(), la.write_free), path_(std::move(path)), mtime_s_(mtime_s) {
    // pax (restricted): exact sizes of any magnitude, readable by every tar.
    ok_ = a_ && la.write_add_filter_gzip(a_.get()) == ARCHIVE_OK &&
          la.write_set_format_pax_restricted(a_.get()) == ARCHIVE_OK && la.write_open_fd(a_.get(), fd) == ARCHIVE_OK;
  }

  util::Status start() {
    if (!ok_) return a_ ? archive_error(la_, a_.get(), path_) : util::make_error(Errc::Io, "libarchive: out of memory");
    return {};
  }

  util::Status text(const char* name, std::string_view content) {
    if (auto st = header(name, static_cast<std::int64_t>(content.size())); !st) return st;
    if (la_.write_data(a_.get(), content.data(), content.size()) != static_cast<la_ssize_t>(content.size())) {
      return archive_error(la_, a_.get(), path_);
    }
    return {};
  }

  util::Status file(const char* name, const std::string& source, std::int64_t bytes) {
    if (auto st = header(name, bytes); !st) return st;
    std::ifstream in(source, std::ios::binary);
    if (!in) return detail::io_error(errno, "cannot read", source);
    std::array<char, kChunkBytes> buf{};
    std::int64_t done = 0;
    while (in) {
      in.read(buf.data(), buf.size());
      const auto n = static_cast<std::size_t>(in.gcount());
      if (n == 0) break;
      if (la_.write_data(a_.get(), buf.data(), n) != static_cast<la_ssize_t>(n)) return archive_error(la_, a_.get(), path_);
      done += static_cast<std::int64_t>(n);
    }
    if (in.bad() || done != bytes) {
      return util::make_error(Errc::Io, fmt::format("the snapshot '{}' changed while it was archived", source));
    }
    return {};
  }

  util::Status close() {
    if (la_.write_close(a_.get()) != ARCHIVE_OK) return archive_error(la_, a_.get(), path_);
    return {};
  }

 private:
  util::Status header(const char* name, std::int64_t size) {
    EntryPtr e(la_.entry_new(), la_.entry_free);
    if (!e) return util::make_error(Errc::Io, "libarchive: out of memory");
    la_.entry_set_pathname(e.get(), name);
    la_.entry_set_filetype(e.get(), AE_IFREG);
    la_.entry_set_perm(e.get(), 0600);
    la_.entry_set_size(e.get(), size);
    la_.entry_set_mtime(e.get(), static_cast<time_t>(mtime_s_), 0);
    if (la_.write_header(a_.get(), e.get()) != ARCHIVE_OK) return archive_error(la_, a_.get(), path_);
    return {};
  }

  const detail::ArchiveLib& la_;
  ArchivePtr a_;
  std::string path_;
  std::int64_t mtime_s_;
  bool ok_ = false;
};

util::Result<CreateReport> create(const std::string& out_path, const std::string& settings_text, store::Store& store,
                                  const CreateOptions& options) {
  namespace fs = std::filesystem;
  const fs::path out = fs::absolute(out_path);
  std::error_code ec;
  fs::create_directories(out.parent_path(), ec);
  if (ec) return util::make_error(Errc::Io, fmt::format("cannot create '{}': {}", out.parent_path().string(), ec.message()));

  // The snapshot: one read transaction of the live database, next to the archive.
  detail::TempFile snapshot;
  auto snap_fd = snapshot.create(out.string(), "snapshot-");
  if (!snap_fd) return snap_fd.error();
  ::close(*snap_fd);
  if (auto st = store.backup_to(snapshot.path()); !st) {
    if (st.error().code == store::Errc::DiskFull) return detail::io_error(ENOSPC, "cannot write the snapshot", snapshot.path());
    return st.error();
  }
  auto info = store::inspect_database(snapshot.path());
  if (!info) return util::make_error(Errc::DatabaseInvalid, "the snapshot fails its own check: " + info.error().describe());

  Manifest m;
  m.apsecu_version = options.apsecu_version;
  m.created_s = options.created_s != 0 ? options.created_s : now_s();
  m.schema_version = info->schema_version;
  m.inverters = info->inverters;
  m.samples = info->samples;
  m.first_day = info->first_day;
  m.last_day = info->last_day;
  m.files.push_back({kSettingsName, static_cast<std::int64_t>(settings_text.size()), detail::sha256_hex(settings_text)});
  std::int64_t db_bytes = 0;
  auto db_hash = hash_file(snapshot.path(), db_bytes);
  if (!db_hash) return db_hash.error();
  m.files.push_back({kDatabaseName, db_bytes, *db_hash});

  auto la = detail::archive_lib();
  if (!la) return la.error();
  detail::TempFile part;
  auto fd = part.create(out.string(), "part-");
  if (!fd) return fd.error();
  auto result = [&]() -> util::Status {
    Writer w(**la, *fd, out.string(), m.created_s);
    if (auto st = w.start(); !st) return st;
    // The manifest first: a reader learns the sizes before the big file arrives.
    if (auto st = w.text(kManifestName, detail::manifest_json(m)); !st) return st;
    if (auto st = w.text(kSettingsName, settings_text); !st) return st;
    if (auto st = w.file(kDatabaseName, snapshot.path(), db_bytes); !st) return st;
    if (auto st = w.close(); !st) return st;
    if (::fsync(*fd) != 0) return detail::io_error(errno, "cannot flush the backup", part.path());
    return {};
  }();
  const int close_rc = ::close(*fd);
  if (!result) return result.error();
  if (close_rc != 0) return detail::io_error(errno, "cannot finish the backup", part.path());
  if (::rename(part.path().c_str(), out.c_str()) != 0) return detail::io_error(errno, "cannot move the backup to", out);
  part.release();
  detail::sync_dir(out.parent_path());

  CreateReport report;
  report.path = out.string();
  report.archive_bytes = static_cast<std::int64_t>(fs::file_size(out, ec));
  report.manifest = std::move(m);
  return report;
}

}  // namespace

util::Result<CreateReport> create_archive(const std::string& out_path, const config::Config& settings,
                                          store::Store& store, const CreateOptions& options) {
  if (auto errors = config::validate(settings); !errors.empty()) {
    return util::make_error(Errc::SettingsInvalid,
                            "refusing to back up settings that would not restore: " + config::describe(errors));
  }
  return create(out_path, config::to_json(settings).dump(2) + "\n", store, options);
}

util::Result<CreateReport> create_archive(const std::string& out_path, const std::string& settings_path,
                                          store::Store& store, const CreateOptions& options) {
  // Loading validates: a backup whose settings would be refused at restore is no backup.
  auto loaded = config::load_file(settings_path);
  if (!loaded) return util::make_error(Errc::SettingsInvalid, loaded.error().describe());
  std::ifstream in(settings_path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return detail::io_error(errno, "cannot read", settings_path);
  return create(out_path, text.str(), store, options);
}

}  // namespace apsecu::backup
