// SPDX-License-Identifier: GPL-3.0-or-later
// Time of the full exchanges against the emulator at realistic timing (the latencies the
// reference measured on hardware): coordinator start with hard reset, pairing, single polls,
// and a poll cycle over 64 inverters with the host's CPU time for it. Printed beside the
// fixed waits the seed's hosts spend on the same exchanges (protocol §4.4, §7.1–7.2).

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "apsecu/emulator/emulator.hpp"
#include "apsecu/engine/radio.hpp"
#include "apsecu/engine/setup.hpp"
#include "bench_fleet.hpp"
#include "apsecu/znp/coordinator.hpp"

namespace {
using namespace apsecu;
using Steady = std::chrono::steady_clock;

double seconds_since(Steady::time_point t0) {
  return std::chrono::duration<double>(Steady::now() - t0).count();
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[idx];
}

}  // namespace

int main() {
  constexpr std::size_t kInverters = 64;
  util::ScaledClock clock(*emulator::parse_utc("2026-06-21T10:00Z"), 1.0);
  emulator::EmulatorConfig cfg;
  cfg.start = clock.now();
  cfg.timing_scale = emulator::kRealisticTiming;
  cfg.inverters = bench::fleet_of(kInverters, false);  // the first one is paired during the bench
  auto emu = emulator::Emulator::create(cfg, clock);
  if (!emu) {
    std::fprintf(stderr, "emulator: %s\n", emu.error().describe().c_str());
    return 1;
  }
  (*emu)->start();
  auto transport = (*emu)->connect();
  auto reset = (*emu)->reset_line();
  znp::ZnpClient client(*transport);
  const auto ecu = *aps::EcuId::parse(cfg.ecu_id);
  znp::Coordinator coordinator(client, reset.get(), engine::coordinator_config(ecu));
  engine::Radio radio(client, ecu);

  auto t0 = Steady::now();
  if (auto st = coordinator.start(znp::StartMode::Pairing); !st) {
    std::fprintf(stderr, "start: %s\n", st.error().describe().c_str());
    return 1;
  }
  const double start_s = seconds_since(t0);

  const auto first = *aps::Serial::parse(cfg.inverters[0].serial);
  t0 = Steady::now();
  const auto paired = radio.pair(first, {.daylight = true});
  const double pair_s = seconds_since(t0);
  if (paired.outcome != engine::PairOutcome::Paired) {
    std::fprintf(stderr, "pair: %s\n", paired.detail.c_str());
    return 1;
  }
  (void)coordinator.send_normal_op_broadcast();

  std::vector<double> polls;
  for (int i = 0; i < 20; ++i) {
    t0 = Steady::now();
    const auto r = radio.poll(paired.short_address, first, {});
    if (!r.ok()) std::fprintf(stderr, "poll failed: %s\n", r.detail.c_str());
    polls.push_back(seconds_since(t0));
  }

  t0 = Steady::now();
  const double cpu0 = cpu_seconds();
  std::size_t ok = 0;
  for (const auto& inv : cfg.inverters) {
    const auto serial = *aps::Serial::parse(inv.serial);
    if (radio.poll(inv.short_address, serial, {}).ok()) ++ok;
  }
  const double cycle_s = seconds_since(t0);
  const double cycle_cpu_s = cpu_seconds() - cpu0;  // host and emulator share this process
  client.stop();
  (*emu)->stop();

  // The seed's fixed waits for the same work: RPI start = 500 ms low + 1000 ms + 9 steps read
  // after >= 500 ms each; ESP pairing = 1000 ms + 4 x (1500 ms + >= 500 ms); RPI poll = 1000 ms
  // delay + read; ESP polls inverters 2000 ms apart.
  const double seed_start_s = 0.5 + 1.0 + 9 * 0.5;
  const double seed_pair_s = 1.0 + 4 * (1.5 + 0.5);
  const double seed_poll_s = 1.0;
  const double seed_cycle_s = static_cast<double>(kInverters) * (seed_poll_s + 2.0);

  std::printf("%-36s %10s %14s %8s\n", "exchange (realistic module timing)", "apsecu s", "seed waits s", "ratio");
  std::printf("%-36s %10.2f %14.2f %8.2f\n", "coordinator start (hard reset)", start_s, seed_start_s,
              seed_start_s / start_s);
  std::printf("%-36s %10.2f %14.2f %8.2f\n", "pair one inverter", pair_s, seed_pair_s, seed_pair_s / pair_s);
  std::printf("%-36s %10.3f %14.2f %8.2f\n", "poll one inverter, p50", percentile(polls, 0.5), seed_poll_s,
              seed_poll_s / percentile(polls, 0.5));
  std::printf("%-36s %10.3f %14s %8s\n", "poll one inverter, p95", percentile(polls, 0.95), "", "");
  std::printf("%-36s %10.2f %14.2f %8.2f\n", "poll cycle, 64 inverters", cycle_s, seed_cycle_s, seed_cycle_s / cycle_s);
  std::printf("answered %zu/%zu; CPU for the cycle (host + emulator): %.3f s = %.1f%% of its wall time\n", ok,
              kInverters, cycle_cpu_s, 100.0 * cycle_cpu_s / cycle_s);
  return ok == kInverters ? 0 : 1;
}
