// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/emulator/ground_truth.hpp"

#include <cerrno>
#include <cstring>
#include <numeric>

#include <fmt/format.h>

#include "apsecu/emulator/config.hpp"

namespace apsecu::emulator {
namespace {

std::string iso_date(std::chrono::year_month_day d) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                     static_cast<unsigned>(d.day()));
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

double DayEnergy::total_wh() const noexcept { return std::accumulate(inputs_wh.begin(), inputs_wh.end(), 0.0); }

GroundTruth::GroundTruth(std::vector<Inverter> inverters, std::chrono::minutes day_offset)
    : inverters_(std::move(inverters)), day_offset_(day_offset), energy_j_(inverters_.size()) {}

GroundTruth::~GroundTruth() {
  if (file_ != nullptr) std::fclose(file_);
}

util::Status GroundTruth::open_file(const std::string& path) {
  if (path.empty()) return {};
  file_ = std::fopen(path.c_str(), "a");
  if (file_ == nullptr) {
    return util::make_error(Errc::BadConfig, "cannot open ground-truth file " + path + ": " + std::strerror(errno));
  }
  csv_ = ends_with(path, ".csv");
  if (csv_ && std::ftell(file_) == 0) std::fputs("date,serial,model,input,energy_wh,complete\n", file_);
  std::fflush(file_);
  return {};
}

std::chrono::year_month_day GroundTruth::day_of(util::WallTime t) const noexcept {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t + day_offset_)};
}

util::WallTime GroundTruth::day_start(util::WallTime t) const noexcept {
  return std::chrono::sys_days{day_of(t)} - day_offset_;
}

void GroundTruth::add(std::size_t index, util::WallTime t, std::span<const double> joules) {
  if (index >= energy_j_.size()) return;
  auto& day = energy_j_[index][std::chrono::sys_days{day_of(t)}];
  if (day.empty()) day.assign(inverters_[index].inputs, 0.0);
  for (std::size_t i = 0; i < joules.size() && i < day.size(); ++i) day[i] += joules[i];
}

void GroundTruth::roll_to(util::WallTime t) {
  const std::chrono::sys_days today{day_of(t)};
  if (!have_open_from_) {
    open_from_ = today;
    have_open_from_ = true;
  }
  if (today <= open_from_) return;
  for (std::size_t i = 0; i < energy_j_.size(); ++i) {
    for (auto it = energy_j_[i].lower_bound(open_from_); it != energy_j_[i].end() && it->first < today; ++it) {
      write(make_day(i, std::chrono::year_month_day{it->first}, it->second, true));
    }
  }
  open_from_ = today;
}

void GroundTruth::flush_open_days() {
  for (std::size_t i = 0; i < energy_j_.size(); ++i) {
    for (auto it = energy_j_[i].lower_bound(open_from_); it != energy_j_[i].end(); ++it) {
      write(make_day(i, std::chrono::year_month_day{it->first}, it->second, false));
    }
  }
}

DayEnergy GroundTruth::make_day(std::size_t index, std::chrono::year_month_day date, const std::vector<double>& joules,
                                bool complete) const {
  DayEnergy d;
  d.date = date;
  d.serial = inverters_[index].serial;
  d.model = inverters_[index].model;
  for (const double j : joules) d.inputs_wh.push_back(j / 3600.0);
  d.complete = complete;
  return d;
}

void GroundTruth::write(const DayEnergy& d) {
  if (file_ == nullptr) return;
  const auto name = aps::info(d.model).name;
  if (csv_) {
    for (std::size_t i = 0; i < d.inputs_wh.size(); ++i) {
      fmt::print(file_, "{},{},{},{},{:.4f},{}\n", iso_date(d.date), d.serial, name, i + 1, d.inputs_wh[i],
                 d.complete ? 1 : 0);
    }
  } else {
    std::string inputs;
    for (std::size_t i = 0; i < d.inputs_wh.size(); ++i) inputs += fmt::format("{}{:.4f}", i ? "," : "", d.inputs_wh[i]);
    fmt::print(file_, "{{\"date\":\"{}\",\"serial\":\"{}\",\"model\":\"{}\",\"inputs_wh\":[{}],\"total_wh\":{:.4f},"
               "\"complete\":{}}}\n",
               iso_date(d.date), d.serial, name, inputs, d.total_wh(), d.complete ? "true" : "false");
  }
  std::fflush(file_);
}

std::vector<DayEnergy> GroundTruth::days() const {
  std::vector<DayEnergy> out;
  for (std::size_t i = 0; i < energy_j_.size(); ++i) {
    for (const auto& [day, joules] : energy_j_[i]) {
      out.push_back(make_day(i, std::chrono::year_month_day{day}, joules, have_open_from_ && day < open_from_));
    }
  }
  return out;
}

std::optional<DayEnergy> GroundTruth::day(const std::string& serial, std::chrono::year_month_day date) const {
  for (std::size_t i = 0; i < inverters_.size(); ++i) {
    if (inverters_[i].serial != serial) continue;
    const auto it = energy_j_[i].find(std::chrono::sys_days{date});
    if (it == energy_j_[i].end()) return make_day(i, date, std::vector<double>(inverters_[i].inputs, 0.0), false);
    return make_day(i, date, it->second, have_open_from_ && it->first < open_from_);
  }
  return std::nullopt;
}

}  // namespace apsecu::emulator
