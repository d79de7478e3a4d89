// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Everything that shapes one emulator run: the inverters behind the simulated CC2530, where
// and when the sun shines on them, how fast the replies come, and which faults to inject.
// Plain data with defaults; config_from_json() overlays a JSON document on the defaults.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "apsecu/aps/model.hpp"
#include "apsecu/schedule/irradiance.hpp"
#include "apsecu/schedule/sun.hpp"
#include "apsecu/util/clock.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::emulator {

enum class Errc { BadConfig = 1, PtyFailed, FifoFailed, NotRunning };
[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

// What an inverter does with a power limit it is sent (the default is to obey it).
enum class LimitMode : std::uint8_t {
  Obey,    // answers "accepted" and caps each input at the limit
  Refuse,  // answers "refused" (DS3 FBFB06DF…) or its unchanged page, keeps the old limit
  Ignore,  // answers "accepted" and reports the limit, but keeps feeding uncapped
};

struct InverterConfig {
  std::string serial;                      // 12 digits, e.g. "408000158215"
  aps::Model model = aps::Model::Yc600;
  std::uint16_t short_address = 0;         // NWK address; 0 = derived from the serial
  std::vector<double> panel_peak_w;        // STC peak power per input; empty = model default
  std::optional<schedule::PanelOrientation> orientation;  // default: 35° facing the equator
  bool paired = true;                      // already paired with EmulatorConfig::ecu_id
  bool qs1_zero_grid = false;              // QS1 quirk: frequency and AC voltage sent as 0
  std::uint8_t link_quality = 0x71;        // LQI reported in AF_INCOMING_MSG (±jitter)
  unsigned route_reports = 1;              // ZDO_SRC_RTG_IND frames before each answer (0..3)
  // Programmed limit per panel (per input), as the stock ECU's set_maxpower speaks it; it caps
  // each input's AC output. Default: the model's rating per input (no limit).
  std::optional<double> power_limit_per_panel_w;
  bool output_on = true;                   // false: turned off (C2), feeds nothing until turned on
  LimitMode limit_mode = LimitMode::Obey;
  // Answers pairing step 2 with FF 1A + serial; default: the model's habit (DS3 yes, §4.4 YC600 no).
  std::optional<bool> pair_answer_after_step2;
};

// Probabilities per exchange, 0..1. Radio faults (drop, late) hit exchanges that carry an
// inverter answer; line faults (bad FCS, garbage, split) hit any exchange.
struct FaultConfig {
  double drop_rate = 0;     // the answer is lost on air (confirm 00 without it, or confirm E9)
  double bad_fcs_rate = 0;  // one frame of the exchange has a wrong FCS
  double garbage_rate = 0;  // junk (4E filler, F0F8, F8, random) before or between frames
  double split_rate = 0;    // every frame written in many 1..8-byte pieces
  double late_rate = 0;     // the inverter answer comes late (real time, not scaled)
  double bad_l2_checksum_rate = 0;  // an inverter answer carries a wrong, non-zero L2 checksum
  std::chrono::milliseconds late_min{3000};
  std::chrono::milliseconds late_max{5000};
};

enum class EventKind : std::uint8_t {
  FreezeCoordinator,  // mute: ignores everything, SYS_RESET_REQ included, until a hard reset
  ZombieCoordinator,  // answers the host (device state 9, ping) but routes nothing until a hard reset
  ResetCoordinator,   // spontaneous module reboot: SYS_RESET_IND, network state lost
  ResetInverter,      // the inverter restarts: uptime and energy counters back to 0
};

struct ScheduledEvent {
  util::WallTime at;    // simulated time
  EventKind kind = EventKind::FreezeCoordinator;
  std::string serial;   // ResetInverter only
};

inline constexpr double kRealisticTiming = 1.0;
inline constexpr double kFastTiming = 0.05;

struct EmulatorConfig {
  std::string ecu_id = "D8A3011B9780";     // the ECU the pre-paired inverters belong to
  std::vector<InverterConfig> inverters;   // empty = default_inverters()
  schedule::GeoPosition location{52.1, 5.3};
  // Start of simulated time and its speed. The emulator itself reads time from the Clock it
  // is given; these two are what the command line builds that clock from.
  util::WallTime start;
  double speed = 1.0;
  // Multiplies every reply latency (real time). 1.0 = as measured on hardware; kFastTiming
  // for tests. Fault delays (late_min/max) are not scaled.
  double timing_scale = kRealisticTiming;
  std::uint64_t seed = 1;       // weather, jitter and fault draws
  double cloudiness = 0.3;      // 0 = clear sky all day, 1 = overcast
  // Day boundary for ground-truth days, minutes east of UTC; default round(lon / 15) hours.
  std::optional<int> day_utc_offset_min;
  double step_s = 1.0;          // numerical integration step of the simulated plant
  bool warm_start = true;       // simulate from the local midnight before the start
  // A router that is not one of our inverters; it relays the step-2 pairing broadcast (§4.4:
  // 0xD021). 0 = none: then the inverter itself relays it, as in read-APSystems-YC600-QS1-DS3 #19.
  std::uint16_t neighbour_router = 0xD021;
  FaultConfig faults;
  std::vector<ScheduledEvent> events;
  std::string ground_truth_path;  // "" = none; *.csv = CSV, anything else = JSON lines
};

// YC600 + QS1 + DS3, serials and addresses as in the captures of the protocol reference.
[[nodiscard]] std::vector<InverterConfig> default_inverters();

// Fills the defaults that depend on other fields (inverters, panels, addresses, day offset)
// and checks the rest; the error message lists every problem.
[[nodiscard]] util::Result<EmulatorConfig> finalize(EmulatorConfig config);

// "2026-06-21T04:00Z", "2026-06-21T04:00:00Z" or "2026-06-21T04:00" (UTC).
[[nodiscard]] std::optional<util::WallTime> parse_utc(std::string_view text);
[[nodiscard]] std::string format_utc(util::WallTime t);

// Overlays a JSON document on `base` (see docs/emulator.md for the keys); unknown keys fail.
[[nodiscard]] util::Result<EmulatorConfig> config_from_json(std::string_view text, EmulatorConfig base = {});
[[nodiscard]] util::Result<EmulatorConfig> load_config(const std::string& path, EmulatorConfig base = {});

// Rated AC output of a model (the limit an unthrottled inverter runs at).
[[nodiscard]] double rated_ac_power_w(aps::Model model) noexcept;

}  // namespace apsecu::emulator

template <>
struct std::is_error_code_enum<apsecu::emulator::Errc> : std::true_type {};
