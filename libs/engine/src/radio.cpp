// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/engine/radio.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include <fmt/format.h>

#include "apsecu/aps/l2.hpp"
#include "apsecu/aps/replies.hpp"
#include "apsecu/aps/requests.hpp"
#include "apsecu/util/hex.hpp"
#include "apsecu/znp/msg_af.hpp"

namespace apsecu::engine {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

constexpr double kLimitTolerance_w = 2.0;


znp::AfDataRequest unicast(std::uint16_t addr, util::Bytes payload) {
  znp::AfDataRequest req;
  req.dst_addr = addr;
  req.dst_endpoint = aps::kEndpoint;
  req.src_endpoint = aps::kEndpoint;
  req.cluster_id = aps::kRequestCluster;
  req.trans_id = aps::kUnicastTransId;
  req.options = 0;
  req.radius = aps::kRadius;
  req.data = std::move(payload);
  return req;
}

znp::AfDataRequestExt inter_pan_broadcast(const aps::PairStep& step) {
  znp::AfDataRequestExt req;
  req.addr_mode = znp::kAddrModeBroadcast;
  req.dst_addr.fill(0xFF);
  req.dst_endpoint = aps::kEndpoint;
  req.dst_pan = 0xFFFF;
  req.src_endpoint = aps::kEndpoint;
  req.cluster_id = step.cluster;
  req.trans_id = step.trans_id;
  req.options = 0;
  req.radius = aps::kRadius;
  req.data = step.data;
  return req;
}

// Only the inverter's own answer counts: cluster 0x0101, unicast, from a real address, data =
// FF FF / FF 1A + our serial. Echoes of our broadcasts relayed by a router carry the serial
// too, followed by the router's address (protocol §4.4 pitfall), and must not be taken.
znp::Match pairing_answer(const aps::Serial& serial) {
  return znp::Match::of<znp::AfIncomingMsg>("pairing answer from " + serial.str(),
                                            [serial](const znp::AfIncomingMsg& m) {
                                              return m.cluster_id == aps::kPairAnswerCluster && m.was_broadcast == 0 &&
                                                     m.src_addr != 0x0000 && m.src_addr != 0xFFFF &&
                                                     aps::is_pairing_answer(m.data, serial);
                                            });
}

constexpr std::size_t kL2At = 6;  // after the serial
constexpr std::size_t kL2LengthAt = kL2At + 2;
constexpr std::size_t kL2CmdAt = kL2At + 3;
constexpr std::uint8_t kL2Start = 0xFB;
constexpr std::uint8_t kAckLength = 0x06;  // n of a set acknowledgement (DE / DF + 5 bytes)
constexpr std::uint8_t kCmdParameterPage = 0xDE;
constexpr std::uint8_t kCmdDs3ParameterPage = 0xDD;
constexpr std::uint8_t kCmdRefused = 0xDF;

// Whether a poll reply with this opcode may carry 00 00 for its checksum; nullopt for an
// opcode that is no poll reply (the telemetry decoder says what it is instead).
std::optional<bool> zero_checksum_allowed(std::uint8_t reply_cmd) noexcept {
  for (const auto& mi : aps::kModels) {
    if (mi.reply_cmd == reply_cmd) return !mi.reply_checksum_valid;
  }
  return std::nullopt;
}

bool is_l2(const znp::AfIncomingMsg& m) {
  return m.data.size() > kL2CmdAt && m.data[kL2At] == kL2Start && m.data[kL2At + 1] == kL2Start;
}

bool is_parameter_page(const znp::AfIncomingMsg& m) {
  if (!is_l2(m) || m.data[kL2LengthAt] == kAckLength) return false;
  const auto cmd = m.data[kL2CmdAt];
  return cmd == kCmdParameterPage || cmd == kCmdDs3ParameterPage;
}

// The answer to a set: an acknowledgement (DE / DF, n = 06) or a whole parameter page; never
// a telemetry reply, which a poll that timed out may still deliver late.
znp::Match set_answer_from(std::uint16_t addr) {
  return znp::Match::of<znp::AfIncomingMsg>(
      "answer to the set from " + address_text(addr), [addr](const znp::AfIncomingMsg& m) {
        if (m.src_addr != addr || m.cluster_id != aps::kReplyCluster || !is_l2(m)) return false;
        const auto cmd = m.data[kL2CmdAt];
        const bool ack = m.data[kL2LengthAt] == kAckLength && (cmd == kCmdParameterPage || cmd == kCmdRefused);
        return ack || is_parameter_page(m);
      });
}

// The DE read-back: a whole page, so that a late acknowledgement is not taken for it.
znp::Match parameter_page_from(std::uint16_t addr) {
  return znp::Match::of<znp::AfIncomingMsg>("parameter page from " + address_text(addr),
                                            [addr](const znp::AfIncomingMsg& m) {
                                              return m.src_addr == addr && m.cluster_id == aps::kReplyCluster &&
                                                     is_parameter_page(m);
                                            });
}

std::string ack_text(const aps::SetReply& r) {
  return fmt::format("{} {:02X} {:02X}", r.accepted ? "DE" : "DF", r.status[0], r.status[1]);
}

}  // namespace

Radio::Radio(znp::ZnpClient& client, aps::EcuId ecu, RadioTimings timings, Sleeper sleep)
    : client_(client), ecu_(ecu), timings_(timings), sleep_(std::move(sleep)) {
  if (!sleep_) sleep_ = [](milliseconds d) { std::this_thread::sleep_for(d); };
}

Radio::Exchange Radio::exchange(std::uint16_t short_address, const util::Bytes& payload,
                                std::optional<znp::Match> answer_match) {
  Exchange ex;
  auto confirm = client_.expect(znp::data_confirm(aps::kEndpoint, aps::kUnicastTransId));
  std::optional<znp::Waiter> answer;
  if (answer_match) {
    answer_match->late_reply_is_stale = false;  // a late reading is still a true reading
    answer = client_.expect(std::move(*answer_match));
  }

  if (auto st = client_.request_ok(unicast(short_address, payload), timings_.srsp); !st) {
    const auto code = st.error().code;
    ex.outcome = code == znp::Errc::LinkDown  ? PollOutcome::LinkDown
                 : code == znp::Errc::Timeout ? PollOutcome::NoConfirm  // the module itself is silent
                                              : PollOutcome::BadStatus;
    ex.detail = st.error().describe();
    return ex;
  }
  auto conf = confirm.wait_as<znp::AfDataConfirm>(timings_.confirm);
  if (!conf) {
    ex.outcome = conf.error().code == znp::Errc::LinkDown ? PollOutcome::LinkDown : PollOutcome::NoConfirm;
    ex.detail = conf.error().describe();
    return ex;
  }
  ex.confirm_status = conf->status;
  if (conf->status != znp::kStatusSuccess) {
    ex.outcome = conf->status == znp::kStatusNwkNoRoute ? PollOutcome::NoRoute
                 : conf->status == znp::kStatusMacNoAck ? PollOutcome::NoAck
                                                        : PollOutcome::BadStatus;
    ex.detail = fmt::format("{} did not take the request: AF_DATA_CONFIRM status 0x{:02X}", address_text(short_address),
                            conf->status);
    return ex;
  }
  if (!answer) return ex;
  auto msg = answer->wait_as<znp::AfIncomingMsg>(timings_.answer);
  if (!msg) {
    ex.outcome = msg.error().code == znp::Errc::LinkDown ? PollOutcome::LinkDown : PollOutcome::NoAnswer;
    ex.detail = msg.error().describe();
    return ex;
  }
  ex.answer = std::move(*msg);
  return ex;
}

bool Radio::checksum_mismatch(PollResult& result, const aps::Serial& serial, const znp::AfIncomingMsg& answer) {
  if (answer.data.size() <= kL2At) return false;
  const auto l2 = aps::decode_l2(util::ByteView(answer.data).subspan(kL2At));
  if (!l2) return false;  // not an L2 frame at all: the decoder says what is wrong
  const auto zero_allowed = zero_checksum_allowed(l2->cmd);
  if (!zero_allowed) return false;  // not a poll reply (a late page, say): not judged here
  const auto verdict = aps::verify_checksum(*l2);
  if (verdict == aps::ChecksumVerdict::Valid) return false;
  // 00 00 is "not computed" for the models whose firmware sends it (YC600/QS1 poll replies);
  // from any other model it is as wrong as any other value.
  if (verdict == aps::ChecksumVerdict::NotComputed && *zero_allowed) return false;
  result.checksum_mismatch = true;
  result.checksum_mismatches = ++checksum_mismatches_[serial];
  result.outcome = PollOutcome::Malformed;
  result.detail = fmt::format("answer from {} has L2 checksum {:04X} where the sum is {:04X}: not used "
                              "(checksum mismatch no. {} from this inverter; {})",
                              serial.str(), l2->checksum, aps::computed_checksum(*l2), result.checksum_mismatches,
                              util::to_hex(answer.data));
  return true;
}

PollResult Radio::poll(std::uint16_t short_address, const aps::Serial& serial, const aps::DecodeOptions& options) {
  const auto started = Steady::now();
  PollResult result;
  auto ex = exchange(short_address, aps::encode_poll(ecu_), znp::incoming_from(short_address, aps::kReplyCluster));
  result.outcome = ex.outcome;
  result.confirm_status = ex.confirm_status;
  result.detail = std::move(ex.detail);
  if (ex.answer) {
    result.link_quality = ex.answer->link_quality;
    result.link_quality_pct = ex.answer->link_quality_pct();
    result.checksum_mismatches = checksum_mismatches_[serial];
    if (checksum_mismatch(result, serial, *ex.answer)) {
      result.elapsed = std::chrono::duration_cast<milliseconds>(Steady::now() - started);
      return result;
    }
    auto telemetry = aps::decode_telemetry(ex.answer->data, options);
    if (!telemetry) {
      result.outcome = PollOutcome::Malformed;
      result.detail = fmt::format("answer from {} does not decode: {} ({})", address_text(short_address),
                                  telemetry.error().describe(), util::to_hex(ex.answer->data));
    } else if (!(telemetry->serial == serial)) {
      result.outcome = PollOutcome::WrongSerial;
      result.detail = fmt::format("{} answered as {}, expected {}: pair {} again", address_text(short_address),
                                  telemetry->serial.str(), serial.str(), serial.str());
    } else {
      result.outcome = PollOutcome::Ok;
      result.telemetry = std::move(*telemetry);
    }
  }
  result.elapsed = std::chrono::duration_cast<milliseconds>(Steady::now() - started);
  return result;
}

Radio::PairAttempt Radio::pair_attempt(const aps::Serial& serial, PairResult& result) {
  PairAttempt attempt;
  const auto steps = aps::pairing_steps(ecu_, serial);
  // One more waiter before every step: an answer goes to the oldest waiting one, so there is
  // always a free one for the next answer, however the answers fall between the steps.
  std::vector<znp::Waiter> waiters;
  std::vector<bool> taken;
  const auto collect = [&](int after_step) {
    for (std::size_t i = 0; i < waiters.size(); ++i) {
      if (taken[i] || !waiters[i].ready()) continue;
      taken[i] = true;
      if (auto msg = waiters[i].wait_as<znp::AfIncomingMsg>(milliseconds{0})) {
        attempt.answers.push_back(msg->src_addr);
        result.answered_after.push_back(after_step);
      }
    }
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    waiters.push_back(client_.expect(pairing_answer(serial)));
    taken.push_back(false);
    const auto st = client_.request_ok(inter_pan_broadcast(steps[i]), timings_.srsp);
    if (!st) {
      if (st.error().code == znp::Errc::LinkDown) {
        attempt.link_down = true;
        result.detail = fmt::format("pairing step {} failed: {}", i + 1, st.error().describe());
        return attempt;
      }
      // The field hosts never look at the module's answer to a step and send the next one
      // anyway; so do we, but an attempt with a refused step does not count as a pairing.
      if (attempt.refused.empty()) attempt.refused = fmt::format("step {} refused: {}", i + 1, st.error().describe());
    }
    result.steps_sent = static_cast<int>(i) + 1;
    sleep_(timings_.pair_step_gap);
    collect(static_cast<int>(i) + 1);
  }
  if (attempt.answers.empty()) {
    // The slowest inverter may answer only after the last step.
    for (std::size_t i = 0; i < waiters.size(); ++i) {
      if (taken[i]) continue;
      if (auto msg = waiters[i].wait_as<znp::AfIncomingMsg>(timings_.pair_answer)) {
        attempt.answers.push_back(msg->src_addr);
        result.answered_after.push_back(static_cast<int>(steps.size()));
      }
      break;
    }
  }
  return attempt;
}

PairResult Radio::pair(const aps::Serial& serial, const PairOptions& options) {
  PairResult result;
  if (options.daylight == false && !options.force) {
    result.outcome = PairOutcome::NotDaylight;
    result.detail = "it is night: an inverter only answers while its panels get light";
    return result;
  }
  for (int attempt = 1; attempt <= std::max(1, options.attempts); ++attempt) {
    result.attempts_used = attempt;
    result.answered_after.clear();
    const auto a = pair_attempt(serial, result);
    if (a.link_down) {
      result.outcome = PairOutcome::Failed;
      return result;
    }
    if (!a.refused.empty()) {
      result.detail = fmt::format("pairing {}: attempt {} {}", serial.str(), attempt, a.refused);
      continue;
    }
    if (a.answers.empty()) {
      result.detail = fmt::format("no answer from {} after {} attempt(s) of all four pairing steps", serial.str(),
                                  attempt);
      continue;
    }
    // The last answer counts: a DS3 answers after step 2 already, before it has our PAN id.
    result.outcome = PairOutcome::Paired;
    result.short_address = a.answers.back();
    std::string after;
    for (const int step : result.answered_after) after += (after.empty() ? "" : ", ") + std::to_string(step);
    result.detail = fmt::format("{} paired with address {} (all four steps sent; answered after step {})",
                                serial.str(), address_text(result.short_address), after);
    if (std::ranges::any_of(a.answers, [&](std::uint16_t x) { return x != result.short_address; })) {
      result.detail += fmt::format("; an earlier answer came from another address, {}", address_text(a.answers.front()));
    }
    return result;
  }
  result.outcome = PairOutcome::NoAnswer;
  return result;
}

util::Result<OutputOutcome> Radio::set_output(std::uint16_t short_address, bool on) {
  const char* what = on ? "turn-on" : "turn-off";
  auto ex = exchange(short_address, aps::encode_set_output(ecu_, on), set_answer_from(short_address));
  if (ex.outcome != PollOutcome::Ok && ex.outcome != PollOutcome::NoAnswer) {
    return util::make_error(znp::Errc::BadStatus, fmt::format("{} to {}: {}", what, address_text(short_address), ex.detail));
  }
  OutputOutcome out;
  if (!ex.answer) {
    out.detail = fmt::format("{} delivered to {} (acknowledged by its radio); the inverter sent no answer", what,
                             address_text(short_address));
    return out;
  }
  const auto reply = aps::decode_set_reply(ex.answer->data);
  if (!reply) {
    out.detail = fmt::format("{} delivered to {}; its answer does not decode: {} ({})", what,
                             address_text(short_address), reply.error().describe(), util::to_hex(ex.answer->data));
    return out;
  }
  if (!reply->accepted) {
    return util::make_error(aps::Errc::Refused, fmt::format("{} refused the {} (answer {})", reply->serial.str(), what,
                                                            ack_text(*reply)));
  }
  out.acknowledged = true;
  out.detail = fmt::format("{} accepted the {}", reply->serial.str(), what);
  return out;
}

util::Result<double> Radio::read_power_limit(std::uint16_t short_address, aps::Model model) {
  auto ex = exchange(short_address, aps::encode_query_parameters(ecu_), parameter_page_from(short_address));
  if (ex.outcome != PollOutcome::Ok || !ex.answer) {
    return util::make_error(znp::Errc::Timeout, "power limit query to " + address_text(short_address) + ": " + ex.detail);
  }
  auto limit = aps::decode_power_limit(ex.answer->data, model);
  if (!limit) return limit.error();
  return *limit;
}

util::Result<LimitOutcome> Radio::set_power_limit(std::uint16_t short_address, aps::Model model,
                                                  double limit_per_panel_w) {
  auto payload = aps::encode_set_power_limit(ecu_, model, limit_per_panel_w);
  if (!payload) return payload.error();
  const auto& mi = aps::info(model);
  auto ex = exchange(short_address, *payload, set_answer_from(short_address));
  if (ex.outcome != PollOutcome::Ok && ex.outcome != PollOutcome::NoAnswer) {
    return util::make_error(znp::Errc::BadStatus, "power limit to " + address_text(short_address) + ": " + ex.detail);
  }
  std::optional<aps::SetReply> reply;
  std::string answer_text = "no answer to the set";
  if (ex.answer) {
    if (auto r = aps::decode_set_reply(ex.answer->data)) {
      reply = *r;
    } else {
      answer_text = fmt::format("an answer to the set that does not decode ({}: {})", r.error().describe(),
                                util::to_hex(ex.answer->data));
    }
  }
  LimitOutcome out;
  if (reply && !reply->accepted) {
    out.detail = fmt::format("{} refused the limit of {:.0f} W per panel (answer {})", reply->serial.str(),
                             limit_per_panel_w, ack_text(*reply));
    return out;
  }
  if (reply) {
    answer_text = reply->limit_per_panel_w
                      ? fmt::format("accepted, page shows {:.0f} W per panel", *reply->limit_per_panel_w)
                      : fmt::format("accepted (answer {})", ack_text(*reply));
  }
  // The inverter needs a moment before its page shows the new value (ESP32-ECU SETPOWER).
  sleep_(timings_.read_back_pause);
  const auto back = read_power_limit(short_address, model);
  if (!back) {
    if (!reply) {
      return util::make_error(znp::Errc::Timeout, fmt::format("power limit to {}: {}, and the read-back failed: {}",
                                                              address_text(short_address), answer_text,
                                                              back.error().describe()));
    }
    out.accepted = true;
    out.detail = fmt::format("{}; the read-back failed: {}", answer_text, back.error().describe());
    return out;
  }
  out.read_back_per_panel_w = *back;
  if (std::abs(*back - limit_per_panel_w) > kLimitTolerance_w) {
    out.detail = fmt::format("{}, but {} reads back {:.0f} W per panel after setting {:.0f} W", answer_text,
                             address_text(short_address), *back, limit_per_panel_w);
    return out;
  }
  out.accepted = true;
  out.detail = fmt::format("{}; reads back {:.0f} W per panel ({:.0f} W for the inverter's {} inputs)", answer_text,
                           *back, *back * mi.inputs, mi.inputs);
  return out;
}

std::string address_text(std::uint16_t short_address) { return fmt::format("0x{:04X}", short_address); }

std::string_view outcome_name(PollOutcome o) noexcept {
  switch (o) {
    case PollOutcome::Ok: return "ok";
    case PollOutcome::NoRoute: return "no_route";
    case PollOutcome::NoAck: return "no_ack";
    case PollOutcome::BadStatus: return "bad_status";
    case PollOutcome::NoConfirm: return "no_confirm";
    case PollOutcome::NoAnswer: return "no_answer";
    case PollOutcome::Malformed: return "malformed";
    case PollOutcome::WrongSerial: return "wrong_serial";
    case PollOutcome::LinkDown: return "link_down";
  }
  return "?";
}

std::string_view outcome_name(PairOutcome o) noexcept {
  switch (o) {
    case PairOutcome::Paired: return "paired";
    case PairOutcome::NoAnswer: return "no_answer";
    case PairOutcome::NotDaylight: return "not_daylight";
    case PairOutcome::Failed: return "failed";
  }
  return "?";
}

}  // namespace apsecu::engine
