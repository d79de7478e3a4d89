// SPDX-License-Identifier: GPL-3.0-or-later
// The owner's commands to an inverter's output (power limit per panel, on/off, the "reboot"
// frame) and the confirmation of an accepted limit by the polls that follow it.
#include <algorithm>

#include <fmt/format.h>

#include "apsecu/aps/model.hpp"
#include "apsecu/engine/engine.hpp"

namespace apsecu::engine {

// An accepted limit is only trusted once the measured power agrees (vendor ECUs are known to
// echo limits they then ignore).
void Engine::watch_limit(const aps::Serial& serial, const fleet::Applied& applied) {
  const auto key = serial.str();
  auto* control = [&]() -> InverterControl* {
    for (auto& c : controls_) {
      if (c.serial == serial) return &c;
    }
    return nullptr;
  }();
  if (control == nullptr || control->limit_state != LimitState::Accepted || !control->limit_per_panel_w) {
    limit_watches_.erase(key);
    return;
  }
  auto it = limit_watches_.find(key);
  if (it == limit_watches_.end() || it->second.limit_per_panel_w() != *control->limit_per_panel_w) {
    it = limit_watches_
             .insert_or_assign(key, LimitWatch(*control->limit_per_panel_w,
                                               {settings_.limit_confirm_polls, settings_.limit_tolerance_pct,
                                                settings_.limit_tolerance_w}))
             .first;
  }
  const auto kind = applied.accounted.kind;
  if (kind != fleet::SampleKind::Normal && kind != fleet::SampleKind::InverterReset) return;  // no power measured
  std::vector<double> power_w;
  for (const auto& in : applied.accounted.inputs) power_w.push_back(in.power_w);
  auto& watch = it->second;
  const auto verdict = watch.add(power_w);
  if (verdict == LimitVerdict::Pending) return;
  if (verdict == LimitVerdict::Obeyed) {
    control->limit_state = LimitState::Confirmed;
    control->detail = fmt::format("confirmed: {} polls within {:.0f} W per panel", settings_.limit_confirm_polls,
                                  watch.limit_per_panel_w());
    journal(Level::Info, "console", fmt::format("{}: limit of {:.0f} W per panel confirmed by the measured power",
                                                key, watch.limit_per_panel_w()));
  } else {
    control->limit_state = LimitState::NotApplied;
    control->detail = fmt::format("not applied: an input fed {:.0f} W against a limit of {:.0f} W per panel",
                                  watch.max_seen_w(), watch.limit_per_panel_w());
    journal(Level::Warning, "console",
            fmt::format("{} reports the limit of {:.0f} W per panel but feeds {:.0f} W on an input: not applied", key,
                        watch.limit_per_panel_w(), watch.max_seen_w()));
  }
  limit_watches_.erase(it);
}

InverterControl& Engine::control_of(const aps::Serial& serial) {
  const auto it = std::ranges::find_if(controls_, [&](const InverterControl& c) { return c.serial == serial; });
  if (it != controls_.end()) return *it;
  InverterControl fresh;
  fresh.serial = serial;
  controls_.push_back(std::move(fresh));
  return controls_.back();
}

util::Result<std::string> Engine::execute(SetPowerLimit& job) {
  const auto* spec = fleet_.find(job.serial);
  if (!spec || !spec->short_address) {
    return util::make_error(aps::Errc::SerialMismatch, job.serial.str() + " is not a paired inverter");
  }
  const auto& mi = aps::info(spec->model);
  const auto what = fmt::format("{:.0f} W per panel ({:.0f} W for the {}'s {} inputs)", job.limit_per_panel_w,
                                job.limit_per_panel_w * mi.inputs, mi.name, mi.inputs);
  const auto r = radio_.set_power_limit(*spec->short_address, spec->model, job.limit_per_panel_w);
  if (!r) {
    journal(Level::Warning, "console", fmt::format("{}: limit of {} not set: {}", job.serial.str(), what,
                                                   r.error().describe()));
    if (r.error().code == aps::Errc::OutOfRange) return r.error();  // nothing was sent
    control_of(job.serial).detail = r.error().describe();
    publish(clock_.now());
    return r.error();
  }
  auto& control = control_of(job.serial);
  control.limit_per_panel_w = job.limit_per_panel_w;
  control.detail = r->detail;
  control.limit_state = r->accepted ? LimitState::Accepted : LimitState::Refused;
  // The snapshot shows the outcome before the job's caller hears of it.
  publish(clock_.now());
  if (!r->accepted) {
    journal(Level::Warning, "console", fmt::format("{} did not take the limit of {}: {}", job.serial.str(), what, r->detail));
    return util::make_error(aps::Errc::Refused, fmt::format("limit of {} not taken: {}", what, r->detail));
  }
  journal(Level::Info, "console", fmt::format("{} limited to {}: {}", job.serial.str(), what, r->detail));
  return fmt::format("power limit {} accepted: {}", what, r->detail);
}

util::Result<std::string> Engine::execute(SetOutput& job) {
  const auto* spec = fleet_.find(job.serial);
  if (!spec || !spec->short_address) {
    return util::make_error(aps::Errc::SerialMismatch, job.serial.str() + " is not a paired inverter");
  }
  const auto r = radio_.set_output(*spec->short_address, job.on);
  auto& control = control_of(job.serial);
  if (!r) {
    control.detail = r.error().describe();
    journal(Level::Warning, "console", job.serial.str() + ": output not switched: " + control.detail);
    publish(clock_.now());
    return r.error();
  }
  control.output_on = job.on;
  control.detail = r->detail;
  journal(Level::Info, "console", fmt::format("{} output switched {}: {}", job.serial.str(), job.on ? "on" : "off", r->detail));
  publish(clock_.now());  // the snapshot shows the outcome before the job's caller hears of it
  return fmt::format("output switched {}: {}", job.on ? "on" : "off", r->detail);
}

util::Result<std::string> Engine::execute(Reboot& job) {
  SetOutput on{job.serial, true};
  auto r = execute(on);
  if (!r) return r;
  constexpr const char* kWhy =
      "no restart command is known for APsystems inverters; the frame called \"reboot\" is turn-on (C1), so "
      "turn-on was sent";
  journal(Level::Info, "console", job.serial.str() + ": " + kWhy);
  return std::string(kWhy) + ": " + *r;
}

}  // namespace apsecu::engine
