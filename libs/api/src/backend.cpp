// SPDX-License-Identifier: GPL-3.0-or-later
// Default implementations of the Backend members the HTTP API added.
#include "apsecu/api/backend.hpp"
#include "apsecu/api/http_server.hpp"
#include "apsecu/api/errors.hpp"

namespace apsecu::api {

std::int32_t Backend::day_of(util::WallTime t) const { return util::local_day_key(t); }

util::Status Backend::power_action(PowerAction /*action*/) {
  return util::make_error(Errc::NotSupported, "this apsecu cannot reboot or shut down the machine");
}

util::Result<std::string> Backend::test_mqtt(const std::string& /*settings_json*/) {
  return util::make_error(Errc::NotSupported, "this apsecu has no MQTT connection yet");
}

util::Result<std::string> Backend::mqtt_status() const {
  return util::make_error(Errc::NotSupported, "this apsecu has no MQTT connection");
}

std::string default_www_dir() {
#ifdef APSECU_WWW_DIR
  return APSECU_WWW_DIR;
#else
  return {};
#endif
}

}  // namespace apsecu::api

namespace apsecu::api {
namespace {

class Category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "apsecu.api"; }
  [[nodiscard]] std::string message(int c) const override {
    switch (static_cast<Errc>(c)) {
      case Errc::NotSupported: return "not supported here";
      case Errc::Busy: return "busy, try again later";
      case Errc::BadOption: return "invalid HTTP option";
      case Errc::Io: return "file I/O failed";
    }
    return "unknown api error";
  }
};

}  // namespace

std::error_code make_error_code(Errc e) noexcept {
  static const Category category;
  return {static_cast<int>(e), category};
}

}  // namespace apsecu::api
