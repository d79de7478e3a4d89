// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/mqtt/errors.hpp"

#include <string>

namespace apsecu::mqtt {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mqtt"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::NotConnected: return "not connected to the broker";
      case Errc::Unreachable: return "broker unreachable";
      case Errc::LoginRefused: return "broker refused the login";
      case Errc::Refused: return "broker refused the connection";
      case Errc::Tls: return "TLS failure";
      case Errc::Timeout: return "no acknowledgement from the broker in time";
      case Errc::PublishFailed: return "publish failed";
      case Errc::BadCommand: return "command not understood";
      case Errc::BadSettings: return "unusable MQTT settings";
      case Errc::QueueIo: return "store-and-forward queue I/O error";
      case Errc::Stopped: return "MQTT stopped";
    }
    return "unknown MQTT error";
  }
};

}  // namespace

std::error_code make_error_code(Errc e) noexcept {
  static const Category category;
  return {static_cast<int>(e), category};
}

}  // namespace apsecu::mqtt
