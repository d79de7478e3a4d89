// SPDX-License-Identifier: GPL-3.0-or-later
#include "json_views.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "apsecu/aps/model.hpp"
#include "apsecu/store/day_key.hpp"

namespace apsecu::api {
namespace {

// Rounded for display; JSON stays small and the page need not round.
double r1(double v) { return std::round(v * 10.0) / 10.0; }
double r2(double v) { return std::round(v * 100.0) / 100.0; }

json opt(const std::optional<double>& v, double (*round)(double)) { return v ? json(round(*v)) : json(nullptr); }
json opt_time(const std::optional<util::WallTime>& t) { return t ? json(util::unix_seconds(*t)) : json(nullptr); }

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view window_kind(schedule::PollWindow::Kind k) {
  switch (k) {
    case schedule::PollWindow::Kind::Sun: return "sun";
    case schedule::PollWindow::Kind::AllDay: return "all_day";
    case schedule::PollWindow::Kind::None: return "none";
  }
  return "all_day";
}

}  // namespace

std::optional<std::int32_t> parse_date(std::string_view text) noexcept {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = parse_int(text.substr(0, 4));
  const auto m = parse_int(text.substr(5, 2));
  const auto d = parse_int(text.substr(8, 2));
  if (!y || !m || !d) return std::nullopt;
  const auto key = *y * 10000 + *m * 100 + *d;
  if (!store::is_valid_day_key(key)) return std::nullopt;
  return key;
}

std::string date_text(std::int32_t day_key) {
  return fmt::format("{:04}-{:02}-{:02}", day_key / 10000, day_key / 100 % 100, day_key % 100);
}

std::optional<std::pair<int, int>> parse_month(std::string_view text) noexcept {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  const auto y = parse_int(text.substr(0, 4));
  const auto m = parse_int(text.substr(5, 2));
  if (!y || !m || *y < store::kMinYear || *y > store::kMaxYear || *m < 1 || *m > 12) return std::nullopt;
  return std::pair{*y, *m};
}

json control_fields(const std::string& serial, std::size_t inputs, const engine::Snapshot* s,
                    const std::vector<config::InverterConfig>& saved) {
  const engine::InverterControl* control = nullptr;
  if (s) {
    for (const auto& c : s->controls) {
      if (c.serial.str() == serial) control = &c;
    }
  }
  const config::InverterConfig* kept = nullptr;
  for (const auto& inv : saved) {
    if (inv.serial == serial) kept = &inv;
  }
  bool output_on = kept ? kept->output_on : true;
  if (control && control->output_on) output_on = *control->output_on;
  std::optional<double> limit = kept ? kept->power_limit_per_panel_w : std::nullopt;
  auto state = limit ? engine::LimitState::Accepted : engine::LimitState::None;
  if (control && control->limit_state != engine::LimitState::None) {
    limit = control->limit_per_panel_w;
    state = control->limit_state;
  }
  return {{"output_on", output_on},
          {"power_limit_per_panel_w", opt(limit, r1)},
          {"power_limit_w", limit ? json(r1(*limit * static_cast<double>(inputs))) : json(nullptr)},
          {"limit_state", engine::limit_state_name(state)},
          {"limit_detail", control ? control->detail : std::string()}};
}

json inverter_json(const fleet::InverterView& v, const engine::Snapshot* s,
                   const std::vector<config::InverterConfig>& saved) {
  json inputs = json::array();
  for (std::size_t i = 0; i < v.inputs.size(); ++i) {
    const auto& in = v.inputs[i];
    inputs.push_back({{"input", i + 1},
                      {"in_use", in.in_use},
                      {"dc_voltage_v", opt(in.dc_voltage_v, r1)},
                      {"dc_current_a", opt(in.dc_current_a, r2)},
                      {"power_w", r1(in.power_w)},
                      {"today_wh", r1(in.today_wh)},
                      {"lifetime_wh", r1(in.lifetime_wh)}});
  }
  json j{{"serial", v.serial},
         {"model", v.model},
         {"name", v.name},
         {"short_address", v.short_address ? json(*v.short_address) : json(nullptr)},
         {"paired", v.short_address.has_value()},
         {"sample_time_s", opt_time(v.sample_time)},
         {"last_poll_s", opt_time(v.last_poll_time)},
         {"last_outcome", v.last_outcome},
         {"last_detail", v.last_detail},
         {"consecutive_failures", v.consecutive_failures},
         {"power_w", r1(v.power_w)},
         {"today_wh", r1(v.today_wh)},
         {"lifetime_wh", r1(v.lifetime_wh)},
         {"link_quality_pct", opt(v.link_quality_pct, r1)},
         {"temperature_c", nullptr},
         {"frequency_hz", nullptr},
         {"ac_voltage_v", nullptr},
         {"uptime_s", nullptr},
         {"inputs", std::move(inputs)}};
  if (v.telemetry) {
    j["temperature_c"] = opt(v.telemetry->temperature_c, r1);
    j["frequency_hz"] = opt(v.telemetry->frequency_hz, r2);
    j["ac_voltage_v"] = opt(v.telemetry->ac_voltage_v, r1);
    j["uptime_s"] = v.telemetry->uptime_s;
  }
  if (s) {
    const auto model = aps::model_from_name(v.model);
    j.update(control_fields(v.serial, model ? aps::info(*model).inputs : v.inputs.size(), s, saved));
  }
  return j;
}

json live_json(const engine::Snapshot& s, std::int32_t today, const std::string& timezone,
               const std::string& radio_error, const std::vector<config::InverterConfig>& saved) {
  json window{{"kind", window_kind(s.window.kind)},
              {"start_s", opt_time(s.window.start)},
              {"end_s", opt_time(s.window.end)},
              {"sunrise_s", nullptr},
              {"sunset_s", nullptr},
              {"solar_noon_s", nullptr},
              {"polar_day", false},
              {"polar_night", false}};
  if (s.window.sun) {
    window["sunrise_s"] = opt_time(s.window.sun->sunrise);
    window["sunset_s"] = opt_time(s.window.sun->sunset);
    window["solar_noon_s"] = util::unix_seconds(s.window.sun->solar_noon);
    window["polar_day"] = s.window.sun->polar_day;
    window["polar_night"] = s.window.sun->polar_night;
  }
  double power_w = 0;
  double today_wh = 0;
  double lifetime_wh = 0;
  int answering = 0;
  json inverters = json::array();
  for (const auto& v : s.inverters) {
    power_w += v.power_w;
    today_wh += v.today_wh;
    lifetime_wh += v.lifetime_wh;
    if (v.last_outcome == "ok") ++answering;
    inverters.push_back(inverter_json(v, &s, saved));
  }
  return {{"time_s", util::unix_seconds(s.time)},
          {"date", date_text(today)},
          {"timezone", timezone.empty() ? json(nullptr) : json(timezone)},
          {"coordinator_up", s.coordinator_up},
          {"reset_line_missing", s.reset_line_missing},
          {"radio_error", radio_error.empty() ? json(nullptr) : json(radio_error)},
          {"in_window", s.in_window},
          {"night", !s.in_window},
          {"window", std::move(window)},
          {"next_cycle_s", opt_time(s.next_cycle)},
          {"site",
           {{"power_w", r1(power_w)},
            {"today_wh", r1(today_wh)},
            {"lifetime_wh", r1(lifetime_wh)},
            {"inverters", s.inverters.size()},
            {"answering", answering}}},
          {"inverters", std::move(inverters)}};
}

std::string_view level_text(store::EventLevel l) noexcept {
  switch (l) {
    case store::EventLevel::Debug: return "debug";
    case store::EventLevel::Info: return "info";
    case store::EventLevel::Warning: return "warning";
    case store::EventLevel::Error: return "error";
  }
  return "info";
}

std::optional<store::EventLevel> parse_level(std::string_view text) noexcept {
  if (text == "debug") return store::EventLevel::Debug;
  if (text == "info") return store::EventLevel::Info;
  if (text == "warning") return store::EventLevel::Warning;
  if (text == "error") return store::EventLevel::Error;
  return std::nullopt;
}

json journal_json(const engine::JournalEntry& e) {
  return {{"time_s", util::unix_seconds(e.time)},
          {"level", engine::level_name(e.level)},
          {"source", e.source},
          {"message", e.message}};
}

json frame_json(const FrameEvent& f) {
  return {{"time_s", util::unix_seconds(f.time)},
          {"time_ms", std::chrono::duration_cast<std::chrono::milliseconds>(f.time.time_since_epoch()).count()},
          {"direction", f.sent ? "sent" : "received"},
          {"hex", f.hex},
          {"description", f.description}};
}

json event_json(const store::Event& e) {
  return {{"id", e.id}, {"time_s", e.time_s}, {"level", level_text(e.level)}, {"source", e.source}, {"message", e.message}};
}

}  // namespace apsecu::api
