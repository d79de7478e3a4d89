// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/znp/coordinator.hpp"

#include <atomic>
#include <functional>

#include <fmt/format.h>

#include "apsecu/util/log.hpp"
#include "apsecu/znp/messages.hpp"

namespace apsecu::znp {
namespace {

std::shared_ptr<spdlog::logger> log() {
  static const auto logger = util::logger("znp");
  return logger;
}

std::string_view mode_name(StartMode mode) { return mode == StartMode::Normal ? "normal" : "pairing"; }

struct Step {
  std::string name;
  std::function<util::Status()> run;
};

}  // namespace

std::chrono::milliseconds recovery_delay(const RecoveryPolicy& policy, unsigned consecutive_failures) {
  if (consecutive_failures == 0) return std::chrono::milliseconds{0};
  auto delay = policy.first_delay;
  for (unsigned i = 1; i < consecutive_failures && delay < policy.max_delay; ++i) delay *= 2;
  return std::min(delay, policy.max_delay);
}

Coordinator::Coordinator(ZnpClient& client, transport::ResetLine* reset_line, CoordinatorConfig config,
                         transport::Sleeper sleeper)
    : client_(client), reset_line_(reset_line), config_(std::move(config)), sleeper_(std::move(sleeper)) {}

util::Status Coordinator::start(StartMode mode) {
  ++stats_.starts;
  notes_.clear();
  log()->info("starting coordinator ({} mode) on {}", mode_name(mode), client_.describe());
  auto st = run_start(mode);
  known_up_ = st.ok();
  if (!st) {
    ++stats_.start_failures;
    log()->warn("{}", st.error().describe());
    return st;
  }
  stats_.consecutive_failures = 0;
  log()->info("coordinator up ({} mode)", mode_name(mode));
  return st;
}

util::Result<BringUp> Coordinator::bring_up(StartMode mode) {
  if (mode == StartMode::Normal) {
    const auto health = health_check();
    if (health.up()) {
      bool was_missing = false;
      auto st = register_endpoint(&was_missing);
      if (st) {
        notes_.clear();
        if (was_missing) {
          notes_.push_back("the module had lost its endpoint registration (it restarted on its own): registered again");
        }
        ++stats_.adoptions;
        stats_.consecutive_failures = 0;
        known_up_ = true;
        log()->info("coordinator already up with our IEEE on {}: left as it is", client_.describe());
        return BringUp::Adopted;
      }
      log()->warn("module up but its endpoint cannot be registered ({}): starting it", st.error().describe());
    } else {
      log()->info("module not up as our coordinator ({}): starting it", health.reason);
    }
  }
  if (auto st = start(mode); !st) return st.error();
  return BringUp::Started;
}

util::Status Coordinator::register_endpoint(bool* was_missing) {
  const auto& ep = config_.endpoint;
  const AfRegister req{ep.endpoint, ep.profile_id, ep.device_id, ep.device_version,
                       ep.latency,  ep.in_clusters, ep.out_clusters};
  auto rsp = client_.request(req, config_.timeouts.step);
  if (!rsp) return rsp.error();
  if (rsp->status != kStatusSuccess && rsp->status != kStatusDuplicateEntry) {
    return util::make_error(Errc::BadStatus, fmt::format("AF_REGISTER answered status 0x{:02X} ({})", rsp->status,
                                                         status_name(rsp->status)));
  }
  if (was_missing != nullptr) *was_missing = rsp->status == kStatusSuccess;
  return {};
}

util::Status Coordinator::run_start(StartMode mode) {
  auto write = [this](std::string name, ZbWriteConfiguration req) {
    return Step{"write " + std::move(name), [this, req] { return client_.request_ok(req, config_.timeouts.step); }};
  };
  std::vector<Step> steps;
  if (reset_line_ != nullptr && reset_line_->present()) {
    steps.push_back({"hard reset", [this] {
                       ++stats_.hard_resets;
                       auto st = transport::hard_reset(*reset_line_, config_.reset_timing, sleeper_);
                       // Whatever was still on its way from the old session will not come now.
                       if (st) client_.forget_late_replies();
                       return st;
                     }});
  }
  // STARTUP_OPTION 3 clears network state and NV config at the next reset, so every start
  // begins from the same place regardless of what the module remembered.
  steps.push_back(write("STARTUP_OPTION", ZbWriteConfiguration::startup_option(kStartupClearConfig | kStartupClearState)));
  steps.push_back({"SYS_RESET_REQ", [this] { return soft_reset(); }});
  steps.push_back(write("EXTADDR", ZbWriteConfiguration::ext_addr(config_.ieee)));
  steps.push_back(write("LOGICAL_TYPE", ZbWriteConfiguration::logical_type(kLogicalTypeCoordinator)));
  steps.push_back(write("PANID", ZbWriteConfiguration::pan_id(config_.pan_id)));
  steps.push_back(write("CHANLIST", ZbWriteConfiguration::chan_list(config_.channel_mask)));
  steps.push_back({"AF_REGISTER", [this] {
                     const auto& ep = config_.endpoint;
                     return client_.request_ok(AfRegister{ep.endpoint, ep.profile_id, ep.device_id, ep.device_version,
                                                          ep.latency, ep.in_clusters, ep.out_clusters},
                                               config_.timeouts.step);
                   }});
  steps.push_back({"ZB_START_REQUEST", [this] { return start_network(); }});
  steps.push_back({"UTIL_GET_DEVICE_INFO", [this] { return verify_device(); }});
  if (mode == StartMode::Normal) {
    steps.push_back({"normal-operation broadcast", [this] { return send_normal_op_tolerant(); }});
  }

  for (std::size_t i = 0; i < steps.size(); ++i) {
    log()->debug("start step {}/{}: {}", i + 1, steps.size(), steps[i].name);
    if (auto st = steps[i].run(); !st) {
      return util::Error{st.error().code, fmt::format("coordinator start ({}) failed at step {}/{} ({}): {}",
                                                      mode_name(mode), i + 1, steps.size(), steps[i].name,
                                                      st.error().describe())};
    }
  }
  return {};
}

util::Status Coordinator::soft_reset() {
  Waiter ind = client_.expect(Match::of<SysResetInd>());
  if (auto st = client_.send(SysResetReq{}.encode()); !st) return st;
  auto reset = ind.wait_as<SysResetInd>(config_.timeouts.reset_ind);
  if (!reset) return reset.error();
  client_.forget_late_replies();
  log()->debug("module reset: reason {}, firmware {}.{}.{}", reset->reason, reset->major_rel, reset->minor_rel,
               reset->hw_rev);
  return {};
}

util::Status Coordinator::start_network() {
  // The state-8 indications that precede state 9 are remembered so a timeout can say how far
  // the module got.
  auto last_state = std::make_shared<std::atomic<int>>(-1);
  Waiter running = client_.expect(Match::of<ZdoStateChangeInd>(
      "ZDO_STATE_CHANGE_IND (state 9)", [last_state](const ZdoStateChangeInd& s) {
        last_state->store(s.state);
        return s.state == kDevZbCoord;
      }));
  if (auto rsp = client_.request(ZbStartRequest{}, config_.timeouts.step); !rsp) return rsp.error();
  auto up = running.wait(config_.timeouts.state_change);
  if (up) return {};
  const int seen = last_state->load();
  if (up.error().code != make_error_code(Errc::Timeout)) return up.error();
  const std::string tail = seen < 0 ? "no state change seen"
                                    : fmt::format("last state seen {} ({})", seen,
                                                  device_state_name(static_cast<std::uint8_t>(seen)));
  return util::Error{up.error().code, up.error().describe() + "; " + tail};
}

std::optional<std::pair<HealthFault, util::Error>> Coordinator::check(const UtilGetDeviceInfoRsp& info) const {
  if (info.status != kStatusSuccess) {
    return std::pair{HealthFault::BadStatus,
                     util::make_error(Errc::BadStatus, fmt::format("UTIL_GET_DEVICE_INFO answered status 0x{:02X} ({})",
                                                                   info.status, status_name(info.status)))};
  }
  if (info.ieee != config_.ieee) {
    return std::pair{HealthFault::WrongIeee,
                     util::make_error(Errc::WrongIeee, "module reports IEEE " + to_hex(info.ieee) + ", configured " +
                                                           to_hex(config_.ieee))};
  }
  if (info.device_state != kDevZbCoord) {
    return std::pair{HealthFault::NotStarted,
                     util::make_error(Errc::NotStarted, fmt::format("device state {} ({}), expected 9 (coordinator)",
                                                                    info.device_state,
                                                                    device_state_name(info.device_state)))};
  }
  return std::nullopt;
}

util::Status Coordinator::verify_device() {
  auto info = client_.request(UtilGetDeviceInfo{}, config_.timeouts.step);
  if (!info) return info.error();
  if (auto bad = check(*info)) return bad->second;
  return {};
}

util::Status Coordinator::send_normal_op_broadcast() {
  if (config_.normal_op_payload.empty()) {
    log()->warn("no normal-operation payload configured; broadcast skipped");
    return {};
  }
  const auto& f = config_.normal_op;
  return client_.request_ok(AfDataRequest{f.dst_addr, f.dst_endpoint, f.src_endpoint, f.cluster_id, f.trans_id,
                                          f.options, f.radius, config_.normal_op_payload},
                            config_.timeouts.step);
}

util::Status Coordinator::send_normal_op_tolerant() {
  auto st = send_normal_op_broadcast();
  if (st || st.error().code == make_error_code(Errc::LinkDown)) return st;
  const auto note = "normal-operation broadcast not taken (" + st.error().describe() + "); started all the same";
  log()->warn("{}", note);
  notes_.push_back(note);
  return {};
}

Health Coordinator::health_check() {
  ++stats_.health_checks;
  Health h = check_once();
  // Only a silent or garbled module is asked again; a wrong IEEE or state is an answer.
  for (unsigned i = 1; i < config_.health.attempts && !h.up() &&
                       (h.fault == HealthFault::NoAnswer || h.fault == HealthFault::BadStatus) && !h.info &&
                       client_.link_up();
       ++i) {
    log()->debug("health check: {}; asking again in {} ms", h.reason, config_.health.gap.count());
    sleeper_(config_.health.gap);
    // The module's state is the same answer to either request: a late reply to the last one
    // is as good as the reply to the next, and must not be dropped as stale.
    constexpr auto key = UtilGetDeviceInfoRsp::kKey;
    client_.forget_late_replies_like(unpi::Frame{key.type, key.subsystem, key.id, {}});
    h = check_once();
  }
  known_up_ = h.up();
  if (!h.up()) {
    ++stats_.health_down;
    log()->warn("coordinator down: {}", h.reason);
  }
  return h;
}

Health Coordinator::check_once() {
  auto down = [](HealthFault fault, std::string reason, std::optional<UtilGetDeviceInfoRsp> info = {}) {
    return Health{fault, std::move(reason), std::move(info)};
  };
  if (config_.ping_before_health_check) {
    if (auto pong = client_.request(SysPing{}, config_.timeouts.step); !pong) {
      return down(HealthFault::NoAnswer, pong.error().describe());
    }
  }
  auto info = client_.request(UtilGetDeviceInfo{}, config_.timeouts.step);
  if (!info) {
    const bool garbled = info.error().code == make_error_code(Errc::Malformed);
    return down(garbled ? HealthFault::BadStatus : HealthFault::NoAnswer, info.error().describe());
  }
  if (auto bad = check(*info)) return down(bad->first, bad->second.describe(), *info);
  return Health{HealthFault::None, {}, *info};
}

util::Status Coordinator::recover(StartMode mode) {
  const auto& policy = config_.recovery;
  std::string last = "no attempt made (max_attempts is 0)";
  for (unsigned attempt = 1; attempt <= policy.max_attempts; ++attempt) {
    // Resetting a module whose serial link is gone cannot help; the caller reopens the link.
    if (!client_.link_up()) {
      ++stats_.recovery_failures;
      return util::make_error(Errc::LinkDown, "coordinator recovery not tried: the link to the module is lost");
    }
    if (stats_.consecutive_failures > 0) {
      const auto delay = recovery_delay(policy, stats_.consecutive_failures);
      log()->info("coordinator recovery attempt {}/{} in {} ms", attempt, policy.max_attempts, delay.count());
      sleeper_(delay);
    }
    ++stats_.recovery_attempts;
    auto st = start(mode);
    if (st) {
      ++stats_.recoveries;
      return st;
    }
    ++stats_.consecutive_failures;
    last = st.error().describe();
  }
  ++stats_.recovery_failures;
  return util::make_error(Errc::RecoveryFailed, fmt::format("coordinator recovery failed after {} attempts; last: {}",
                                                            policy.max_attempts, last));
}

}  // namespace apsecu::znp
