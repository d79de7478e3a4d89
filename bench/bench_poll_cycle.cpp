// SPDX-License-Identifier: GPL-3.0-or-later
// The engine's poll cycle as the daemon runs it, against the emulator at realistic module
// timing (the latencies the reference measured on hardware):
//
//  1. 64 inverters on a clean link: the cycle's wall time beside the radio's own time (the
//     sum of the poll exchanges' durations), with the field's pause between inverters
//     (leaberry POLL_SCHEDULER.ino: 250 ms) and without any.
//  2. 9 inverters on a link whose line noise hits 5 % of all frames (one random byte
//     flipped: SOF, length, payload or FCS): the share of polls stored, with the engine's
//     one retry within the cycle (leaberry ZIGBEE_POLLING.ino) and without it, and how many
//     polls each noisy frame cost.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string_view>
#include <mutex>
#include <thread>
#include <vector>

#include "apsecu/emulator/emulator.hpp"
#include "apsecu/engine/engine.hpp"
#include "apsecu/engine/setup.hpp"
#include "bench_fleet.hpp"

namespace {
using namespace apsecu;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

struct CycleFigures {
  double wall_s = 0;   // on_cycle to on_cycle is not it: measured around the PollNow job
  double radio_s = 0;  // sum of the exchanges' own durations, retries included
  std::size_t polls = 0;
  std::size_t stored = 0;
};

class Collector final : public engine::EngineListener {
 public:
  explicit Collector(bool verbose) : verbose_(verbose) {}
  void on_cycle(const engine::CycleReport& r) override {
    std::lock_guard lock(mutex_);
    last_ = {};
    for (const auto& p : r.polls) {
      if (verbose_ && !p.result.ok()) {
        std::fprintf(stderr, "  %s: %s %s\n", p.serial.str().c_str(), std::string(engine::outcome_name(p.result.outcome)).c_str(),
                     p.result.detail.c_str());
      }
      ++last_.polls;
      if (p.result.ok()) ++last_.stored;
      last_.radio_s += std::chrono::duration<double>(p.result.elapsed).count();
    }
  }
  CycleFigures last() {
    std::lock_guard lock(mutex_);
    return last_;
  }

 private:
  bool verbose_;
  std::mutex mutex_;
  CycleFigures last_;
};

bool g_verbose = false;  // --verbose: every failed poll on standard error

struct RunResult {
  std::vector<CycleFigures> cycles;
  std::uint64_t noisy_frames = 0;
  bool ok = false;
};

// Brings a fresh emulated module up through the engine, then runs `cycles` PollNow jobs.
RunResult run(std::size_t inverters, double noise_rate, std::chrono::milliseconds gap, unsigned retries,
              int cycles) {
  RunResult out;
  util::ScaledClock clock(*emulator::parse_utc("2026-06-21T10:00Z"), 1.0);
  emulator::EmulatorConfig cfg;
  cfg.start = clock.now();
  cfg.timing_scale = emulator::kRealisticTiming;
  cfg.location = {52.1, 5.3};
  cfg.cloudiness = 0;
  cfg.inverters = bench::fleet_of(inverters, true);
  cfg.faults.noise_rate = noise_rate;
  auto emu = emulator::Emulator::create(cfg, clock);
  if (!emu) {
    std::fprintf(stderr, "emulator: %s\n", emu.error().describe().c_str());
    return out;
  }
  (*emu)->start();
  auto transport = (*emu)->connect();
  auto reset = (*emu)->reset_line();
  znp::ZnpClient client(*transport);
  const auto ecu = *aps::EcuId::parse(cfg.ecu_id);
  znp::Coordinator coordinator(client, reset.get(), engine::coordinator_config(ecu));
  engine::Radio radio(client, ecu);
  std::vector<fleet::InverterSpec> specs;
  for (const auto& inv : cfg.inverters) {
    fleet::InverterSpec s;
    s.serial = *aps::Serial::parse(inv.serial);
    s.model = inv.model;
    s.short_address = inv.short_address;
    s.decode.model = inv.model;
    specs.push_back(s);
  }
  fleet::Fleet fleet(specs, fleet::FleetPolicy{});
  Collector collector(g_verbose);
  engine::EngineSettings settings;
  settings.poll_interval = 24h;  // only the jobs' cycles (and the one on entering the window)
  settings.health_interval = 24h;
  settings.window.where = schedule::GeoPosition{52.1, 5.3};
  settings.poll_gap = gap;
  settings.poll_retries = retries;
  settings.zombie_cycles = 0;  // a bench of noise, not of recovery
  engine::Engine engine(clock, client, coordinator, radio, fleet, collector, settings);
  std::thread runner([&] { engine.run(); });

  const auto poll_now = [&] {
    auto done = std::make_shared<std::promise<bool>>();
    auto fut = done->get_future();
    engine.post(engine::PollNow{}, [done](const util::Result<std::string>& r) { done->set_value(r.ok()); });
    return fut.wait_for(600s) == std::future_status::ready && fut.get();
  };
  // The first job waits for the start-up; the engine's own cycle on entering the poll window
  // runs right after it, so the second waits for that one: only then is a cycle timed alone.
  out.ok = poll_now() && poll_now();
  const auto noisy_before = (*emu)->coordinator().faults.noisy;
  for (int i = 0; out.ok && i < cycles; ++i) {
    const auto t0 = Steady::now();
    out.ok = poll_now();
    auto c = collector.last();
    c.wall_s = std::chrono::duration<double>(Steady::now() - t0).count();
    out.cycles.push_back(c);
  }
  out.noisy_frames = (*emu)->coordinator().faults.noisy - noisy_before;
  engine.stop();
  runner.join();
  client.stop();
  (*emu)->stop();
  return out;
}

CycleFigures total(const RunResult& r) {
  CycleFigures t;
  for (const auto& c : r.cycles) {
    t.wall_s += c.wall_s;
    t.radio_s += c.radio_s;
    t.polls += c.polls;
    t.stored += c.stored;
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int noisy_cycles = 20;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--verbose") {
      g_verbose = true;
    } else {
      noisy_cycles = std::atoi(argv[i]);
    }
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  bool ok = true;

  if (std::getenv("BENCH_NOISE_ONLY") == nullptr) {
  std::printf("== a cycle of 64 inverters, clean link, realistic module timing\n");
  std::printf("%-34s %10s %10s %8s %8s\n", "pause between inverters", "cycle s", "radio s", "ratio", "stored");
  for (const auto gap : {250ms, 0ms}) {
    const auto r = run(64, 0.0, gap, 1, 1);
    ok = ok && r.ok;
    const auto t = total(r);
    std::printf("%-34s %10.2f %10.2f %8.3f %5zu/%zu\n",
                gap.count() ? "250 ms (leaberry POLL_SCHEDULER)" : "none", t.wall_s, t.radio_s,
                t.radio_s > 0 ? t.wall_s / t.radio_s : 0.0, t.stored, t.polls);
  }

  }
  std::printf("\n== 9 inverters, line noise on 5 %% of frames, %d cycles\n", noisy_cycles);
  std::printf("%-34s %10s %10s %12s %14s\n", "policy", "stored", "share", "noisy frames", "lost per noisy");
  for (const unsigned retries : {1U, 0U}) {
    const auto r = run(9, 0.05, 250ms, retries, noisy_cycles);
    ok = ok && r.ok;
    const auto t = total(r);
    const auto lost = t.polls - t.stored;
    std::printf("%-34s %5zu/%-4zu %9.1f%% %12llu %14.2f\n", retries ? "one retry within the cycle" : "no retry",
                t.stored, t.polls, t.polls ? 100.0 * static_cast<double>(t.stored) / static_cast<double>(t.polls) : 0.0,
                static_cast<unsigned long long>(r.noisy_frames),
                r.noisy_frames ? static_cast<double>(lost) / static_cast<double>(r.noisy_frames) : 0.0);
  }
  return ok ? 0 : 1;
}
