// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Drives a Cc2530 + SolarPlant directly, with time in the test's hands: requests are fed at
// a chosen instant and the output is collected by jumping from one due time to the next, so
// even realistic (timing scale 1) exchanges run in microseconds.

#include <memory>
#include <string>
#include <vector>

#include "apsecu/emulator/cc2530.hpp"
#include "apsecu/emulator/solar_plant.hpp"
#include "apsecu/unpi/decoder.hpp"
#include "apsecu/util/hex.hpp"

namespace apsecu::emulator::testing {

inline util::Bytes hex(std::string_view text) { return *util::from_hex(text); }

inline util::WallTime at_utc(const char* text) { return *parse_utc(text); }

struct Write {
  std::chrono::nanoseconds at;  // after the request
  util::Bytes bytes;
};

struct Exchange {
  std::vector<Write> writes;
  [[nodiscard]] std::vector<std::string> frames() const;  // FCS-valid frames, hex
  [[nodiscard]] util::Bytes bytes() const;
  [[nodiscard]] unpi::DecoderStats stats() const;
};

// Noon on the June solstice near Utrecht, clear sky, three pre-paired inverters of the
// reference captures (YC600 0x7C3A as in §4.5, QS1, DS3).
EmulatorConfig noon_config(double timing_scale = kFastTiming);

class Bench {
 public:
  explicit Bench(EmulatorConfig config = noon_config(), const char* start = "2026-06-21T12:00Z");

  // Feeds `request` (hex) now and collects everything the module writes within `window`.
  Exchange exchange(std::string_view request_hex, std::chrono::milliseconds window = std::chrono::seconds{6});
  Exchange collect(std::chrono::milliseconds window);
  // Boots the module and runs the §4.1 start sequence for ECU D8A3011B9780.
  void start_coordinator();
  void advance_sim(std::chrono::seconds d) { plant->advance_to(plant->time() + d); }

  EmulatorConfig config;
  std::unique_ptr<SolarPlant> plant;
  std::unique_ptr<Cc2530> module;
  util::SteadyTime now{};
};

// AF_DATA_REQUEST from EP 0x14 to `address` carrying ecu_rev(D8A3011B9780) + `l2_hex`.
std::string af_request(std::uint16_t address, std::string_view l2_hex);
// The same carrying another ECU's ecu_rev (12 hex characters, as on the wire).
std::string af_request(std::uint16_t address, std::string_view ecu_rev_hex, std::string_view l2_hex);
// A whole frame (SOF, LEN, FCS added) from its command bytes, e.g. "2700" -> "FE00270027".
std::string frame_of(std::string_view command_hex);
// The frame with the fields that differ between two real reads of the same message zeroed
// (AF_INCOMING_MSG: LinkQuality and TimeStamp) and the FCS recomputed.
std::string without_lqi_and_time(const std::string& frame_hex);

// Fields of an AF_INCOMING_MSG frame (hex of the whole frame).
struct Incoming {
  std::uint16_t cluster = 0;
  std::uint16_t src = 0;
  bool was_broadcast = false;
  std::uint8_t lqi = 0;
  util::Bytes data;
  std::uint16_t mac_src = 0;
  std::uint8_t radius = 0;
};
std::optional<Incoming> parse_incoming(const std::string& frame_hex);

}  // namespace apsecu::emulator::testing
