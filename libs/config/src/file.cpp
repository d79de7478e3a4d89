// SPDX-License-Identifier: GPL-3.0-or-later
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "apsecu/config/load_save.hpp"

namespace apsecu::config {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "config"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::Unreadable: return "settings file cannot be read";
      case Errc::NotJson: return "settings file is not valid JSON";
      case Errc::Invalid: return "settings are invalid";
      case Errc::TooNew: return "settings file is from a newer apsecu";
      case Errc::WriteFailed: return "settings file cannot be written";
    }
    return "unknown config error";
  }
};

util::Error write_error(const std::string& what, const std::string& path) {
  return util::make_error(Errc::WriteFailed, what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::error_code make_error_code(Errc e) noexcept {
  static const Category category;
  return {static_cast<int>(e), category};
}

util::Result<Config> load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return util::make_error(Errc::Unreadable, "cannot read settings file " + path + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  if (j.is_discarded()) return util::make_error(Errc::NotJson, "settings file " + path + " is not valid JSON");
  auto loaded = from_json(j);
  if (auto* errors = std::get_if<std::vector<FieldError>>(&loaded)) {
    return util::make_error(Errc::Invalid, "settings file " + path + ": " + describe(*errors));
  }
  return std::get<Config>(std::move(loaded));
}

util::Status save_file(const std::string& path, const Config& c) {
  if (auto errors = validate(c); !errors.empty()) {
    return util::make_error(Errc::Invalid, "refusing to save invalid settings: " + describe(errors));
  }
  const std::string text = to_json(c).dump(2) + "\n";
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return write_error("cannot create", tmp);
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = write_error("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return err;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto err = write_error("cannot flush", tmp);  // e.g. a full disk: the old file stays
    ::close(fd);
    ::unlink(tmp.c_str());
    return err;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = write_error("cannot replace", path);
    ::unlink(tmp.c_str());
    return err;
  }
  // Make the rename itself durable.
  const auto dir = std::filesystem::path(path).parent_path();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace apsecu::config
