// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Thin helpers over the SQLite C API: a statement handle that resets itself when it goes
// out of scope (so a cached statement is always ready for its next use, even after an
// early return), and SQLite result codes turned into util::Error values.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "apsecu/store/errors.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::store::detail {

[[nodiscard]] util::Error sqlite_error(sqlite3* db, int rc, std::string_view what);

// Runs SQL without results (pragmas, DDL, BEGIN/COMMIT).
util::Status exec(sqlite3* db, const char* sql, std::string_view what);

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) noexcept : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  Stmt& bind(int index, std::int64_t value);
  Stmt& bind(int index, std::optional<std::int64_t> value);
  Stmt& bind(int index, std::optional<std::int32_t> value);
  Stmt& bind_text(int index, std::string_view value);
  Stmt& bind_blob(int index, std::span<const std::uint8_t> value);
  Stmt& bind_null(int index);

  // true: a row is ready; false: done.
  [[nodiscard]] util::Result<bool> step(std::string_view what);
  // Steps to completion, ignoring rows (INSERT/UPDATE/DELETE).
  util::Status run(std::string_view what);

  [[nodiscard]] std::int64_t i64(int column) const noexcept;
  [[nodiscard]] std::int32_t i32(int column) const noexcept;  // for columns the writer kept in range
  [[nodiscard]] std::optional<std::int64_t> opt_i64(int column) const noexcept;
  [[nodiscard]] std::optional<std::int32_t> opt_i32(int column) const noexcept;
  [[nodiscard]] bool is_null(int column) const noexcept;
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] std::span<const std::uint8_t> blob(int column) const noexcept;
  [[nodiscard]] int changes() const noexcept;

 private:
  void note_bind(int rc) noexcept {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;  // a failed bind is a programming error, reported at step()
};

// A statement prepared for one use (cursors, rare maintenance). Finalized on destruction.
class OwnedStmt {
 public:
  OwnedStmt() = default;
  OwnedStmt(OwnedStmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  OwnedStmt& operator=(OwnedStmt&& o) noexcept;
  ~OwnedStmt();
  [[nodiscard]] static util::Result<OwnedStmt> prepare(sqlite3* db, std::string_view sql);
  [[nodiscard]] sqlite3_stmt* get() const noexcept { return stmt_; }
  [[nodiscard]] sqlite3* db() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// A connection of its own (another file being inspected or merged), closed on every path.
class Connection {
 public:
  Connection() = default;
  Connection(Connection&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Connection& operator=(Connection&& o) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();
  [[nodiscard]] static util::Result<Connection> open(const std::string& path, int flags);
  [[nodiscard]] sqlite3* get() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// A Stmt view over an OwnedStmt: binds and steps it, and resets it when done, so one
// prepared statement serves every row of a long operation (a merge).
[[nodiscard]] inline Stmt use(const OwnedStmt& s) noexcept { return Stmt(s.db(), s.get()); }

// Reads columns of a statement that is not wrapped in Stmt (cursors).
[[nodiscard]] std::optional<std::int32_t> column_opt_i32(sqlite3_stmt* s, int column) noexcept;

}  // namespace apsecu::store::detail
