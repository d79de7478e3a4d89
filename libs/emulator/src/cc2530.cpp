// SPDX-License-Identifier: GPL-3.0-or-later
// Module life cycle, dispatch and the SYS / UTIL / ZB / ZDO commands (protocol §4.1, §4.3,
// §9.1–9.3). AF traffic is in cc2530_af.cpp.
#include "apsecu/emulator/cc2530.hpp"

#include "apsecu/unpi/frame.hpp"
#include "apsecu/util/log.hpp"
#include "apsecu/util/hex.hpp"
#include "fault_shaper.hpp"
#include "mt.hpp"
#include "output_queue.hpp"

namespace apsecu::emulator {
namespace {

// NV items the hosts write (zigpy-znp nvids).
constexpr std::uint8_t kNvExtAddr = 0x01;
constexpr std::uint8_t kNvStartupOption = 0x03;
constexpr std::uint8_t kNvPanId = 0x83;
constexpr std::uint8_t kNvChanList = 0x84;
constexpr std::uint8_t kStartupClearConfig = 0x01;

// Until the host writes NV 0x01 the module reports its factory address (TI OUI 00:12:4B).
constexpr std::array<std::uint8_t, 8> kFactoryIeee{0xC4, 0xB3, 0xA2, 0x01, 0x00, 0x4B, 0x12, 0x00};
constexpr std::uint32_t kDefaultChannelMask = 0x00000800;  // channel 11, Z-Stack's default

// Latencies at timing scale 1, in ms (protocol §4.1 "observed latencies", §6.7 trace).
constexpr double kSrspMinMs = 3, kSrspMaxMs = 15;
constexpr double kSoftResetMinMs = 400, kSoftResetMaxMs = 600;
constexpr double kBootMinMs = 500, kBootMaxMs = 800;
constexpr double kFirstStartingMinMs = 80, kFirstStartingMaxMs = 200;
constexpr double kStartingRepeatMinMs = 100, kStartingRepeatMaxMs = 200;
constexpr double kCoordinatorMinMs = 1000, kCoordinatorMaxMs = 3000;

std::uint8_t subsystem_of(std::uint8_t cmd0) noexcept { return cmd0 & 0x1F; }
bool is_areq(std::uint8_t cmd0) noexcept { return (cmd0 & 0xE0) == mt::kAreqType; }

}  // namespace

Cc2530::Cc2530(const EmulatorConfig& config, SolarPlant& plant)
    : config_(config),
      plant_(plant),
      faults_(std::make_unique<FaultShaper>(config.faults, config.seed ^ 0xFA017)),
      out_(std::make_unique<OutputQueue>()) {}

Cc2530::~Cc2530() = default;

std::chrono::nanoseconds Cc2530::scaled(double lo_ms, double hi_ms) {
  const double ms = faults_->rng().uniform(lo_ms, hi_ms) * config_.timing_scale;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double, std::milli>(ms));
}

void Cc2530::power_on(util::SteadyTime now) { reboot(now, scaled(kBootMinMs, kBootMaxMs)); }

void Cc2530::reboot(util::SteadyTime now, std::chrono::nanoseconds boot_time) {
  out_->clear();
  decoder_.reset();
  frozen_ = false;
  network_started_ = false;
  endpoints_.clear();
  const auto option = nv_.find(kNvStartupOption);
  if (option != nv_.end() && !option->second.empty()) {
    // Z-Stack applies the startup option at boot and clears it; "clear config" restores the
    // NV defaults (factory IEEE, PAN, channels). Network state is never kept here anyway.
    if ((option->second[0] & kStartupClearConfig) != 0) nv_.clear();
    nv_.erase(kNvStartupOption);
  }
  booted_at_ = now + boot_time;
  listening_from_ = booted_at_;
  ++resets_;
  send_one(mt::reset_indication(), boot_time, now);
}

void Cc2530::spontaneous_reset(util::SteadyTime now) {
  if (in_reset_ || frozen_) return;
  reboot(now, scaled(kBootMinMs, kBootMaxMs));
}

void Cc2530::zombie() { zombie_ = true; }

void Cc2530::freeze() {
  frozen_ = true;
  out_->clear();
  decoder_.reset();
}

void Cc2530::set_reset_low(bool low, util::SteadyTime now) {
  if (low == in_reset_) return;
  in_reset_ = low;
  if (low) {
    // Held in reset: the chip is dead, whatever it was doing.
    out_->clear();
    decoder_.reset();
    frozen_ = false;
    zombie_ = false;
    network_started_ = false;
    return;
  }
  reboot(now, scaled(kBootMinMs, kBootMaxMs));
}

void Cc2530::line_idle() { decoder_.on_idle(); }

void Cc2530::receive(util::ByteView bytes, util::SteadyTime now) {
  if (in_reset_ || now < listening_from_) return;  // nobody listening on the UART
  decoder_.feed(bytes);
  while (auto f = decoder_.next()) {
    if (frozen_) {
      ++faults_->counters().ignored_frozen;
      continue;
    }
    ++frames_received_;
    handle(f->cmd0(), f->command, f->data, now);
  }
}

std::vector<util::Bytes> Cc2530::take_due(util::SteadyTime now) { return out_->take_due(now); }
std::optional<util::SteadyTime> Cc2530::next_due() const { return out_->next_due(); }

void Cc2530::send(Frames frames, util::SteadyTime now, bool has_inverter_answer) {
  faults_->emit(std::move(frames), now, faults_->draw(has_inverter_answer), *out_);
}

void Cc2530::send_one(util::Bytes frame, std::chrono::nanoseconds at, util::SteadyTime now) {
  Frames f;
  f.push_back(PlannedFrame{.at = at, .bytes = std::move(frame)});
  send(std::move(f), now, false);
}

void Cc2530::handle(std::uint8_t cmd0, std::uint8_t cmd1, util::ByteView data, util::SteadyTime now) {
  // The type bits are ignored: Lua and Python send UTIL_GET_DEVICE_INFO as 67 00 (§9.1).
  const auto sub = subsystem_of(cmd0);
  const auto srsp_at = [&] { return scaled(kSrspMinMs, kSrspMaxMs); };
  switch (sub) {
    case mt::kSys:
      if (cmd1 == 0x00) {  // SYS_RESET_REQ: no SRSP, a reset indication once rebooted
        reboot(now, scaled(kSoftResetMinMs, kSoftResetMaxMs));
        return;
      }
      if (cmd1 == 0x01) {  // SYS_PING: capabilities 0x0779
        const std::uint8_t caps[] = {0x79, 0x07};
        return send_one(mt::srsp(mt::kSys, 0x01, caps), srsp_at(), now);
      }
      if (cmd1 == 0x02) {  // SYS_VERSION, the numbers of the reset indication
        const std::uint8_t version[] = {0x02, 0x02, 0x02, 0x07, 0x02};
        return send_one(mt::srsp(mt::kSys, 0x02, version), srsp_at(), now);
      }
      break;
    case mt::kUtil:
      if (cmd1 == 0x00) return device_info(cmd0, now);
      if (cmd1 == 0x10) return send_one(mt::srsp(mt::kUtil, 0x10, data), srsp_at(), now);  // loopback
      break;
    case mt::kSapi:
      if (cmd1 == 0x05) return write_configuration(data, now);
      if (cmd1 == 0x04) return read_configuration(data, now);
      if (cmd1 == 0x00) return start_network(now, mt::srsp(mt::kSapi, 0x00));
      break;
    case mt::kZdo:
      if (cmd1 == 0x40) {  // ZDO_STARTUP_FROM_APP: status 01 = new network
        const std::uint8_t status[] = {0x01};
        return start_network(now, mt::srsp(mt::kZdo, 0x40, status));
      }
      break;
    case mt::kAf:
      if (cmd1 == 0x00) return af_register(data, now);
      if (cmd1 == 0x01) return af_data_request(data, now);
      if (cmd1 == 0x02) return af_data_request_ext(data, now);
      break;
    default: break;
  }
  if (!is_areq(cmd0)) send_one(mt::rpc_error(cmd0, cmd1), srsp_at(), now);
}

void Cc2530::write_configuration(util::ByteView data, util::SteadyTime now) {
  util::ByteReader r(data);
  const auto id = r.u8();
  const auto len = r.u8();
  const auto value = r.bytes(len);
  std::uint8_t status = mt::kSuccess;
  if (r.failed()) {
    status = mt::kInvalidParameter;
  } else {
    nv_[id] = util::Bytes(value.begin(), value.end());
  }
  const std::uint8_t reply[] = {status};
  send_one(mt::srsp(mt::kSapi, 0x05, reply), scaled(10, 20), now);
}

void Cc2530::read_configuration(util::ByteView data, util::SteadyTime now) {
  const std::uint8_t id = data.empty() ? 0 : data[0];
  util::ByteWriter w;
  const auto it = nv_.find(id);
  if (it == nv_.end()) {
    w.u8(mt::kInvalidParameter).u8(id).u8(0);
  } else {
    w.u8(mt::kSuccess).u8(id).u8(static_cast<std::uint8_t>(it->second.size())).bytes(it->second);
  }
  send_one(mt::srsp(mt::kSapi, 0x04, w.data()), scaled(kSrspMinMs, kSrspMaxMs), now);
}

void Cc2530::start_network(util::SteadyTime now, util::Bytes srsp) {
  Frames frames;
  frames.push_back(PlannedFrame{.at = scaled(kSrspMinMs, kSrspMaxMs), .bytes = std::move(srsp)});
  if (!network_started_) {
    // "coordinator starting" several times (7 in the Lua trace), then "coordinator" 1–3 s later.
    const auto coordinator = scaled(kCoordinatorMinMs, kCoordinatorMaxMs);
    auto at = scaled(kFirstStartingMinMs, kFirstStartingMaxMs);
    const auto repeats = faults_->rng().between(3, 7);
    for (std::uint64_t i = 0; i < repeats && at < coordinator; ++i) {
      frames.push_back(PlannedFrame{.at = at, .bytes = mt::state_change(mt::kStateCoordStarting)});
      at += scaled(kStartingRepeatMinMs, kStartingRepeatMaxMs);
    }
    frames.push_back(PlannedFrame{.at = coordinator, .bytes = mt::state_change(mt::kStateCoord)});
    network_started_ = true;
    coordinator_at_ = now + coordinator;
  } else if (device_state(now) == mt::kStateCoord) {
    frames.push_back(PlannedFrame{.at = scaled(20, 60), .bytes = mt::state_change(mt::kStateCoord)});
  }
  send(std::move(frames), now, false);
}

std::uint8_t Cc2530::device_state(util::SteadyTime now) const noexcept {
  if (!network_started_) return mt::kStateHold;
  return now >= coordinator_at_ ? mt::kStateCoord : mt::kStateCoordStarting;
}

void Cc2530::device_info(std::uint8_t /*cmd0*/, util::SteadyTime now) {
  const auto st = status(now);
  util::ByteWriter w;
  w.u8(mt::kSuccess)
      .bytes(st.ieee)
      .u16le(0x0000)  // short address of a coordinator
      .u8(0x07)       // device type: coordinator | router | end device capable
      .u8(st.device_state)
      .u8(0);  // associated devices
  send_one(mt::srsp(mt::kUtil, 0x00, w.data()), scaled(kSrspMinMs, kSrspMaxMs), now);
}

CoordinatorStatus Cc2530::status(util::SteadyTime now) const {
  CoordinatorStatus s;
  s.in_reset = in_reset_;
  s.frozen = frozen_;
  s.zombie = zombie_;
  s.device_state = device_state(now);
  s.ieee = kFactoryIeee;
  if (const auto it = nv_.find(kNvExtAddr); it != nv_.end() && it->second.size() == 8) {
    std::copy(it->second.begin(), it->second.end(), s.ieee.begin());
  }
  if (const auto it = nv_.find(kNvPanId); it != nv_.end() && it->second.size() == 2) {
    s.pan_id = static_cast<std::uint16_t>(it->second[0] | (it->second[1] << 8));
  }
  s.channel_mask = kDefaultChannelMask;
  if (const auto it = nv_.find(kNvChanList); it != nv_.end() && it->second.size() == 4) {
    util::ByteReader r(it->second);
    s.channel_mask = r.u32le();
  }
  s.resets = resets_;
  s.frames_received = frames_received_;
  s.faults = faults_->counters();
  return s;
}

}  // namespace apsecu::emulator
