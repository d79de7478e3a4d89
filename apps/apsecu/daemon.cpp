// SPDX-License-Identifier: GPL-3.0-or-later
#include "daemon.hpp"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "apsecu/api/http_server.hpp"
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
#include "config_service.hpp"
#include "daemon_backend.hpp"
#include "live_bus.hpp"
#include "mqtt_link.hpp"
#include "radio_link.hpp"

namespace apsecu::app {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::seconds kRadioRetry{10};

// The open radio, the client reading it and the coordinator on it, kept across engine
// rebuilds while the radio settings stay: a change of names, MQTT, location or inverters
// must not touch the module (every re-initialisation makes the inverters find it again).
// Destroyed in reverse: coordinator, client, link.
struct OpenRadio {
  OpenRadio(RadioLink opened, const config::Radio& settings)
      : link(std::move(opened)), client(std::make_unique<znp::ZnpClient>(*link.transport)), radio(settings) {}
  [[nodiscard]] bool same_radio(const config::Radio& r) const {
    return r.port == radio.port && r.reset_line == radio.reset_line && r.ecu_id == radio.ecu_id;
  }
  RadioLink link;
  std::unique_ptr<znp::ZnpClient> client;
  config::Radio radio;  // what it was opened with
  std::unique_ptr<znp::Coordinator> coordinator;
};

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
  Housekeeping(ConfigService& settings, store::Store& store, const util::Clock& clock)
      : settings_(settings), store_(store), clock_(clock) {}

  void on_paired(const aps::Serial& serial, std::uint16_t address) override {
    settings_.set_short_address(serial, address);
  }

  void on_day_closed(fleet::DayKey, const std::vector<std::pair<std::string, fleet::ClosedDay>>&) override {
    const auto keep_days = settings_.get().storage.samples_retention_days;
    auto r = store_.apply_retention(util::unix_seconds(clock_.now()), keep_days);
    if (!r) util::logger("store")->warn("retention: {}", r.error().describe());
  }

 private:
  ConfigService& settings_;
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
    s.panel_peak_w = inv.panel_peak_w;
    for (const int k : inv.input_order) s.decode.input_order.push_back(static_cast<std::uint8_t>(k));  // validated
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
    // So does what it was last told: an inverter keeps its output state and limit.
    ic.output_on = inv.output_on;
    ic.power_limit_per_panel_w = inv.power_limit_per_panel_w;
    e.inverters.push_back(ic);
  }
  return e;
}

namespace {

// host:port, [v6]:port or a bare port.
bool parse_listen(const std::string& text, api::HttpOptions& o) {
  const auto colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "0.0.0.0" : text.substr(0, colon);
  const std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    std::size_t used = 0;
    const int p = std::stoi(port, &used);
    if (used != port.size() || p < 0 || p > 65535) return false;
    o.port = p;
  } catch (const std::exception&) {
    return false;
  }
  o.listen_address = host.empty() ? "0.0.0.0" : host;
  return true;
}

std::map<std::string, std::string> stored_states(store::Store& store, const config::Config& cfg) {
  std::map<std::string, std::string> states;
  for (const auto& inv : cfg.inverters) {
    if (auto s = store.get_state(inv.serial); s && *s) states.emplace(inv.serial, (*s)->state);
  }
  return states;
}

util::Status register_inverters(store::Store& store, const config::Config& cfg) {
  for (const auto& inv : cfg.inverters) {
    const auto model = aps::info(*aps::model_from_name(inv.model));
    if (auto st = store.add_inverter({inv.serial, std::string(model.name), model.inputs}); !st) return st;
  }
  return {};
}

engine::EngineSettings engine_settings(const config::Config& cfg) {
  engine::EngineSettings settings;
  settings.poll_interval = std::chrono::seconds(cfg.polling.interval_s);
  if (cfg.location.latitude && cfg.location.longitude) {
    settings.window.where = schedule::GeoPosition{*cfg.location.latitude, *cfg.location.longitude};
  }
  settings.window.sunrise_offset_min = cfg.polling.sunrise_offset_min;
  settings.window.sunset_offset_min = cfg.polling.sunset_offset_min;
  settings.day_of = util::local_day_key;
  return settings;
}

// What the pages show while no engine runs (the radio cannot be opened): the inverters as
// last stored, today's poll window, and no coordinator.
std::shared_ptr<const engine::Snapshot> idle_snapshot(const config::Config& cfg, store::Store& store,
                                                      util::WallTime now) {
  auto snap = std::make_shared<engine::Snapshot>();
  snap->time = now;
  snap->window = schedule::poll_window(engine_settings(cfg).window, now);
  snap->in_window = snap->window.contains(now);
  snap->reset_line_missing = cfg.radio.reset_line.empty() || cfg.radio.reset_line == "none";
  const fleet::Fleet fleet(fleet_specs(cfg), {}, stored_states(store, cfg));
  snap->inverters = fleet.views();
  return snap;
}

}  // namespace

int run_daemon(DaemonSetup setup) {
  SignalWatch::block_in_this_thread();  // before any thread starts: they inherit the mask
  // The web server answers on a pool of threads, and glibc would give each its own malloc
  // arena, hundreds of KiB resident apiece for replies of a few KiB. Two arenas keep the
  // daemon small and its memory flat; contention is no issue at these request rates.
  ::mallopt(M_ARENA_MAX, 2);
  auto log = util::logger("apsecu");
  if (!setup.config.timezone.empty()) {
    ::setenv("TZ", setup.config.timezone.c_str(), 1);
    ::tzset();
  }
  if (setup.config.radio.ecu_id.empty()) setup.config.radio.ecu_id = config::generate_ecu_id();
  ConfigService settings(setup.config, setup.config_path);
  const util::Clock& clock = *setup.clock;
  const std::string data_dir = setup.config.storage.data_dir;

  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  const auto db_path = (std::filesystem::path(data_dir) / "apsecu.db").string();
  auto store = store::Store::open(db_path);
  if (!store) {
    log->critical("cannot open the history store {}: {}", db_path, store.error().describe());
    return 1;
  }
  auto reader = store::Store::open(db_path);  // the web pages' own connection (WAL: reads never block)
  if (!reader) {
    log->critical("cannot open the history store {}: {}", db_path, reader.error().describe());
    return 1;
  }

  auto bus = std::make_shared<LiveBus>(clock);
  BackendHooks hooks;
  hooks.settings_path = setup.config_path.empty() ? (std::filesystem::path(data_dir) / "apsecu.json").string()
                                                  : setup.config_path;
  DaemonBackend backend(clock, settings, bus, std::move(*reader), data_dir, hooks);
  std::unique_ptr<api::HttpServer> http;
  if (!setup.http_listen.empty()) {
    api::HttpOptions options;
    options.allow_power_actions = setup.allow_power_actions;
    if (!parse_listen(setup.http_listen, options)) {
      log->critical("--http {}: want ADDRESS:PORT, e.g. 0.0.0.0:8080", setup.http_listen);
      return 2;
    }
    http = std::make_unique<api::HttpServer>(backend, options);
    if (auto st = http->start(); !st) {
      log->critical("web interface on {}: {}", setup.http_listen, st.error().describe());
      return 1;
    }
    log->info("web interface on http://{}:{}/", options.listen_address, http->port());
  }

  std::atomic<bool> terminate{false};
  std::mutex engine_mutex;
  std::condition_variable wake;  // ends a wait for the radio: settings changed, or stop
  bool settings_changed = false;
  engine::Engine* running = nullptr;
  auto stop_engine = [&] {
    std::lock_guard lock(engine_mutex);
    if (running) running->stop();
    wake.notify_all();
  };
  settings.on_change([&] {  // a settings change rebuilds the engine with them
    {
      std::lock_guard lock(engine_mutex);
      settings_changed = true;
    }
    stop_engine();
  });
  SignalWatch signals([&](int sig) {
    log->info("signal {}: stopping", sig);
    terminate = true;
    stop_engine();
  });
  std::thread stopper;
  if (setup.stop_at) {
    stopper = std::thread([&] {
      while (!terminate && clock.now() < *setup.stop_at) std::this_thread::sleep_for(20ms);
      terminate = true;
      stop_engine();
    });
  }
  // Real time, also on a simulated clock: a port that is missing now may be plugged in.
  auto wait_for_radio_retry = [&] {
    std::unique_lock lock(engine_mutex);
    wake.wait_for(lock, kRadioRetry, [&] { return terminate.load() || settings_changed; });
  };

  // The radio is opened before an engine run when it is not open yet, when its settings
  // changed, or after its link was lost (a USB adapter pulled out). Until it opens, the web
  // pages stay up, the journal says why, and apsecu tries again every kRadioRetry or as
  // soon as the settings change: a wrong port is fixed from the Settings page.
  std::optional<OpenRadio> radio_open;
  std::string radio_failure;  // the last one journaled, so a retry does not repeat it
  // With no engine to journal them, radio troubles reach the same listeners its journal
  // does: the process log, the store's journal and the live pages.
  LogListener radio_log;
  sinks::StoreSink radio_journal(*store);
  engine::ListenerSet radio_listeners;
  radio_listeners.add(radio_log);
  radio_listeners.add(radio_journal);
  radio_listeners.add(*bus);
  auto journal_radio = [&](engine::Level level, const std::string& message) {
    radio_listeners.on_journal(engine::JournalEntry{clock.now(), level, "zigbee", message});
    if (auto st = radio_journal.flush(); !st) log->warn("journal: {}", st.error().describe());
  };

  bool first_run = true;
  MqttLink mqtt(clock, backend);
  bool failed = false;
  std::optional<std::string> lost_link;
  while (!terminate) {
    auto cfg = settings.get();
    if (lost_link) {
      radio_open.reset();
      backend.set_radio_down(*lost_link, idle_snapshot(cfg, *store, clock.now()));
      radio_failure = *lost_link;  // the engine journaled it
      lost_link.reset();
      wait_for_radio_retry();
      if (terminate) break;
      cfg = settings.get();
    }
    {
      std::lock_guard lock(engine_mutex);
      settings_changed = false;
    }
    if (auto st = register_inverters(*store, cfg); !st) {
      log->critical("{}", st.error().describe());
      failed = true;
      break;
    }
    mqtt.apply(cfg);
    if (!radio_open || !radio_open->same_radio(cfg.radio)) {
      radio_open.reset();  // the old port is closed before the new one opens: it may be the same device
      auto opened = open_radio(cfg.radio.port, cfg.radio.reset_line, setup.emulator, clock);
      if (!opened) {
        const auto why = opened.error().describe();
        backend.set_radio_down(why, idle_snapshot(cfg, *store, clock.now()));
        if (why != radio_failure) {
          journal_radio(engine::Level::Error,
                        fmt::format("{}; trying again every {} s and when the settings change", why, kRadioRetry.count()));
          radio_failure = why;
        }
        wait_for_radio_retry();
        continue;
      }
      radio_open.emplace(std::move(*opened), cfg.radio);
      backend.set_radio_up();
      if (!radio_failure.empty()) journal_radio(engine::Level::Info, "radio open again on " + cfg.radio.port);
      radio_failure.clear();
    }
    auto& client = *radio_open->client;
    const auto ecu = *aps::EcuId::parse(cfg.radio.ecu_id);
    auto cc = engine::coordinator_config(ecu);
    auto radio_timings = setup.radio_timings;
    if (setup.host_timing_scale != 1.0) {
      const auto scale = [f = setup.host_timing_scale](std::chrono::milliseconds& d) {
        d = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(d.count()) * f));
      };
      for (auto* d : {&cc.reset_timing.low, &cc.reset_timing.wait, &cc.timeouts.reset_ind, &cc.timeouts.state_change,
                      &cc.timeouts.step, &cc.recovery.first_delay, &cc.health.gap, &radio_timings.srsp,
                      &radio_timings.confirm, &radio_timings.answer, &radio_timings.pair_step_gap, &radio_timings.pair_answer}) {
        scale(*d);
      }
    }
    if (!radio_open->coordinator) {
      radio_open->coordinator = std::make_unique<znp::Coordinator>(client, radio_open->link.reset.get(), cc);
    }
    auto& coordinator = *radio_open->coordinator;
    engine::Radio radio(client, ecu, radio_timings);
    fleet::Fleet fleet(fleet_specs(cfg), {.poll_interval_s = static_cast<std::uint32_t>(cfg.polling.interval_s)},
                       stored_states(*store, cfg));

    sinks::StoreSink store_sink(*store);
    LogListener log_listener;
    Housekeeping housekeeping(settings, *store, clock);
    engine::ListenerSet listeners;
    listeners.add(log_listener);
    listeners.add(store_sink);
    listeners.add(housekeeping);
    listeners.add(*bus);
    if (auto* sink = mqtt.sink()) listeners.add(*sink);
    auto settings_for_engine = engine_settings(cfg);
    // The pauses between exchanges let a real module and the air settle; an emulated module
    // is as much faster as its timing scale says. On an accelerated clock every real
    // millisecond is many simulated ones, so they shrink with it.
    if (const double f = setup.emulator ? setup.emulator->timing_scale : setup.host_timing_scale; f != 1.0) {
      const auto scale = [f](std::chrono::milliseconds d) {
        return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(d.count()) * f));
      };
      settings_for_engine.poll_gap = scale(settings_for_engine.poll_gap);
      settings_for_engine.poll_retry_delay = scale(settings_for_engine.poll_retry_delay);
    }
    engine::Engine engine(clock, client, coordinator, radio, fleet, listeners, std::move(settings_for_engine));
    bus->set_snapshot_source([&engine] { return engine.snapshot(); });
    if (first_run && setup.pair_unpaired_at_start) {
      for (const auto& spec : fleet.specs()) {
        if (!spec.short_address) engine.post(engine::Pair{spec.serial, false});
      }
    }
    first_run = false;
    {
      std::lock_guard lock(engine_mutex);
      running = &engine;
    }
    backend.attach(&engine);
    if (terminate) engine.stop();
    log->info("apsecu {} running; data in {}", APSECU_VERSION, data_dir);
    const bool link_ok = engine.run();
    backend.attach(nullptr);
    bus->set_snapshot_source({});
    {
      std::lock_guard lock(engine_mutex);
      running = nullptr;
    }
    if (auto st = store_sink.flush(); !st) log->error("journal not flushed: {}", st.error().describe());
    if (!link_ok && !terminate) {
      // Closed at the top of the next round, once the engine that reads it is gone.
      lost_link = "serial link lost: " + client.describe();
      log->error("{}; opening it again in {} s", *lost_link, kRadioRetry.count());
    } else if (!terminate) {
      log->info("settings changed: restarting the engine");
    }
  }
  terminate = true;
  if (stopper.joinable()) stopper.join();
  mqtt.stop();

  if (http) http->stop();
  if (auto st = store->checkpoint(); !st) log->warn("checkpoint: {}", st.error().describe());
  radio_open.reset();
  log->info("stopped");
  return failed ? 1 : 0;
}

}  // namespace apsecu::app
