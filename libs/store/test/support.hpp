// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test helpers: temporary directories, a small simulated site whose expected totals the
// tests compute on their own, and the two backends every store test runs on.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "apsecu/store/day_key.hpp"
#include "apsecu/store/store.hpp"

namespace apsecu::store::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "apsecu-store-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

enum class Backend { File, Memory };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::File ? "File" : "Memory";
}

inline constexpr std::int32_t kUtcOffsetS = 3600;  // the simulated site keeps CET all year

inline std::int64_t local_midnight_utc(std::int32_t day) {
  return days_from_civil(*parse_day_key(day)) * 86400 - kUtcOffsetS;
}

struct SiteSim {
  std::vector<InverterInfo> inverters;
  std::vector<Cycle> cycles;
};

// `days` days from `first_day`, a cycle every 15 minutes from 08:00 to 15:45 local. The
// first answer of each day is a baseline; now and then a sample is rejected (with
// non-zero values that must not be counted) or marks an inverter reset. Day index 3 has
// no production anywhere; the DS3 is offline on day index 5.
inline SiteSim make_site(std::int32_t first_day, int days, std::uint32_t seed = 42) {
  SiteSim sim;
  sim.inverters = {{"408000111111", "QS1", 4}, {"806000222222", "YC600", 2}, {"703000333333", "DS3", 2}};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> inc(0, 25000);
  std::uniform_int_distribution<int> pct(0, 99);
  std::vector<std::vector<std::int64_t>> counters(sim.inverters.size());
  for (int d = 0; d < days; ++d) {
    const std::int32_t day = add_days(first_day, d);
    const std::int64_t midnight = local_midnight_utc(day);
    for (auto& c : counters) c.assign(4, 0);
    for (int k = 0; k < 32; ++k) {
      Cycle cycle;
      cycle.time_s = midnight + 8 * 3600 + k * 900;
      cycle.day = day;
      for (std::size_t i = 0; i < sim.inverters.size(); ++i) {
        if (d == 5 && i == 2) continue;
        const auto& info = sim.inverters[i];
        InverterSample s;
        s.serial = info.serial;
        s.time_s = cycle.time_s + 2 + static_cast<std::int64_t>(i) * 4;
        s.uptime_s = static_cast<std::uint32_t>(k * 900 + 400);
        const int roll = pct(rng);
        s.kind = k == 0 ? SampleKind::Baseline
                 : roll < 3 ? SampleKind::Rejected
                 : roll < 5 ? SampleKind::InverterReset
                            : SampleKind::Normal;
        for (int n = 0; n < info.inputs; ++n) {
          InputSample in;
          in.increase_mwh = (k == 0 || d == 3) ? 0 : inc(rng);
          counters[i][static_cast<std::size_t>(n)] += in.increase_mwh * 30;
          in.energy_counter_raw = counters[i][static_cast<std::size_t>(n)];
          in.power_dw = static_cast<std::int32_t>(in.increase_mwh * 36 / 900);
          in.dc_voltage_cv = 3000 + static_cast<std::int32_t>(pct(rng)) * 8;
          in.dc_current_ma = n == 1 ? std::optional<std::int32_t>{} : std::optional<std::int32_t>{pct(rng) * 90};
          s.inputs.push_back(in);
        }
        s.temperature_ddeg = 200 + pct(rng);
        if (i != 0) s.frequency_mhz = 49950 + pct(rng);  // QS1 quirk: no frequency
        s.ac_voltage_cv = 23000 + pct(rng);
        s.link_quality = pct(rng) * 2;
        cycle.samples.push_back(std::move(s));
      }
      if (k == 31) cycle.events.push_back({0, cycle.time_s, EventLevel::Info, "poll", "last poll of the day"});
      sim.cycles.push_back(std::move(cycle));
    }
  }
  return sim;
}

inline void register_all(Store& store, const SiteSim& sim) {
  for (const auto& inv : sim.inverters) ASSERT_TRUE(store.add_inverter(inv)) << inv.serial;
}

inline void write_all(Store& store, const SiteSim& sim) {
  for (const auto& c : sim.cycles) {
    auto st = store.write_cycle(c);
    ASSERT_TRUE(st) << st.error().describe();
  }
}

inline std::int64_t production_mwh(const InverterSample& s) {
  if (!counts_as_production(s.kind)) return 0;
  std::int64_t e = 0;
  for (const auto& in : s.inputs) e += in.increase_mwh;
  return e;
}

inline std::int32_t production_dw(const InverterSample& s) {
  if (!counts_as_production(s.kind)) return 0;
  std::int32_t p = 0;
  for (const auto& in : s.inputs) p += in.power_dw;
  return p;
}

inline AuditNote note(std::string reason = "repair after a zigbee outage") {
  return AuditNote{1'700'000'000, "test", std::move(reason)};
}

}  // namespace apsecu::store::test
