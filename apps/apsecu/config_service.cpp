// SPDX-License-Identifier: GPL-3.0-or-later
#include "config_service.hpp"

#include "apsecu/config/load_save.hpp"
#include "apsecu/util/log.hpp"

namespace apsecu::app {

config::Config ConfigService::get() const {
  std::lock_guard lock(mutex_);
  return config_;
}

std::vector<config::FieldError> ConfigService::save_locked(const config::Config& c) {
  if (auto errors = config::validate(c); !errors.empty()) return errors;
  if (!path_.empty()) {
    if (auto st = config::save_file(path_, c); !st) return {{"", st.error().describe()}};
  }
  config_ = c;
  return {};
}

std::variant<config::Config, std::vector<config::FieldError>> ConfigService::update(const config::Config& c) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mutex_);
    auto next = c;
    if (next.radio.ecu_id.empty()) next.radio.ecu_id = config_.radio.ecu_id;
    // Short addresses come from pairing, not from forms: keep what the radio learned.
    for (auto& inv : next.inverters) {
      for (const auto& old : config_.inverters) {
        if (old.serial == inv.serial && !inv.short_address) inv.short_address = old.short_address;
      }
    }
    if (auto errors = save_locked(next); !errors.empty()) return errors;
    notify = on_change_;
  }
  if (notify) notify();
  return get();
}

void ConfigService::set_short_address(const aps::Serial& serial, std::uint16_t address) {
  std::lock_guard lock(mutex_);
  auto next = config_;
  for (auto& inv : next.inverters) {
    if (inv.serial == serial.str()) inv.short_address = address;
  }
  if (auto errors = save_locked(next); !errors.empty()) {
    util::logger("config")->error("pairing result not saved: {}", config::describe(errors));
  }
}

void ConfigService::set_control(const aps::Serial& serial, std::optional<double> limit_per_panel_w,
                                std::optional<bool> output_on) {
  std::lock_guard lock(mutex_);
  auto next = config_;
  for (auto& inv : next.inverters) {
    if (inv.serial != serial.str()) continue;
    if (limit_per_panel_w) inv.power_limit_per_panel_w = *limit_per_panel_w;
    if (output_on) inv.output_on = *output_on;
  }
  if (auto errors = save_locked(next); !errors.empty()) {
    util::logger("config")->error("{} not saved: {}", serial.str(), config::describe(errors));
  }
}

void ConfigService::on_change(std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  on_change_ = std::move(callback);
}

}  // namespace apsecu::app
