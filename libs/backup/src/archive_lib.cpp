// SPDX-License-Identifier: GPL-3.0-or-later
#include "archive_lib.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstring>
#include <mutex>
#include <optional>

#include "apsecu/backup/backup.hpp"

namespace apsecu::backup::detail {
namespace {

// The SONAME Debian ships since libarchive 3.0; the unversioned name is a fallback for a
// system that installs only that.
constexpr const char* kLibraryNames[] = {"libarchive.so.13", "libarchive.so"};

template <typename F>
void resolve(void* handle, const char* name, F& out, std::string& missing) {
  void* symbol = ::dlsym(handle, name);
  if (symbol == nullptr) {
    missing = name;
    return;
  }
  // POSIX guarantees a data pointer from dlsym converts to the function's pointer type.
  static_assert(sizeof(F) == sizeof(symbol));
  std::memcpy(&out, &symbol, sizeof(out));
}

util::Result<ArchiveLib> open_library() {
  void* handle = nullptr;
  std::string why;
  for (const char* name : kLibraryNames) {
    handle = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) break;
    if (const char* e = ::dlerror(); e != nullptr && why.empty()) why = e;
  }
  if (handle == nullptr) {
    return util::make_error(Errc::Io, fmt::format("backups need libarchive, which cannot be loaded ({}); install "
                                                  "the libarchive13 package",
                                                  why));
  }
  ArchiveLib lib{};
  std::string missing;
  const auto r = [&](const char* name, auto& field) {
    if (missing.empty()) resolve(handle, name, field, missing);
  };
  r("archive_read_new", lib.read_new);
  r("archive_read_free", lib.read_free);
  r("archive_read_support_filter_gzip", lib.read_support_filter_gzip);
  r("archive_read_support_format_tar", lib.read_support_format_tar);
  r("archive_read_open_filename", lib.read_open_filename);
  r("archive_read_next_header", lib.read_next_header);
  r("archive_read_data", lib.read_data);
  r("archive_write_new", lib.write_new);
  r("archive_write_free", lib.write_free);
  r("archive_write_add_filter_gzip", lib.write_add_filter_gzip);
  r("archive_write_set_format_pax_restricted", lib.write_set_format_pax_restricted);
  r("archive_write_open_fd", lib.write_open_fd);
  r("archive_write_header", lib.write_header);
  r("archive_write_data", lib.write_data);
  r("archive_write_close", lib.write_close);
  r("archive_errno", lib.error_number);
  r("archive_error_string", lib.error_string);
  r("archive_entry_new", lib.entry_new);
  r("archive_entry_free", lib.entry_free);
  r("archive_entry_pathname", lib.entry_pathname);
  r("archive_entry_hardlink", lib.entry_hardlink);
  r("archive_entry_symlink", lib.entry_symlink);
  r("archive_entry_filetype", lib.entry_filetype);
  r("archive_entry_size", lib.entry_size);
  r("archive_entry_size_is_set", lib.entry_size_is_set);
  r("archive_entry_set_pathname", lib.entry_set_pathname);
  r("archive_entry_set_filetype", lib.entry_set_filetype);
  r("archive_entry_set_perm", lib.entry_set_perm);
  r("archive_entry_set_size", lib.entry_set_size);
  r("archive_entry_set_mtime", lib.entry_set_mtime);
  if (!missing.empty()) {
    ::dlclose(handle);
    return util::make_error(Errc::Io, fmt::format("the libarchive found lacks {}: it is too old for backups", missing));
  }
  return lib;
}

}  // namespace

util::Result<const ArchiveLib*> archive_lib() {
  // Kept once loaded; after a failure the next backup tries again (the package may have
  // been installed since).
  static std::mutex mutex;
  static std::optional<ArchiveLib> loaded;
  std::lock_guard lock(mutex);
  if (!loaded) {
    auto lib = open_library();
    if (!lib) return lib.error();
    loaded = *lib;
  }
  return &*loaded;
}

}  // namespace apsecu::backup::detail
