// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A first pass over an archive before any entry is looked at: the whole gzip stream must
// inflate, each member's CRC-32 and length must match its trailer, and what it unpacks to
// must stay under the limit. libarchive does not check the trailer, and a corrupted
// deflate stream can inflate to garbage that then looks like odd tar entries; this pass
// (zlib's, which does check it) makes such damage read as damage ("the gzip checksum does
// not match"), and stops a decompression bomb before a byte is written.

#include <cstdint>
#include <string>

#include "apsecu/util/result.hpp"

namespace apsecu::backup::detail {

// Errc::Malformed (damaged, truncated, not gzip) or Errc::TooLarge (unpacks to more than
// `max_unpacked_bytes`).
[[nodiscard]] util::Status check_gzip(const std::string& path, std::int64_t max_unpacked_bytes);

}  // namespace apsecu::backup::detail
