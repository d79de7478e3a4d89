// SPDX-License-Identifier: GPL-3.0-or-later
// `apsecu emulator --pty`: a simulated CC2530 with its inverters behind a pseudo-terminal,
// for demos and end-to-end tests without hardware. Prints the pty path and the reset-fifo
// spec on stdout, then runs until SIGINT or SIGTERM.

#include <csignal>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "apsecu/emulator/emulator.hpp"
#include "apsecu/util/clock.hpp"
#include "apsecu/util/log.hpp"
#include "commands.hpp"

namespace apsecu::app {
namespace {

struct EmulatorArgs {
  bool pty = false;
  std::string pty_link;
  std::string reset_fifo;
  std::string config_file;
  std::vector<std::string> inverters;  // MODEL:SERIAL[@ADDR]
  bool unpaired = false;
  bool qs1_zero_grid = false;
  std::optional<std::string> ecu_id;
  std::optional<double> lat, lon;
  std::optional<std::string> start;
  std::optional<double> speed, timing, cloudiness;
  std::optional<std::uint64_t> seed;
  std::optional<double> drop_rate, bad_fcs_rate, garbage_rate, split_rate, late_rate, bad_l2_checksum_rate;
  std::vector<std::string> freeze_at;
  std::vector<std::string> zombie_at;
  std::vector<std::string> reset_coordinator_at;
  std::vector<std::string> reset_inverter_at;  // SERIAL@TIME
  std::optional<std::string> ground_truth;
  double status_interval_s = 60;
};

util::Result<emulator::InverterConfig> parse_inverter(const std::string& spec) {
  // YC600:408000158215 or YC600:408000158215@103A (short address as people write it)
  const auto colon = spec.find(':');
  const auto at = spec.find('@');
  auto bad = [&](const std::string& why) {
    return util::make_error(emulator::Errc::BadConfig, "--inverter " + spec + ": " + why);
  };
  if (colon == std::string::npos) return bad("want MODEL:SERIAL[@ADDRESS]");
  const auto model = aps::model_from_name(spec.substr(0, colon));
  if (!model) return bad("unknown model (YC600, QS1 or DS3)");
  emulator::InverterConfig inv;
  inv.model = *model;
  inv.serial = spec.substr(colon + 1, at == std::string::npos ? std::string::npos : at - colon - 1);
  if (at != std::string::npos) {
    try {
      std::size_t used = 0;
      auto text = spec.substr(at + 1);
      if (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0) text = text.substr(2);
      const auto v = std::stoul(text, &used, 16);
      if (used != text.size() || v == 0 || v > 0xFFF7) return bad("bad short address");
      inv.short_address = static_cast<std::uint16_t>(v);
    } catch (const std::exception&) {
      return bad("bad short address");
    }
  }
  return inv;
}

util::Result<util::WallTime> parse_time(const std::string& option, const std::string& text) {
  const auto t = emulator::parse_utc(text);
  if (!t) return util::make_error(emulator::Errc::BadConfig, option + " " + text + ": want 2026-06-21T04:00Z (UTC)");
  return *t;
}

// Command-line options override the JSON file, which overrides the built-in defaults.
util::Result<emulator::EmulatorConfig> build_config(const EmulatorArgs& a) {
  emulator::EmulatorConfig c;
  c.start = std::chrono::system_clock::now();
  if (!a.config_file.empty()) {
    auto loaded = emulator::load_config(a.config_file, c);
    if (!loaded) return loaded.error();
    c = std::move(loaded).value();
  }
  if (!a.inverters.empty()) {
    c.inverters.clear();
    for (const auto& spec : a.inverters) {
      auto inv = parse_inverter(spec);
      if (!inv) return inv.error();
      c.inverters.push_back(*inv);
    }
  }
  if (a.unpaired || a.qs1_zero_grid) {
    if (c.inverters.empty()) c.inverters = emulator::default_inverters();
    for (auto& inv : c.inverters) {
      if (a.unpaired) inv.paired = false;
      if (a.qs1_zero_grid && inv.model == aps::Model::Qs1) inv.qs1_zero_grid = true;
    }
  }
  if (a.ecu_id) c.ecu_id = *a.ecu_id;
  if (a.lat) c.location.latitude_deg = *a.lat;
  if (a.lon) c.location.longitude_deg = *a.lon;
  if (a.start) {
    auto t = parse_time("--start", *a.start);
    if (!t) return t.error();
    c.start = *t;
  }
  if (a.speed) c.speed = *a.speed;
  if (a.timing) c.timing_scale = *a.timing;
  if (a.cloudiness) c.cloudiness = *a.cloudiness;
  if (a.seed) c.seed = *a.seed;
  if (a.drop_rate) c.faults.drop_rate = *a.drop_rate;
  if (a.bad_fcs_rate) c.faults.bad_fcs_rate = *a.bad_fcs_rate;
  if (a.garbage_rate) c.faults.garbage_rate = *a.garbage_rate;
  if (a.split_rate) c.faults.split_rate = *a.split_rate;
  if (a.late_rate) c.faults.late_rate = *a.late_rate;
  if (a.bad_l2_checksum_rate) c.faults.bad_l2_checksum_rate = *a.bad_l2_checksum_rate;
  if (a.ground_truth) c.ground_truth_path = *a.ground_truth;

  auto add_events = [&](const std::vector<std::string>& times, emulator::EventKind kind,
                        const char* option) -> util::Status {
    for (const auto& text : times) {
      auto t = parse_time(option, text);
      if (!t) return t.error();
      emulator::ScheduledEvent e;
      e.at = *t;
      e.kind = kind;
      c.events.push_back(e);
    }
    return {};
  };
  if (auto s = add_events(a.freeze_at, emulator::EventKind::FreezeCoordinator, "--freeze-at"); !s) return s.error();
  if (auto s = add_events(a.zombie_at, emulator::EventKind::ZombieCoordinator, "--zombie-at"); !s) return s.error();
  if (auto s = add_events(a.reset_coordinator_at, emulator::EventKind::ResetCoordinator, "--reset-coordinator-at");
      !s) {
    return s.error();
  }
  for (const auto& spec : a.reset_inverter_at) {
    const auto at = spec.find('@');
    if (at == std::string::npos) {
      return util::make_error(emulator::Errc::BadConfig, "--reset-inverter-at " + spec + ": want SERIAL@TIME");
    }
    auto t = parse_time("--reset-inverter-at", spec.substr(at + 1));
    if (!t) return t.error();
    emulator::ScheduledEvent e;
    e.at = *t;
    e.kind = emulator::EventKind::ResetInverter;
    e.serial = spec.substr(0, at);
    c.events.push_back(e);
  }
  return c;
}

void log_status(const emulator::Emulator& emu, spdlog::logger& log) {
  std::string line = emulator::format_utc(emu.sim_time());
  for (const auto& s : emu.inverters()) {
    line += fmt::format("  {} {}", s.serial.str(), s.awake ? fmt::format("{:.0f} W up {} s", s.ac_power_w, s.uptime_s)
                                                           : std::string("asleep"));
  }
  const auto c = emu.coordinator();
  line += fmt::format("  module state {}{}{}", c.device_state, c.frozen ? " FROZEN" : "", c.zombie ? " ZOMBIE" : "");
  log.info("{}", line);
}

int run_emulator(const EmulatorArgs& args) {
  auto log = util::logger("emulator");
  if (!args.pty) {
    std::cerr << "apsecu emulator: only the pseudo-terminal front door is available here; add --pty\n";
    return 2;
  }
  auto config = build_config(args);
  if (!config) {
    std::cerr << "apsecu emulator: " << config.error().describe() << '\n';
    return 2;
  }
  // Block the stop signals before any thread starts, so that only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const util::ScaledClock clock(config->start, config->speed > 0 ? config->speed : 1.0);
  auto created = emulator::Emulator::create(*config, clock);
  if (!created) {
    std::cerr << "apsecu emulator: " << created.error().describe() << '\n';
    return 2;
  }
  auto& emu = **created;
  auto paths = emu.open_pty({.reset_fifo = args.reset_fifo, .link = args.pty_link});
  if (!paths) {
    std::cerr << "apsecu emulator: " << paths.error().describe() << '\n';
    return 1;
  }
  emu.start();
  std::cout << "pty " << paths->pty << '\n' << "reset " << paths->reset_spec() << '\n' << std::flush;
  const auto& cfg = emu.config();
  log->info("emulating ECU {} at {:.4f},{:.4f} from {} at {}x, timing scale {}", cfg.ecu_id,
            cfg.location.latitude_deg, cfg.location.longitude_deg, emulator::format_utc(cfg.start), cfg.speed,
            cfg.timing_scale);
  for (const auto& inv : cfg.inverters) {
    log->info("inverter {} {} at 0x{:04X}{}", aps::info(inv.model).name, inv.serial, inv.short_address,
              inv.paired ? "" : " (not paired)");
  }

  for (;;) {
    int sig = 0;
    if (args.status_interval_s <= 0) {
      sigwait(&stop_signals, &sig);
      break;
    }
    const auto whole = static_cast<time_t>(args.status_interval_s);
    const timespec wait{whole, static_cast<long>((args.status_interval_s - static_cast<double>(whole)) * 1e9)};
    if (sigtimedwait(&stop_signals, nullptr, &wait) > 0) break;
    log_status(emu, *log);
  }
  log->info("stopping");
  emu.stop();
  return 0;
}

}  // namespace

Runner add_emulator_command(CLI::App& root) {
  auto args = std::make_shared<EmulatorArgs>();
  auto* cmd = root.add_subcommand("emulator", "Simulated CC2530 coordinator and inverters behind a pseudo-terminal");
  cmd->add_flag("--pty", args->pty, "Serve the module on a new pseudo-terminal (prints its path)");
  cmd->add_option("--pty-link", args->pty_link, "Also make this symlink point at the pty");
  cmd->add_option("--reset-fifo", args->reset_fifo, "Named pipe for the reset pin (default: a temporary one)");
  cmd->add_option("--config", args->config_file, "JSON configuration (see docs/emulator.md)");
  cmd->add_option("--inverter", args->inverters,
                  "MODEL:SERIAL[@ADDRESS], repeatable (default: a YC600, a QS1 and a DS3)");
  cmd->add_flag("--unpaired", args->unpaired, "Inverters start unpaired: the host must pair them");
  cmd->add_flag("--qs1-zero-grid", args->qs1_zero_grid, "QS1 inverters send 0 for frequency and AC voltage");
  cmd->add_option("--ecu", args->ecu_id, "ECU id the inverters are paired with (default D8A3011B9780)");
  cmd->add_option("--lat", args->lat, "Latitude, degrees north");
  cmd->add_option("--lon", args->lon, "Longitude, degrees east");
  cmd->add_option("--start", args->start, "Simulated start time, UTC (e.g. 2026-06-21T04:00Z; default now)");
  cmd->add_option("--speed", args->speed, "Simulated seconds per real second (60, 600...)");
  cmd->add_option("--timing", args->timing, "Reply latency scale: 1 = like hardware, 0.05 = fast");
  cmd->add_option("--seed", args->seed, "Seed for weather, jitter and faults");
  cmd->add_option("--cloudiness", args->cloudiness, "0 = clear sky .. 1 = overcast");
  cmd->add_option("--drop-rate", args->drop_rate, "Probability that an inverter answer is lost");
  cmd->add_option("--bad-fcs-rate", args->bad_fcs_rate, "Probability of a frame with a wrong FCS per exchange");
  cmd->add_option("--garbage-rate", args->garbage_rate, "Probability of junk bytes per exchange");
  cmd->add_option("--split-rate", args->split_rate, "Probability that an exchange is written in small pieces");
  cmd->add_option("--late-rate", args->late_rate, "Probability that an inverter answer comes 3-5 s late");
  cmd->add_option("--bad-l2-checksum-rate", args->bad_l2_checksum_rate,
                  "Probability that an inverter answer carries a wrong L2 checksum");
  cmd->add_option("--freeze-at", args->freeze_at,
                  "Simulated UTC time at which the module goes mute until its reset pin is pulsed (repeatable)");
  cmd->add_option("--zombie-at", args->zombie_at,
                  "Simulated UTC time from which the module answers the host but routes nothing until its reset pin "
                  "is pulsed (repeatable)");
  cmd->add_option("--reset-coordinator-at", args->reset_coordinator_at,
                  "Simulated UTC time of a spontaneous module reset (repeatable)");
  cmd->add_option("--reset-inverter-at", args->reset_inverter_at, "SERIAL@TIME: the inverter restarts (repeatable)");
  cmd->add_option("--ground-truth", args->ground_truth, "Append produced energy per day to FILE (.csv or JSON lines)");
  cmd->add_option("--status-interval", args->status_interval_s, "Seconds between status lines on stderr (0 = off)")
      ->capture_default_str();
  return [args] { return run_emulator(*args); };
}

}  // namespace apsecu::app
