// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A fleet of emulated inverters for the radio benchmarks: YC600, QS1 and DS3 in turn, with
// serials of their model's prefix and consecutive short addresses from 0x1000.

#include <cstdio>
#include <vector>

#include "apsecu/emulator/config.hpp"

namespace apsecu::bench {

// `first_paired` false: the first inverter still has to be paired (the bench pairs it).
inline std::vector<emulator::InverterConfig> fleet_of(std::size_t n, bool first_paired) {
  std::vector<emulator::InverterConfig> out;
  const aps::Model models[] = {aps::Model::Yc600, aps::Model::Qs1, aps::Model::Ds3};
  const char* prefixes[] = {"40800", "80100", "70300"};
  for (std::size_t i = 0; i < n; ++i) {
    emulator::InverterConfig c;
    c.model = models[i % 3];
    char serial[16];
    std::snprintf(serial, sizeof serial, "%s%07zu", prefixes[i % 3], 1000 + i);
    c.serial = serial;
    c.short_address = static_cast<std::uint16_t>(0x1000 + i);
    c.paired = first_paired || i != 0;
    out.push_back(c);
  }
  return out;
}

}  // namespace apsecu::bench
