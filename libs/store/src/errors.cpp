// SPDX-License-Identifier: GPL-3.0-or-later
#include <string>

#include "apsecu/store/errors.hpp"
#include "apsecu/store/types.hpp"

namespace apsecu::store {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "store"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::Sqlite: return "database error";
      case Errc::Busy: return "database busy";
      case Errc::UnknownSerial: return "no inverter with that serial";
      case Errc::InvalidDay: return "not a valid YYYYMMDD day";
      case Errc::InvalidRange: return "range starts after it ends";
      case Errc::InvalidArgument: return "value out of range";
      case Errc::LifetimeDecrease: return "lifetime totals never decrease";
      case Errc::SchemaTooNew: return "database written by a newer apsecu";
      case Errc::NotApsecuFile: return "not an apsecu database";
      case Errc::Corrupt: return "database file damaged";
      case Errc::DiskFull: return "disk full";
    }
    return "unknown store error";
  }
};

}  // namespace

std::error_code make_error_code(Errc e) noexcept {
  static const Category category;
  return {static_cast<int>(e), category};
}

const char* kind_name(SampleKind k) noexcept {
  switch (k) {
    case SampleKind::Baseline: return "baseline";
    case SampleKind::Normal: return "normal";
    case SampleKind::InverterReset: return "inverter_reset";
    case SampleKind::Rejected: return "rejected";
  }
  return "?";
}

const char* level_name(EventLevel l) noexcept {
  switch (l) {
    case EventLevel::Debug: return "debug";
    case EventLevel::Info: return "info";
    case EventLevel::Warning: return "warning";
    case EventLevel::Error: return "error";
  }
  return "?";
}

}  // namespace apsecu::store
