// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// libarchive, opened the first time a backup is written or read rather than at start.
//
// Linked the usual way it brings nine libraries into every apsecu process (ICU, libxml2,
// nettle, four compressors), whose relocations alone cost the daemon 1.5 MiB of resident
// memory, for a feature used once a day. Opened here, the daemon pays only when a backup
// or restore actually runs. The headers and types are libarchive's own; only the calls go
// through this table.

#include <archive.h>
#include <archive_entry.h>

#include "apsecu/util/result.hpp"

namespace apsecu::backup::detail {

struct ArchiveLib {
  decltype(&::archive_read_new) read_new;
  decltype(&::archive_read_free) read_free;
  decltype(&::archive_read_support_filter_gzip) read_support_filter_gzip;
  decltype(&::archive_read_support_format_tar) read_support_format_tar;
  decltype(&::archive_read_open_filename) read_open_filename;
  decltype(&::archive_read_next_header) read_next_header;
  decltype(&::archive_read_data) read_data;
  decltype(&::archive_write_new) write_new;
  decltype(&::archive_write_free) write_free;
  decltype(&::archive_write_add_filter_gzip) write_add_filter_gzip;
  decltype(&::archive_write_set_format_pax_restricted) write_set_format_pax_restricted;
  decltype(&::archive_write_open_fd) write_open_fd;
  decltype(&::archive_write_header) write_header;
  decltype(&::archive_write_data) write_data;
  decltype(&::archive_write_close) write_close;
  decltype(&::archive_errno) error_number;
  decltype(&::archive_error_string) error_string;
  decltype(&::archive_entry_new) entry_new;
  decltype(&::archive_entry_free) entry_free;
  decltype(&::archive_entry_pathname) entry_pathname;
  decltype(&::archive_entry_hardlink) entry_hardlink;
  decltype(&::archive_entry_symlink) entry_symlink;
  decltype(&::archive_entry_filetype) entry_filetype;
  decltype(&::archive_entry_size) entry_size;
  decltype(&::archive_entry_size_is_set) entry_size_is_set;
  decltype(&::archive_entry_set_pathname) entry_set_pathname;
  decltype(&::archive_entry_set_filetype) entry_set_filetype;
  decltype(&::archive_entry_set_perm) entry_set_perm;
  decltype(&::archive_entry_set_size) entry_set_size;
  decltype(&::archive_entry_set_mtime) entry_set_mtime;
};

// Opens libarchive once per process (a dlopen handle is process-wide anyway) and stays
// open. An Errc::Io error says which library is missing and how to get it.
[[nodiscard]] util::Result<const ArchiveLib*> archive_lib();

}  // namespace apsecu::backup::detail
