// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// File-system helpers for archives: temporary files and directories that clean up after
// themselves on every path, and errno turned into the backup error codes (a full disk is
// NoSpace, so the user is told to free space rather than to look for a bug).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "apsecu/backup/backup.hpp"

namespace apsecu::backup::detail {

// Errc::NoSpace for ENOSPC/EDQUOT, Errc::Io otherwise; the message names the file.
[[nodiscard]] util::Error io_error(int err, std::string_view what, const std::string& path);

// A directory made with mkdtemp inside `parent`, removed with its contents when destroyed.
class TempDir {
 public:
  TempDir() = default;
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  [[nodiscard]] static util::Result<TempDir> create(const std::filesystem::path& parent, std::string_view prefix);
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

// A file made with mkstemp next to its final name; removed unless released (renamed).
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();
  // Returns the open descriptor (mode 0600: backups hold the MQTT password).
  [[nodiscard]] util::Result<int> create(const std::string& near, std::string_view suffix);
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  void release() noexcept { path_.clear(); }

 private:
  std::string path_;
};

util::Status write_all(int fd, const void* data, std::size_t size, const std::string& path);
// Makes a rename in `dir` durable.
void sync_dir(const std::filesystem::path& dir) noexcept;
// "812 bytes", "19.8 kB", "190.3 MB": sizes in messages for people.
[[nodiscard]] std::string human_size(std::int64_t bytes);
// Free bytes for an unprivileged writer; -1 when unknown.
[[nodiscard]] std::int64_t free_bytes(const std::filesystem::path& dir) noexcept;

}  // namespace apsecu::backup::detail
