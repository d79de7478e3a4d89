// SPDX-License-Identifier: GPL-3.0-or-later
#include "gzip_check.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <array>
#include <fstream>
#include <memory>
#include <string_view>

#include "apsecu/backup/backup.hpp"
#include "files.hpp"

namespace apsecu::backup::detail {
namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;
constexpr unsigned char kGzipMagic0 = 0x1F;
constexpr unsigned char kGzipMagic1 = 0x8B;

util::Error damaged(const std::string& path, std::string_view why) {
  return util::make_error(Errc::Malformed,
                          fmt::format("'{}' is not a complete .tar.gz archive (damaged or truncated?): {}", path, why));
}

// zlib would read anything else as plain data ("transparent" mode) rather than fail.
bool starts_like_gzip(const std::string& path) {
  std::array<char, 2> magic{};
  std::ifstream in(path, std::ios::binary);
  return in.read(magic.data(), magic.size()) && static_cast<unsigned char>(magic[0]) == kGzipMagic0 &&
         static_cast<unsigned char>(magic[1]) == kGzipMagic1;
}

// gzerror's text, in words for a person and without the path it starts with.
util::Error zlib_error(gzFile gz, const std::string& path) {
  int code = Z_OK;
  std::string_view why = ::gzerror(gz, &code);
  if (const auto prefix = path + ": "; why.starts_with(prefix)) why.remove_prefix(prefix.size());
  if (why == "incorrect data check" || why == "incorrect length check") {
    return damaged(path, "the gzip checksum does not match its content");
  }
  if (code == Z_BUF_ERROR) return damaged(path, "it ends in the middle of the compressed data");
  return damaged(path, why.empty() ? "unreadable" : why);
}

}  // namespace

util::Status check_gzip(const std::string& path, std::int64_t max_unpacked_bytes) {
  if (!starts_like_gzip(path)) return damaged(path, "it is not gzip-compressed");
  std::unique_ptr<gzFile_s, decltype(&::gzclose)> gz(::gzopen(path.c_str(), "rb"), &::gzclose);
  if (!gz) return damaged(path, "it cannot be opened");
  ::gzbuffer(gz.get(), kChunkBytes);
  std::array<char, kChunkBytes> buf{};
  std::int64_t total = 0;
  for (;;) {
    const int n = ::gzread(gz.get(), buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) return zlib_error(gz.get(), path);
    if (n == 0) break;
    total += n;
    if (total > max_unpacked_bytes) {
      return util::make_error(Errc::TooLarge, fmt::format("refusing the archive: '{}' unpacks to more than {}", path,
                                                          human_size(max_unpacked_bytes)));
    }
  }
  // A cut-off stream reads to its end like a whole one; zlib keeps the reason.
  int code = Z_OK;
  ::gzerror(gz.get(), &code);
  if (code != Z_OK) return zlib_error(gz.get(), path);
  return {};
}

}  // namespace apsecu::backup::detail
