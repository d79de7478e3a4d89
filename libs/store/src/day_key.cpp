// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/store/day_key.hpp"

namespace apsecu::store {

bool is_leap_year(int year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) noexcept {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

std::optional<CivilDay> parse_day_key(std::int32_t key) noexcept {
  const CivilDay d{key / 10000, key / 100 % 100, key % 100};
  if (key <= 0 || d.year < kMinYear || d.year > kMaxYear) return std::nullopt;
  if (d.day < 1 || d.day > days_in_month(d.year, d.month)) return std::nullopt;
  return d;
}

bool is_valid_day_key(std::int32_t key) noexcept { return parse_day_key(key).has_value(); }

std::int32_t make_day_key(const CivilDay& d) noexcept { return d.year * 10000 + d.month * 100 + d.day; }

std::int64_t days_from_civil(const CivilDay& d) noexcept {
  const std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (d.month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDay civil_from_days(std::int64_t days) noexcept {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return {static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

std::int32_t day_key_of(std::int64_t unix_s, std::int32_t utc_offset_s) noexcept {
  const std::int64_t local = unix_s + utc_offset_s;
  const std::int64_t days = (local >= 0 ? local : local - 86399) / 86400;
  return make_day_key(civil_from_days(days));
}

std::int32_t add_days(std::int32_t day_key, std::int64_t n) noexcept {
  const auto d = parse_day_key(day_key);
  if (!d) return day_key;
  return make_day_key(civil_from_days(days_from_civil(*d) + n));
}

}  // namespace apsecu::store
