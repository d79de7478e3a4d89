// SPDX-License-Identifier: GPL-3.0-or-later
// The engine's care of the module: bringing it up (adopting one that is already up), health
// checks and recovery, the "zombie" that answers but routes nothing, and the warning when no
// reset line is configured. docs/architecture.md, "Start-up and recovery", says why.
#include "apsecu/engine/engine.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "apsecu/schedule/sun.hpp"

namespace apsecu::engine {
namespace {

constexpr const char* kResetLineHint =
    "no reset line is configured: a frozen module (known to happen after about 20 h) can then only be cured by "
    "power-cycling it; wire its reset pin to the host (RPI-ECU uses GPIO18) and set radio.reset_line, e.g. "
    "gpio:gpiochip0:18";

}  // namespace

void Engine::journal_notes() {
  for (const auto& note : coordinator_.notes()) journal(Level::Warning, "zigbee", note);
}

// A module found up with our IEEE is adopted as it is: every re-initialisation wipes it and
// makes the inverters find it again (docs/architecture.md, "Start-up and recovery").
void Engine::ensure_coordinator() {
  if (coordinator_up_) return;
  auto up = coordinator_.bring_up(znp::StartMode::Normal);
  if (up) {
    coordinator_up_ = true;
    journal(Level::Info, "zigbee",
            *up == znp::BringUp::Adopted
                ? "coordinator already up with this ECU's id: left as it is (no reset, no NV write)"
                : "coordinator up");
    journal_notes();
    return;
  }
  journal(Level::Error, "zigbee", "coordinator start failed: " + up.error().describe() + "; recovering");
  if (!coordinator_.has_reset_line()) journal(Level::Error, "zigbee", kResetLineHint);
  auto st = coordinator_.recover(znp::StartMode::Normal);
  coordinator_up_ = st.ok();
  journal(coordinator_up_ ? Level::Info : Level::Error, "zigbee",
          coordinator_up_ ? "coordinator up" : "coordinator not started: " + st.error().describe());
  if (coordinator_up_) journal_notes();
}

void Engine::check_health(const char* why) {
  const auto health = coordinator_.health_check();
  if (health.up()) {
    coordinator_up_ = true;
    journal(Level::Debug, "zigbee", std::string("health check (") + why + "): up");
    return;
  }
  journal(Level::Warning, "zigbee", std::string("health check (") + why + "): " + health.reason + "; recovering");
  if (!coordinator_.has_reset_line()) journal(Level::Error, "zigbee", kResetLineHint);
  auto st = coordinator_.recover(znp::StartMode::Normal);
  coordinator_up_ = st.ok();
  if (st) silent_cycles_ = 0;  // a fresh start gets its own cycles to prove itself
  journal(st ? Level::Info : Level::Error, "zigbee",
          st ? "coordinator recovered" : "recovery failed: " + st.error().describe());
  if (st) journal_notes();
}

void Engine::warn_reset_line(util::WallTime now) {
  if (coordinator_.has_reset_line()) return;
  if (next_reset_line_warning_ && now < *next_reset_line_warning_) return;
  journal(Level::Warning, "zigbee", kResetLineHint);
  next_reset_line_warning_ = now + settings_.reset_line_warning_interval;
}

void Engine::count_silence(util::WallTime now, int attempted, int answered) {
  if (attempted == 0) return;
  if (answered > 0) {
    silent_cycles_ = 0;
    zombie_reset_not_before_.reset();
    zombie_backoff_ = settings_.zombie_backoff_first;
    return;
  }
  // Inverters sleep until their panels get enough light: silence at dawn proves nothing.
  if (settings_.window.where &&
      schedule::sun_position(*settings_.window.where, now).elevation_deg < settings_.zombie_min_sun_elevation_deg) {
    return;
  }
  ++silent_cycles_;
}

// The module answers UTIL_GET_DEVICE_INFO with state 9, but nothing reaches the inverters.
void Engine::zombie_reset(util::WallTime now) {
  journal(Level::Warning, "zigbee",
          fmt::format("no inverter answered in {} cycles in daylight though the module reports itself up: {}",
                      silent_cycles_,
                      coordinator_.has_reset_line() ? "resetting it through its reset line and starting it again"
                                                    : "starting it again (soft reset only: no reset line)"));
  silent_cycles_ = 0;
  const auto backoff = zombie_backoff_;
  zombie_reset_not_before_ = now + backoff;
  zombie_backoff_ = std::min(zombie_backoff_ * 2, settings_.zombie_backoff_max);
  auto st = coordinator_.start(znp::StartMode::Normal);
  if (!st) {
    journal(Level::Error, "zigbee", "coordinator start failed: " + st.error().describe() + "; recovering");
    st = coordinator_.recover(znp::StartMode::Normal);
  }
  coordinator_up_ = st.ok();
  journal(st ? Level::Info : Level::Error, "zigbee",
          st ? fmt::format("coordinator started again; no further reset for {} min unless an inverter answers first",
                           backoff.count())
             : "coordinator not started: " + st.error().describe());
  if (st) journal_notes();
}

}  // namespace apsecu::engine
