// SPDX-License-Identifier: GPL-3.0-or-later
// AF traffic: endpoint registration, unicast requests to the inverters (poll, query, power
// limit, on/off; protocol §4.5–4.7, §5), broadcasts, and inter-PAN pairing (§4.4).
//
//   AF_DATA_REQUEST      24 01 | dst(2 LE) dstEP srcEP cluster(2 LE) transID options radius len | data
//   AF_DATA_REQUEST_EXT  24 02 | mode dst(8) dstEP dstPAN(2 LE) srcEP cluster(2 LE) transID options
//                               radius len(2 LE) | data
#include "apsecu/aps/l2.hpp"
#include "apsecu/emulator/cc2530.hpp"
#include "fault_shaper.hpp"
#include "model_behaviour.hpp"
#include "mt.hpp"

namespace apsecu::emulator {
namespace {

constexpr std::uint16_t kReplyCluster = 0x0106;
constexpr std::uint16_t kPairStep1 = 0x020D;
constexpr std::uint16_t kPairStep2 = 0x020C;
constexpr std::uint16_t kPairStep3 = 0x010F;
constexpr std::uint16_t kPairAnswer = 0x0101;  // step 4 goes out on it, the inverters answer on it
// First two data bytes of a pairing answer: FF 1A after step 2, FF FF after step 3
// (read-APSystems-YC600-QS1-DS3 #19; their meaning is unknown, §10).
constexpr std::uint8_t kAnswerAfterStep2 = 0x1A;
constexpr std::uint8_t kAnswerAfterStep3 = 0xFF;
constexpr std::uint8_t kHopRadius = 0x0E;  // 0x0F minus the one hop from the inverter
constexpr std::uint8_t kNeighbourLqi = 0x22;
constexpr std::uint32_t kChannel16 = 0x00010000;
// Step-3 data: serial(6) + PAN(2, big-endian) + 10 FF FF + ecu_rev(6).
constexpr std::size_t kStep3PanOffset = 6;
constexpr std::size_t kStep3EcuOffset = 11;

// L2 opcodes the inverters act on (protocol §4.6; OpenAPS codec/opcodes.go).
constexpr std::uint8_t kCmdPoll = 0xBB;
constexpr std::uint8_t kCmdQuery = 0xDE;
constexpr std::uint8_t kCmdSetPowerQs1 = 0x1C;  // 8C 02 HH LL 00, W per panel × 28.89
constexpr std::uint8_t kCmdSetPowerDs3 = 0xAA;  // 27 00 00 HH LL, W per panel × 16.59
constexpr std::uint8_t kCmdSetPowerC3 = 0xC3;   // v 00 00 00 00, v = ((W × 0x1CE3) >> 14) >> 2
constexpr std::uint8_t kCmdTurnOn = 0xC1;
constexpr std::uint8_t kCmdTurnOff = 0xC2;

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
  // the network it joined: channel 16, the PAN it was given in step 3 and the ECU address it
  // was paired with.
  const auto st = status(booted_at_);
  const auto ecu = network_ecu();
  return inv.awake() && ecu && inv.paired_with(*ecu) && inv.pan() == st.pan_id && (st.channel_mask & kChannel16) != 0;
}

bool Cc2530::on_air(util::SteadyTime now) const noexcept {
  // read-APSystems-YC600-QS1-DS3 #19: a pairing step sent while the module still reported
  // state 8 got SRSP 00 and no echo; the state-9 indication came after it. What a unicast
  // gets in that window is not recorded [U]: the same.
  return device_state(now) == mt::kStateCoord;
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
  // Before ZB_START [U]; while the network is starting the request is taken (#19, below).
  if (device_state(now) == mt::kStateHold) return mt::kNwkInvalidRequest;
  if (endpoints_.count(src_ep) == 0) return mt::kInvalidParameter;
  return mt::kSuccess;
}

std::optional<util::Bytes> Cc2530::inverter_reply(InverterSim& inv, util::ByteView payload) {
  // Only a request carrying the ECU id the inverter joined is acted on.
  if (payload.size() < 6) return std::nullopt;
  EcuRev rev{};
  std::copy(payload.begin(), payload.begin() + 6, rev.begin());
  if (!inv.paired_with(rev)) return std::nullopt;
  // The request's L2 checksum is not checked: the community's C1 frame with 00 A6 works
  // (kadzsol, zigbee2mqtt #4221, 2022-02-08) although the sum rule gives 00 C7 [U].
  const auto l2 = aps::decode_l2(payload.subspan(6));
  if (!l2) return std::nullopt;
  const auto body = l2->body;
  const auto sim_now = plant_.time();
  switch (l2->cmd) {
    case kCmdPoll: return inv.telemetry_payload(sim_now);
    case kCmdQuery: return inv.parameters_payload();
    // The opcode decides the scale, the model decides the answer (model_behaviour.hpp).
    case kCmdSetPowerQs1: return inv.set_power_limit(be16(body, 2) / 28.89);
    case kCmdSetPowerDs3: return inv.set_power_limit(be16(body, 3) / 16.59);
    case kCmdSetPowerC3:
      if (body.empty()) return std::nullopt;
      return inv.set_power_limit(body[0] * 65536.0 / 0x1CE3);
    // No capture shows an answer to on/off [U]: confirm only.
    case kCmdTurnOn: inv.turn_on(sim_now); return std::nullopt;
    case kCmdTurnOff: inv.turn_off(); return std::nullopt;
    default: return std::nullopt;
  }
}

void Cc2530::corrupt_l2_checksum(util::Bytes& payload) {
  // serial(6) | FB FB n cmd body(n-1) ck ck FE FE: a wrong value that is neither the sum nor
  // the 00 00 of a firmware that does not compute it.
  if (payload.size() < 6 + 7) return;
  const std::size_t n = payload[8];
  const std::size_t at = 6 + 3 + n;
  if (at + 1 >= payload.size()) return;
  const auto real = aps::l2_checksum(payload[8], payload[9], util::ByteView(payload).subspan(10, n - 1));
  std::uint16_t wrong = real;
  while (wrong == real || wrong == 0) wrong = static_cast<std::uint16_t>(faults_->rng().between(1, 0xFFFF));
  payload[at] = static_cast<std::uint8_t>(wrong >> 8);
  payload[at + 1] = static_cast<std::uint8_t>(wrong & 0xFF);
  ++faults_->counters().bad_l2_checksum;
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
  if (status != mt::kSuccess || is_broadcast(dst) || !on_air(now)) return send(std::move(frames), now, false);
  if (zombie_) {
    // Accepted and never sent: no confirm, no answer (read-APSystems-YC600-QS1-DS3 #9 shows
    // this read, FE0164010064 alone, as ESP error 11).
    ++faults_->counters().unrouted_zombie;
    return send(std::move(frames), now, false);
  }

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

  auto answer = inverter_reply(*inv, payload);
  if (answer) {
    if (faults.bad_l2_checksum) corrupt_l2_checksum(*answer);
    auto at = confirm_at;
    for (unsigned i = 0; i < inv->config().route_reports; ++i) {
      at += scaled(kRouteMinMs, kRouteMaxMs);
      frames.push_back(PlannedFrame{.at = at, .bytes = mt::source_route(dst), .inverter_answer = true});
    }
    at += scaled(kAnswerMinMs, kAnswerMaxMs);
    const auto sim_now = plant_.time();
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

void Cc2530::pairing_answer(Frames& frames, const InverterSim& inv, std::uint8_t second_byte, std::uint8_t src_ep,
                            std::uint8_t dst_ep, std::chrono::nanoseconds after, util::SteadyTime now) {
  auto at = after;
  if (behaviour(inv.config().model).pair_route_report && inv.config().route_reports > 0) {
    at += scaled(kRouteMinMs, kRouteMaxMs);
    frames.push_back(PlannedFrame{.at = at, .bytes = mt::source_route(inv.short_address()), .inverter_answer = true});
  }
  at += scaled(kAnswerMinMs, kAnswerMaxMs);
  util::Bytes answer{0xFF, second_byte};
  const auto& serial = inv.serial().bytes();
  answer.insert(answer.end(), serial.begin(), serial.end());
  const mt::IncomingMsg msg{.cluster_id = kPairAnswer,
                            .src_addr = inv.short_address(),
                            .src_endpoint = dst_ep,
                            .dst_endpoint = src_ep,
                            .link_quality = inv.link_quality(plant_.time()),
                            .timestamp = mac_timestamp(now + at),
                            .data = answer,
                            .mac_src_addr = inv.short_address(),
                            .radius = kHopRadius};
  frames.push_back(PlannedFrame{.at = at, .bytes = mt::incoming_msg(msg), .inverter_answer = true});
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
  if (status != mt::kSuccess || !on_air(now)) return send(std::move(frames), now, false);
  if (zombie_) {
    ++faults_->counters().unrouted_zombie;
    return send(std::move(frames), now, false);
  }

  // Which inverter the step is about: steps 1–3 carry its serial, step 4 only our ECU id, so
  // it concerns every inverter that heard step 3 of this ECU (or already joined it).
  InverterSim* target = nullptr;
  std::vector<InverterSim*> confirming;
  if (cluster != kPairAnswer && payload.size() >= 6) target = plant_.find(aps::Serial::from_bytes(payload.first(6)));
  if (cluster == kPairAnswer && payload.size() >= 6) {
    EcuRev rev{};
    std::copy(payload.begin(), payload.begin() + 6, rev.begin());
    for (auto& inv : plant_.inverters()) {
      if (!inv.awake()) continue;
      if (inv.has_join_offer_from(rev)) {
        confirming.push_back(&inv);
        target = &inv;
      } else if (target == nullptr && inv.paired_with(rev)) {
        target = &inv;
      }
    }
    for (auto* inv : confirming) inv->hear_join_confirmation(rev);
  }
  if (target != nullptr && !target->awake()) target = nullptr;
  const auto sim_now = plant_.time();

  // Our own broadcast heard back, relayed at MAC level by a router. Step 2's echo comes from a
  // neighbour that is not an inverter when there is one (0xD021 in the Lua trace): a host that
  // takes "the address after the serial" from that read gets the wrong one. Without one, the
  // inverter relays it (0x6C22 in read-APSystems-YC600-QS1-DS3 #19).
  std::uint16_t relay = config_.neighbour_router;
  std::uint8_t relay_lqi = kNeighbourLqi;
  if (target != nullptr && (cluster != kPairStep2 || relay == 0)) {
    relay = target->short_address();
    relay_lqi = target->link_quality(sim_now);
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
  if (target == nullptr) return send(std::move(frames), now, false);

  // The inverter answers its serial: a DS3 already after step 2 (FF 1A), every model after
  // step 3 (FF FF), which is also where it takes note of the PAN and ECU id it is offered.
  std::optional<std::uint8_t> answer;
  if (cluster == kPairStep2 &&
      target->config().pair_answer_after_step2.value_or(behaviour(target->config().model).pair_answer_after_step2)) {
    answer = kAnswerAfterStep2;
  }
  if (cluster == kPairStep3 && payload.size() >= kStep3EcuOffset + 6) {
    EcuRev rev{};
    std::copy(payload.begin() + kStep3EcuOffset, payload.begin() + kStep3EcuOffset + 6, rev.begin());
    target->hear_join_offer(rev, be16(payload, kStep3PanOffset));
    answer = kAnswerAfterStep3;
  }
  if (!answer) return send(std::move(frames), now, false);

  pairing_answer(frames, *target, *answer, src_ep, dst_ep, echo_at, now);
  const auto faults = faults_->draw(true);
  if (faults.drop) {
    ++faults_->counters().dropped;
    while (!frames.empty() && frames.back().inverter_answer) frames.pop_back();
  }
  faults_->emit(std::move(frames), now, faults, *out_);
}

}  // namespace apsecu::emulator
