// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Brings the CC2530 up as the network coordinator and keeps it there (protocol §4.1-§4.3):
// hard reset, clear NV, soft reset, write identity and channel, register the endpoint, start
// the network, verify, and (normal mode) announce ourselves with the normal-operation
// broadcast. Every reply is checked; a failure names the step, except the broadcast's, which
// no field host reads (RPI-ECU startCoordinator.cpp sends it unread, ESP-ECU sendNO() reads
// and drops the reply): a refusal there is a note, not a failed start.
//
// bring_up() checks first, as the field hosts do at boot (ESP32-ECU healthCheck() before any
// coordinator(), RPI-ECU startCoordinator.pl runs checkCoordinator first and starts only when
// that fails): a module already up with our IEEE as coordinator is adopted as it is. Every
// re-initialisation wipes the module and makes the inverters find it again, and field
// threads show inverters going quiet after one (read-APSystems-YC600-QS1-DS3 #23,
// RPI-APS-inverters #77).
//
// Knows nothing about APsystems payloads: the broadcast payload is opaque configuration, and
// the endpoint and framing defaults are simply the values every known host uses.
//
// Thread safety: not thread-safe; drive it from one thread (the engine). The client, reset
// line and sleeper must outlive it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apsecu/transport/reset_line.hpp"
#include "apsecu/util/bytes.hpp"
#include "apsecu/znp/client.hpp"
#include "apsecu/znp/msg_util.hpp"

namespace apsecu::znp {

enum class StartMode {
  Normal,   // ends with the normal-operation broadcast
  Pairing,  // no broadcast: inverters being paired must not be told we are their ECU yet
};

struct EndpointConfig {  // AF_REGISTER (§4.1 step 6)
  std::uint8_t endpoint = 0x14;
  std::uint16_t profile_id = 0x0F05;
  std::uint16_t device_id = 0x0100;
  std::uint8_t device_version = 1;
  std::uint8_t latency = 0;
  std::vector<std::uint16_t> in_clusters = {0x0000, 0x0015};
  std::vector<std::uint16_t> out_clusters;
};

struct BroadcastFraming {  // AF_DATA_REQUEST framing of the normal-operation broadcast (§4.2)
  std::uint16_t dst_addr = 0xFFFF;
  std::uint8_t dst_endpoint = 0x14;
  std::uint8_t src_endpoint = 0x14;
  std::uint16_t cluster_id = 0x0006;
  std::uint8_t trans_id = 1;
  std::uint8_t options = 0;
  std::uint8_t radius = 0x0F;
};

struct StepTimeouts {
  std::chrono::milliseconds reset_ind{5000};     // SYS_RESET_REQ -> SYS_RESET_IND
  std::chrono::milliseconds state_change{10000};  // ZB_START_REQUEST -> state 9
  std::chrono::milliseconds step{2000};           // every SRSP
};

struct RecoveryPolicy {
  std::chrono::milliseconds first_delay{2000};  // before the 2nd attempt; doubles each failure
  std::chrono::milliseconds max_delay{300000};  // 5 min
  unsigned max_attempts = 5;                    // per recover() call
};

// UTIL_GET_DEVICE_INFO tries before a module is called down: a lost or garbled reply is not a
// dead module (ESP32-ECU checkCoordinator(): 3 tries, 700 ms apart).
struct HealthPolicy {
  unsigned attempts = 3;
  std::chrono::milliseconds gap{700};
};

struct CoordinatorConfig {
  Ieee ieee{};                                // written to NV EXTADDR, wire order
  std::uint16_t pan_id = 0;                   // NV PANID
  std::uint32_t channel_mask = 0x00010000;    // NV CHANLIST: channel 16
  util::Bytes normal_op_payload;              // opaque APS payload; empty = skip the broadcast
  BroadcastFraming normal_op;
  EndpointConfig endpoint;
  transport::ResetTiming reset_timing;
  StepTimeouts timeouts;
  RecoveryPolicy recovery;
  HealthPolicy health;
  bool ping_before_health_check = false;      // SYS_PING first, as ESPHome does
};

enum class HealthFault { None, NoAnswer, BadStatus, WrongIeee, NotStarted };

struct Health {
  HealthFault fault = HealthFault::None;
  std::string reason;  // empty when up
  std::optional<UtilGetDeviceInfoRsp> info;
  [[nodiscard]] bool up() const noexcept { return fault == HealthFault::None; }
};

struct CoordinatorStats {
  std::uint64_t adoptions = 0;  // bring_up() calls that found the module up and left it so
  std::uint64_t starts = 0;
  std::uint64_t start_failures = 0;
  std::uint64_t health_checks = 0;
  std::uint64_t health_down = 0;
  std::uint64_t recovery_attempts = 0;  // start() calls made by recover()
  std::uint64_t recoveries = 0;         // recover() calls that succeeded
  std::uint64_t recovery_failures = 0;  // recover() calls that gave up
  std::uint64_t hard_resets = 0;        // reset-line pulses
  unsigned consecutive_failures = 0;    // drives the back-off; 0 after any success
};

enum class BringUp : std::uint8_t {
  Adopted,  // already up with our IEEE as coordinator: no reset, no NV write
  Started,  // the whole start sequence ran
};

// Delay before the next attempt after `consecutive_failures` failed ones (>= 1):
// first_delay * 2^(n-1), capped at max_delay.
[[nodiscard]] std::chrono::milliseconds recovery_delay(const RecoveryPolicy& policy, unsigned consecutive_failures);

class Coordinator {
 public:
  // `reset_line` may be null (or not present()): the start then relies on SYS_RESET_REQ alone.
  Coordinator(ZnpClient& client, transport::ResetLine* reset_line, CoordinatorConfig config,
              transport::Sleeper sleeper = transport::real_sleeper());

  // The whole §4.1 sequence. Error: "coordinator start (normal) failed at step 5/10 (write
  // PANID): ZB_WRITE_CONFIGURATION answered status 0x01 (failure)", with the cause's code.
  util::Status start(StartMode mode);

  // Health check first; a module up with our IEEE in state 9 is adopted (only its endpoint
  // is registered again, see register_endpoint()), anything else gets start(mode). Pairing
  // mode always starts: the inverters must not hear the normal-operation broadcast before
  // they are paired, and an adopted module may have sent it.
  util::Result<BringUp> bring_up(StartMode mode = StartMode::Normal);

  // AF_REGISTER of our endpoint on a running module. The registration lives in the module's
  // RAM: a module that reset itself and came back up from NV has lost it, and then refuses
  // every AF_DATA_REQUEST with status 0x02 (read-APSystems-YC600-QS1-DS3 #2, "FE0164010266"
  // after a cold boot, cured by INIT_N). Registering again is harmless: 0x00 means it was
  // missing, 0xB8 (ZApsDuplicateEntry) that it is still there; both leave it registered.
  // Sets *was_missing when given.
  util::Status register_endpoint(bool* was_missing = nullptr);

  // UTIL_GET_DEVICE_INFO (optionally SYS_PING first), tried health.attempts times while no
  // (or a garbled) reply comes: up when the status is 0, the IEEE is ours and the state is 9.
  Health health_check();

  // start(mode) until it succeeds, at most recovery.max_attempts times, sleeping
  // recovery_delay() before each retry. The back-off continues across calls until a success,
  // so a dead module is retried ever more slowly, up to max_delay. Errc::RecoveryFailed.
  util::Status recover(StartMode mode = StartMode::Normal);

  // The normal-operation broadcast alone (also sent after a successful pairing).
  util::Status send_normal_op_broadcast();

  // True after a successful start, adoption or health check, false after a failed one: what
  // a new engine on the same module may rely on without touching it.
  [[nodiscard]] bool known_up() const noexcept { return known_up_; }
  // False when the module can only be reset by SYS_RESET_REQ, which a frozen module ignores.
  [[nodiscard]] bool has_reset_line() const noexcept { return reset_line_ != nullptr && reset_line_->present(); }
  // What the last start() or bring_up() let pass without failing (a refused normal-operation
  // broadcast, a lost endpoint registered again), for the journal.
  [[nodiscard]] const std::vector<std::string>& notes() const noexcept { return notes_; }

  [[nodiscard]] const CoordinatorStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const CoordinatorConfig& config() const noexcept { return config_; }

 private:
  util::Status run_start(StartMode mode);
  util::Status soft_reset();
  util::Status start_network();
  util::Status verify_device();
  util::Status send_normal_op_tolerant();
  Health check_once();
  // nullopt when `info` shows a healthy coordinator.
  [[nodiscard]] std::optional<std::pair<HealthFault, util::Error>> check(const UtilGetDeviceInfoRsp& info) const;

  ZnpClient& client_;
  transport::ResetLine* reset_line_;
  CoordinatorConfig config_;
  transport::Sleeper sleeper_;
  CoordinatorStats stats_;
  bool known_up_ = false;
  std::vector<std::string> notes_;
};

}  // namespace apsecu::znp
