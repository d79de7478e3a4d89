// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the HTTP API needs from the running daemon. The daemon implements it (apps/apsecu);
// tests implement it with an in-memory store and a scripted engine. All members are
// thread-safe: HTTP handlers call them from the server's thread pool.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "apsecu/config/config.hpp"
#include "apsecu/engine/engine.hpp"
#include "apsecu/store/store.hpp"
#include "apsecu/util/clock.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::api {

// Pushed to live clients (server-sent events): after every poll cycle, for every journal
// entry, and for every frame on the wire (console/debug view).
struct CycleEvent {
  std::shared_ptr<const engine::Snapshot> snapshot;
};
struct JournalEvent {
  engine::JournalEntry entry;
};
struct FrameEvent {
  util::WallTime time;
  bool sent = false;
  std::string hex;          // the whole frame, SOF to FCS
  std::string description;  // znp::describe()
};
using LiveEvent = std::variant<CycleEvent, JournalEvent, FrameEvent>;
using LiveCallback = std::function<void(const LiveEvent&)>;

enum class PowerAction : std::uint8_t { Reboot, Shutdown };

// Unsubscribes when destroyed.
class Subscription {
 public:
  virtual ~Subscription() = default;
};

class Backend {
 public:
  virtual ~Backend() = default;

  [[nodiscard]] virtual const util::Clock& clock() const = 0;
  [[nodiscard]] virtual std::shared_ptr<const engine::Snapshot> snapshot() const = 0;
  // Jobs for the radio (pair, poll now, raw command, reboot, power limit, health, start).
  virtual void post(engine::Job job, engine::JobDone done) = 0;

  [[nodiscard]] virtual config::Config config() const = 0;
  // Validates, saves atomically and applies. Every field error at once on failure.
  virtual std::variant<config::Config, std::vector<config::FieldError>> update_config(const config::Config& c) = 0;

  // Runs `fn` with exclusive use of a store connection (reads and audited edits). Fast
  // queries only: other requests wait meanwhile.
  virtual void with_store(const std::function<void(store::Store&)>& fn) = 0;
  // A consistent backup archive (settings + database snapshot) written to `path`.
  virtual util::Status backup_to(const std::string& path) = 0;
  // Validates and merges a backup archive; the current data stays until the restored
  // data is verified.
  virtual util::Result<std::string> restore_from(const std::string& path) = 0;

  [[nodiscard]] virtual std::unique_ptr<Subscription> subscribe(LiveCallback callback) = 0;

  // Where per-installation files live (photo, memo, users): a directory the API may write.
  [[nodiscard]] virtual std::string data_dir() const = 0;
  [[nodiscard]] virtual std::string version() const = 0;

  // ---- added for the HTTP API; each has a default so a Backend need not implement it ----

  // The local day (YYYYMMDD) a wall time belongs to: the same day the engine books energy
  // on (EngineSettings::day_of), so "today" on the pages matches the store. Default: the
  // process's local time zone.
  [[nodiscard]] virtual std::int32_t day_of(util::WallTime t) const;
  // Reboots or shuts the machine down. Called only when HttpOptions::allow_power_actions is
  // set. Default: refused (the daemon usually lacks the privilege).
  virtual util::Status power_action(PowerAction action);
  // Tries the MQTT settings the page holds (generic JSON, see docs/http-api.md) and says
  // what happened. Default: refused, until the daemon has an MQTT sink.
  virtual util::Result<std::string> test_mqtt(const std::string& settings_json);
  // The MQTT link as it is now, as a JSON object (docs/http-api.md: state, broker, last
  // error, queue, counters). Default: refused.
  [[nodiscard]] virtual util::Result<std::string> mqtt_status() const;
  // Why the radio (the serial port to the module) is not open, for the live values; empty
  // while it is. Default: always open.
  [[nodiscard]] virtual std::string radio_error() const { return {}; }
};

}  // namespace apsecu::api
