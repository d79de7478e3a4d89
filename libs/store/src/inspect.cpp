// SPDX-License-Identifier: GPL-3.0-or-later
// Inspecting another file before trusting it: a backup to restore or merge may be damaged,
// truncated, someone else's database or written by a newer apsecu. Each is refused with its
// own error code and a message that names the file.
#include <fmt/format.h>

#include <filesystem>
#include <vector>

#include "apsecu/store/store.hpp"
#include "impl.hpp"
#include "schema.hpp"

namespace apsecu::store {
namespace detail {
namespace {

// SQLite says "file is not a database" for anything that is not one, and "malformed" for
// a damaged one; both mean the file cannot be trusted, whatever the statement was.
bool damaged(sqlite3* db) noexcept {
  const int rc = sqlite3_errcode(db) & 0xFF;
  return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT;
}

util::Error refine(sqlite3* db, util::Error e, const std::string& path) {
  if (damaged(db)) {
    return util::make_error(Errc::Corrupt,
                            fmt::format("'{}' is not an SQLite database, or it is damaged: {}", path, e.message));
  }
  e.message = fmt::format("'{}': {}", path, e.message);
  return e;
}

util::Result<std::int64_t> single_int(sqlite3* db, const char* sql) {
  auto s = OwnedStmt::prepare(db, sql);
  if (!s) return s.error();
  auto st = use(*s);
  auto row = st.step(fmt::format("reading `{}`", sql));
  if (!row) return row.error();
  return *row ? st.i64(0) : 0;
}

// PRAGMA integrity_check returns "ok" or up to N problem descriptions.
util::Status check_integrity(sqlite3* db, const std::string& path) {
  auto s = OwnedStmt::prepare(db, "PRAGMA integrity_check(8)");
  if (!s) return refine(db, s.error(), path);
  auto st = use(*s);
  std::vector<std::string> problems;
  for (;;) {
    auto row = st.step("checking the database's integrity");
    if (!row) return refine(db, row.error(), path);
    if (!*row) break;
    auto line = st.text(0);
    if (line != "ok") problems.push_back(std::move(line));
  }
  if (problems.empty()) return {};
  return util::make_error(Errc::Corrupt, fmt::format("'{}' is damaged; SQLite's integrity check says: {}", path,
                                                     fmt::join(problems, "; ")));
}

}  // namespace

util::Result<Connection> open_checked(const std::string& path, const InspectOptions& options, DatabaseInfo& info) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    return util::make_error(Errc::InvalidArgument, fmt::format("database '{}' does not exist", path));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return util::make_error(Errc::InvalidArgument, fmt::format("database '{}' is not a regular file", path));
  }
  info.bytes = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));

  auto conn = Connection::open(path, SQLITE_OPEN_READONLY);
  if (!conn) return conn.error();
  sqlite3* db = conn->get();
  auto header = read_header(db);
  if (!header) return refine(db, header.error(), path);
  if (auto st = check_header(*header); !st) {
    auto e = st.error();
    e.message = fmt::format("'{}': {}", path, e.message);
    return e;
  }
  if (header->application_id == 0 || header->version < 1) {
    return util::make_error(Errc::NotApsecuFile, fmt::format("'{}' holds no apsecu history (an empty database)", path));
  }
  info.schema_version = static_cast<int>(header->version);
  if (options.check_integrity) {
    if (auto st = check_integrity(db, path); !st) return st.error();
  }

  auto inverters = single_int(db, "SELECT count(*) FROM inverter");
  if (!inverters) return refine(db, inverters.error(), path);
  info.inverters = *inverters;
  if (options.check_integrity) {  // the check has just read every page; counting is cheap now
    auto samples = single_int(db, "SELECT count(*) FROM sample");
    if (!samples) return refine(db, samples.error(), path);
    info.samples = *samples;
  }
  if (info.schema_version >= 2) {  // the pre-aggregates came with migration 2
    auto days = single_int(db, "SELECT count(*) FROM site_day");
    auto first = single_int(db, "SELECT coalesce(min(day), 0) FROM site_day");
    auto last = single_int(db, "SELECT coalesce(max(day), 0) FROM site_day");
    if (!days || !first || !last) return refine(db, (!days ? days : !first ? first : last).error(), path);
    info.days = *days;
    info.first_day = static_cast<std::int32_t>(*first);
    info.last_day = static_cast<std::int32_t>(*last);
  }
  return conn;
}

}  // namespace detail

util::Result<DatabaseInfo> inspect_database(const std::string& path, const InspectOptions& options) {
  DatabaseInfo info;
  auto conn = detail::open_checked(path, options, info);
  if (!conn) return conn.error();
  return info;
}

}  // namespace apsecu::store
