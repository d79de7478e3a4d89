// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// apsecu's settings: one JSON file (default /etc/apsecu/apsecu.json), typed, versioned and
// migrated, validated as a whole, saved atomically. docs/config.md documents every field.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apsecu/aps/requests.hpp"

namespace apsecu::config {

inline constexpr int kCurrentVersion = 1;

// The per-panel power limit the inverters take, as the codec checks it.
inline constexpr double kMinLimitPerPanel_w = aps::kMinLimitPerPanel_w;
inline constexpr double kMaxLimitPerPanel_w = aps::kMaxLimitPerPanel_w;

enum class NightBehaviour : std::uint8_t {
  ZeroPowerKeepEnergy,  // at the end of the poll window: power 0, today's energy stays
  KeepLastValues,       // leave the last readings in place
};

struct InverterConfig {
  std::string name;
  std::string serial;  // 12 digits as printed on the inverter
  std::string model;   // "YC600", "QS1" or "DS3"
  std::vector<bool> inputs_in_use;  // one per input; empty means all
  std::optional<std::int64_t> domoticz_idx;  // a number or absent; never an empty string
  double energy_calibration = 1.0;  // multiplier on the inverter's energy counters
  double panel_power_w = 300;       // rated power of each panel, for plausibility checks
  // Peak (STC) watts of the panels on each input, one value per input: a DS3-D with two
  // 450 W panels on each input is [900, 900]. Empty: panel_power_w on every input. Only
  // ever raises the plausibility limit above the model's rating, never lowers it.
  std::vector<double> panel_peak_w{};
  // The owner's numbering of the inputs: input k is the inverter's physical input
  // input_order[k-1]; [2, 1] swaps a YC600's. Empty: as apsecu decodes them. Applies to
  // the live values and to the history from the moment it is set.
  std::vector<int> input_order{};
  std::optional<std::uint16_t> short_address;  // learned by pairing
  // What the owner last set and the inverter accepted, saved when the job succeeds, so the
  // pages show it after a restart. Watts per panel (per input), as set_maxpower takes them.
  std::optional<double> power_limit_per_panel_w;
  bool output_on = true;  // the grid output was last switched on (or never switched)
};

struct Location {
  std::optional<double> latitude;   // degrees, north positive
  std::optional<double> longitude;  // degrees, east positive
};

struct Polling {
  int interval_s = 300;
  int sunrise_offset_min = 0;  // negative: start before sunrise
  int sunset_offset_min = 0;   // positive: stop after sunset
  NightBehaviour night = NightBehaviour::ZeroPowerKeepEnergy;
};

struct Radio {
  std::string ecu_id;                  // 12 hex characters; generated when empty on first save
  std::string port = "/dev/serial0";   // a serial device, "tcp:host:port", or "emulator"
  std::string reset_line = "none";     // "none", "gpio:gpiochip0:18", "fifo:/path"
  std::string energy_scale = "community";  // or "openaps" (protocol §5.6, an open question)
};

struct Energy {
  double price_per_kwh = 0.30;
  std::string currency = "EUR";
  double co2_kg_per_kwh = 0.4;  // avoided emissions per kWh, for the statistics page
};

struct Storage {
  std::string data_dir = "/var/lib/apsecu";
  int samples_retention_days = 3 * 366;  // daily totals are kept forever
};

// Publishing to an MQTT broker (docs/mqtt.md).
struct Mqtt {
  bool enabled = false;
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string client_id = "apsecu";
  std::string username;
  std::string password;  // never logged
  bool tls = false;
  std::string ca_file;    // TLS: the broker's CA; empty = system store
  std::string cert_file;  // TLS client certificate (optional)
  std::string key_file;
  int keepalive_s = 60;
  int qos = 0;
  bool retain = false;
  // Where readings go. A topic ending in '/' gets the inverter's Domoticz idx (or serial
  // when it has none) appended, one topic per inverter.
  std::string topic = "domoticz/in";
  // "domoticz", "seed_arrays", "seed_flat", "seed_full", "seed_channels" or "apsecu".
  std::string format = "domoticz";
  std::string base_topic = "apsecu";  // <base>/status (online/offline), <base>/cmd, <base>/reply
  bool ha_discovery = false;
  std::string ha_prefix = "homeassistant";
  int queue_max_messages = 10000;  // store-and-forward while the broker is away

  bool operator==(const Mqtt&) const = default;
};

struct Config {
  int version = kCurrentVersion;
  std::string timezone;  // IANA name for day boundaries; empty: the system's
  Location location;
  Polling polling;
  Radio radio;
  Energy energy;
  Storage storage;
  Mqtt mqtt;
  std::vector<InverterConfig> inverters;
};

struct FieldError {
  std::string field;    // JSON path, e.g. "inverters[1].serial"
  std::string message;  // for a person
  bool operator==(const FieldError&) const = default;
};

}  // namespace apsecu::config
