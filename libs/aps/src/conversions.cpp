// SPDX-License-Identifier: GPL-3.0-or-later
// RawTelemetry <-> physical units (protocol §5.2–5.6). The byte layout lives in
// telemetry_codec.cpp; here only the numbers, one table row per model and scale choice.
//
//   quantity      YC600 / QS1 (community)            DS3 (community)
//   DC voltage    raw × 82.5 / 4096   (12-bit)       raw / 48          (u16)
//   DC current    raw × 27.5 / 4096   (12-bit)       raw × 0.0125      (u16)
//   temperature   0.2752 × raw − 258.7               0.0198 × raw − 23.84
//   frequency     50 000 000 / period (u24)          raw / 100         (u16)
//   AC voltage    raw / 1.3277 / 4                   raw / 3.8
//   energy        (raw40 >> 16) × 8.311 / 3600 Wh    raw × 1.66e-5 Wh
//   OpenAPS alternatives: YC/QS1 AC raw/1.32/4, energy raw40 × 3.756e-8 Wh;
//                         DS3 V ×0.020, I ×0.01172, AC ×0.268, energy ×1.674e-5 Wh
#include <algorithm>
#include <cmath>

#include "apsecu/aps/telemetry.hpp"
#include "telemetry_layout.hpp"

namespace apsecu::aps {
namespace {

// physical = raw × scale + offset
struct Linear {
  double scale = 1;
  double offset = 0;
};

struct FrequencyRule {
  bool from_period = false;  // Hz = k / raw; otherwise Hz = raw × k
  double k = 1;
};

struct AnalogConversions {
  Model model = Model::Yc600;
  AnalogScale scale = AnalogScale::Community;
  Linear temperature;
  Linear dc_voltage;
  Linear dc_current;
  Linear ac_voltage;
  FrequencyRule frequency;
  // A grid-tied inverter that answers cannot see less; QS1 sends 0 at times (RPI-ECU
  // v1_3 patched in 220 V). Reported as unknown rather than invented.
  double ac_voltage_unknown_below_v = 10;
};

constexpr Linear kYcTemperature{.scale = 0.2752, .offset = -258.7};
constexpr Linear kYcDcVoltage{.scale = 82.5 / 4096, .offset = 0};
constexpr Linear kYcDcCurrent{.scale = 27.5 / 4096, .offset = 0};
constexpr FrequencyRule kYcFrequency{.from_period = true, .k = 50e6};
constexpr Linear kDs3Temperature{.scale = 0.0198, .offset = -23.84};
constexpr FrequencyRule kDs3Frequency{.from_period = false, .k = 0.01};

constexpr std::array<AnalogConversions, 6> kAnalog{{
    {.model = Model::Yc600, .scale = AnalogScale::Community, .temperature = kYcTemperature,
     .dc_voltage = kYcDcVoltage, .dc_current = kYcDcCurrent, .ac_voltage = {.scale = 1 / (1.3277 * 4)},
     .frequency = kYcFrequency},
    {.model = Model::Yc600, .scale = AnalogScale::OpenAps, .temperature = kYcTemperature,
     .dc_voltage = kYcDcVoltage, .dc_current = kYcDcCurrent, .ac_voltage = {.scale = 1 / (1.32 * 4)},
     .frequency = kYcFrequency},
    {.model = Model::Qs1, .scale = AnalogScale::Community, .temperature = kYcTemperature,
     .dc_voltage = kYcDcVoltage, .dc_current = kYcDcCurrent, .ac_voltage = {.scale = 1 / (1.3277 * 4)},
     .frequency = kYcFrequency},
    {.model = Model::Qs1, .scale = AnalogScale::OpenAps, .temperature = kYcTemperature,
     .dc_voltage = kYcDcVoltage, .dc_current = kYcDcCurrent, .ac_voltage = {.scale = 1 / (1.32 * 4)},
     .frequency = kYcFrequency},
    {.model = Model::Ds3, .scale = AnalogScale::Community, .temperature = kDs3Temperature,
     .dc_voltage = {.scale = 1.0 / 48}, .dc_current = {.scale = 0.0125}, .ac_voltage = {.scale = 1 / 3.8},
     .frequency = kDs3Frequency},
    {.model = Model::Ds3, .scale = AnalogScale::OpenAps, .temperature = kDs3Temperature,
     .dc_voltage = {.scale = 0.020}, .dc_current = {.scale = 0.01172}, .ac_voltage = {.scale = 0.268},
     .frequency = kDs3Frequency},
}};

// Wh = (raw >> shift) × wh_per_unit × calibration
struct EnergyConversion {
  Model model = Model::Yc600;
  EnergyScale scale = EnergyScale::Community;
  unsigned shift = 0;
  double wh_per_unit = 0;
};

constexpr unsigned kTop24Of40 = 16;
constexpr std::array<EnergyConversion, 6> kEnergy{{
    {.model = Model::Yc600, .scale = EnergyScale::Community, .shift = kTop24Of40, .wh_per_unit = 8.311 / 3600},
    {.model = Model::Yc600, .scale = EnergyScale::OpenAps, .shift = 0, .wh_per_unit = 3.756e-8},
    {.model = Model::Qs1, .scale = EnergyScale::Community, .shift = kTop24Of40, .wh_per_unit = 8.311 / 3600},
    {.model = Model::Qs1, .scale = EnergyScale::OpenAps, .shift = 0, .wh_per_unit = 3.756e-8},
    {.model = Model::Ds3, .scale = EnergyScale::Community, .shift = 0, .wh_per_unit = 1.66e-5},
    {.model = Model::Ds3, .scale = EnergyScale::OpenAps, .shift = 0, .wh_per_unit = 1.674e-5},
}};

template <class Row, class Scale>
const Row& find_row(const std::array<Row, 6>& table, Model m, Scale s) noexcept {
  for (const auto& row : table) {
    if (row.model == m && row.scale == s) return row;
  }
  return table.front();
}

double apply(Linear l, double raw) noexcept { return raw * l.scale + l.offset; }

// Rounds to the nearest raw value the field can carry; NaN and negatives become 0.
std::uint64_t to_field(double raw, std::uint64_t max) noexcept {
  if (!(raw > 0)) return 0;
  const double r = std::round(raw);
  if (r >= static_cast<double>(max)) return max;
  return static_cast<std::uint64_t>(r);
}

std::uint64_t invert(Linear l, double physical, std::uint64_t max) noexcept {
  return to_field((physical - l.offset) / l.scale, max);
}

}  // namespace

Telemetry to_physical(const RawTelemetry& raw, const DecodeOptions& options) {
  const auto& a = find_row(kAnalog, raw.model, options.analog_scale);
  const auto& e = find_row(kEnergy, raw.model, options.energy_scale);
  Telemetry t;
  t.serial = raw.serial;
  t.model = raw.model;
  t.uptime_s = raw.uptime_s;
  t.temperature_c = apply(a.temperature, raw.temperature_raw);
  // 0 carries no information in either encoding (an infinite period, or 0 Hz).
  if (raw.frequency_raw != 0) {
    const double f = static_cast<double>(raw.frequency_raw);
    t.frequency_hz = a.frequency.from_period ? a.frequency.k / f : f * a.frequency.k;
  }
  if (const double v = apply(a.ac_voltage, raw.ac_voltage_raw); v >= a.ac_voltage_unknown_below_v) {
    t.ac_voltage_v = v;
  }
  t.inputs.reserve(raw.inputs.size());
  for (const auto& in : raw.inputs) {
    InputReading r;
    r.dc_voltage_v = apply(a.dc_voltage, in.dc_voltage_raw);
    r.dc_current_a = apply(a.dc_current, in.dc_current_raw);
    r.energy_counter_wh =
        static_cast<double>(in.energy_raw >> e.shift) * e.wh_per_unit * options.energy_calibration;
    t.inputs.push_back(r);
  }
  t.raw = raw;
  put_in_input_order(t, options.input_order);
  return t;
}

util::Result<Telemetry> decode_telemetry(util::ByteView payload, const DecodeOptions& options) {
  auto raw = options.model ? decode_raw(payload, *options.model) : decode_raw(payload);
  if (!raw) return raw.error();
  return to_physical(*raw, options);
}

RawTelemetry to_raw(const PhysicalState& state) { return to_raw(state, DecodeOptions{}); }

RawTelemetry to_raw(const PhysicalState& state, const DecodeOptions& options) {
  const auto& a = find_row(kAnalog, state.model, options.analog_scale);
  const auto& e = find_row(kEnergy, state.model, options.energy_scale);
  const auto& l = detail::layout(state.model);
  RawTelemetry raw;
  raw.serial = state.serial;
  raw.model = state.model;
  raw.temperature_raw =
      static_cast<std::uint16_t>(invert(a.temperature, state.temperature_c, detail::field_max(l.temperature.width)));
  const auto freq_max = detail::field_max(l.frequency.width);
  if (a.frequency.from_period) {
    raw.frequency_raw =
        state.frequency_hz > 0 ? static_cast<std::uint32_t>(to_field(a.frequency.k / state.frequency_hz, freq_max)) : 0;
  } else {
    raw.frequency_raw = static_cast<std::uint32_t>(to_field(state.frequency_hz / a.frequency.k, freq_max));
  }
  raw.ac_voltage_raw =
      static_cast<std::uint16_t>(invert(a.ac_voltage, state.ac_voltage_v, detail::field_max(l.ac_voltage.width)));
  raw.uptime_s = static_cast<std::uint32_t>(std::min<std::uint64_t>(state.uptime_s, detail::field_max(l.uptime.width)));
  raw.ac_power_w = l.ac_power.width == 0
                       ? std::uint16_t{0}
                       : static_cast<std::uint16_t>(to_field(state.ac_power_w, detail::field_max(l.ac_power.width)));

  const auto dc_max = detail::dc_raw_max(l);
  const auto units_max = detail::field_max(l.energy_width) >> e.shift;
  const double wh_per_unit = e.wh_per_unit * options.energy_calibration;
  raw.inputs.resize(info(state.model).inputs);
  for (std::size_t i = 0; i < raw.inputs.size() && i < state.inputs.size(); ++i) {
    const auto& in = state.inputs[i];
    auto& out = raw.inputs[i];
    out.dc_voltage_raw = static_cast<std::uint16_t>(invert(a.dc_voltage, in.dc_voltage_v, dc_max));
    out.dc_current_raw = static_cast<std::uint16_t>(invert(a.dc_current, in.dc_current_a, dc_max));
    const std::uint64_t units = wh_per_unit > 0 ? to_field(in.energy_wh / wh_per_unit, units_max) : 0;
    out.energy_raw = units << e.shift;
  }
  return raw;
}

}  // namespace apsecu::aps
