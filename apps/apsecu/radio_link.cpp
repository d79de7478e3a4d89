// SPDX-License-Identifier: GPL-3.0-or-later
#include "radio_link.hpp"

#include <chrono>
#include <thread>

#include "apsecu/transport/reset_line.hpp"
#include "apsecu/transport/spec.hpp"

namespace apsecu::app {

RadioLink::~RadioLink() {
  if (emulator) emulator->stop();
}

util::Result<RadioLink> open_radio(const std::string& port, const std::string& reset,
                                   const std::optional<emulator::EmulatorConfig>& emu, const util::Clock& clock) {
  RadioLink link;
  if (emu) {
    auto created = emulator::Emulator::create(*emu, clock);
    if (!created) return created.error();
    link.emulator = std::move(*created);
    link.transport = link.emulator->connect();
    link.reset = link.emulator->reset_line();
    link.emulator->start();
    // The module just powered up listens only once it has booted (0.5-0.8 s on hardware,
    // scaled like every latency of the emulated one). A host that asks at once waits a whole
    // timeout for a reply that cannot come, and on the demo's accelerated clock that is half
    // an hour of sky unpolled.
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<std::int64_t>(1000 * emu->timing_scale)));
    return link;
  }
  auto t = transport::open_transport(port);
  if (!t) return t.error();
  link.transport = std::move(*t);
  auto r = transport::open_reset_line(reset);
  if (!r) return r.error();
  link.reset = std::move(*r);
  return link;
}

}  // namespace apsecu::app
