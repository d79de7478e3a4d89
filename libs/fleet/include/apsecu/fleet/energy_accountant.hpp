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
  // Per input, the most it is expected to feed (the model's rating or the configured panels,
  // whichever is more); a zero entry disables the plausibility check.
  std::vector<double> rated_power_w;
  double plausibility_margin = 1.5;   // accepted at once: increase <= rated × Δt × margin (+ slack)
  double slack_wh = 0.5;              // absorbs counter quantisation on short intervals
  // A sample above that is held, not thrown away: the next one decides. If its counters
  // continue from the held ones, the level was real and everything since the baseline counts
  // (a DS3-D with two panels per input, panels larger than configured). Only a step no input
  // can feed (beyond rated × this factor), or a counter that went down, is never counted.
  double physical_max_factor = 4.0;
  // Uptime counts whole seconds, so a power over a few seconds is off by up to 1 s in the
  // interval: 2 s of energy over "1 s" doubles it (two polls moments apart, a restarted
  // daemon polling just after its predecessor). A sample this soon after the baseline leaves
  // the baseline alone; its energy counts with the next sample, its power is not trusted.
  std::uint32_t min_interval_s = 20;
  // With nothing to compare to, a counter from an inverter that powered up this recently is
  // all of today's energy (the first morning after installation); an older one is only a
  // baseline, since part of it may belong to a day apsecu did not see.
  std::uint32_t fresh_start_max_uptime_s = 0;
};

enum class SampleKind : std::uint8_t {
  Baseline,       // nothing to compare with: remembered, contributes nothing
  Normal,         // counters advanced
  InverterReset,  // uptime went backwards: the counter is the increase since the restart
  Rejected,       // no time passed, or held for the next sample to confirm: nothing counted yet
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
  struct Step;  // counter increases from one sample (or from a restart at 0) to another
  [[nodiscard]] Accounted reject(std::string reason);
  [[nodiscard]] Accounted hold(const CounterSample& sample, std::string why);
  [[nodiscard]] Accounted accept(const CounterSample& sample, const Step& step, std::string reason);
  [[nodiscard]] std::optional<std::string> implausible(const Step& step, double factor) const;

  AccountingPolicy policy_;
  std::optional<CounterSample> last_;
  std::optional<CounterSample> held_;  // above the expected level; waits for the next sample
  std::vector<double> confirmed_w_;    // per input, levels above the rating two samples confirmed
  std::uint64_t rejected_ = 0;
  std::uint64_t resets_ = 0;
};

[[nodiscard]] std::string_view kind_name(SampleKind k) noexcept;

}  // namespace apsecu::fleet
