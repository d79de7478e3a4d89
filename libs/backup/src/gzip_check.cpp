// SPDX-License-Identifier: GPL-3.0-or-later
#include "gzip_check.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>
#include <fmt/format.h>

#include <array>
#include <fstream>
#include <memory>

#include "apsecu/backup/backup.hpp"
#include "files.hpp"

namespace apsecu::backup::detail {
namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;
constexpr std::uint8_t kGzipMagic0 = 0x1F;
constexpr std::uint8_t kGzipMagic1 = 0x8B;

util::Error damaged(const std::string& path, const std::string& why) {
  return util::make_error(Errc::Malformed,
                          fmt::format("'{}' is not a complete .tar.gz archive (damaged or truncated?): {}", path, why));
}

std::uint32_t le32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// The first two bytes and the last eight (CRC-32 and length mod 2^32) of the file.
bool read_frame(const std::string& path, std::array<unsigned char, 2>& magic, std::array<unsigned char, 8>& trailer) {
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(magic.data()), static_cast<std::streamsize>(magic.size()))) return false;
  in.seekg(-static_cast<std::streamoff>(trailer.size()), std::ios::end);
  return static_cast<bool>(in.read(reinterpret_cast<char*>(trailer.data()), static_cast<std::streamsize>(trailer.size())));
}

}  // namespace

std::uint32_t crc32_update(std::uint32_t crc, const void* data, std::size_t size) noexcept {
  // zlib's CRC-32 is the one gzip writes in its trailer.
  return static_cast<std::uint32_t>(::crc32_z(crc, static_cast<const Bytef*>(data), size));
}

util::Status check_gzip(const std::string& path, std::int64_t max_unpacked_bytes) {
  std::array<unsigned char, 2> magic{};
  std::array<unsigned char, 8> trailer{};
  if (!read_frame(path, magic, trailer) || magic[0] != kGzipMagic0 || magic[1] != kGzipMagic1) {
    return damaged(path, "it is not gzip-compressed");
  }
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
  if (!a) return util::make_error(Errc::Io, "libarchive: out of memory");
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_raw(a.get());
  archive_entry* e = nullptr;
  if (archive_read_open_filename(a.get(), path.c_str(), kChunkBytes) != ARCHIVE_OK ||
      archive_read_next_header(a.get(), &e) != ARCHIVE_OK) {
    const char* why = archive_error_string(a.get());
    return damaged(path, why != nullptr ? why : "unreadable");
  }
  std::array<char, kChunkBytes> buf{};
  std::uint32_t crc = 0;
  std::int64_t total = 0;
  for (;;) {
    const la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
    if (n < 0) {
      const char* why = archive_error_string(a.get());
      return damaged(path, why != nullptr ? why : "unreadable");
    }
    if (n == 0) break;
    total += n;
    if (total > max_unpacked_bytes) {
      return util::make_error(Errc::TooLarge, fmt::format("refusing the archive: '{}' unpacks to more than {}", path,
                                                          human_size(max_unpacked_bytes)));
    }
    crc = crc32_update(crc, buf.data(), static_cast<std::size_t>(n));
  }
  // One gzip member (what apsecu and `tar czf` write): its trailer covers all of it.
  if (crc != le32(trailer.data()) || static_cast<std::uint32_t>(total) != le32(trailer.data() + 4)) {
    return damaged(path, "the gzip checksum does not match its content");
  }
  return {};
}

}  // namespace apsecu::backup::detail
