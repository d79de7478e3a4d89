// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the panels really produced: AC energy per input per inverter per day, integrated with
// the same steps that drive the inverters' counters, so a host's totals can be checked
// against it. Days are local days (UTC + day offset). Optionally appended to a file when a
// day ends and, marked incomplete, when the emulator stops:
//   *.csv:  date,serial,model,input,energy_wh,complete      (one row per input)
//   other:  {"date":"2026-06-21","serial":"408000158215","model":"YC600",
//            "inputs_wh":[…],"total_wh":…,"complete":true}  (one JSON line per inverter)
// Not thread-safe: owned by the plant under the Emulator's lock.

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "apsecu/aps/model.hpp"
#include "apsecu/util/clock.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::emulator {

struct DayEnergy {
  std::chrono::year_month_day date;
  std::string serial;
  aps::Model model = aps::Model::Yc600;
  std::vector<double> inputs_wh;  // physical input order
  bool complete = false;          // the day has ended in simulated time
  [[nodiscard]] double total_wh() const noexcept;
};

class GroundTruth {
 public:
  struct Inverter {
    std::string serial;
    aps::Model model;
    std::size_t inputs;
  };
  GroundTruth(std::vector<Inverter> inverters, std::chrono::minutes day_offset);
  ~GroundTruth();
  GroundTruth(const GroundTruth&) = delete;
  GroundTruth& operator=(const GroundTruth&) = delete;

  // Appends to `path` from now on; "" keeps everything in memory only.
  util::Status open_file(const std::string& path);

  [[nodiscard]] std::chrono::year_month_day day_of(util::WallTime t) const noexcept;
  // UTC instant at which the local day containing `t` began.
  [[nodiscard]] util::WallTime day_start(util::WallTime t) const noexcept;
  // Energy of one step: `joules[i]` for input i of inverter `index`, produced around `t`.
  void add(std::size_t index, util::WallTime t, std::span<const double> joules);
  // Marks every day before the one containing `t` complete and writes it out.
  void roll_to(util::WallTime t);
  // Writes the days still open, marked incomplete (at stop).
  void flush_open_days();

  [[nodiscard]] std::vector<DayEnergy> days() const;
  [[nodiscard]] std::optional<DayEnergy> day(const std::string& serial, std::chrono::year_month_day date) const;

 private:
  void write(const DayEnergy& d);
  [[nodiscard]] DayEnergy make_day(std::size_t index, std::chrono::year_month_day date,
                                   const std::vector<double>& joules, bool complete) const;

  std::vector<Inverter> inverters_;
  std::chrono::minutes day_offset_;
  // Per inverter: date -> joules per input. std::map keeps days in order.
  std::vector<std::map<std::chrono::sys_days, std::vector<double>>> energy_j_;
  std::chrono::sys_days open_from_{};  // days before this one are complete and written
  bool have_open_from_ = false;
  std::FILE* file_ = nullptr;
  bool csv_ = false;
};

}  // namespace apsecu::emulator
