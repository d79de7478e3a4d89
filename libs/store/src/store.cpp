// SPDX-License-Identifier: GPL-3.0-or-later
// Opening, the statement cache, inverters, state, lifetime totals, journal and audit.
#include <fmt/format.h>

#include <cstdio>
#include <optional>

#include "apsecu/store/day_key.hpp"
#include "apsecu/store/store.hpp"
#include "impl.hpp"
#include "schema.hpp"

namespace apsecu::store {

using detail::Sql;

// ---- Impl -----------------------------------------------------------------------------

Store::Impl::~Impl() {
  for (auto* s : stmts) sqlite3_finalize(s);
  // close_v2: a cursor still holding a statement delays the close instead of failing it.
  if (db != nullptr) sqlite3_close_v2(db);
}

util::Result<detail::Stmt> Store::Impl::use(Sql q) {
  auto& slot = stmts[static_cast<std::size_t>(q)];
  if (slot == nullptr) {
    const int rc = sqlite3_prepare_v3(db, detail::sql_text(q), -1, SQLITE_PREPARE_PERSISTENT, &slot, nullptr);
    if (rc != SQLITE_OK) {
      return detail::sqlite_error(db, rc, fmt::format("preparing `{}`", detail::sql_text(q)));
    }
  }
  return detail::Stmt(db, slot);
}

const detail::Inverter* Store::Impl::find(std::string_view serial) const noexcept {
  for (const auto& inv : inverters) {
    if (inv.info.serial == serial) return &inv;
  }
  return nullptr;
}

const detail::Inverter* Store::Impl::find(std::int64_t id) const noexcept {
  for (const auto& inv : inverters) {
    if (inv.id == id) return &inv;
  }
  return nullptr;
}

util::Result<const detail::Inverter*> Store::Impl::require(std::string_view serial) const {
  if (const auto* inv = find(serial)) return inv;
  return util::make_error(Errc::UnknownSerial, fmt::format("no inverter with serial '{}' is registered", serial));
}

util::Status Store::Impl::load_inverters() {
  auto s = use(Sql::SelectInverters);
  if (!s) return s.error();
  std::vector<detail::Inverter> out;
  for (;;) {
    auto row = s->step("listing inverters");
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({s->i64(0), InverterInfo{s->text(1), s->text(2), s->i32(3)}});
  }
  inverters = std::move(out);
  return {};
}

util::Status Store::Impl::begin() {
  auto s = use(Sql::Begin);
  if (!s) return s.error();
  return s->run("starting a transaction");
}

util::Status Store::Impl::commit() {
  auto s = use(Sql::Commit);
  if (!s) return s.error();
  return s->run("committing");
}

void Store::Impl::rollback() noexcept {
  if (sqlite3_get_autocommit(db) != 0) return;  // SQLite already rolled back (e.g. after SQLITE_FULL)
  if (auto s = use(Sql::Rollback)) (void)s->run("rolling back");
}

namespace {

// A read-only connection cannot migrate: it takes the file as it is, if it is ours.
util::Result<int> check_read_only(sqlite3* db) {
  auto header = detail::read_header(db);
  if (!header) return header.error();
  if (auto st = detail::check_header(*header); !st) return st.error();
  if (header->application_id == 0 || header->version < 1) {
    return util::make_error(Errc::NotApsecuFile, "the file holds no apsecu history yet");
  }
  return static_cast<int>(header->version);
}

}  // namespace

namespace detail {

util::Status check_day(std::int32_t day, std::string_view what) {
  if (is_valid_day_key(day)) return {};
  return util::make_error(Errc::InvalidDay, fmt::format("{}: {} is not a valid YYYYMMDD day", what, day));
}

util::Status check_range(std::int32_t from_day, std::int32_t to_day) {
  if (auto st = check_day(from_day, "range start"); !st) return st;
  if (auto st = check_day(to_day, "range end"); !st) return st;
  if (from_day > to_day) {
    return util::make_error(Errc::InvalidRange, fmt::format("range {} .. {} starts after it ends", from_day, to_day));
  }
  return {};
}

}  // namespace detail

// ---- open -----------------------------------------------------------------------------

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

util::Result<Store> Store::open(const std::string& path, const OpenOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  // NOMUTEX: a Store is used from one thread, so SQLite's own locking would be pure cost.
  const int flags = (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr);
  if (rc != SQLITE_OK) return detail::sqlite_error(impl->db, rc, fmt::format("opening '{}'", path));
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, options.busy_timeout_ms);

  // WAL: readers never block the poll loop's writer, and a commit appends to one file
  // instead of rewriting pages in place. NORMAL: a power cut may lose the last cycle but
  // never corrupts; FULL would fsync every 5 minutes for no real gain. The size limit
  // gives the SD card its space back after a burst (retention, backfill). A read-only
  // connection sets only what it may: the writer's connection owns the journal mode.
  const auto pragmas =
      options.read_only
          ? fmt::format("PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{};",
                        options.cache_kib)
          : fmt::format("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;"
                        "PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 4194304; PRAGMA cache_size = -{};",
                        options.cache_kib);
  if (auto st = detail::exec(impl->db, pragmas.c_str(), fmt::format("configuring '{}'", path)); !st) {
    return st.error();
  }
  auto version = options.read_only ? check_read_only(impl->db) : detail::migrate(impl->db, detail::latest_schema_version());
  if (!version) {
    auto e = version.error();
    e.message = fmt::format("opening '{}': {}", path, e.message);
    return e;
  }
  impl->schema_version = *version;
  if (auto st = impl->load_inverters(); !st) return st.error();
  return Store(std::move(impl));
}

int Store::schema_version() const { return impl_->schema_version; }

// ---- inverters --------------------------------------------------------------------------

util::Status Store::add_inverter(const InverterInfo& info) {
  if (info.serial.empty() || info.serial.size() > 32) {
    return util::make_error(Errc::InvalidArgument, fmt::format("inverter serial '{}' must be 1..32 characters", info.serial));
  }
  if (info.inputs < 1 || static_cast<std::size_t>(info.inputs) > kMaxInputs) {
    return util::make_error(Errc::InvalidArgument,
                            fmt::format("inverter {}: {} inputs; the store holds 1..{}", info.serial, info.inputs, kMaxInputs));
  }
  detail::Transaction txn(*impl_);
  if (auto st = txn.begin(); !st) return st;
  if (const auto* existing = impl_->find(info.serial)) {
    if (existing->info.inputs != info.inputs) {
      auto has = impl_->use(Sql::HasDayRows);
      if (!has) return has.error();
      has->bind(1, existing->id);
      auto row = has->step("checking the inverter's history");
      if (!row) return row.error();
      if (*row && has->i64(0) != 0) {
        return util::make_error(Errc::InvalidArgument,
                                fmt::format("inverter {} already has history with {} inputs; wipe it before changing "
                                            "to {}",
                                            info.serial, existing->info.inputs, info.inputs));
      }
    }
    auto s = impl_->use(Sql::UpdateInverterModel);
    if (!s) return s.error();
    s->bind(1, existing->id).bind_text(2, info.model).bind(3, std::int64_t{info.inputs});
    if (auto st = s->run("updating an inverter"); !st) return st;
  } else {
    auto s = impl_->use(Sql::InsertInverter);
    if (!s) return s.error();
    s->bind_text(1, info.serial).bind_text(2, info.model).bind(3, std::int64_t{info.inputs});
    if (auto st = s->run("registering an inverter"); !st) return st;
    auto l = impl_->use(Sql::InsertLifetime);
    if (!l) return l.error();
    l->bind(1, sqlite3_last_insert_rowid(impl_->db));
    if (auto st = l->run("creating lifetime totals"); !st) return st;
  }
  if (auto st = txn.commit(); !st) return st;
  return impl_->load_inverters();
}

util::Status Store::refresh() {
  auto s = impl_->use(Sql::DataVersion);
  if (!s) return s.error();
  auto row = s->step("checking for changes by other connections");
  if (!row) return row.error();
  const std::int64_t version = *row ? s->i64(0) : -1;
  if (version == impl_->data_version) return {};
  if (auto st = impl_->load_inverters(); !st) return st;
  impl_->data_version = version;
  return {};
}

std::vector<InverterInfo> Store::inverters() const {
  std::vector<InverterInfo> out;
  out.reserve(impl_->inverters.size());
  for (const auto& inv : impl_->inverters) out.push_back(inv.info);
  return out;
}

// ---- state ------------------------------------------------------------------------------

util::Status Store::put_state(std::string_view serial, std::string_view state, std::int64_t time_s) {
  auto inv = impl_->require(serial);
  if (!inv) return inv.error();
  auto s = impl_->use(Sql::UpsertState);
  if (!s) return s.error();
  s->bind(1, (*inv)->id).bind(2, time_s).bind_text(3, state);
  return s->run(fmt::format("saving the state of {}", serial));
}

util::Result<std::optional<StoredState>> Store::get_state(std::string_view serial) {
  auto inv = impl_->require(serial);
  if (!inv) return inv.error();
  auto s = impl_->use(Sql::SelectState);
  if (!s) return s.error();
  s->bind(1, (*inv)->id);
  auto row = s->step(fmt::format("reading the state of {}", serial));
  if (!row) return row.error();
  if (!*row) return std::optional<StoredState>{};
  return std::optional<StoredState>{StoredState{s->i64(0), s->text(1)}};
}

// ---- lifetime ---------------------------------------------------------------------------

util::Result<std::vector<std::int64_t>> Store::lifetime_mwh(std::string_view serial) {
  auto inv = impl_->require(serial);
  if (!inv) return inv.error();
  auto s = impl_->use(Sql::SelectLifetime);
  if (!s) return s.error();
  s->bind(1, (*inv)->id);
  auto row = s->step(fmt::format("reading lifetime totals of {}", serial));
  if (!row) return row.error();
  std::vector<std::int64_t> out(static_cast<std::size_t>((*inv)->info.inputs), 0);
  if (*row) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = s->i64(static_cast<int>(i));
  }
  return out;
}

util::Status Store::set_lifetime(std::string_view serial, std::span<const std::int64_t> mwh, const AuditNote& note) {
  auto inv = impl_->require(serial);
  if (!inv) return inv.error();
  if (mwh.size() != static_cast<std::size_t>((*inv)->info.inputs)) {
    return util::make_error(Errc::InvalidArgument, fmt::format("inverter {} has {} inputs, got {} lifetime values",
                                                               serial, (*inv)->info.inputs, mwh.size()));
  }
  if (note.reason.empty()) return util::make_error(Errc::InvalidArgument, "changing lifetime totals needs a reason");
  detail::Transaction txn(*impl_);
  if (auto st = txn.begin(); !st) return st;
  auto old = lifetime_mwh(serial);
  if (!old) return old.error();
  for (std::size_t i = 0; i < mwh.size(); ++i) {
    if (mwh[i] < (*old)[i]) {
      return util::make_error(Errc::LifetimeDecrease,
                              fmt::format("refusing to lower the lifetime total of {} input {} from {} mWh to {} mWh",
                                          serial, i + 1, (*old)[i], mwh[i]));
    }
  }
  auto s = impl_->use(Sql::SetLifetime);
  if (!s) return s.error();
  s->bind(1, (*inv)->id);
  for (std::size_t i = 0; i < kMaxInputs; ++i) s->bind(static_cast<int>(i) + 2, i < mwh.size() ? mwh[i] : 0);
  if (auto st = s->run("setting lifetime totals"); !st) return st;
  auto a = impl_->use(Sql::InsertAudit);
  if (!a) return a.error();
  a->bind(1, note.time_s).bind_text(2, note.actor).bind_text(3, "set_lifetime").bind_text(4, note.reason);
  a->bind_text(5, fmt::format(R"({{"serial":"{}","lifetime_mwh":[{}]}})", serial, fmt::join(*old, ",")));
  a->bind_text(6, fmt::format(R"({{"serial":"{}","lifetime_mwh":[{}]}})", serial, fmt::join(mwh, ",")));
  if (auto st = a->run("auditing a lifetime change"); !st) return st;
  return txn.commit();
}

// ---- journal ----------------------------------------------------------------------------

util::Status Store::append_event(const Event& event) {
  auto s = impl_->use(Sql::InsertEvent);
  if (!s) return s.error();
  s->bind(1, event.time_s).bind(2, std::int64_t{static_cast<int>(event.level)});
  s->bind_text(3, event.source).bind_text(4, event.message);
  return s->run("appending to the journal");
}

util::Result<std::vector<Event>> Store::events(std::int64_t from_time_s, std::int64_t to_time_s, EventLevel min_level,
                                               int limit) {
  if (from_time_s > to_time_s) {
    return util::make_error(Errc::InvalidRange, fmt::format("journal range {} .. {} starts after it ends", from_time_s,
                                                            to_time_s));
  }
  auto s = impl_->use(Sql::SelectEvents);
  if (!s) return s.error();
  s->bind(1, from_time_s).bind(2, to_time_s).bind(3, std::int64_t{static_cast<int>(min_level)}).bind(4, std::int64_t{limit});
  std::vector<Event> out;
  for (;;) {
    auto row = s->step("reading the journal");
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(Event{s->i64(0), s->i64(1), static_cast<EventLevel>(s->i32(2)), s->text(3), s->text(4)});
  }
  return out;
}

util::Result<std::vector<AuditEntry>> Store::audit_log(int limit) {
  auto s = impl_->use(Sql::SelectAudit);
  if (!s) return s.error();
  s->bind(1, std::int64_t{limit});
  std::vector<AuditEntry> out;
  for (;;) {
    auto row = s->step("reading the audit trail");
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(AuditEntry{s->i64(0), s->i64(1), s->text(2), s->text(3), s->text(4), s->text(5), s->text(6)});
  }
  return out;
}

// ---- checkpoint and backup -----------------------------------------------------------------

util::Status Store::checkpoint() {
  int log = 0;
  int done = 0;
  const int rc = sqlite3_wal_checkpoint_v2(impl_->db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
  if (rc != SQLITE_OK) return detail::sqlite_error(impl_->db, rc, "checkpointing the WAL");
  return {};
}

namespace {

// A failed backup leaves nothing: not the copy, nor the journal files SQLite made for it.
void remove_copy(const std::string& tmp) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((tmp + suffix).c_str());
}

}  // namespace

util::Status Store::backup_to(const std::string& path) {
  const std::string tmp = path + ".part";
  remove_copy(tmp);
  sqlite3* dest = nullptr;
  int rc = sqlite3_open_v2(tmp.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    auto e = detail::sqlite_error(dest, rc, fmt::format("creating backup file '{}'", tmp));
    sqlite3_close_v2(dest);
    remove_copy(tmp);
    return e;
  }
  sqlite3_extended_result_codes(dest, 1);
  // One step copies every page under one read transaction: a consistent snapshot even
  // while another connection keeps writing.
  sqlite3_backup* b = sqlite3_backup_init(dest, "main", impl_->db, "main");
  if (b == nullptr) {
    auto e = detail::sqlite_error(dest, sqlite3_errcode(dest), "starting the backup");
    sqlite3_close_v2(dest);
    remove_copy(tmp);
    return e;
  }
  rc = sqlite3_backup_step(b, -1);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    auto e = detail::sqlite_error(dest, rc, fmt::format("copying the database to '{}'", tmp));
    sqlite3_close_v2(dest);
    remove_copy(tmp);
    return e;
  }
  // The copy is in WAL mode like its source; fold it into one self-contained file, and
  // leave WAL mode so that reading it (read-only, from an archive or a USB stick) needs
  // no -wal/-shm files next to it. Store::open turns WAL back on.
  rc = sqlite3_wal_checkpoint_v2(dest, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_exec(dest, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr);
  std::optional<util::Error> failed;
  if (rc != SQLITE_OK) failed = detail::sqlite_error(dest, rc, fmt::format("finishing backup file '{}'", tmp));
  const int close_rc = sqlite3_close(dest);
  if (!failed && close_rc != SQLITE_OK) {
    failed = detail::sqlite_error(nullptr, close_rc, fmt::format("closing backup file '{}'", tmp));
  }
  if (failed) {
    remove_copy(tmp);
    return *failed;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    remove_copy(tmp);
    return util::make_error(Errc::Sqlite, fmt::format("moving the backup into place as '{}' failed", path));
  }
  return {};
}

}  // namespace apsecu::store
