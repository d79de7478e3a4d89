// SPDX-License-Identifier: GPL-3.0-or-later
// `apsecu demo`: the daemon against the built-in emulator with a YC600, a QS1 and a DS3,
// on an accelerated clock so that a whole day passes in minutes. What a user tries before
// buying a module, and what the README's first command starts. Two more inverters are on
// air but not in the settings, so that adding and pairing one can be tried too.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "apsecu/config/load_save.hpp"
#include "apsecu/emulator/config.hpp"
#include "apsecu/mqtt/sink.hpp"
#include "apsecu/schedule/sun.hpp"
#include "apsecu/store/store.hpp"
#include "commands.hpp"
#include "daemon.hpp"

namespace apsecu::app {
namespace {

struct DemoArgs {
  std::string data_dir;
  std::string http = "127.0.0.1:8080";
  double speed = 200;
  std::string date;  // YYYY-MM-DD; default today
  std::string mqtt;
  double cloudiness = 0.15;
  std::string stop_at;  // simulated UTC time to stop at
  double drop_rate = 0;
  std::vector<std::string> freeze_at;        // simulated UTC times
  std::vector<std::string> zombie_at;        // simulated UTC times
  std::vector<std::string> reset_inverter;   // SERIAL@TIME
  std::uint64_t seed = 1;
};

// On air from the start but neither in the demo's settings nor paired: adding one of these
// on the Inverters page and pairing it works as it would with a newly installed inverter.
// Their addresses are left to the emulator (derived from the serial, never a clash).
struct SpareInverter {
  const char* serial;
  aps::Model model;
};
constexpr SpareInverter kSpares[] = {{"703000054717", aps::Model::Ds3}, {"802000013555", aps::Model::Qs1}};

std::string describe(const SpareInverter& s) { return std::string(aps::info(s.model).name) + " " + s.serial; }

std::string spares_text() {
  std::string text;
  for (const auto& s : kSpares) text += (text.empty() ? "" : ", ") + describe(s);
  return text;
}

// A spare the user already added is in the settings, and emulator_for() put it on air
// (paired or not) as the settings say; adding it again would give the world two of it.
// Returns the ones still to be added, for the start-up line.
std::string add_spares(emulator::EmulatorConfig& world, const config::Config& cfg) {
  std::string text;
  for (const auto& s : kSpares) {
    const auto known = [&](const auto& inv) { return inv.serial == s.serial; };
    if (std::any_of(cfg.inverters.begin(), cfg.inverters.end(), known)) continue;
    emulator::InverterConfig inv;
    inv.serial = s.serial;
    inv.model = s.model;
    inv.paired = false;
    world.inverters.push_back(inv);
    text += (text.empty() ? "" : ", ") + describe(s);
  }
  return text;
}

constexpr double kDemoLatitude = 52.1;
constexpr double kDemoLongitude = 5.3;

config::Config demo_config(const std::string& data_dir) {
  config::Config c;
  c.timezone = "Europe/Amsterdam";
  c.location = {kDemoLatitude, kDemoLongitude};
  c.radio.port = "emulator";
  c.radio.ecu_id = "D8A3011B9780";
  c.storage.data_dir = data_dir;
  const char* names[] = {"Roof east", "Roof west", "Garage"};
  std::int64_t idx = 1;
  for (const auto& e : emulator::default_inverters()) {
    config::InverterConfig inv;
    inv.short_address = e.short_address;  // paired before: the demo starts with a working plant
    inv.name = names[idx - 1];
    inv.serial = e.serial;
    inv.model = std::string(aps::info(e.model).name);
    inv.domoticz_idx = idx++;
    inv.panel_power_w = e.model == aps::Model::Ds3 ? 450 : 350;
    c.inverters.push_back(inv);
  }
  return c;
}

// Half an hour before the day's sunrise at the demo site, or where a previous demo in the
// same directory stopped — even if it was killed: simulated time must never repeat over
// stored history.
util::WallTime demo_start(const DemoArgs& args, const std::filesystem::path& dir) {
  std::int64_t resume_s = 0;
  if (std::ifstream in(dir / "demo-time"); in) in >> resume_s;
  if (auto st = store::Store::open((dir / "apsecu.db").string()); st) {
    for (const auto& inv : st->inverters()) {
      if (auto s = st->get_state(inv.serial); s && *s) resume_s = std::max(resume_s, (*s)->time_s + 1);
    }
  }
  if (resume_s > 0) return util::WallTime(std::chrono::seconds(resume_s));
  auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  if (!args.date.empty()) {
    if (auto t = emulator::parse_utc(args.date + "T12:00Z")) day = std::chrono::floor<std::chrono::days>(*t);
  }
  const auto sun = schedule::sun_times({kDemoLatitude, kDemoLongitude}, std::chrono::year_month_day(day));
  return sun.sunrise ? *sun.sunrise - std::chrono::minutes(30) : util::WallTime(day) + std::chrono::hours(5);
}

}  // namespace

Runner add_demo_command(CLI::App& root) {
  auto args = std::make_shared<DemoArgs>();
  auto* cmd = root.add_subcommand("demo", "Run apsecu against the built-in emulator (YC600, QS1, DS3), a day in minutes");
  cmd->footer("Also on air but not in the demo's settings, to add and pair on the Inverters page: " + spares_text() +
              ".");
  cmd->add_option("--data", args->data_dir, "Where to keep settings and history (default: a new temporary directory)");
  cmd->add_option("--http", args->http, "Web interface address")->capture_default_str();
  cmd->add_option("--speed", args->speed, "Simulated seconds per real second")
      ->check(CLI::Range(1.0, 5000.0))
      ->capture_default_str();
  cmd->add_option("--date", args->date, "Simulated day (YYYY-MM-DD, default today)");
  cmd->add_option("--cloudiness", args->cloudiness, "0 = clear sky, 1 = overcast")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--mqtt", args->mqtt, "Publish to this broker, e.g. mqtt://127.0.0.1:1883");
  cmd->add_option("--stop-at", args->stop_at, "Stop cleanly at this simulated UTC time (2026-06-21T20:00Z)");
  cmd->add_option("--drop-rate", args->drop_rate, "Share of inverter answers lost on air (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--freeze-at", args->freeze_at,
                  "The module goes mute at this simulated UTC time, until its reset pin is pulled");
  cmd->add_option("--zombie-at", args->zombie_at,
                  "The module keeps saying it is up but routes nothing from this simulated UTC time, until its reset "
                  "pin is pulled");
  cmd->add_option("--reset-inverter-at", args->reset_inverter, "Restart an inverter: SERIAL@2026-06-21T10:00Z");
  cmd->add_option("--seed", args->seed, "Weather and fault seed")->capture_default_str();

  return [args] {
    std::filesystem::path dir = args->data_dir;
    if (dir.empty()) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "apsecu-demo-XXXXXX").string();
      if (::mkdtemp(tmpl.data()) == nullptr) {
        std::cerr << "demo: cannot create a temporary directory\n";
        return 1;
      }
      dir = tmpl;
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const auto config_path = (dir / "apsecu.json").string();
    config::Config cfg;
    if (std::filesystem::exists(config_path)) {
      auto loaded = config::load_file(config_path);
      if (!loaded) {
        std::cerr << "demo: " << loaded.error().describe() << '\n';
        return 2;
      }
      cfg = std::move(*loaded);
    } else {
      cfg = demo_config(dir.string());
      if (auto st = config::save_file(config_path, cfg); !st) {
        std::cerr << "demo: " << st.error().describe() << '\n';
        return 1;
      }
    }
    if (!args->mqtt.empty()) {
      // Domoticz format to domoticz/in (idx 1, 2, 3) plus Home Assistant discovery.
      auto broker = mqtt::settings_from_url(args->mqtt, cfg.mqtt);
      if (!broker) {
        std::cerr << "demo: --mqtt " << args->mqtt << ": " << broker.error().describe() << '\n';
        return 2;
      }
      cfg.mqtt = *broker;
      cfg.mqtt.enabled = true;
      cfg.mqtt.ha_discovery = true;
    }
    const auto start = demo_start(*args, dir);
    auto clock = std::make_shared<util::ScaledClock>(start, args->speed);
    DaemonSetup setup;
    setup.emulator = emulator_for(cfg, start, args->speed);
    const auto spares = add_spares(*setup.emulator, cfg);
    setup.emulator->cloudiness = args->cloudiness;
    setup.emulator->timing_scale = 0.1;  // module latencies shortened to keep up with the sky
    setup.emulator->ground_truth_path = (dir / "ground-truth.jsonl").string();
    setup.emulator->seed = args->seed;
    setup.emulator->faults.drop_rate = args->drop_rate;
    for (const auto& text : args->freeze_at) {
      const auto at = emulator::parse_utc(text);
      if (!at) {
        std::cerr << "demo: --freeze-at " << text << " is not a UTC time like 2026-06-21T11:30Z\n";
        return 2;
      }
      setup.emulator->events.push_back({*at, emulator::EventKind::FreezeCoordinator, ""});
    }
    for (const auto& text : args->zombie_at) {
      const auto at = emulator::parse_utc(text);
      if (!at) {
        std::cerr << "demo: --zombie-at " << text << " is not a UTC time like 2026-06-21T11:30Z\n";
        return 2;
      }
      setup.emulator->events.push_back({*at, emulator::EventKind::ZombieCoordinator, ""});
    }
    for (const auto& text : args->reset_inverter) {
      const auto at_sign = text.find('@');
      const auto at = at_sign == std::string::npos ? std::nullopt : emulator::parse_utc(text.substr(at_sign + 1));
      if (!at) {
        std::cerr << "demo: --reset-inverter-at " << text << " is not SERIAL@TIME\n";
        return 2;
      }
      setup.emulator->events.push_back({*at, emulator::EventKind::ResetInverter, text.substr(0, at_sign)});
    }
    if (!args->stop_at.empty()) {
      setup.stop_at = emulator::parse_utc(args->stop_at);
      if (!setup.stop_at) {
        std::cerr << "demo: --stop-at " << args->stop_at << " is not a UTC time\n";
        return 2;
      }
    }
    setup.config = std::move(cfg);
    setup.config_path = config_path;
    setup.clock = clock;
    setup.pair_unpaired_at_start = true;
    setup.host_timing_scale = 0.25;
    setup.http_listen = args->http;
    std::cout << "apsecu demo: data in " << dir.string() << ", web interface on http://" << args->http
              << "/, simulated " << emulator::format_utc(start) << " at " << args->speed << "x"
              << (spares.empty() ? "" : "; on air, to add and pair: " + spares) << std::endl;
    const int status = run_daemon(std::move(setup));
    std::ofstream(dir / "demo-time")
        << std::chrono::duration_cast<std::chrono::seconds>(clock->now().time_since_epoch()).count() << '\n';
    return status;
  };
}

}  // namespace apsecu::app
