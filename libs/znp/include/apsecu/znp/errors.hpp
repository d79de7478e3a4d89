// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Failures of the ZNP layer. The Error message always names the command or start step and,
// for timeouts, how long was waited.

#include <system_error>

namespace apsecu::znp {

enum class Errc {
  Timeout = 1,     // the awaited frame did not arrive in time
  BadStatus,       // the module answered with a non-zero status
  Malformed,       // a frame with the right id but an undecodable payload
  RpcError,        // the module rejected the SREQ itself (MT RPC error SRSP)
  LinkDown,        // the transport failed or was closed; the client no longer reads
  Cancelled,       // the waiter was cancelled or the client stopped
  WrongIeee,       // the module reports another IEEE address than configured
  NotStarted,      // the module is not in state 9 (coordinator)
  RecoveryFailed,  // every recovery attempt of one recover() call failed
};
[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

}  // namespace apsecu::znp

template <>
struct std::is_error_code_enum<apsecu::znp::Errc> : std::true_type {};
