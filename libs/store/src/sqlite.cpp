// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqlite.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <limits>

namespace apsecu::store::detail {

util::Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xFF;
  Errc code = Errc::Sqlite;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) code = Errc::Busy;
  // A full disk can also surface as an I/O error (e.g. growing the -shm file); the OS
  // error behind it tells.
  if (primary == SQLITE_FULL || (primary == SQLITE_IOERR && db != nullptr && sqlite3_system_errno(db) == ENOSPC)) {
    code = Errc::DiskFull;
  }
  if (primary == SQLITE_CORRUPT) code = Errc::Corrupt;
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return util::make_error(code, fmt::format("{}: {} (sqlite code {})", what, detail, rc));
}

util::Status exec(sqlite3* db, const char* sql, std::string_view what) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, what);
  return {};
}

Stmt::Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_), bind_rc_(other.bind_rc_) {
  other.stmt_ = nullptr;
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Stmt& Stmt::bind(int index, std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Stmt& Stmt::bind(int index, std::optional<std::int64_t> value) {
  return value ? bind(index, *value) : bind_null(index);
}

Stmt& Stmt::bind(int index, std::optional<std::int32_t> value) {
  return value ? bind(index, std::int64_t{*value}) : bind_null(index);
}

Stmt& Stmt::bind_text(int index, std::string_view value) {
  note_bind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Stmt& Stmt::bind_blob(int index, std::span<const std::uint8_t> value) {
  // A zero-length blob must still be a blob, not NULL: SQLite wants a non-null pointer.
  static constexpr std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  note_bind(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT));
  return *this;
}

Stmt& Stmt::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_, index));
  return *this;
}

util::Result<bool> Stmt::step(std::string_view what) {
  if (bind_rc_ != SQLITE_OK) return sqlite_error(db_, bind_rc_, fmt::format("{} (binding parameters)", what));
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, rc, what);
}

util::Status Stmt::run(std::string_view what) {
  for (;;) {
    auto r = step(what);
    if (!r) return r.error();
    if (!*r) return {};
  }
}

std::int64_t Stmt::i64(int column) const noexcept { return sqlite3_column_int64(stmt_, column); }

std::int32_t Stmt::i32(int column) const noexcept { return sqlite3_column_int(stmt_, column); }

std::optional<std::int64_t> Stmt::opt_i64(int column) const noexcept {
  if (is_null(column)) return std::nullopt;
  return sqlite3_column_int64(stmt_, column);
}

std::optional<std::int32_t> Stmt::opt_i32(int column) const noexcept { return column_opt_i32(stmt_, column); }

bool Stmt::is_null(int column) const noexcept { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::string Stmt::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr || n <= 0) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::span<const std::uint8_t> Stmt::blob(int column) const noexcept {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr || n <= 0) return {};
  return {p, static_cast<std::size_t>(n)};
}

int Stmt::changes() const noexcept { return sqlite3_changes(db_); }

OwnedStmt& OwnedStmt::operator=(OwnedStmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

OwnedStmt::~OwnedStmt() { sqlite3_finalize(stmt_); }

util::Result<OwnedStmt> OwnedStmt::prepare(sqlite3* db, std::string_view sql) {
  OwnedStmt out;
  out.db_ = db;
  if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return util::make_error(Errc::InvalidArgument, "SQL text too long");
  }
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &out.stmt_, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, "preparing a statement");
  return out;
}

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

Connection::~Connection() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

util::Result<Connection> Connection::open(const std::string& path, int flags) {
  Connection c;
  const int rc = sqlite3_open_v2(path.c_str(), &c.db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(c.db_, rc, fmt::format("opening '{}'", path));
  sqlite3_extended_result_codes(c.db_, 1);
  return c;
}

std::optional<std::int32_t> column_opt_i32(sqlite3_stmt* s, int column) noexcept {
  if (sqlite3_column_type(s, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int(s, column);
}

}  // namespace apsecu::store::detail
