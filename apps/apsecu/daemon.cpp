// SPDX-License-Identifier: GPL-3.0-or-later
#include "daemon.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <map>
#include <thread>

#include "apsecu/config/load_save.hpp"
#include "apsecu/emulator/emulator.hpp"
#include "apsecu/engine/engine.hpp"
#include "apsecu/engine/listener_set.hpp"
#include "apsecu/engine/setup.hpp"
#include "apsecu/sinks/store_sink.hpp"
#include "apsecu/store/store.hpp"
#include "apsecu/transport/reset_line.hpp"
#include "apsecu/transport/spec.hpp"
#include "apsecu/util/log.hpp"
#include "apsecu/znp/coordinator.hpp"

namespace apsecu::app {
namespace {

using namespace std::chrono_literals;

std::int64_t unix_s(util::WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Journal entries to the process log (stderr / journald).
class LogListener final : public engine::EngineListener {
 public:
  void on_journal(const engine::JournalEntry& e) override {
    const auto level = e.level == engine::Level::Debug     ? spdlog::level::debug
                       : e.level == engine::Level::Info    ? spdlog::level::info
                       : e.level == engine::Level::Warning ? spdlog::level::warn
                                                           : spdlog::level::err;
    log_->log(level, "[{}] {}", e.source, e.message);
  }

 private:
  std::shared_ptr<spdlog::logger> log_ = util::logger("engine");
};

// Keeps the settings file in step with what the radio learned (short addresses), and runs
// the daily retention at midnight.
class Housekeeping final : public engine::EngineListener {
 public:
  Housekeeping(config::Config& cfg, std::string path, store::Store& store, const util::Clock& clock)
      : cfg_(cfg), path_(std::move(path)), store_(store), clock_(clock) {}

  void on_paired(const aps::Serial& serial, std::uint16_t address) override {
    for (auto& inv : cfg_.inverters) {
      if (inv.serial == serial.str()) inv.short_address = address;
    }
    if (path_.empty()) return;
    if (auto st = config::save_file(path_, cfg_); !st) {
      util::logger("config")->error("pairing result not saved: {}", st.error().describe());
    }
  }

  void on_day_closed(fleet::DayKey, const std::vector<std::pair<std::string, fleet::ClosedDay>>&) override {
    auto r = store_.apply_retention(unix_s(clock_.now()), cfg_.storage.samples_retention_days);
    if (!r) util::logger("store")->warn("retention: {}", r.error().describe());
  }

 private:
  config::Config& cfg_;
  std::string path_;
  store::Store& store_;
  const util::Clock& clock_;
};

std::vector<fleet::InverterSpec> fleet_specs(const config::Config& c) {
  std::vector<fleet::InverterSpec> specs;
  const auto scale = c.radio.energy_scale == "openaps" ? aps::EnergyScale::OpenAps : aps::EnergyScale::Community;
  for (const auto& inv : c.inverters) {
    fleet::InverterSpec s;
    s.serial = *aps::Serial::parse(inv.serial);  // validated with the config
    s.model = *aps::model_from_name(inv.model);
    s.name = inv.name;
    s.short_address = inv.short_address;
    s.inputs_in_use = inv.inputs_in_use;
    s.panel_power_w = inv.panel_power_w;
    s.decode.energy_scale = scale;
    s.decode.energy_calibration = inv.energy_calibration;
    s.decode.model = s.model;
    specs.push_back(std::move(s));
  }
  return specs;
}

// SIGINT/SIGTERM are blocked in every thread and collected here, so that a signal can only
// ever ask the engine to stop, never interrupt a write half-way.
class SignalWatch {
 public:
  explicit SignalWatch(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
    thread_ = std::thread([this] {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      const timespec tick{0, 200'000'000};
      while (!done_) {
        const int sig = sigtimedwait(&set, nullptr, &tick);
        if (sig > 0) on_signal_(sig);
      }
    });
  }
  ~SignalWatch() {
    done_ = true;
    thread_.join();
  }
  static void block_in_this_thread() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

 private:
  std::function<void(int)> on_signal_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

std::int32_t local_day_key(util::WallTime t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

emulator::EmulatorConfig emulator_for(const config::Config& c, util::WallTime start, double speed) {
  emulator::EmulatorConfig e;
  if (!c.radio.ecu_id.empty()) e.ecu_id = c.radio.ecu_id;
  e.start = start;
  e.speed = speed;
  if (c.location.latitude && c.location.longitude) e.location = {*c.location.latitude, *c.location.longitude};
  for (const auto& inv : c.inverters) {
    emulator::InverterConfig ic;
    ic.serial = inv.serial;
    ic.model = *aps::model_from_name(inv.model);
    // An inverter apsecu already paired keeps that pairing in the emulated world too.
    ic.paired = inv.short_address.has_value();
    ic.short_address = inv.short_address.value_or(0);
    e.inverters.push_back(ic);
  }
  return e;
}

int run_daemon(DaemonSetup setup) {
  SignalWatch::block_in_this_thread();  // before any thread starts: they inherit the mask
  auto log = util::logger("apsecu");
  auto& cfg = setup.config;
  if (!cfg.timezone.empty()) {
    ::setenv("TZ", cfg.timezone.c_str(), 1);
    ::tzset();
  }
  if (cfg.radio.ecu_id.empty()) cfg.radio.ecu_id = config::generate_ecu_id();
  const auto ecu = *aps::EcuId::parse(cfg.radio.ecu_id);
  const util::Clock& clock = *setup.clock;

  std::error_code ec;
  std::filesystem::create_directories(cfg.storage.data_dir, ec);
  const auto db_path = (std::filesystem::path(cfg.storage.data_dir) / "apsecu.db").string();
  auto store = store::Store::open(db_path);
  if (!store) {
    log->critical("cannot open the history store {}: {}", db_path, store.error().describe());
    return 1;
  }
  std::map<std::string, std::string> states;
  for (const auto& inv : cfg.inverters) {
    const auto model = aps::info(*aps::model_from_name(inv.model));
    if (auto st = store->add_inverter({inv.serial, std::string(model.name), model.inputs}); !st) {
      log->critical("inverter {}: {}", inv.serial, st.error().describe());
      return 1;
    }
    if (auto s = store->get_state(inv.serial); s && *s) states.emplace(inv.serial, (*s)->state);
  }
  fleet::Fleet fleet(fleet_specs(cfg), {.poll_interval_s = static_cast<std::uint32_t>(cfg.polling.interval_s)},
                     states);

  // The radio: a serial port / TCP, or the built-in emulator.
  std::unique_ptr<emulator::Emulator> emu;
  std::unique_ptr<transport::Transport> link;
  std::unique_ptr<transport::ResetLine> reset;
  if (setup.emulator) {
    auto created = emulator::Emulator::create(*setup.emulator, clock);
    if (!created) {
      log->critical("emulator: {}", created.error().describe());
      return 1;
    }
    emu = std::move(*created);
    link = emu->connect();
    reset = emu->reset_line();
    emu->start();
  } else {
    auto t = transport::open_transport(cfg.radio.port);
    if (!t) {
      log->critical("{}", t.error().describe());
      return 1;
    }
    link = std::move(*t);
    auto r = transport::open_reset_line(cfg.radio.reset_line);
    if (!r) {
      log->critical("{}", r.error().describe());
      return 1;
    }
    reset = std::move(*r);
  }

  znp::ZnpClient client(*link);
  auto cc = engine::coordinator_config(ecu);
  auto radio_timings = setup.radio_timings;
  if (setup.host_timing_scale != 1.0) {
    const auto scale = [f = setup.host_timing_scale](std::chrono::milliseconds& d) {
      d = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(d.count()) * f));
    };
    for (auto* d : {&cc.reset_timing.low, &cc.reset_timing.wait, &cc.timeouts.reset_ind, &cc.timeouts.state_change,
                    &cc.timeouts.step, &cc.recovery.first_delay, &radio_timings.srsp, &radio_timings.confirm,
                    &radio_timings.answer, &radio_timings.pair_step_gap, &radio_timings.pair_answer}) {
      scale(*d);
    }
  }
  znp::Coordinator coordinator(client, reset.get(), cc);
  engine::Radio radio(client, ecu, radio_timings);

  sinks::StoreSink store_sink(*store);
  LogListener log_listener;
  Housekeeping housekeeping(cfg, setup.config_path, *store, clock);
  engine::ListenerSet listeners;
  listeners.add(log_listener);
  listeners.add(store_sink);
  listeners.add(housekeeping);

  engine::EngineSettings settings;
  settings.poll_interval = std::chrono::seconds(cfg.polling.interval_s);
  if (cfg.location.latitude && cfg.location.longitude) {
    settings.window.where = schedule::GeoPosition{*cfg.location.latitude, *cfg.location.longitude};
  }
  settings.window.sunrise_offset_min = cfg.polling.sunrise_offset_min;
  settings.window.sunset_offset_min = cfg.polling.sunset_offset_min;
  settings.day_of = local_day_key;
  engine::Engine engine(clock, client, coordinator, radio, fleet, listeners, settings);

  if (setup.pair_unpaired_at_start) {
    for (const auto& spec : fleet.specs()) {
      if (!spec.short_address) engine.post(engine::Pair{spec.serial, false});
    }
  }

  SignalWatch signals([&](int sig) {
    log->info("signal {}: stopping", sig);
    engine.stop();
  });
  std::atomic<bool> running{true};
  std::thread stopper;
  if (setup.stop_at) {
    stopper = std::thread([&] {
      while (running && clock.now() < *setup.stop_at) std::this_thread::sleep_for(20ms);
      engine.stop();
    });
  }
  log->info("apsecu {} running; data in {}", APSECU_VERSION, cfg.storage.data_dir);
  const bool link_ok = engine.run();
  running = false;
  if (stopper.joinable()) stopper.join();

  if (auto st = store_sink.flush(); !st) log->error("journal not flushed: {}", st.error().describe());
  if (auto st = store->checkpoint(); !st) log->warn("checkpoint: {}", st.error().describe());
  client.stop();
  if (emu) emu->stop();
  log->info("stopped");
  return link_ok ? 0 : 3;
}

}  // namespace apsecu::app
