// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The MQTT layer's error codes. Messages say what was attempted and what the broker or the
// network answered ("broker refused the login: not authorised"); the code says what kind of
// failure it was, so the web page and the API can map it.

#include <system_error>

namespace apsecu::mqtt {

enum class Errc {
  NotConnected = 1,  // no connection to the broker at the moment
  Unreachable,       // the broker's host or port did not answer (DNS, TCP, timeout)
  LoginRefused,      // the broker refused the user name or password (CONNACK 4 or 5)
  Refused,           // the broker refused the connection for another reason
  Tls,               // TLS could not be set up or the handshake failed
  Timeout,           // the broker did not acknowledge in time
  PublishFailed,     // libmosquitto refused the message
  BadCommand,        // a command payload that apsecu does not understand
  BadSettings,       // settings that cannot work (unreadable CA file, bad URL, ...)
  QueueIo,           // the store-and-forward file could not be read or written
  Stopped,           // the sink was stopped
};

[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

}  // namespace apsecu::mqtt

template <>
struct std::is_error_code_enum<apsecu::mqtt::Errc> : std::true_type {};
