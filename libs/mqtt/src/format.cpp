// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/mqtt/format.hpp"

#include <array>
#include <chrono>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apsecu/aps/model.hpp"

namespace apsecu::mqtt {
namespace {

using Json = nlohmann::ordered_json;  // field order as documented

struct FormatName {
  Format format;
  std::string_view name;
};

constexpr std::array<FormatName, 6> kFormatNames{{
    {Format::Domoticz, "domoticz"},
    {Format::SeedArrays, "seed_arrays"},
    {Format::SeedFlat, "seed_flat"},
    {Format::SeedFull, "seed_full"},
    {Format::SeedChannels, "seed_channels"},
    {Format::Apsecu, "apsecu"},
}};

// Digits as the seed printed them (%.1f W, %.2f Wh): enough for a 0.1 W / 0.01 Wh sensor,
// and short payloads.
double round_to(double v, int digits) {
  if (!std::isfinite(v)) return 0;
  const double scale = std::pow(10.0, digits);
  return std::round(v * scale) / scale;
}

Json opt(std::optional<double> v, int digits) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return round_to(*v, digits);
}

// The seed wrote 0 for what it did not know (e.g. at night).
double or_zero(std::optional<double> v, int digits) { return v ? round_to(*v, digits) : 0.0; }

std::string_view event_name(Event e) {
  return e == Event::Poll ? "poll" : "window_closed";
}

struct Ac {
  double acv = 0, freq = 0, temp = 0;
};

Ac seed_ac(const fleet::InverterView& v) {
  if (!v.telemetry) return {};
  return {or_zero(v.telemetry->ac_voltage_v, 1), or_zero(v.telemetry->frequency_hz, 2),
          or_zero(v.telemetry->temperature_c, 1)};
}

Json seed_head(const fleet::InverterView& v) {
  const auto ac = seed_ac(v);
  Json j;
  j["serial"] = v.serial;
  j["acv"] = ac.acv;
  j["freq"] = ac.freq;
  j["temp"] = ac.temp;
  return j;
}

std::string domoticz(const fleet::InverterView& v, std::int64_t idx, util::WallTime t) {
  Json j;
  j["idx"] = idx;
  j["nvalue"] = 0;
  j["svalue"] = fmt::format("{:.1f};{:.1f}", round_to(v.power_w, 1), round_to(v.lifetime_wh, 1));
  j["sample_time"] = iso_time(t);
  return j.dump();
}

std::string seed(Format f, const fleet::InverterView& v, util::WallTime t) {
  Json j = seed_head(v);
  Json pw = Json::array(), en = Json::array(), dcv = Json::array(), dcc = Json::array();
  for (const auto& in : v.inputs) {
    pw.push_back(round_to(in.power_w, 1));
    en.push_back(round_to(in.today_wh, 2));
    dcv.push_back(or_zero(in.dc_voltage_v, 1));
    dcc.push_back(or_zero(in.dc_current_a, 2));
  }
  switch (f) {
    case Format::SeedArrays:
      j["pwr"] = pw;
      j["en"] = en;
      break;
    case Format::SeedFlat:
      for (std::size_t i = 0; i < v.inputs.size(); ++i) j[fmt::format("pw{}", i)] = pw[i];
      for (std::size_t i = 0; i < v.inputs.size(); ++i) j[fmt::format("en{}", i)] = en[i];
      break;
    case Format::SeedFull:
      j["dcv"] = dcv;
      j["dcc"] = dcc;
      j["pw"] = pw;
      j["en"] = en;
      break;
    case Format::SeedChannels:
      for (std::size_t i = 0; i < v.inputs.size(); ++i) {
        j[fmt::format("ch{}", i)] = Json::array({dcv[i], dcc[i], pw[i], en[i]});
      }
      break;
    case Format::Domoticz:
    case Format::Apsecu: break;
  }
  // Formats 2 and 3 of the seed carry totals; 4 and 5 do not.
  if (f == Format::SeedArrays || f == Format::SeedFlat) {
    j["totalpwr"] = round_to(v.power_w, 1);
    j["totalen"] = round_to(v.today_wh, 2);
  }
  j["sample_time"] = iso_time(t);
  return j.dump();
}

std::string apsecu(const fleet::InverterView& v, const InverterInfo& inv, util::WallTime t, Event e) {
  Json j;
  j["serial"] = v.serial;
  j["name"] = inv.name.empty() ? v.name : inv.name;
  j["model"] = v.model;
  j["event"] = event_name(e);
  j["sample_time"] = iso_time(t);
  j["sample_time_unix_s"] = util::unix_seconds(t);
  j["power_w"] = round_to(v.power_w, 1);
  j["energy_today_wh"] = round_to(v.today_wh, 2);
  j["energy_lifetime_wh"] = round_to(v.lifetime_wh, 2);
  const auto& tel = v.telemetry;
  j["ac_voltage_v"] = tel ? opt(tel->ac_voltage_v, 1) : Json(nullptr);
  j["frequency_hz"] = tel ? opt(tel->frequency_hz, 2) : Json(nullptr);
  j["temperature_c"] = tel ? opt(tel->temperature_c, 1) : Json(nullptr);
  j["link_quality_pct"] = opt(v.link_quality_pct, 1);
  Json inputs = Json::array();
  for (std::size_t i = 0; i < v.inputs.size(); ++i) {
    const auto& in = v.inputs[i];
    Json ji;
    ji["input"] = i + 1;
    ji["in_use"] = in.in_use;
    ji["power_w"] = round_to(in.power_w, 1);
    ji["dc_voltage_v"] = opt(in.dc_voltage_v, 1);
    ji["dc_current_a"] = opt(in.dc_current_a, 2);
    ji["energy_today_wh"] = round_to(in.today_wh, 2);
    ji["energy_lifetime_wh"] = round_to(in.lifetime_wh, 2);
    inputs.push_back(std::move(ji));
  }
  j["inputs"] = std::move(inputs);
  return j.dump();
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) noexcept {
  for (const auto& f : kFormatNames) {
    if (f.name == name) return f.format;
  }
  return std::nullopt;
}

std::string_view format_name(Format f) noexcept {
  for (const auto& n : kFormatNames) {
    if (n.format == f) return n.name;
  }
  return "?";
}

InverterInfo inverter_info(const config::InverterConfig& c) {
  InverterInfo i;
  i.serial = c.serial;
  i.name = c.name;
  i.model = c.model;
  i.domoticz_idx = c.domoticz_idx;
  std::size_t inputs = 2;
  if (auto m = aps::model_from_name(c.model)) inputs = aps::info(*m).inputs;
  i.inputs_in_use.assign(inputs, true);
  for (std::size_t k = 0; k < inputs && k < c.inputs_in_use.size(); ++k) i.inputs_in_use[k] = c.inputs_in_use[k];
  return i;
}

std::vector<InverterInfo> inverter_infos(const std::vector<config::InverterConfig>& list) {
  std::vector<InverterInfo> out;
  out.reserve(list.size());
  for (const auto& c : list) out.push_back(inverter_info(c));
  return out;
}

InverterInfo inverter_info(const fleet::InverterView& v) {
  InverterInfo i;
  i.serial = v.serial;
  i.name = v.name;
  i.model = v.model;
  for (const auto& in : v.inputs) i.inputs_in_use.push_back(in.in_use);
  return i;
}

std::string reading_topic(std::string_view topic, const InverterInfo& inv) {
  std::string t(topic);
  if (!t.empty() && t.back() == '/') t += inv.domoticz_idx ? std::to_string(*inv.domoticz_idx) : inv.serial;
  return t;
}

std::optional<std::string> format_reading(Format f, const fleet::InverterView& view, const InverterInfo& inv,
                                          util::WallTime sample_time, Event event) {
  switch (f) {
    case Format::Domoticz:
      if (!inv.domoticz_idx) return std::nullopt;
      return domoticz(view, *inv.domoticz_idx, sample_time);
    case Format::SeedArrays:
    case Format::SeedFlat:
    case Format::SeedFull:
    case Format::SeedChannels: return seed(f, view, sample_time);
    case Format::Apsecu: return apsecu(view, inv, sample_time, event);
  }
  return std::nullopt;
}

fleet::InverterView closed_window_view(fleet::InverterView view) {
  view.power_w = 0;
  view.telemetry.reset();
  view.link_quality_pct.reset();
  for (auto& in : view.inputs) {
    in.power_w = 0;
    in.dc_voltage_v.reset();
    in.dc_current_a = 0.0;
  }
  return view;
}

std::string format_ecu_state(const std::vector<fleet::InverterView>& views, std::size_t answered,
                             util::WallTime sample_time, Event event) {
  double power_w = 0, today_wh = 0, lifetime_wh = 0;
  for (const auto& v : views) {
    power_w += v.power_w;
    today_wh += v.today_wh;
    lifetime_wh += v.lifetime_wh;
  }
  Json j;
  j["event"] = event_name(event);
  j["sample_time"] = iso_time(sample_time);
  j["sample_time_unix_s"] = util::unix_seconds(sample_time);
  j["power_w"] = round_to(power_w, 1);
  j["energy_today_wh"] = round_to(today_wh, 2);
  j["energy_lifetime_wh"] = round_to(lifetime_wh, 2);
  j["inverters"] = views.size();
  j["inverters_answered"] = answered;
  return j.dump();
}

std::string iso_time(util::WallTime t) {
  using namespace std::chrono;
  const auto s = floor<seconds>(t);
  const auto day = floor<days>(s);
  const year_month_day ymd{day};
  const hh_mm_ss hms{s - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

}  // namespace apsecu::mqtt
