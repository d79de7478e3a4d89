// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Inverter -> host telemetry (the reply to a BB poll, protocol §5). Decoding is split in
// two steps so that the emulator can share the byte layout without sharing client logic:
//
//   payload bytes  <--decode_raw / encode_raw-->  RawTelemetry (integers as on the wire)
//   RawTelemetry   ---to_physical(options)--->    Telemetry (volts, amps, Wh, Hz, °C)
//
// Input order is physical everywhere (inputs[0] = input 1 printed on the inverter):
//   YC600: input 1 = DC group A (P[25..27]) + energy P[37..]; input 2 = group B (P[22..24]) + P[42..]
//          (field reports RPI #100/#127, ESP v10_9a; protocol §5.3)
//   QS1:   inputs 1..4 = groups A, B, C, D (protocol §5.4)
//   DS3:   inputs 1..2 = A, B (protocol §5.5, ESP #29)

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "apsecu/aps/ids.hpp"
#include "apsecu/aps/model.hpp"
#include "apsecu/util/bytes.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::aps {

struct RawInput {
  std::uint16_t dc_voltage_raw = 0;
  std::uint16_t dc_current_raw = 0;
  // YC600/QS1: the full 40-bit accumulator (hosts use its top 24 bits); DS3: the u32 counter.
  std::uint64_t energy_raw = 0;
};

struct RawTelemetry {
  Serial serial;
  Model model = Model::Yc600;
  std::uint16_t temperature_raw = 0;
  std::uint32_t frequency_raw = 0;  // YC600/QS1: grid period (u24); DS3: centi-Hz (u16)
  std::uint16_t ac_voltage_raw = 0;
  std::uint32_t uptime_s = 0;       // seconds since the inverter powered up
  std::uint16_t ac_power_w = 0;     // DS3 only (P[40..41]); not used for energy
  std::vector<RawInput> inputs;     // physical order, info(model).inputs entries
};

// Where implementations disagree on a scale (protocol §10), the default is the seed
// family's (patience4711) and the alternative is a setting.
enum class EnergyScale : std::uint8_t {
  Community,  // YC600/QS1: top 24 bits × 8.311/3600 Wh; DS3: raw × 1.66e-5 Wh
  OpenAps,    // YC600/QS1: 40 bits × 3.756e-8 Wh;       DS3: raw × 1.674e-5 Wh
};

// DC/AC analogue scales where OpenAPS (ECU firmware constants) and the seed family differ.
enum class AnalogScale : std::uint8_t {
  Community,  // YC600/QS1 AC raw/1.3277/4; DS3 V raw/48, I raw×0.0125, AC raw/3.8
  OpenAps,    // YC600/QS1 AC raw/1.32/4;   DS3 V raw×0.020, I raw×0.01172, AC raw×0.268
};

struct DecodeOptions {
  EnergyScale energy_scale = EnergyScale::Community;
  double energy_calibration = 1.0;  // per-inverter multiplier on top of the scale
  AnalogScale analog_scale = AnalogScale::Community;
  // The configured model, when known. B1 replies come from YC600 and QS1 alike; without
  // this the serial prefix decides (see detect_model).
  std::optional<Model> model;
  // The owner's numbering of the inputs: input k is physical input input_order[k-1]
  // ({2, 1} swaps a YC600's). Empty, or not a permutation of 1..inputs: physical order.
  std::vector<std::uint8_t> input_order{};
};

struct InputReading {
  std::optional<double> dc_voltage_v;
  std::optional<double> dc_current_a;
  double energy_counter_wh = 0;  // inverter counter since its power-up
};

struct Telemetry {
  Serial serial;
  Model model = Model::Yc600;
  std::optional<double> temperature_c;
  std::optional<double> frequency_hz;  // nullopt when the inverter sends 0 (QS1 quirk)
  std::optional<double> ac_voltage_v;  // nullopt below 10 V, which an answering inverter cannot see (QS1 quirk)
  std::uint32_t uptime_s = 0;
  std::vector<InputReading> inputs;  // in DecodeOptions::input_order (physical by default)
  RawTelemetry raw;                  // its inputs in the same order as `inputs`
};

// `payload` is the APS data of the AF_INCOMING_MSG: serial(6) + L2 frame. Never throws;
// a wrong length, a missing FB FB / FE FE, an unknown reply opcode or (DS3) a bad checksum
// is an Error saying which.
[[nodiscard]] util::Result<RawTelemetry> decode_raw(util::ByteView payload) noexcept;
// Same, with the layout of `expected` instead of detection; fails if the reply opcode or
// length does not belong to that model.
[[nodiscard]] util::Result<RawTelemetry> decode_raw(util::ByteView payload, Model expected) noexcept;
// Which model sent this poll reply: DS3 by opcode BB; for B1 the serial prefix (80 = QS1,
// 40 = YC600), else the YC600's always-empty slots P[19..21] and P[30..31]. The envelope,
// length and (DS3) checksum are checked as in decode_raw.
[[nodiscard]] util::Result<Model> detect_model(util::ByteView payload) noexcept;
[[nodiscard]] util::Bytes encode_raw(const RawTelemetry& raw);
// Inputs (readings and their raw fields) in options.input_order.
[[nodiscard]] Telemetry to_physical(const RawTelemetry& raw, const DecodeOptions& options = {});
// Whether `order` renumbers `inputs` inputs: a permutation of 1..inputs.
[[nodiscard]] bool is_input_order(std::span<const std::uint8_t> order, std::size_t inputs) noexcept;
// Puts t's inputs, readings and raw fields alike, in `order` when it is one for them.
void put_in_input_order(Telemetry& t, std::span<const std::uint8_t> order);
[[nodiscard]] util::Result<Telemetry> decode_telemetry(util::ByteView payload, const DecodeOptions& options = {});

// Inverse conversions, for building realistic replies (emulator, tests). Clamped to the
// field's range.
struct PhysicalInput {
  double dc_voltage_v = 0;
  double dc_current_a = 0;
  double energy_wh = 0;
};
struct PhysicalState {
  Serial serial;
  Model model = Model::Yc600;
  double temperature_c = 25;
  double frequency_hz = 50;
  double ac_voltage_v = 230;
  std::uint32_t uptime_s = 0;
  double ac_power_w = 0;
  std::vector<PhysicalInput> inputs;
};
[[nodiscard]] RawTelemetry to_raw(const PhysicalState& state);
// Same with the scales of `options` (energy scale, calibration, analogue scale); the model
// comes from the state.
[[nodiscard]] RawTelemetry to_raw(const PhysicalState& state, const DecodeOptions& options);

// Power limit read back from a DE query reply (YC600/QS1) or DD/DE page (DS3), in watts per
// panel (see also replies.hpp).
[[nodiscard]] util::Result<double> decode_power_limit(util::ByteView payload, Model model) noexcept;
// Builds such a reply (emulator).
[[nodiscard]] util::Bytes encode_parameters_reply(const Serial& serial, Model model, double limit_per_panel_w);

}  // namespace apsecu::aps
