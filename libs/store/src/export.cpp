// SPDX-License-Identifier: GPL-3.0-or-later
// Forward-only cursors for CSV/JSON export. Each owns its statement, so an export can be
// streamed row by row (e.g. into a chunked HTTP response) without holding it all in RAM.
#include <fmt/format.h>

#include "apsecu/store/store.hpp"
#include "impl.hpp"

namespace apsecu::store {

struct SampleCursor::State {
  Store::Impl* impl = nullptr;
  detail::OwnedStmt stmt;
};

struct DayCursor::State {
  Store::Impl* impl = nullptr;
  detail::OwnedStmt stmt;
};

namespace {

// Samples are clustered on time; the day's first/last sample times kept in site_day turn
// a day range into a time range on the primary key.
constexpr const char* kSampleSql =
    "SELECT time, inverter_id, day, uptime_s, kind,"
    " counter1, energy1_mwh, power1_dw, dc_voltage1_cv, dc_current1_ma,"
    " counter2, energy2_mwh, power2_dw, dc_voltage2_cv, dc_current2_ma,"
    " counter3, energy3_mwh, power3_dw, dc_voltage3_cv, dc_current3_ma,"
    " counter4, energy4_mwh, power4_dw, dc_voltage4_cv, dc_current4_ma,"
    " temperature_ddeg, frequency_mhz, ac_voltage_cv, link_quality FROM sample"
    " WHERE time BETWEEN (SELECT min(first_time) FROM site_day WHERE day BETWEEN ?1 AND ?2)"
    "   AND (SELECT max(last_time) FROM site_day WHERE day BETWEEN ?1 AND ?2)"
    " AND day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR inverter_id = ?3) ORDER BY time, inverter_id";

constexpr const char* kDaySql =
    "SELECT inverter_id, day, energy_mwh, peak_power_dw, peak_time, samples, edited,"
    " input1_mwh, input1_peak_dw, input1_peak_time, input2_mwh, input2_peak_dw, input2_peak_time,"
    " input3_mwh, input3_peak_dw, input3_peak_time, input4_mwh, input4_peak_dw, input4_peak_time"
    " FROM inverter_day WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR inverter_id = ?3)"
    " ORDER BY day, inverter_id";

util::Result<detail::OwnedStmt> prepare_range(Store::Impl& impl, const char* sql, std::int32_t from_day,
                                              std::int32_t to_day, std::optional<std::string_view> serial) {
  if (auto st = detail::check_range(from_day, to_day); !st) return st.error();
  std::optional<std::int64_t> id;
  if (serial) {
    auto inv = impl.require(*serial);
    if (!inv) return inv.error();
    id = (*inv)->id;
  }
  auto s = detail::OwnedStmt::prepare(impl.db, sql);
  if (!s) return s.error();
  sqlite3_bind_int64(s->get(), 1, from_day);
  sqlite3_bind_int64(s->get(), 2, to_day);
  if (id) sqlite3_bind_int64(s->get(), 3, *id);
  return s;
}

std::string serial_of(const Store::Impl& impl, std::int64_t id) {
  const auto* inv = impl.find(id);
  return inv != nullptr ? inv->info.serial : fmt::format("#{}", id);
}

}  // namespace

util::Result<SampleCursor> Store::export_samples(std::int32_t from_day, std::int32_t to_day,
                                                 std::optional<std::string_view> serial) {
  auto s = prepare_range(*impl_, kSampleSql, from_day, to_day, serial);
  if (!s) return s.error();
  auto state = std::make_unique<SampleCursor::State>();
  state->impl = impl_.get();
  state->stmt = std::move(*s);
  return SampleCursor(std::move(state));
}

util::Result<DayCursor> Store::export_days(std::int32_t from_day, std::int32_t to_day,
                                           std::optional<std::string_view> serial) {
  auto s = prepare_range(*impl_, kDaySql, from_day, to_day, serial);
  if (!s) return s.error();
  auto state = std::make_unique<DayCursor::State>();
  state->impl = impl_.get();
  state->stmt = std::move(*s);
  return DayCursor(std::move(state));
}

SampleCursor::SampleCursor(std::unique_ptr<State> state) : state_(std::move(state)) {}
SampleCursor::SampleCursor(SampleCursor&&) noexcept = default;
SampleCursor& SampleCursor::operator=(SampleCursor&&) noexcept = default;
SampleCursor::~SampleCursor() = default;

util::Result<std::optional<SampleRow>> SampleCursor::next() {
  sqlite3_stmt* s = state_->stmt.get();
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<SampleRow>{};
  if (rc != SQLITE_ROW) return detail::sqlite_error(state_->impl->db, rc, "exporting samples");
  SampleRow row;
  auto& out = row.sample;
  const std::int64_t id = sqlite3_column_int64(s, 1);
  out.time_s = sqlite3_column_int64(s, 0);
  out.serial = serial_of(*state_->impl, id);
  row.day = sqlite3_column_int(s, 2);
  out.uptime_s = static_cast<std::uint32_t>(sqlite3_column_int64(s, 3));
  out.kind = static_cast<SampleKind>(sqlite3_column_int(s, 4));
  for (int i = 0; i < static_cast<int>(kMaxInputs); ++i) {
    const int base = 5 + i * 5;
    if (sqlite3_column_type(s, base) == SQLITE_NULL) break;
    out.inputs.push_back({sqlite3_column_int64(s, base), sqlite3_column_int64(s, base + 1),
                          sqlite3_column_int(s, base + 2), detail::column_opt_i32(s, base + 3),
                          detail::column_opt_i32(s, base + 4)});
  }
  out.temperature_ddeg = detail::column_opt_i32(s, 25);
  out.frequency_mhz = detail::column_opt_i32(s, 26);
  out.ac_voltage_cv = detail::column_opt_i32(s, 27);
  out.link_quality = detail::column_opt_i32(s, 28);
  return std::optional<SampleRow>{std::move(row)};
}

DayCursor::DayCursor(std::unique_ptr<State> state) : state_(std::move(state)) {}
DayCursor::DayCursor(DayCursor&&) noexcept = default;
DayCursor& DayCursor::operator=(DayCursor&&) noexcept = default;
DayCursor::~DayCursor() = default;

util::Result<std::optional<DayRow>> DayCursor::next() {
  sqlite3_stmt* s = state_->stmt.get();
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<DayRow>{};
  if (rc != SQLITE_ROW) return detail::sqlite_error(state_->impl->db, rc, "exporting day totals");
  DayRow row;
  row.serial = serial_of(*state_->impl, sqlite3_column_int64(s, 0));
  row.day = sqlite3_column_int(s, 1);
  row.energy_mwh = sqlite3_column_int64(s, 2);
  row.peak_power_dw = sqlite3_column_int(s, 3);
  row.peak_time_s = sqlite3_column_int64(s, 4);
  row.samples = sqlite3_column_int64(s, 5);
  row.edited = sqlite3_column_int(s, 6) != 0;
  for (int i = 0; i < static_cast<int>(kMaxInputs); ++i) {
    const int base = 7 + i * 3;
    if (sqlite3_column_type(s, base) == SQLITE_NULL) break;
    row.inputs.push_back({sqlite3_column_int64(s, base), sqlite3_column_int(s, base + 1),
                          sqlite3_column_int64(s, base + 2)});
  }
  return std::optional<DayRow>{std::move(row)};
}

}  // namespace apsecu::store
