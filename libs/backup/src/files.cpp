// SPDX-License-Identifier: GPL-3.0-or-later
#include "files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace apsecu::backup::detail {

util::Error io_error(int err, std::string_view what, const std::string& path) {
  if (err == ENOSPC || err == EDQUOT) {
    return util::make_error(Errc::NoSpace,
                            fmt::format("{} '{}': the disk is full ({}); free some space and try again", what, path,
                                        std::strerror(err)));
  }
  return util::make_error(Errc::Io, fmt::format("{} '{}': {}", what, path, std::strerror(err)));
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

util::Result<TempDir> TempDir::create(const std::filesystem::path& parent, std::string_view prefix) {
  std::string tmpl = (parent / fmt::format("{}XXXXXX", prefix)).string();
  if (::mkdtemp(tmpl.data()) == nullptr) return io_error(errno, "cannot create a temporary directory in", parent.string());
  TempDir d;
  d.path_ = tmpl;
  return d;
}

TempFile::~TempFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

util::Result<int> TempFile::create(const std::string& near, std::string_view suffix) {
  std::string tmpl = fmt::format("{}.{}XXXXXX", near, suffix);
  const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return io_error(errno, "cannot create", tmpl);
  path_ = tmpl;
  return fd;
}

util::Status write_all(int fd, const void* data, std::size_t size, const std::string& path) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const auto n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(errno, "cannot write", path);
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

void sync_dir(const std::filesystem::path& dir) noexcept {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

std::string human_size(std::int64_t bytes) {
  const auto b = static_cast<double>(bytes);
  if (bytes < 1000) return fmt::format("{} bytes", bytes);
  if (bytes < 1'000'000) return fmt::format("{:.1f} kB", b / 1e3);
  if (bytes < 1'000'000'000) return fmt::format("{:.1f} MB", b / 1e6);
  return fmt::format("{:.2f} GB", b / 1e9);
}

std::int64_t free_bytes(const std::filesystem::path& dir) noexcept {
  struct statvfs s {};
  if (::statvfs(dir.c_str(), &s) != 0) return -1;
  return static_cast<std::int64_t>(s.f_bavail) * static_cast<std::int64_t>(s.f_frsize);
}

}  // namespace apsecu::backup::detail
