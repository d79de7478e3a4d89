// SPDX-License-Identifier: GPL-3.0-or-later
// History store vs the seed's InfluxDB 1.6 on the same data: years of 5-minute polls of a
// QS1 site, written through the public store API (one write_cycle per poll cycle) and as
// line protocol into influxd, then the chart and statistics queries of the seed's pages
// timed on both. Prints build time, disk size, start time and p50/p95 per query with the
// speed ratios. Not a test: it prints figures (docs/store.md).
//
//   bench_history [--years N] [--inverters N] [--skip-influx] [--iterations N]
//                 [--influx-iterations N] [--dir PATH] [--keep] [--cache-kib N]

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <sqlite3.h>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "apsecu/store/day_key.hpp"
#include "apsecu/store/store.hpp"
#include "history/influx.hpp"
#include "history/sim.hpp"

namespace {
using namespace apsecu;
using Clock = std::chrono::steady_clock;

struct Options {
  int years = 3;
  int inverters = 9;
  bool skip_influx = false;
  bool keep = false;
  int iterations = 400;
  int influx_iterations = 40;
  int cache_kib = store::OpenOptions{}.cache_kib;
  std::string dir;
};

// Bytes this process caused to be written to storage (WAL appends + checkpoints): what the
// SD card would see.
std::uint64_t bytes_written() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::uint64_t value = 0;
  while (io >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return 0;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Percentiles {
  double p50 = 0;
  double p95 = 0;
};

Percentiles percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&v](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
  return {at(0.50), at(0.95)};
}

template <class T>
const T& check(const util::Result<T>& r, const char* what) {
  if (!r) {
    std::cerr << what << ": " << r.error().describe() << "\n";
    std::exit(1);
  }
  return *r;
}

template <class T>
T take(util::Result<T>&& r, const char* what) {
  if (!r) {
    std::cerr << what << ": " << r.error().describe() << "\n";
    std::exit(1);
  }
  return std::move(*r);
}

// One query of the set, as our API call and as the seed-style InfluxQL request.
struct QueryCase {
  std::string name;
  std::function<std::size_t(std::size_t)> store;  // returns something derived from the answer
  std::string influx_db;
  std::function<std::string(std::size_t)> influxql;
  Percentiles store_ms;
  Percentiles influx_ms;
  double answer_size = 0;  // mean size of the store answer: site points, days or months
};

Percentiles time_store(QueryCase& q, int n) {
  std::size_t sink = 0;
  for (std::size_t i = 0; i < 5; ++i) sink += q.store(i);
  std::vector<double> ms;
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    const auto t0 = Clock::now();
    sink += q.store(i);
    ms.push_back(ms_since(t0));
  }
  q.answer_size = static_cast<double>(sink) / static_cast<double>(n + 5);  // also keeps the calls observable
  return percentiles(ms);
}

Percentiles time_influx(QueryCase& q, bench::Influx& influx, int n) {
  for (std::size_t i = 0; i < 3; ++i) {
    if (influx.query(q.influx_db, q.influxql(i)).empty()) std::exit(1);
  }
  std::vector<double> ms;
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    const auto text = q.influxql(i);
    const auto t0 = Clock::now();
    const long size = influx.query_size(q.influx_db, text);
    ms.push_back(ms_since(t0));
    if (size <= 0) std::exit(1);
  }
  return percentiles(ms);
}

std::string table_sizes(const std::string& db_path) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, sum(pgsize), sum(ncell) FROM dbstat GROUP BY name ORDER BY 2 DESC", -1,
                           &s, nullptr) == SQLITE_OK) {
      while (sqlite3_step(s) == SQLITE_ROW) {
        out += fmt::format("    {:<28} {:>8.2f} MB\n", reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                           static_cast<double>(sqlite3_column_int64(s, 1)) / 1e6);
      }
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

// The seed's invData point of one sample: fields p, e as its sendInflux wrote them, plus
// everything else the store keeps, so both hold the same information.
void append_line(std::string& out, int inverter, const store::InverterSample& s) {
  double p = 0;
  double e = 0;
  for (const auto& in : s.inputs) {
    p += in.power_dw / 10.0;
    e += static_cast<double>(in.increase_mwh) / 1000.0;
  }
  auto it = std::back_inserter(out);
  fmt::format_to(it, "inv,inv=inv{} p={:.1f},e={:.3f}", inverter, p, e);
  for (std::size_t k = 0; k < s.inputs.size(); ++k) {
    const auto& in = s.inputs[k];
    fmt::format_to(it, ",p{0}={1:.1f},e{0}={2:.3f},c{0}={3}i,v{0}={4:.2f},a{0}={5:.3f}", k + 1, in.power_dw / 10.0,
                   static_cast<double>(in.increase_mwh) / 1000.0, in.energy_counter_raw,
                   in.dc_voltage_cv.value_or(0) / 100.0, in.dc_current_ma.value_or(0) / 1000.0);
  }
  fmt::format_to(it, ",t={:.1f},f={:.3f},acv={:.2f},lq={}i,up={}i,kind={}i {}\n", s.temperature_ddeg.value_or(0) / 10.0,
                 s.frequency_mhz.value_or(0) / 1000.0, s.ac_voltage_cv.value_or(0) / 100.0, s.link_quality.value_or(0),
                 s.uptime_s, static_cast<int>(s.kind), s.time_s);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--years") o.years = std::stoi(value());
    else if (a == "--inverters") o.inverters = std::stoi(value());
    else if (a == "--skip-influx") o.skip_influx = true;
    else if (a == "--keep") o.keep = true;
    else if (a == "--iterations") o.iterations = std::stoi(value());
    else if (a == "--influx-iterations") o.influx_iterations = std::stoi(value());
    else if (a == "--dir") o.dir = value();
    else if (a == "--cache-kib") o.cache_kib = std::stoi(value());
    else {
      std::cerr << "usage: bench_history [--years N] [--inverters N] [--skip-influx] [--iterations N]\n"
                   "                     [--influx-iterations N] [--dir PATH] [--keep] [--cache-kib N]\n";
      std::exit(a == "--help" || a == "-h" ? 0 : 2);
    }
  }
  if (o.years < 1 || o.inverters < 1 || o.inverters > 99 || o.iterations < 10 || o.influx_iterations < 10) {
    std::cerr << "need years >= 1, 1..99 inverters, iterations >= 10\n";
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  std::string dir = opt.dir;
  if (dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "apsecu-history-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return 1;
    dir = tmpl;
  }
  std::filesystem::create_directories(dir);
  const std::string db_path = dir + "/history.db";
  std::filesystem::remove(db_path);
  const bench::SimConfig cfg{.years = opt.years, .inverters = opt.inverters};
  bench::SiteSimulator shape(cfg);
  const std::int32_t last_day = shape.last_day();
  fmt::print("site: {} QS1 x 4 inputs, {} years of 5-minute daytime polls ({} .. {}), work dir {}\n", opt.inverters,
             opt.years, cfg.first_day, last_day, dir);
  fmt::print("store: SQLite page cache {} KiB per connection\n", opt.cache_kib);

  // ---- build the store through the public API --------------------------------------------
  std::size_t cycles = 0;
  std::size_t samples = 0;
  double build_ms = 0;
  std::uint64_t build_bytes = 0;
  {
    auto store = take(store::Store::open(db_path, {.cache_kib = opt.cache_kib}), "open");
    for (const auto& inv : shape.inverters()) {
      if (auto st = store.add_inverter(inv); !st) {
        std::cerr << "add_inverter: " << st.error().describe() << "\n";
        return 1;
      }
    }
    bench::SiteSimulator sim(cfg);
    store::Cycle c;
    const std::uint64_t io0 = bytes_written();
    const auto t0 = Clock::now();
    while (sim.next(c)) {
      if (auto st = store.write_cycle(c); !st) {
        std::cerr << "write_cycle: " << st.error().describe() << "\n";
        return 1;
      }
      ++cycles;
      samples += c.samples.size();
    }
    build_ms = ms_since(t0);
    if (auto st = store.checkpoint(); !st) std::cerr << st.error().describe() << "\n";
    build_bytes = bytes_written() - io0;
  }
  const auto store_disk = bench::disk_usage(db_path);
  const auto wal_disk = bench::disk_usage(db_path + "-wal");
  fmt::print("store: {} cycles, {} samples written in {:.1f} s ({:.3f} ms per cycle)\n", cycles, samples,
             build_ms / 1000, build_ms / static_cast<double>(cycles));
  fmt::print("store: {:.1f} KB written to storage per cycle (WAL + checkpoints)\n",
             static_cast<double>(build_bytes) / 1024.0 / static_cast<double>(cycles));
  fmt::print("store: file {:.2f} MB allocated ({:.2f} MB apparent), WAL {:.2f} MB after checkpoint\n{}",
             static_cast<double>(store_disk.allocated) / 1e6, static_cast<double>(store_disk.apparent) / 1e6,
             static_cast<double>(wal_disk.allocated) / 1e6, table_sizes(db_path));

  // ---- cold open + first chart ---------------------------------------------------------------
  std::vector<double> cold;
  for (int i = 0; i < 5; ++i) {
    bench::evict_file(db_path);
    const auto t0 = Clock::now();
    auto s = take(store::Store::open(db_path, {.cache_kib = opt.cache_kib}), "open");
    (void)check(s.day_curve(last_day), "first chart");
    cold.push_back(ms_since(t0));
  }
  const Percentiles cold_ms = percentiles(cold);

  // ---- the query set ----------------------------------------------------------------------
  auto store = take(store::Store::open(db_path, {.cache_kib = opt.cache_kib}), "open");
  const std::size_t n = static_cast<std::size_t>(std::max(opt.iterations, opt.influx_iterations)) + 8;
  std::mt19937 rng(7);
  std::vector<std::int32_t> days;    // a day of the last year
  std::vector<std::int32_t> months;  // YYYYMM of the whole history
  const int first_year = cfg.first_day / 10000;
  const int last_year = last_day / 10000;
  for (std::size_t i = 0; i < n; ++i) {
    days.push_back(store::add_days(last_day, -static_cast<std::int64_t>(rng() % 365)));
    const std::int32_t d = store::add_days(cfg.first_day, static_cast<std::int64_t>(rng() % (365U * static_cast<unsigned>(opt.years))));
    months.push_back(d / 100);
  }
  const int inv = std::min(3, opt.inverters - 1);
  const std::string serial = shape.inverters()[static_cast<std::size_t>(inv)].serial;
  auto t = [&shape](std::int32_t day) { return fmt::format("{}s", shape.local_midnight_utc(day)); };
  auto month_range = [&](std::size_t i) {
    const int y = months[i] / 100;
    const int m = months[i] % 100;
    return std::pair{store::make_day_key({y, m, 1}), store::make_day_key({y, m, store::days_in_month(y, m)})};
  };
  const std::string all_from = t(cfg.first_day);
  const std::string all_to = t(store::add_days(last_day, 1));
  auto daily_sums = [](const std::string& from, const std::string& to) {
    return fmt::format("(SELECT sum(e) AS s FROM inv WHERE time >= {} AND time < {} GROUP BY time(1d) fill(none))", from, to);
  };

  std::vector<QueryCase> qs;
  auto add = [&qs](std::string name, std::function<std::size_t(std::size_t)> on_store, std::string db,
                   std::function<std::string(std::size_t)> on_influx) {
    QueryCase q;
    q.name = std::move(name);
    q.store = std::move(on_store);
    q.influx_db = std::move(db);
    q.influxql = std::move(on_influx);
    qs.push_back(std::move(q));
  };
  add("day curve, site (all inverters + sum)",
                [&](std::size_t i) { return check(store.day_curve(days[i]), "day_curve").site.size(); }, "invData",
                [&](std::size_t i) {
                  const auto a = t(days[i]);
                  const auto b = t(store::add_days(days[i], 1));
                  return fmt::format("SELECT p FROM inv WHERE time >= {0} AND time < {1} GROUP BY inv; "
                                     "SELECT sum(p) FROM inv WHERE time >= {0} AND time < {1} GROUP BY time(5m) fill(none)",
                                     a, b);
                });
  add("day curve, one inverter",
                [&](std::size_t i) { return check(store.day_curve(days[i], serial), "day_curve").inverters.size(); },
                "invData", [&](std::size_t i) {
                  return fmt::format("SELECT p FROM inv WHERE inv = 'inv{}' AND time >= {} AND time < {}", inv,
                                     t(days[i]), t(store::add_days(days[i], 1)));
                });
  add("daily energy, last 30 days",
                [&](std::size_t i) {
                  return check(store.daily_energy(store::add_days(days[i], -29), days[i]), "daily").site.size();
                },
                "invEnergy", [&](std::size_t i) {
                  const auto a = t(store::add_days(days[i], -29));
                  const auto b = t(store::add_days(days[i], 1));
                  return fmt::format("SELECT e FROM inv WHERE time >= {0} AND time < {1} GROUP BY inv; "
                                     "SELECT sum(e) FROM inv WHERE time >= {0} AND time < {1} GROUP BY time(1d) fill(none)",
                                     a, b);
                });
  add("month (per day)",
                [&](std::size_t i) { return check(store.month(months[i] / 100, months[i] % 100), "month").size(); },
                "invEnergy", [&](std::size_t i) {
                  const auto [a, b] = month_range(i);
                  return fmt::format("SELECT sum(e) FROM inv WHERE time >= {} AND time < {} GROUP BY time(1d) fill(none)",
                                     t(a), t(store::add_days(b, 1)));
                });
  add("year (per month)",
                [&](std::size_t i) {
                  return check(store.year(first_year + static_cast<int>(i % static_cast<std::size_t>(last_year - first_year + 1))), "year").size();
                },
                "invEnergy", [&](std::size_t i) {
                  const int y = first_year + static_cast<int>(i % static_cast<std::size_t>(last_year - first_year + 1));
                  std::string q;
                  for (int m = 1; m <= 12; ++m) {
                    const auto a = store::make_day_key({y, m, 1});
                    const auto b = store::make_day_key({y, m, store::days_in_month(y, m)});
                    q += fmt::format("{}SELECT sum(e) FROM inv WHERE time >= {} AND time < {}", m > 1 ? "; " : "", t(a),
                                     t(store::add_days(b, 1)));
                  }
                  return q;
                });
  add("statistics, all time",
                [&](std::size_t) { return static_cast<std::size_t>(check(store.statistics(), "stats").days_with_data); },
                "invEnergy", [&](std::size_t) {
                  const auto sums = daily_sums(all_from, all_to);
                  return fmt::format("SELECT count(s), sum(s), mean(s), median(s), stddev(s) FROM {0} WHERE s > 0; "
                                     "SELECT max(s) FROM {0}; SELECT min(s) FROM {0} WHERE s > 0",
                                     sums);
                });
  add("statistics, one month",
                [&](std::size_t i) {
                  const auto [a, b] = month_range(i);
                  return static_cast<std::size_t>(check(store.statistics({std::nullopt, a, b}), "stats").days_with_data);
                },
                "invEnergy", [&](std::size_t i) {
                  const auto [a, b] = month_range(i);
                  const auto from = t(a);
                  const auto to = t(store::add_days(b, 1));
                  const auto sums = daily_sums(from, to);
                  return fmt::format(
                      "SELECT count(s), sum(s), mean(s), median(s), stddev(s) FROM {0} WHERE s > 0; "
                      "SELECT max(s) FROM {0}; SELECT min(s) FROM {0} WHERE s > 0; "
                      "SELECT max(s) FROM (SELECT sum(p) AS s FROM \"invData\".\"autogen\".\"inv\" WHERE time >= {1} "
                      "AND time < {2} GROUP BY time(5m) fill(none))",
                      sums, from, to);
                });
  for (auto& q : qs) q.store_ms = time_store(q, opt.iterations);

  // ---- InfluxDB 1.6 with the same points ---------------------------------------------------
  double influx_load_ms = 0;
  double influx_settle_ms = 0;
  double influx_start_ms = 0;
  std::uint64_t influx_disk = 0;
  std::string cross_check;
  if (!opt.skip_influx) {
    bench::Influx influx(dir + "/influx");
    if (!influx.start()) return 1;
    if (influx.query("", "CREATE DATABASE invData; CREATE DATABASE invEnergy").empty()) return 1;
    bench::SiteSimulator sim(cfg);
    std::map<std::string, int> index;
    for (std::size_t k = 0; k < sim.inverters().size(); ++k) index[sim.inverters()[k].serial] = static_cast<int>(k);
    store::Cycle c;
    std::string batch;
    std::string daily;
    std::vector<std::int64_t> day_mwh(static_cast<std::size_t>(opt.inverters), 0);
    std::int32_t day = cfg.first_day;
    std::size_t lines = 0;
    // invEnergy: one point per inverter per day, as the seed's midNight wrote it, at local noon.
    auto close_day = [&](std::int32_t d) {
      for (std::size_t k = 0; k < day_mwh.size(); ++k) {
        daily += fmt::format("inv,inv=inv{} e={:.3f} {}\n", k, static_cast<double>(day_mwh[k]) / 1000.0,
                             sim.local_midnight_utc(d) + 12 * 3600);
        day_mwh[k] = 0;
      }
    };
    const auto t0 = Clock::now();
    while (sim.next(c)) {
      if (c.day != day) {
        close_day(day);
        day = c.day;
      }
      for (const auto& s : c.samples) {
        const int k = index[s.serial];
        append_line(batch, k, s);
        if (store::counts_as_production(s.kind)) {
          for (const auto& in : s.inputs) day_mwh[static_cast<std::size_t>(k)] += in.increase_mwh;
        }
        if (++lines % 5000 == 0) {
          if (!influx.write("invData", batch)) return 1;
          batch.clear();
        }
      }
    }
    close_day(day);
    if (!batch.empty() && !influx.write("invData", batch)) return 1;
    if (!influx.write("invEnergy", daily)) return 1;
    influx_load_ms = ms_since(t0);
    const auto t1 = Clock::now();
    if (!influx.settle(std::chrono::seconds(600))) std::cerr << "influxd did not settle; measuring anyway\n";
    influx_settle_ms = ms_since(t1);
    influx.stop();
    influx_disk = influx.disk_bytes();

    influx.evict_cache();
    const auto t2 = Clock::now();
    if (!influx.start(std::chrono::seconds(600))) return 1;
    if (influx.query_size("invData", qs[0].influxql(0)) <= 0) return 1;
    influx_start_ms = ms_since(t2);
    for (auto& q : qs) q.influx_ms = time_influx(q, influx, opt.influx_iterations);

    // Same answers? Month totals (exact: mWh vs 3-decimal Wh) and the month's site peak.
    const auto [a, b] = month_range(0);
    const auto st = check(store.statistics({std::nullopt, a, b}), "stats");
    cross_check = fmt::format("cross-check {}: store total {:.3f} Wh, peak {:.1f} W\n  influx: {}\n", months[0],
                              static_cast<double>(st.total_mwh) / 1000.0, st.peak ? st.peak->power_dw / 10.0 : 0.0,
                              influx.query("invEnergy", qs[6].influxql(0)).substr(0, 900));
    influx.stop();
  }

  // ---- report -----------------------------------------------------------------------------
  fmt::print("\n{:<40} {:>10} {:>10} {:>11} {:>11} {:>9} {:>9} {:>8}\n", "query (ms)", "store p50", "store p95",
             "influx p50", "influx p95", "x p50", "x p95", "rows");
  double log_sum = 0;
  bool all_fast = true;
  for (const auto& q : qs) {
    const double r50 = opt.skip_influx ? 0 : q.influx_ms.p50 / q.store_ms.p50;
    const double r95 = opt.skip_influx ? 0 : q.influx_ms.p95 / q.store_ms.p95;
    log_sum += opt.skip_influx ? 0 : std::log(r50);
    all_fast = all_fast && q.store_ms.p95 < 2.0;
    fmt::print("{:<40} {:>10.3f} {:>10.3f} {:>11.2f} {:>11.2f} {:>8.0f}x {:>8.0f}x {:>8.0f}\n", q.name, q.store_ms.p50,
               q.store_ms.p95, q.influx_ms.p50, q.influx_ms.p95, r50, r95, q.answer_size);
  }
  fmt::print("every store p95 < 2 ms: {}\n", all_fast ? "yes" : "NO");
  fmt::print("store cold open + first day chart: median {:.2f} ms (page cache dropped for the file)\n", cold_ms.p50);
  if (!opt.skip_influx) {
    fmt::print("geometric mean speed-up (p50): {:.0f}x\n", std::exp(log_sum / static_cast<double>(qs.size())));
    fmt::print("disk: store {:.2f} MB, influx {:.2f} MB (meta+data+wal, settled), ratio {:.2f}\n",
               static_cast<double>(store_disk.allocated + wal_disk.allocated) / 1e6,
               static_cast<double>(influx_disk) / 1e6,
               static_cast<double>(store_disk.allocated + wal_disk.allocated) / static_cast<double>(influx_disk));
    fmt::print("build: store {:.1f} s; influx load {:.1f} s + settle {:.1f} s\n", build_ms / 1000,
               influx_load_ms / 1000, influx_settle_ms / 1000);
    fmt::print("start + first day chart: store {:.2f} ms, influxd {:.0f} ms (cold page cache)\n", cold_ms.p50,
               influx_start_ms);
    fmt::print("{}", cross_check);
  }
  if (!opt.keep && opt.dir.empty()) std::filesystem::remove_all(dir);
  return 0;
}
