// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The store's error codes. Messages name the operation and the offending value; the code
// says what kind of failure it was so callers can map it (e.g. to an HTTP status).

#include <system_error>

namespace apsecu::store {

enum class Errc {
  Sqlite = 1,        // the database reported an error (I/O, constraint, corruption, ...)
  Busy,              // another process held the database longer than the busy timeout
  UnknownSerial,     // no inverter registered with that serial
  InvalidDay,        // not a real YYYYMMDD (or YYYYMM) key
  InvalidRange,      // from after to
  InvalidArgument,   // a value outside what the schema can hold or the model allows
  LifetimeDecrease,  // the write would lower a lifetime total, which only ever grows
  SchemaTooNew,      // the file was written by a newer apsecu; refusing to touch it
  NotApsecuFile,     // the file is an SQLite database of some other program
  Corrupt,           // the file is damaged: not a database, or its integrity check fails
  DiskFull,          // no space left for the write (the database is unchanged)
};

[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

}  // namespace apsecu::store

template <>
struct std::is_error_code_enum<apsecu::store::Errc> : std::true_type {};
