// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Schema versions and migrations. PRAGMA user_version holds the version of the last
// migration applied; migrations run in order, all pending ones in one transaction.

#include <sqlite3.h>

#include <cstdint>

#include "apsecu/util/result.hpp"

namespace apsecu::store::detail {

// "apse" in ASCII: marks the file as ours, so opening someone else's database by mistake
// is refused instead of migrated.
inline constexpr int kApplicationId = 0x61707365;

[[nodiscard]] int latest_schema_version() noexcept;

// The three facts that say whose file this is and how old.
struct FileHeader {
  std::int64_t application_id = 0;
  std::int64_t version = 0;  // PRAGMA user_version
  std::int64_t objects = 0;  // tables, indexes, ... of any program
};
[[nodiscard]] util::Result<FileHeader> read_header(sqlite3* db);
// Refuses another program's file and a newer schema (what migrate and inspection share);
// an empty file passes.
[[nodiscard]] util::Status check_header(const FileHeader& h);

// Checks the file is empty or ours and not from a newer apsecu, then applies pending
// migrations up to `target` (tests stop early to exercise upgrades). Returns the version.
[[nodiscard]] util::Result<int> migrate(sqlite3* db, int target);

}  // namespace apsecu::store::detail
