// SPDX-License-Identifier: GPL-3.0-or-later
#include <string>

#include "apsecu/transport/transport.hpp"

namespace apsecu::transport {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "transport"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::OpenFailed: return "cannot open the link to the module";
      case Errc::ReadFailed: return "reading from the module failed";
      case Errc::WriteFailed: return "writing to the module failed";
      case Errc::Closed: return "the link was closed";
      case Errc::BadSpec: return "malformed link or reset-line spec";
    }
    return "unknown transport error";
  }
};

}  // namespace

std::error_code make_error_code(Errc e) noexcept {
  static const Category category;
  return {static_cast<int>(e), category};
}

}  // namespace apsecu::transport
