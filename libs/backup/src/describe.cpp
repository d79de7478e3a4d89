// SPDX-License-Identifier: GPL-3.0-or-later
// What a backup holds and what a restore did, in a few lines for people.
#include <fmt/format.h>

#include "apsecu/backup/backup.hpp"
#include "files.hpp"
#include "manifest.hpp"

namespace apsecu::backup {
namespace {

std::string days(std::int32_t first, std::int32_t last) {
  if (first == 0) return "no days";
  return first == last ? fmt::format("day {}", first) : fmt::format("days {} .. {}", first, last);
}

std::string contents(const Manifest& m) {
  return fmt::format("backup of {} (apsecu {}, schema {}): {} inverter(s), {} sample(s), {}",
                     detail::utc_text(m.created_s), m.apsecu_version, m.schema_version, m.inverters, m.samples,
                     days(m.first_day, m.last_day));
}

}  // namespace

std::string describe(const CreateReport& r) {
  return fmt::format("wrote {} ({})\n{}\n", r.path, detail::human_size(r.archive_bytes), contents(r.manifest));
}

std::string describe(const RestoreReport& r) {
  const auto& m = r.merge;
  std::string out = contents(r.manifest) + "\n";
  out += fmt::format("merged: {} sample(s) added, {} already here", m.samples_added, m.samples_present);
  if (m.samples_skipped_wiped > 0) out += fmt::format(", {} skipped (inverter wiped here)", m.samples_skipped_wiped);
  out += fmt::format("; {} day(s) recomputed ({})", m.days_recomputed, days(m.first_day, m.last_day));
  if (m.edited_days_kept > 0) out += fmt::format(", {} edited day(s) kept as edited", m.edited_days_kept);
  out += fmt::format("; {} inverter(s), {} journal and {} audit entries added; lifetime totals raised for {}\n",
                     m.inverters_added, m.events_added, m.audit_added, m.lifetimes_raised);
  switch (r.settings) {
    case SettingsOutcome::Restored: out += "settings: restored (there were none)\n"; break;
    case SettingsOutcome::Replaced:
      out += fmt::format("settings: replaced; the previous ones are in {}\n", r.settings_backup_path);
      break;
    case SettingsOutcome::KeptExisting: out += "settings: the current ones were kept\n"; break;
  }
  return out;
}

}  // namespace apsecu::backup
