// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Turns an inverter's counters into power and energy increases (protocol §5.6–5.7).
//
// The inverter reports, per input, an energy counter that starts at 0 when it powers up,
// and an uptime counter in seconds. Power is never read; it is the counter delta divided by
// the uptime delta. An uptime that goes backwards means the inverter restarted (every
// morning, after twilight or a reset); its new counter is then all new energy.
//
// Pure: no I/O, no clock. The caller persists state() so that a restart of apsecu does not
// produce a spike.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace apsecu::fleet {

struct CounterSample {
  std::uint32_t uptime_s = 0;
  std::vector<double> energy_counter_wh;  // one per input, physical order
};

struct AccountingPolicy {
  std::vector<double> rated_power_w;  // per input; a zero entry disables the plausibility check
  double plausibility_margin = 1.5;   // accepted increase <= rated × Δt × margin (+ slack)
  double slack_wh = 0.5;              // absorbs counter quantisation on short intervals
  int rebaseline_after_rejections = 3;  // a stuck bad baseline must not block forever
  // With nothing to compare to, a counter from an inverter that powered up this recently is
  // all of today's energy (the first morning after installation); an older one is only a
  // baseline, since part of it may belong to a day apsecu did not see.
  std::uint32_t fresh_start_max_uptime_s = 0;
};

enum class SampleKind : std::uint8_t {
  Baseline,       // nothing to compare with: remembered, contributes nothing
  Normal,         // counters advanced
  InverterReset,  // uptime went backwards: the counter is the increase since the restart
  Rejected,       // negative or implausible increase, or no time passed: ignored
};

struct InputResult {
  double power_w = 0;
  double increase_wh = 0;
};

struct Accounted {
  SampleKind kind = SampleKind::Baseline;
  std::vector<InputResult> inputs;
  double power_w = 0;      // sum over inputs
  double increase_wh = 0;  // sum over inputs
  std::uint32_t interval_s = 0;
  std::string reason;      // why a sample was rejected, reset or re-baselined; empty otherwise
};

class EnergyAccountant {
 public:
  explicit EnergyAccountant(AccountingPolicy policy, std::optional<CounterSample> last = std::nullopt);

  [[nodiscard]] Accounted apply(const CounterSample& sample);

  // The last accepted sample; persist it and pass it back to the constructor after a restart.
  [[nodiscard]] const std::optional<CounterSample>& state() const noexcept { return last_; }
  [[nodiscard]] std::uint64_t rejected_count() const noexcept { return rejected_; }
  [[nodiscard]] std::uint64_t reset_count() const noexcept { return resets_; }

 private:
  [[nodiscard]] Accounted reject(std::string reason);
  [[nodiscard]] std::optional<std::string> implausible(const std::vector<InputResult>& inputs,
                                                       std::uint32_t interval_s) const;

  AccountingPolicy policy_;
  std::optional<CounterSample> last_;
  int consecutive_rejections_ = 0;
  std::uint64_t rejected_ = 0;
  std::uint64_t resets_ = 0;
};

[[nodiscard]] std::string_view kind_name(SampleKind k) noexcept;

}  // namespace apsecu::fleet
