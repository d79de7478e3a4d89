// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The settings while the daemon runs: one copy, guarded, saved atomically on every change.
// A change that the engine must see (inverters, location, polling) asks for a reload.

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "apsecu/aps/ids.hpp"
#include "apsecu/config/config.hpp"

namespace apsecu::app {

class ConfigService {
 public:
  ConfigService(config::Config initial, std::string path) : config_(std::move(initial)), path_(std::move(path)) {}

  [[nodiscard]] config::Config get() const;
  // Validated and saved; on success `on_change` runs (the daemon reloads the engine).
  std::variant<config::Config, std::vector<config::FieldError>> update(const config::Config& c);
  // What pairing learned; saved, no reload (the engine already knows).
  void set_short_address(const aps::Serial& serial, std::uint16_t address);
  // What an inverter accepted from its owner (a per-panel power limit, on or off); saved, no
  // reload: the engine already knows, and the radio must not restart for it.
  void set_control(const aps::Serial& serial, std::optional<double> limit_per_panel_w, std::optional<bool> output_on);
  void on_change(std::function<void()> callback);

 private:
  std::vector<config::FieldError> save_locked(const config::Config& c);

  mutable std::mutex mutex_;
  config::Config config_;
  std::string path_;
  std::function<void()> on_change_;
};

}  // namespace apsecu::app
