// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Error codes of the HTTP layer and the Backend defaults. A Backend may return them too:
// NotSupported becomes HTTP 501, Busy 503, everything else from a Backend 500 (or the
// status its store/config code maps to, docs/http-api.md).

#include <system_error>

namespace apsecu::api {

enum class Errc {
  NotSupported = 1,  // this installation cannot do that (no privilege, no MQTT yet, ...)
  Busy,              // try again later (e.g. another backup is running)
  BadOption,         // an HttpOptions value is unusable
  Io,                // a file under data_dir could not be read or written
};

[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

}  // namespace apsecu::api

template <>
struct std::is_error_code_enum<apsecu::api::Errc> : std::true_type {};
