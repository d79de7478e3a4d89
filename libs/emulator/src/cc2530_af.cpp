// SPDX-License-Identifier: GPL-3.0-or-later
// AF traffic: endpoint registration, unicast requests to the inverters (poll, query, power
// limit, reboot; protocol §4.5–4.7, §5), broadcasts, and inter-PAN pairing (§4.4).
//
//   AF_DATA_REQUEST      24 01 | dst(2 LE) dstEP srcEP cluster(2 LE) transID options radius len | data
//   AF_DATA_REQUEST_EXT  24 02 | mode dst(8) dstEP dstPAN(2 LE) srcEP cluster(2 LE) transID options
//                               radius len(2 LE) | data
#include "apsecu/aps/l2.hpp"
#include "apsecu/emulator/cc2530.hpp"
#include "fault_shaper.hpp"
#include "mt.hpp"

namespace apsecu::emulator {
namespace {

constexpr std::uint16_t kReplyCluster = 0x0106;
constexpr std::uint16_t kPairStep1 = 0x020D;
constexpr std::uint16_t kPairStep2 = 0x020C;
constexpr std::uint16_t kPairStep3 = 0x010F;
constexpr std::uint16_t kPairAnswer = 0x0101;
constexpr std::uint8_t kHopRadius = 0x0E;  // 0x0F minus the one hop from the inverter
constexpr std::uint8_t kNeighbourLqi = 0x22;
constexpr std::uint32_t kChannel16 = 0x00010000;
// Offset of ecu_rev in the step-3 data: serial(6) + PAN(2) + 10 + FF FF.
constexpr std::size_t kStep3EcuOffset = 11;

// Latencies at timing scale 1, in ms. All frames of one exchange stay within ~450 ms of the
// SRSP, inside every host's read window (protocol §7.1, §9.7).
constexpr double kSrspMinMs = 4, kSrspMaxMs = 12;
constexpr double kConfirmMinMs = 20, kConfirmMaxMs = 80;
constexpr double kNoRouteMinMs = 150, kNoRouteMaxMs = 400;
constexpr double kNoAckMinMs = 100, kNoAckMaxMs = 250;
constexpr double kRouteMinMs = 1, kRouteMaxMs = 5;
constexpr double kAnswerMinMs = 60, kAnswerMaxMs = 300;
constexpr double kEchoMinMs = 30, kEchoMaxMs = 150;

bool is_broadcast(std::uint16_t a) noexcept { return a >= 0xFFF8; }

std::uint16_t pan_of(const EcuRev& rev) noexcept {
  return static_cast<std::uint16_t>(rev[5] | (rev[4] << 8));  // E0 E1 little-endian (§3.1)
}

std::uint16_t be16(util::ByteView b, std::size_t at) noexcept {
  return b.size() >= at + 2 ? static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]) : 0;
}

}  // namespace

std::uint32_t Cc2530::mac_timestamp(util::SteadyTime now) const noexcept {
  // MAC backoff periods of 320 µs since boot (the capture steps match that rate).
  const auto since = std::chrono::duration_cast<std::chrono::microseconds>(now - booted_at_).count();
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(std::max<std::int64_t>(since, 0) / 320));
}

std::optional<EcuRev> Cc2530::network_ecu() const noexcept {
  const auto ieee = status(booted_at_).ieee;
  if (ieee[0] != 0xFF || ieee[1] != 0xFF) return std::nullopt;
  EcuRev rev{};
  std::copy(ieee.begin() + 2, ieee.end(), rev.begin());
  return rev;
}

bool Cc2530::reachable(const InverterSim& inv) const noexcept {
  // The inverter keeps its pairing across module resets (§10); it hears us only if we run
  // the network it joined: channel 16, the PAN and the ECU address it was paired with.
  const auto st = status(booted_at_);
  const auto ecu = network_ecu();
  return inv.awake() && ecu && inv.paired_with(*ecu) && st.pan_id == pan_of(*ecu) &&
         (st.channel_mask & kChannel16) != 0;
}

void Cc2530::af_register(util::ByteView data, util::SteadyTime now) {
  std::uint8_t status = mt::kInvalidParameter;
  if (!data.empty()) status = endpoints_.insert(data[0]).second ? mt::kSuccess : mt::kDuplicateEntry;
  const std::uint8_t reply[] = {status};
  send_one(mt::srsp(mt::kAf, 0x00, reply), scaled(5, 15), now);
}

// What the module's SRSP says of an AF data request (either form): a frame it could not
// parse, a network not up yet, or a source endpoint never registered.
std::uint8_t Cc2530::data_request_status(bool malformed, std::uint8_t src_ep, util::SteadyTime now) const noexcept {
  if (malformed) return mt::kInvalidParameter;
  if (device_state(now) != mt::kStateCoord) return mt::kNwkInvalidRequest;
  if (endpoints_.count(src_ep) == 0) return mt::kInvalidParameter;
  return mt::kSuccess;
}

void Cc2530::af_data_request(util::ByteView data, util::SteadyTime now) {
  util::ByteReader r(data);
  const auto dst = r.u16le();
  const auto dst_ep = r.u8();
  const auto src_ep = r.u8();
  r.u16le();  // cluster: the inverters answer on 0x0106 whatever was asked
  const auto trans_id = r.u8();
  r.u8();  // options
  r.u8();  // radius
  const auto declared = r.u8();
  // The ESP hosts truncate the normal-operation broadcast (declared 30 bytes, 12 sent): take
  // what arrived, as the module does.
  const auto payload = r.rest().first(std::min<std::size_t>(declared, r.remaining()));

  const std::uint8_t status = data_request_status(r.failed(), src_ep, now);
  const std::uint8_t reply[] = {status};
  Frames frames;
  frames.push_back(PlannedFrame{.at = scaled(kSrspMinMs, kSrspMaxMs), .bytes = mt::srsp(mt::kAf, 0x01, reply)});
  if (status != mt::kSuccess || is_broadcast(dst)) return send(std::move(frames), now, false);

  auto* inv = plant_.find(dst);
  if (inv == nullptr || !reachable(*inv)) {
    // Unknown address, inverter asleep (night) or not on our network: no route (§4.5).
    frames.push_back(PlannedFrame{.at = scaled(kNoRouteMinMs, kNoRouteMaxMs),
                                  .bytes = mt::data_confirm(mt::kNwkNoRoute, src_ep, trans_id)});
    return send(std::move(frames), now, false);
  }

  const auto faults = faults_->draw(true);
  const auto confirm_at = scaled(kConfirmMinMs, kConfirmMaxMs);
  if (faults.drop) {
    ++faults_->counters().dropped;
    // Either the request never got a MAC ack, or the inverter's answer was lost.
    if (faults_->rng().chance(0.5)) {
      frames.push_back(PlannedFrame{.at = scaled(kNoAckMinMs, kNoAckMaxMs),
                                    .bytes = mt::data_confirm(mt::kMacNoAck, src_ep, trans_id)});
    } else {
      frames.push_back(PlannedFrame{.at = confirm_at, .bytes = mt::data_confirm(mt::kSuccess, src_ep, trans_id)});
    }
    return faults_->emit(std::move(frames), now, faults, *out_);
  }
  frames.push_back(PlannedFrame{.at = confirm_at, .bytes = mt::data_confirm(mt::kSuccess, src_ep, trans_id)});

  const auto sim_now = plant_.time();
  std::optional<util::Bytes> answer;
  const bool ours = payload.size() >= 6 && [&] {
    EcuRev rev{};
    std::copy(payload.begin(), payload.begin() + 6, rev.begin());
    return inv->paired_with(rev);
  }();
  const auto l2 = ours ? aps::decode_l2(payload.subspan(6)) : util::Result<aps::L2View>(util::Error{});
  if (ours && l2) {
    const auto body = l2->body;
    switch (l2->cmd) {
      case 0xBB: answer = inv->telemetry_payload(sim_now); break;
      case 0xDE: answer = inv->parameters_payload(); break;
      case 0x1C: inv->set_power_limit_w(be16(body, 2) / 28.89); break;  // 8C 02 HH LL 00
      case 0xAA: inv->set_power_limit_w(be16(body, 3) / 16.59); break;  // 27 00 00 HH LL
      case 0xC3:  // OpenAPS YC600 form: v = ((W × 0x1CE3) >> 14) >> 2
        if (!body.empty()) inv->set_power_limit_w(body[0] * 65536.0 / 0x1CE3);
        break;
      case 0xC1: inv->restart(sim_now); break;
      default: break;
    }
  }
  if (answer) {
    auto at = confirm_at;
    for (unsigned i = 0; i < inv->config().route_reports; ++i) {
      at += scaled(kRouteMinMs, kRouteMaxMs);
      frames.push_back(PlannedFrame{.at = at, .bytes = mt::source_route(dst), .inverter_answer = true});
    }
    at += scaled(kAnswerMinMs, kAnswerMaxMs);
    const mt::IncomingMsg msg{.cluster_id = kReplyCluster,
                              .src_addr = dst,
                              .src_endpoint = dst_ep,
                              .dst_endpoint = src_ep,
                              .link_quality = inv->link_quality(sim_now),
                              .timestamp = mac_timestamp(now + at),
                              .data = *answer,
                              .mac_src_addr = dst,
                              .radius = kHopRadius};
    frames.push_back(PlannedFrame{.at = at, .bytes = mt::incoming_msg(msg), .inverter_answer = true});
  }
  faults_->emit(std::move(frames), now, faults, *out_);
}

void Cc2530::af_data_request_ext(util::ByteView data, util::SteadyTime now) {
  util::ByteReader r(data);
  r.u8();      // address mode (0F broadcast in every host)
  r.skip(8);   // destination address
  const auto dst_ep = r.u8();
  r.u16le();   // destination PAN (FFFF: inter-PAN broadcast)
  const auto src_ep = r.u8();
  const auto cluster = r.u16le();
  r.u8();      // transID
  r.u8();      // options
  const auto radius = r.u8();
  const auto declared = r.u16le();
  const auto payload = r.rest().first(std::min<std::size_t>(declared, r.remaining()));

  const std::uint8_t status = data_request_status(r.failed(), src_ep, now);
  const std::uint8_t reply[] = {status};
  Frames frames;
  frames.push_back(PlannedFrame{.at = scaled(kSrspMinMs, kSrspMaxMs), .bytes = mt::srsp(mt::kAf, 0x02, reply)});
  if (status != mt::kSuccess) return send(std::move(frames), now, false);

  // Which inverter the step is about: steps 1–3 carry its serial, step 4 only our ECU id.
  InverterSim* target = nullptr;
  if (cluster != kPairAnswer && payload.size() >= 6) target = plant_.find(aps::Serial::from_bytes(payload.first(6)));
  if (cluster == kPairAnswer && payload.size() >= 6) {
    for (auto& inv : plant_.inverters()) {
      EcuRev rev{};
      std::copy(payload.begin(), payload.begin() + 6, rev.begin());
      if (inv.awake() && inv.paired_with(rev)) target = &inv;
    }
  }
  const auto sim_now = plant_.time();

  // Our own broadcast heard back, relayed at MAC level by a router. Step 2's echo comes from a
  // neighbour that is not an inverter (0xD021 in the capture): a host that takes "the address
  // after the serial" from that read gets the wrong one.
  std::uint16_t relay = 0;
  std::uint8_t relay_lqi = kNeighbourLqi;
  if (cluster != kPairStep2 && target != nullptr && target->awake()) {
    relay = target->short_address();
    relay_lqi = target->link_quality(sim_now);
  } else {
    relay = config_.neighbour_router;
  }
  const auto echo_at = scaled(kEchoMinMs, kEchoMaxMs);
  if (relay != 0) {
    const mt::IncomingMsg echo{.cluster_id = cluster,
                               .src_addr = 0x0000,
                               .src_endpoint = src_ep,
                               .dst_endpoint = dst_ep,
                               .was_broadcast = true,
                               .link_quality = relay_lqi,
                               .timestamp = mac_timestamp(now + echo_at),
                               .data = payload,
                               .mac_src_addr = relay,
                               .radius = static_cast<std::uint8_t>(radius >= 2 ? radius - 2 : 0)};
    frames.push_back(PlannedFrame{.at = echo_at, .bytes = mt::incoming_msg(echo)});
  }

  const bool answers = cluster == kPairStep3 && target != nullptr && target->awake() &&
                       payload.size() >= kStep3EcuOffset + 6;
  if (!answers) return send(std::move(frames), now, false);

  EcuRev rev{};
  std::copy(payload.begin() + kStep3EcuOffset, payload.begin() + kStep3EcuOffset + 6, rev.begin());
  target->pair_with(rev);
  util::Bytes answer{0xFF, 0xFF};
  const auto& serial = target->serial().bytes();
  answer.insert(answer.end(), serial.begin(), serial.end());
  const auto at = echo_at + scaled(kAnswerMinMs, kAnswerMaxMs);
  const mt::IncomingMsg msg{.cluster_id = kPairAnswer,
                            .src_addr = target->short_address(),
                            .src_endpoint = dst_ep,
                            .dst_endpoint = src_ep,
                            .link_quality = target->link_quality(sim_now),
                            .timestamp = mac_timestamp(now + at),
                            .data = answer,
                            .mac_src_addr = target->short_address(),
                            .radius = kHopRadius};
  frames.push_back(PlannedFrame{.at = at, .bytes = mt::incoming_msg(msg), .inverter_answer = true});

  const auto faults = faults_->draw(true);
  if (faults.drop) {
    ++faults_->counters().dropped;
    frames.pop_back();
  }
  faults_->emit(std::move(frames), now, faults, *out_);
}

}  // namespace apsecu::emulator
