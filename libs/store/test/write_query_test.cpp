// SPDX-License-Identifier: GPL-3.0-or-later
// Write a simulated site through write_cycle, then check every query against totals this
// test computes from the written samples on its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "support.hpp"

namespace {
using namespace apsecu::store;
using namespace apsecu::store::test;

constexpr std::int32_t kFirstDay = 20240120;
constexpr int kDays = 45;  // through February 29th into March
constexpr std::int32_t kLastDay = 20240304;

struct Expected {
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> inverter_day;
  std::map<std::int32_t, std::int64_t> site_day;
  std::map<std::pair<std::string, std::int32_t>, std::vector<CurvePoint>> inverter_curve;
  std::map<std::int32_t, std::vector<CurvePoint>> site_curve;
  std::map<std::string, std::vector<std::int64_t>> lifetime;

  explicit Expected(const SiteSim& sim) {
    for (const auto& inv : sim.inverters) lifetime[inv.serial].assign(static_cast<std::size_t>(inv.inputs), 0);
    for (const auto& c : sim.cycles) {
      std::int32_t site_dw = 0;
      bool produced = false;
      for (const auto& s : c.samples) {
        inverter_day[{s.serial, c.day}] += production_mwh(s);
        site_day[c.day] += production_mwh(s);
        if (!counts_as_production(s.kind)) continue;
        produced = true;
        site_dw += production_dw(s);
        inverter_curve[{s.serial, c.day}].push_back({s.time_s, production_dw(s)});
        for (std::size_t i = 0; i < s.inputs.size(); ++i) lifetime[s.serial][i] += s.inputs[i].increase_mwh;
      }
      if (produced) site_curve[c.day].push_back({c.time_s, site_dw});
    }
  }
};

class StoreQueries : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto opened = Store::open(GetParam() == Backend::File ? dir_.file("history.db") : ":memory:");
    ASSERT_TRUE(opened) << opened.error().describe();
    store_ = std::make_unique<Store>(std::move(*opened));
    register_all(*store_, sim_);
    write_all(*store_, sim_);
  }

  TempDir dir_;
  SiteSim sim_ = make_site(kFirstDay, kDays);
  Expected expected_{sim_};
  std::unique_ptr<Store> store_;
};

TEST_P(StoreQueries, DailyEnergyPerInverterAndSiteMatchTheSamples) {
  auto r = store_->daily_energy(kFirstDay, kLastDay);
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->site.size(), static_cast<std::size_t>(kDays));
  for (const auto& d : r->site) EXPECT_EQ(d.energy_mwh, expected_.site_day.at(d.day)) << d.day;
  ASSERT_EQ(r->inverters.size(), 3U);
  for (const auto& inv : r->inverters) {
    for (const auto& d : inv.days) EXPECT_EQ(d.energy_mwh, (expected_.inverter_day.at({inv.serial, d.day})));
  }
  EXPECT_EQ(r->inverters[2].days.size(), static_cast<std::size_t>(kDays - 1));  // DS3 offline one day

  auto one = store_->daily_energy(20240201, 20240210, "806000222222");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->inverters.size(), 1U);
  EXPECT_TRUE(one->site.empty());
  ASSERT_EQ(one->inverters[0].days.size(), 10U);
  EXPECT_EQ(one->inverters[0].days.front().day, 20240201);
  EXPECT_EQ(one->inverters[0].days.back().day, 20240210);
  EXPECT_EQ(one->inverters[0].days[3].energy_mwh, (expected_.inverter_day.at({"806000222222", 20240204})));
}

TEST_P(StoreQueries, MonthAndYearTotalsMatchTheSamples) {
  auto feb = store_->month(2024, 2);
  ASSERT_TRUE(feb) << feb.error().describe();
  ASSERT_EQ(feb->size(), 29U);
  std::int64_t feb_total = 0;
  for (const auto& d : *feb) {
    EXPECT_EQ(d.energy_mwh, expected_.site_day.at(d.day));
    feb_total += d.energy_mwh;
  }
  auto year = store_->year(2024);
  ASSERT_TRUE(year);
  ASSERT_EQ(year->size(), 3U);
  EXPECT_EQ((*year)[1], (MonthEnergy{2, feb_total}));
  for (const auto& m : *year) {
    std::int64_t sum = 0;
    for (const auto& [day, mwh] : expected_.site_day) {
      if (day / 100 % 100 == m.month) sum += mwh;
    }
    EXPECT_EQ(m.energy_mwh, sum) << m.month;
  }

  auto qs1 = store_->year(2024, "408000111111");
  ASSERT_TRUE(qs1);
  std::int64_t jan = 0;
  for (const auto& [key, mwh] : expected_.inverter_day) {
    if (key.first == "408000111111" && key.second / 100 == 202401) jan += mwh;
  }
  EXPECT_EQ(qs1->front(), (MonthEnergy{1, jan}));
  auto empty = store_->year(2023);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST_P(StoreQueries, DayCurvesAreThePolledPowerAndTheirSumPerCycle) {
  for (const std::int32_t day : {20240120, 20240125, 20240229}) {
    auto c = store_->day_curve(day);
    ASSERT_TRUE(c) << c.error().describe();
    EXPECT_EQ(c->site, expected_.site_curve[day]) << day;
    ASSERT_EQ(c->inverters.size(), day == 20240125 ? 2U : 3U) << day;
    for (const auto& inv : c->inverters) EXPECT_EQ(inv.points, (expected_.inverter_curve[{inv.serial, day}]));
  }
  auto one = store_->day_curve(20240201, "703000333333");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->inverters.size(), 1U);
  EXPECT_TRUE(one->site.empty());
  EXPECT_EQ(one->inverters[0].points, (expected_.inverter_curve[{"703000333333", 20240201}]));
  EXPECT_DOUBLE_EQ(one->inverters[0].points[5].power_w(), one->inverters[0].points[5].power_dw / 10.0);

  auto none = store_->day_curve(20230101);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->inverters.empty());
  EXPECT_TRUE(none->site.empty());
}

Statistics expected_statistics(const std::map<std::int32_t, std::int64_t>& days,
                               const std::map<std::int32_t, std::vector<CurvePoint>>& curves) {
  Statistics s;
  std::vector<double> produced;
  for (const auto& [day, mwh] : days) {
    ++s.days_with_data;
    if (mwh <= 0) continue;
    produced.push_back(static_cast<double>(mwh) / 1000.0);
    s.total_mwh += mwh;
    if (!s.best || mwh > s.best->energy_mwh) s.best = DayEnergy{day, mwh};
    if (!s.worst || mwh < s.worst->energy_mwh) s.worst = DayEnergy{day, mwh};
  }
  for (const auto& [day, points] : curves) {
    if (!days.contains(day)) continue;
    for (const auto& p : points) {
      if (p.power_dw > 0 && (!s.peak || p.power_dw > s.peak->power_dw)) s.peak = PowerPeak{day, p.time_s, p.power_dw};
    }
  }
  s.days_with_production = static_cast<std::int64_t>(produced.size());
  double sum = 0;
  for (const double v : produced) sum += v;
  s.mean_wh = sum / static_cast<double>(produced.size());
  double sq = 0;
  for (const double v : produced) sq += (v - s.mean_wh) * (v - s.mean_wh);
  s.stddev_wh = std::sqrt(sq / static_cast<double>(produced.size()));
  std::sort(produced.begin(), produced.end());
  const std::size_t n = produced.size();
  s.median_wh = n % 2 == 1 ? produced[n / 2] : (produced[n / 2 - 1] + produced[n / 2]) / 2.0;
  return s;
}

void expect_same(const Statistics& got, const Statistics& want) {
  EXPECT_EQ(got.days_with_data, want.days_with_data);
  EXPECT_EQ(got.days_with_production, want.days_with_production);
  EXPECT_EQ(got.total_mwh, want.total_mwh);
  ASSERT_TRUE(got.best && got.worst && got.peak);
  EXPECT_EQ(*got.best, *want.best);
  EXPECT_EQ(*got.worst, *want.worst);
  EXPECT_NEAR(got.mean_wh, want.mean_wh, 1e-6);
  EXPECT_NEAR(got.median_wh, want.median_wh, 1e-6);
  EXPECT_NEAR(got.stddev_wh, want.stddev_wh, 1e-6);
  EXPECT_EQ(got.peak->power_dw, want.peak->power_dw);
  EXPECT_EQ(got.peak->time_s, want.peak->time_s);
  EXPECT_EQ(got.peak->day, want.peak->day);
}

TEST_P(StoreQueries, StatisticsOverAllTimeAndARange) {
  auto all = store_->statistics();
  ASSERT_TRUE(all) << all.error().describe();
  const auto want = expected_statistics(expected_.site_day, expected_.site_curve);
  expect_same(*all, want);
  EXPECT_EQ(all->days_with_production, kDays - 1);  // day index 3 produced nothing
  EXPECT_EQ(all->first_day, kFirstDay);
  EXPECT_EQ(all->last_day, kLastDay);
  EXPECT_DOUBLE_EQ(all->total_kwh(), static_cast<double>(want.total_mwh) / 1e6);

  const std::string serial = "408000111111";
  std::map<std::int32_t, std::int64_t> days;
  std::map<std::int32_t, std::vector<CurvePoint>> curves;
  for (const auto& [key, mwh] : expected_.inverter_day) {
    if (key.first == serial && key.second >= 20240201 && key.second <= 20240229) days[key.second] = mwh;
  }
  for (const auto& [key, points] : expected_.inverter_curve) {
    if (key.first == serial) curves[key.second] = points;
  }
  auto feb = store_->statistics({serial, 20240201, 20240229});
  ASSERT_TRUE(feb) << feb.error().describe();
  expect_same(*feb, expected_statistics(days, curves));
  EXPECT_EQ(feb->days_with_data, 29);

  auto nothing = store_->statistics({std::nullopt, 20230101, 20231231});
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->days_with_data, 0);
  EXPECT_FALSE(nothing->best.has_value());
}

TEST_P(StoreQueries, ExportedSamplesRoundTripAndDayAggregatesEqualTheirSum) {
  auto cursor = store_->export_samples(kFirstDay, kLastDay);
  ASSERT_TRUE(cursor) << cursor.error().describe();
  std::vector<InverterSample> written;
  for (const auto& c : sim_.cycles) written.insert(written.end(), c.samples.begin(), c.samples.end());
  std::size_t n = 0;
  struct Sums {
    std::int64_t samples = 0;
    std::int64_t energy = 0;
    std::vector<std::int64_t> inputs = std::vector<std::int64_t>(4, 0);
    std::vector<std::int32_t> peaks = std::vector<std::int32_t>(4, -1);
    std::vector<std::int64_t> peak_times = std::vector<std::int64_t>(4, 0);
  };
  std::map<std::pair<std::string, std::int32_t>, Sums> sums;
  for (;;) {
    auto row = cursor->next();
    ASSERT_TRUE(row) << row.error().describe();
    if (!*row) break;
    ASSERT_LT(n, written.size());
    EXPECT_EQ((*row)->sample, written[n]) << "row " << n;
    auto& s = sums[{(*row)->sample.serial, (*row)->day}];
    ++s.samples;
    s.energy += production_mwh((*row)->sample);
    for (std::size_t i = 0; i < (*row)->sample.inputs.size(); ++i) {
      const bool counts = counts_as_production((*row)->sample.kind);
      const auto& in = (*row)->sample.inputs[i];
      s.inputs[i] += counts ? in.increase_mwh : 0;
      const std::int32_t p = counts ? in.power_dw : 0;
      if (p > s.peaks[i]) {
        s.peaks[i] = p;
        s.peak_times[i] = (*row)->sample.time_s;
      }
    }
    ++n;
  }
  EXPECT_EQ(n, written.size());

  auto days = store_->export_days(kFirstDay, kLastDay);
  ASSERT_TRUE(days);
  std::size_t rows = 0;
  for (;;) {
    auto row = days->next();
    ASSERT_TRUE(row);
    if (!*row) break;
    ++rows;
    const auto& d = **row;
    const auto& s = sums.at({d.serial, d.day});
    EXPECT_EQ(d.samples, s.samples);
    EXPECT_EQ(d.energy_mwh, s.energy);
    EXPECT_FALSE(d.edited);
    std::int64_t input_total = 0;
    for (std::size_t i = 0; i < d.inputs.size(); ++i) {
      EXPECT_EQ(d.inputs[i].energy_mwh, s.inputs[i]) << d.serial << " " << d.day << " input " << i + 1;
      EXPECT_EQ(d.inputs[i].peak_power_dw, s.peaks[i]);
      EXPECT_EQ(d.inputs[i].peak_time_s, s.peak_times[i]);
      input_total += d.inputs[i].energy_mwh;
    }
    EXPECT_EQ(input_total, d.energy_mwh);
  }
  EXPECT_EQ(rows, sums.size());

  auto one = store_->export_samples(20240201, 20240201, "703000333333");
  ASSERT_TRUE(one);
  int count = 0;
  while (auto r = one->next()) {
    if (!*r) break;
    EXPECT_EQ((*r)->sample.serial, "703000333333");
    EXPECT_EQ((*r)->day, 20240201);
    ++count;
  }
  EXPECT_EQ(count, 32);
}

TEST_P(StoreQueries, LifetimeTotalsAreTheSumOfCountedIncreases) {
  for (const auto& inv : sim_.inverters) {
    auto l = store_->lifetime_mwh(inv.serial);
    ASSERT_TRUE(l);
    EXPECT_EQ(*l, expected_.lifetime.at(inv.serial)) << inv.serial;
  }
}

TEST_P(StoreQueries, StateAndEventsTravelWithTheCycle) {
  Cycle c;
  c.day = 20240305;
  c.time_s = local_midnight_utc(c.day) + 10 * 3600;
  c.states.push_back({"408000111111", R"({"uptime_s":1234,"counters":[1,2,3,4]})"});
  c.events.push_back({0, c.time_s, EventLevel::Warning, "zigbee", "inverter 806000222222 did not answer"});
  ASSERT_TRUE(store_->write_cycle(c));
  auto st = store_->get_state("408000111111");
  ASSERT_TRUE(st);
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ((*st)->time_s, c.time_s);
  EXPECT_EQ((*st)->state, c.states[0].state);
  auto none = store_->get_state("806000222222");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  auto ev = store_->events(c.time_s - 3600, c.time_s + 3600, EventLevel::Warning);
  ASSERT_TRUE(ev);
  ASSERT_EQ(ev->size(), 1U);
  EXPECT_EQ((*ev)[0].message, "inverter 806000222222 did not answer");
  EXPECT_EQ((*ev)[0].level, EventLevel::Warning);
  auto all = store_->events(0, c.time_s + 1);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), static_cast<std::size_t>(kDays) + 1);
  EXPECT_EQ(all->front().source, "zigbee");  // newest first

  ASSERT_TRUE(store_->put_state("806000222222", "{}", 5));
  auto put = store_->get_state("806000222222");
  ASSERT_TRUE(put && put->has_value());
  EXPECT_EQ((*put)->state, "{}");
}

// The web pages read through their own connection while the engine registers inverters
// through another: refresh() makes the reader see them.
TEST(StoreConnections, RefreshSeesInvertersAnotherConnectionRegistered) {
  TempDir dir;
  auto writer = Store::open(dir.file("history.db"));
  ASSERT_TRUE(writer);
  auto reader = Store::open(dir.file("history.db"));
  ASSERT_TRUE(reader);
  ASSERT_TRUE(reader->refresh());
  ASSERT_TRUE(writer->add_inverter({"703000054717", "DS3", 2}));
  EXPECT_TRUE(reader->inverters().empty()) << "read once at open, until refreshed";
  EXPECT_FALSE(reader->lifetime_mwh("703000054717"));
  ASSERT_TRUE(reader->refresh());
  ASSERT_EQ(reader->inverters().size(), 1U);
  EXPECT_EQ(reader->inverters()[0].serial, "703000054717");
  EXPECT_TRUE(reader->lifetime_mwh("703000054717"));
  ASSERT_TRUE(reader->refresh());  // nothing changed: the list stays
  EXPECT_EQ(reader->inverters().size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreQueries, ::testing::Values(Backend::File, Backend::Memory), backend_name);

}  // namespace
