// SPDX-License-Identifier: GPL-3.0-or-later
#include "bench.hpp"

#include <stdexcept>

#include "apsecu/unpi/frame.hpp"

namespace apsecu::emulator::testing {

std::vector<std::string> Exchange::frames() const {
  unpi::Decoder d;
  for (const auto& w : writes) d.feed(w.bytes);
  std::vector<std::string> out;
  while (auto f = d.next()) out.push_back(util::to_hex(*unpi::encode(*f)));
  return out;
}

util::Bytes Exchange::bytes() const {
  util::Bytes out;
  for (const auto& w : writes) out.insert(out.end(), w.bytes.begin(), w.bytes.end());
  return out;
}

unpi::DecoderStats Exchange::stats() const {
  unpi::Decoder d;
  for (const auto& w : writes) d.feed(w.bytes);
  return d.stats();
}

EmulatorConfig noon_config(double timing_scale) {
  EmulatorConfig c;
  c.timing_scale = timing_scale;
  c.cloudiness = 0;
  InverterConfig yc;
  yc.serial = "408000119348";
  yc.short_address = 0x7C3A;
  c.inverters = default_inverters();
  c.inverters[0] = yc;  // the inverter of kadzsol's trace (§4.4, §4.5)
  return c;
}

Bench::Bench(EmulatorConfig c, const char* start) {
  auto done = finalize(std::move(c));
  if (!done) throw std::runtime_error(done.error().describe());
  config = std::move(done).value();
  plant = std::make_unique<SolarPlant>(config);
  plant->start(at_utc(start));
  module = std::make_unique<Cc2530>(config, *plant);
  module->power_on(now);
  collect(std::chrono::seconds{2});
}

Exchange Bench::collect(std::chrono::milliseconds window) {
  Exchange ex;
  const auto begin = now;
  const auto end = now + window;
  for (;;) {
    const auto due = module->next_due();
    if (!due || *due > end) break;
    now = std::max(now, *due);
    for (auto& w : module->take_due(now)) ex.writes.push_back({now - begin, std::move(w)});
  }
  now = end;
  return ex;
}

Exchange Bench::exchange(std::string_view request_hex, std::chrono::milliseconds window) {
  module->receive(hex(request_hex), now);
  return collect(window);
}

void Bench::start_coordinator() {
  for (const char* step : {"FE03260503010321", "FE0141000040", "FE0A26050108FFFF80971B01A3D856", "FE032605870100A6",
                           "FE0426058302D8A3DD", "FE062605840400000100A4", "FE0D240014050F0001010002000015000020",
                           "FE00260026"}) {
    exchange(step, std::chrono::seconds{4});
  }
}

std::string af_request(std::uint16_t address, std::string_view l2_hex) {
  return af_request(address, "80971B01A3D8", l2_hex);
}

std::string af_request(std::uint16_t address, std::string_view ecu_rev_hex, std::string_view l2_hex) {
  util::ByteWriter w;
  const auto l2 = hex(l2_hex);
  const auto ecu_rev = hex(ecu_rev_hex);
  w.u8(0x24).u8(0x01).u16le(address).u8(0x14).u8(0x14).u16le(0x0006).u8(0x01).u8(0x00).u8(0x0F);
  w.u8(static_cast<std::uint8_t>(ecu_rev.size() + l2.size())).bytes(ecu_rev).bytes(l2);
  auto frame = unpi::frame_from_command_bytes(w.data());
  return util::to_hex(*unpi::encode(*frame));
}

std::string frame_of(std::string_view command_hex) {
  auto frame = unpi::frame_from_command_bytes(hex(command_hex));
  if (!frame) throw std::runtime_error("bad command bytes " + std::string(command_hex));
  return util::to_hex(*unpi::encode(*frame));
}

std::string without_lqi_and_time(const std::string& frame_hex) {
  auto b = hex(frame_hex);
  if (b.size() < 25 || b[2] != 0x44 || b[3] != 0x81) return frame_hex;
  b[13] = 0;                                          // LinkQuality
  for (std::size_t i = 15; i < 19; ++i) b[i] = 0;     // TimeStamp
  std::uint8_t fcs = 0;
  for (std::size_t i = 1; i + 1 < b.size(); ++i) fcs ^= b[i];
  b.back() = fcs;
  return util::to_hex(b);
}

std::optional<Incoming> parse_incoming(const std::string& frame_hex) {
  const auto b = hex(frame_hex);
  if (b.size() < 5 + 20 || b[2] != 0x44 || b[3] != 0x81) return std::nullopt;
  util::ByteReader r(util::ByteView(b).subspan(4, b.size() - 5));
  Incoming m;
  r.u16le();  // group
  m.cluster = r.u16le();
  m.src = r.u16le();
  r.u8();
  r.u8();
  m.was_broadcast = r.u8() != 0;
  m.lqi = r.u8();
  r.u8();
  r.u32le();
  r.u8();
  const auto len = r.u8();
  const auto data = r.bytes(len);
  m.data.assign(data.begin(), data.end());
  m.mac_src = r.u16le();
  m.radius = r.u8();
  if (r.failed() || r.remaining() != 0) return std::nullopt;
  return m;
}

}  // namespace apsecu::emulator::testing
