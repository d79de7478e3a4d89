// SPDX-License-Identifier: GPL-3.0-or-later
// The daemon as a user runs it: the `apsecu demo` process (daemon + built-in emulator on an
// accelerated clock) through a whole simulated June day, with faults, and killed mid-day.
// What it stored is compared with the energy the emulator's panels really produced.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "apsecu/store/store.hpp"

namespace {
using namespace apsecu;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kDay = "2026-06-21";
constexpr std::int32_t kDayKey = 20260621;
constexpr const char* kStop = "2026-06-21T21:00Z";

fs::path fresh_dir(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("apsecu-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

pid_t spawn(const std::vector<std::string>& args, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(APSECU_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A demo without --stop-at runs until killed: make sure a failed assertion does not leave
// it running after the test.
struct ChildGuard {
  pid_t pid;
  ~ChildGuard() {
    if (::waitpid(pid, nullptr, WNOHANG) == 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

std::vector<std::string> demo_args(const fs::path& dir, std::vector<std::string> extra) {
  std::vector<std::string> args{APSECU_BINARY, "demo",       "--data", dir.string(), "--date", kDay,
                                "--speed",     "1500",       "--http", "",           "--seed", "7"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// serial -> per input Wh, from the last ground-truth record of the day (the emulator writes
// one per run; a restarted run simulates the whole day again from midnight).
std::map<std::string, std::vector<double>> ground_truth(const fs::path& dir) {
  std::map<std::string, std::vector<double>> out;
  std::ifstream in(dir / "ground-truth.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j["date"] == kDay) out[j["serial"]] = j["inputs_wh"].get<std::vector<double>>();
  }
  return out;
}

std::vector<store::DayRow> stored_days(const fs::path& dir) {
  auto st = store::Store::open((dir / "apsecu.db").string());
  std::vector<store::DayRow> rows;
  if (!st.ok()) {
    ADD_FAILURE() << "store: " << st.error().describe();
    return rows;
  }
  auto cursor = st->export_days(kDayKey, kDayKey);
  EXPECT_TRUE(cursor.ok());
  while (auto row = cursor->next()) {
    if (!row.ok() || !row->has_value()) break;
    rows.push_back(**row);
  }
  return rows;
}

std::vector<store::InverterSample> stored_samples(const fs::path& dir) {
  std::vector<store::InverterSample> out;
  auto st = store::Store::open((dir / "apsecu.db").string());
  if (!st) return out;
  auto cursor = st->export_samples(kDayKey, kDayKey);
  if (!cursor) return out;
  while (auto row = cursor->next()) {
    if (!row.ok() || !row->has_value()) break;
    out.push_back((*row)->sample);
  }
  return out;
}

void expect_panels_match_ground_truth(const fs::path& dir) {
  const auto truth = ground_truth(dir);
  const auto days = stored_days(dir);
  ASSERT_EQ(days.size(), 3U);
  for (const auto& d : days) {
    ASSERT_TRUE(truth.contains(d.serial)) << d.serial;
    const auto& t = truth.at(d.serial);
    ASSERT_EQ(d.inputs.size(), t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
      const double stored_wh = static_cast<double>(d.inputs[i].energy_mwh) / 1000.0;
      EXPECT_GT(t[i], 1000.0) << "a June day gives each panel over 1 kWh";
      EXPECT_NEAR(stored_wh, t[i], t[i] * 0.005) << d.serial << " input " << i + 1;
    }
  }
}

// Per inverter and input, energy booked over the day never goes down and no sample claims
// more power than the panels can give.
void expect_monotonic_and_plausible(const std::vector<store::InverterSample>& samples) {
  for (const auto& s : samples) {
    for (const auto& in : s.inputs) {
      EXPECT_GE(in.increase_mwh, 0) << s.serial << " at " << s.time_s;
      EXPECT_LE(in.power_dw, 5000) << s.serial << " at " << s.time_s << ": a spike";
    }
  }
}

TEST(DaemonDay, SimulatedDayWithResetsFreezeAndDropsMatchesGroundTruth) {
  const auto dir = fresh_dir("day");
  const auto status = wait_exit(spawn(demo_args(dir, {"--stop-at", kStop, "--drop-rate", "0.1",
                                                     "--freeze-at", "2026-06-21T09:30Z",
                                                     "--reset-inverter-at", "408000158215@2026-06-21T08:00Z",
                                                     "--reset-inverter-at", "703000021300@2026-06-21T12:07Z"}),
                                      dir / "log"));
  ASSERT_EQ(status, 0) << "see " << (dir / "log");
  expect_panels_match_ground_truth(dir);
  const auto samples = stored_samples(dir);
  EXPECT_GT(samples.size(), 250U);  // about 100 cycles of 3 inverters, less the dropped answers
  expect_monotonic_and_plausible(samples);
  int resets = 0;
  for (const auto& s : samples) resets += s.kind == store::SampleKind::InverterReset ? 1 : 0;
  EXPECT_GE(resets, 2 + 3) << "two restarts plus each inverter's morning start";
  if (!HasFailure()) fs::remove_all(dir);  // kept for a look at the log, store and audit
}

TEST(DaemonDay, KilledMidDayContinuesWithoutSpikeOrLoss) {
  const auto dir = fresh_dir("kill");
  const pid_t pid = spawn(demo_args(dir, {}), dir / "log");
  const ChildGuard guard{pid};
  // Wait until the store holds a committed cycle from late morning, then pull the plug.
  const std::int64_t late_morning = 1782036000;  // 2026-06-21T10:00Z
  std::vector<store::InverterSample> before;
  for (int i = 0; i < 1200; ++i) {
    std::this_thread::sleep_for(100ms);
    before = stored_samples(dir);
    if (!before.empty() && before.back().time_s >= late_morning) break;
  }
  ASSERT_FALSE(before.empty());
  ::kill(pid, SIGKILL);
  EXPECT_EQ(wait_exit(pid), 128 + SIGKILL);
  before = stored_samples(dir);  // everything committed before the kill

  ASSERT_EQ(wait_exit(spawn(demo_args(dir, {"--stop-at", kStop}), dir / "log")), 0) << "see " << (dir / "log");
  const auto after = stored_samples(dir);
  for (const auto& s : before) {
    EXPECT_NE(std::find(after.begin(), after.end(), s), after.end()) << "lost " << s.serial << " at " << s.time_s;
  }
  expect_monotonic_and_plausible(after);
  expect_panels_match_ground_truth(dir);
  if (!HasFailure()) fs::remove_all(dir);
}
}  // namespace
