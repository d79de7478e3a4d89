// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/engine/radio.hpp"

#include <cmath>
#include <thread>

#include <fmt/format.h>

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
// 2 bytes + our serial. Echoes of our broadcasts relayed by a router carry the serial too,
// followed by the router's address (protocol §4.4 pitfall), and must not be taken.
znp::Match pairing_answer(const aps::Serial& serial) {
  return znp::Match::of<znp::AfIncomingMsg>("pairing answer from " + serial.str(),
                                            [serial](const znp::AfIncomingMsg& m) {
                                              return m.cluster_id == aps::kPairAnswerCluster && m.was_broadcast == 0 &&
                                                     m.src_addr != 0x0000 && m.src_addr != 0xFFFF &&
                                                     aps::is_pairing_answer(m.data, serial);
                                            });
}

}  // namespace

Radio::Radio(znp::ZnpClient& client, aps::EcuId ecu, RadioTimings timings, Sleeper sleep)
    : client_(client), ecu_(ecu), timings_(timings), sleep_(std::move(sleep)) {
  if (!sleep_) sleep_ = [](milliseconds d) { std::this_thread::sleep_for(d); };
}

Radio::Exchange Radio::exchange(std::uint16_t short_address, const util::Bytes& payload, bool want_answer) {
  Exchange ex;
  auto confirm = client_.expect(znp::data_confirm(aps::kEndpoint, aps::kUnicastTransId));
  auto answer_match = znp::incoming_from(short_address, aps::kReplyCluster);
  answer_match.late_reply_is_stale = false;  // a late reading is still a true reading
  auto answer = client_.expect(std::move(answer_match));

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
  if (!want_answer) return ex;
  auto msg = answer.wait_as<znp::AfIncomingMsg>(timings_.answer);
  if (!msg) {
    ex.outcome = msg.error().code == znp::Errc::LinkDown ? PollOutcome::LinkDown : PollOutcome::NoAnswer;
    ex.detail = msg.error().describe();
    return ex;
  }
  ex.answer = std::move(*msg);
  return ex;
}

PollResult Radio::poll(std::uint16_t short_address, const aps::Serial& serial, const aps::DecodeOptions& options) {
  const auto started = Steady::now();
  PollResult result;
  auto ex = exchange(short_address, aps::encode_poll(ecu_), true);
  result.outcome = ex.outcome;
  result.confirm_status = ex.confirm_status;
  result.detail = std::move(ex.detail);
  if (ex.answer) {
    result.link_quality = ex.answer->link_quality;
    result.link_quality_pct = ex.answer->link_quality_pct();
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

PairResult Radio::pair(const aps::Serial& serial, const PairOptions& options) {
  PairResult result;
  if (options.daylight == false && !options.force) {
    result.outcome = PairOutcome::NotDaylight;
    result.detail = "it is night: an inverter only answers while its panels get light";
    return result;
  }
  const auto steps = aps::pairing_steps(ecu_, serial);
  for (int attempt = 1; attempt <= std::max(1, options.attempts); ++attempt) {
    result.attempts_used = attempt;
    // Registered before the first step: the answer may come after step 3 or later.
    auto answer = client_.expect(pairing_answer(serial));
    bool step_failed = false;
    for (std::size_t i = 0; i < steps.size() && !answer.ready(); ++i) {
      if (auto st = client_.request_ok(inter_pan_broadcast(steps[i]), timings_.srsp); !st) {
        result.detail = fmt::format("pairing step {} refused: {}", i + 1, st.error().describe());
        step_failed = true;
        if (st.error().code == znp::Errc::LinkDown) {
          result.outcome = PairOutcome::Failed;
          return result;
        }
        break;
      }
      sleep_(timings_.pair_step_gap);
    }
    if (step_failed) continue;
    auto msg = answer.wait_as<znp::AfIncomingMsg>(timings_.pair_answer);
    if (msg) {
      result.outcome = PairOutcome::Paired;
      result.short_address = msg->src_addr;
      result.detail = fmt::format("{} paired with address {}", serial.str(), address_text(msg->src_addr));
      return result;
    }
    result.detail = fmt::format("no answer from {} after {} attempt(s)", serial.str(), attempt);
  }
  result.outcome = PairOutcome::NoAnswer;
  return result;
}

util::Status Radio::reboot(std::uint16_t short_address) {
  auto ex = exchange(short_address, aps::encode_reboot(ecu_), false);
  if (ex.outcome != PollOutcome::Ok) {
    return util::make_error(znp::Errc::BadStatus, "reboot of " + address_text(short_address) + ": " + ex.detail);
  }
  return {};
}

util::Result<double> Radio::read_power_limit(std::uint16_t short_address, aps::Model model) {
  auto ex = exchange(short_address, aps::encode_query_parameters(ecu_), true);
  if (ex.outcome != PollOutcome::Ok || !ex.answer) {
    return util::make_error(znp::Errc::Timeout, "power limit query to " + address_text(short_address) + ": " + ex.detail);
  }
  auto limit = aps::decode_power_limit(ex.answer->data, model);
  if (!limit) return limit.error();
  return *limit;
}

util::Result<double> Radio::set_power_limit(std::uint16_t short_address, aps::Model model, double limit_w) {
  auto payload = aps::encode_set_power_limit(ecu_, model, limit_w);
  if (!payload) return payload.error();
  auto ex = exchange(short_address, *payload, false);
  if (ex.outcome != PollOutcome::Ok) {
    return util::make_error(znp::Errc::BadStatus, "power limit to " + address_text(short_address) + ": " + ex.detail);
  }
  auto back = read_power_limit(short_address, model);
  if (!back) return back.error();
  if (std::abs(*back - limit_w) > kLimitTolerance_w) {
    return util::make_error(aps::Errc::OutOfRange, fmt::format("{} reports a limit of {:.0f} W after setting {:.0f} W",
                                                               address_text(short_address), *back, limit_w));
  }
  return *back;
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
