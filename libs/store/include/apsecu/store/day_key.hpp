// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Local day keys (YYYYMMDD as an int) and month keys (YYYYMM). The store never converts
// time zones: the caller decides which local day a poll belongs to and passes the key, so
// a DST change or a moved site cannot silently re-bucket history.

#include <cstdint>
#include <optional>

namespace apsecu::store {

struct CivilDay {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  bool operator==(const CivilDay&) const = default;
};

inline constexpr int kMinYear = 1970;
inline constexpr int kMaxYear = 9999;

[[nodiscard]] bool is_leap_year(int year) noexcept;
[[nodiscard]] int days_in_month(int year, int month) noexcept;  // 0 for an invalid month

// nullopt unless the key names a real calendar day between kMinYear and kMaxYear.
[[nodiscard]] std::optional<CivilDay> parse_day_key(std::int32_t key) noexcept;
[[nodiscard]] bool is_valid_day_key(std::int32_t key) noexcept;
[[nodiscard]] std::int32_t make_day_key(const CivilDay& d) noexcept;
[[nodiscard]] constexpr std::int32_t month_key_of_day(std::int32_t day_key) noexcept { return day_key / 100; }

// Days since 1970-01-01 (proleptic Gregorian) and back; H. Hinnant's algorithms.
[[nodiscard]] std::int64_t days_from_civil(const CivilDay& d) noexcept;
[[nodiscard]] CivilDay civil_from_days(std::int64_t days) noexcept;

// Local day key of a UTC instant for a fixed UTC offset: a convenience for callers and
// tests that already know the offset in force at that instant.
[[nodiscard]] std::int32_t day_key_of(std::int64_t unix_s, std::int32_t utc_offset_s) noexcept;
// The key `n` days after (or before, n < 0) a valid day key.
[[nodiscard]] std::int32_t add_days(std::int32_t day_key, std::int64_t n) noexcept;

}  // namespace apsecu::store
