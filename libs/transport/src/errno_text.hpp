// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// strerror() is not thread-safe; the generic category gives the same text and is.

#include <cerrno>
#include <string>
#include <system_error>

namespace apsecu::transport {

[[nodiscard]] inline std::string errno_text(int err) { return std::generic_category().message(err); }

}  // namespace apsecu::transport
