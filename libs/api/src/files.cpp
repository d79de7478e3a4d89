// SPDX-License-Identifier: GPL-3.0-or-later
#include "files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "apsecu/api/errors.hpp"

namespace apsecu::api {

util::Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return util::make_error(Errc::Io, "cannot write " + tmp);
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < data.size()) {
    const auto n = ::write(fd, data.data() + done, data.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return util::make_error(Errc::Io, "cannot write " + path + " (disk full?)");
  }
  return {};
}

std::optional<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string out;
  out.resize(max_bytes + 1);
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  if (out.size() > max_bytes) return std::nullopt;
  return out;
}

std::string data_path(const std::string& data_dir, std::string_view name) {
  return (std::filesystem::path(data_dir) / name).string();
}

}  // namespace apsecu::api
