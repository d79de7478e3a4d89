// SPDX-License-Identifier: GPL-3.0-or-later
#include <string>

#include "apsecu/backup/backup.hpp"

namespace apsecu::backup {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "backup"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::Io: return "file cannot be read or written";
      case Errc::NoSpace: return "disk full";
      case Errc::TooLarge: return "archive exceeds a size limit";
      case Errc::Unsafe: return "archive holds an unsafe or unexpected entry";
      case Errc::Malformed: return "not a valid apsecu backup archive";
      case Errc::TooNew: return "archive written by a newer apsecu";
      case Errc::SettingsInvalid: return "archived settings are invalid";
      case Errc::DatabaseInvalid: return "archived database is invalid";
    }
    return "unknown backup error";
  }
};

}  // namespace

std::error_code make_error_code(Errc e) noexcept {
  static const Category category;
  return {static_cast<int>(e), category};
}

}  // namespace apsecu::backup
