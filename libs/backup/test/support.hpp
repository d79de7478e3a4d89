// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Backup test helpers: a data directory with settings and a few days of history, raw
// tar.gz reading and writing (to take real archives apart and build hostile ones), and a
// fingerprint that proves a refused restore changed nothing.

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "apsecu/backup/backup.hpp"
#include "apsecu/config/load_save.hpp"
#include "apsecu/store/day_key.hpp"
#include "apsecu/store/store.hpp"

namespace apsecu::backup::test {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "apsecu-backup-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline const std::vector<store::InverterInfo> kInverters = {
    {"408000111111", "QS1", 4}, {"806000222222", "YC600", 2}, {"703000333333", "DS3", 2}};
inline constexpr std::int32_t kFirstDay = 20260610;

inline config::Config settings(const std::string& data_dir, double latitude = 52.1) {
  config::Config c;
  c.timezone = "Europe/Amsterdam";
  c.location = {latitude, 5.3};
  c.radio.ecu_id = "D8A3011B9780";
  c.storage.data_dir = data_dir;
  for (const auto& inv : kInverters) {
    config::InverterConfig i;
    i.serial = inv.serial;
    i.model = inv.model;
    i.name = "panel " + inv.serial.substr(9);
    c.inverters.push_back(i);
  }
  return c;
}

// Day `index` after kFirstDay: 20 cycles a quarter of an hour apart from 08:00 UTC.
inline std::vector<store::Cycle> day_cycles(int index) {
  const std::int32_t day = store::add_days(kFirstDay, index);
  const std::int64_t midnight = store::days_from_civil(*store::parse_day_key(day)) * 86400;
  std::vector<store::Cycle> out;
  for (int k = 0; k < 20; ++k) {
    store::Cycle c;
    c.time_s = midnight + 8 * 3600 + k * 900;
    c.day = day;
    for (std::size_t i = 0; i < kInverters.size(); ++i) {
      store::InverterSample s;
      s.serial = kInverters[i].serial;
      s.time_s = c.time_s + 3 + static_cast<std::int64_t>(i) * 5;
      s.uptime_s = static_cast<std::uint32_t>(k * 900 + 60);
      s.kind = k == 0 ? store::SampleKind::Baseline : store::SampleKind::Normal;
      for (int n = 0; n < kInverters[i].inputs; ++n) {
        store::InputSample in;
        in.increase_mwh = k == 0 ? 0 : 1000 * (k % 7 + 1) + 17 * n + index;
        in.energy_counter_raw = k * 1000 + n;
        in.power_dw = static_cast<std::int32_t>(in.increase_mwh * 36 / 900);
        s.inputs.push_back(in);
      }
      c.samples.push_back(std::move(s));
    }
    if (k == 19) c.events.push_back({0, c.time_s, store::EventLevel::Info, "poll", "window closed"});
    out.push_back(std::move(c));
  }
  return out;
}

inline void write_days(store::Store& s, int from, int to) {
  for (int d = from; d < to; ++d) {
    for (const auto& c : day_cycles(d)) ASSERT_TRUE(s.write_cycle(c)) << d;
  }
}

// A data directory as the daemon leaves it: apsecu.json and apsecu.db with `days` days.
struct DataDir {
  TempDir tmp;
  std::string dir = tmp.path().string();
  std::string settings_path = tmp.file("apsecu.json");
  std::string db_path = tmp.file(kDatabaseName);
  std::optional<store::Store> store;

  explicit DataDir(int days = 3) {
    EXPECT_TRUE(config::save_file(settings_path, settings(dir)));
    auto s = store::Store::open(db_path);
    EXPECT_TRUE(s) << s.error().describe();
    store.emplace(std::move(*s));
    for (const auto& inv : kInverters) EXPECT_TRUE(store->add_inverter(inv));
    write_days(*store, 0, days);
  }
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- raw archives ------------------------------------------------------------------------

struct RawEntry {
  RawEntry() = default;
  RawEntry(std::string n, std::string d, unsigned t = AE_IFREG, std::string l = {}, bool h = false)
      : name(std::move(n)), data(std::move(d)), type(t), link(std::move(l)), hard(h) {}
  std::string name;
  std::string data;
  unsigned type = AE_IFREG;
  std::string link;  // symlink target, or hard link target when `hard`
  bool hard = false;
};

inline RestoreOptions with_settings(SettingsPolicy p, const Limits& limits = {}) {
  RestoreOptions o;
  o.settings = p;
  o.limits = limits;
  return o;
}

template <class F>
Limits limits(F&& change) {
  Limits l;
  change(l);
  return l;
}

inline std::vector<RawEntry> read_archive(const std::string& path) {
  std::vector<RawEntry> out;
  archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  if (archive_read_open_filename(a, path.c_str(), 65536) != ARCHIVE_OK) {
    archive_read_free(a);
    ADD_FAILURE() << "cannot read " << path;
    return out;
  }
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    RawEntry r;
    r.name = archive_entry_pathname(e);
    r.type = archive_entry_filetype(e);
    char buf[65536];
    la_ssize_t n = 0;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) r.data.append(buf, static_cast<std::size_t>(n));
    out.push_back(std::move(r));
  }
  archive_read_free(a);
  return out;
}

inline void write_archive(const std::string& path, const std::vector<RawEntry>& entries) {
  archive* a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const auto& r : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, r.name.c_str());
    archive_entry_set_filetype(e, r.type);
    archive_entry_set_perm(e, 0644);
    if (r.hard) {
      archive_entry_set_hardlink(e, r.link.c_str());
      archive_entry_set_size(e, 0);
    } else if (r.type == AE_IFLNK) {
      archive_entry_set_symlink(e, r.link.c_str());
      archive_entry_set_size(e, 0);
    } else {
      archive_entry_set_size(e, r.type == AE_IFREG ? static_cast<la_int64_t>(r.data.size()) : 0);
    }
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    if (r.type == AE_IFREG && !r.hard && !r.data.empty()) {
      archive_write_data(a, r.data.data(), r.data.size());
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

}  // namespace apsecu::backup::test
