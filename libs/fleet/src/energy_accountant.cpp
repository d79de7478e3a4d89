// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/fleet/energy_accountant.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace apsecu::fleet {

// From `from` to `to`; with no `from`, or an uptime that went backwards, the inverter
// restarted and its counters rose from 0 over its whole uptime.
struct EnergyAccountant::Step {
  bool restart = false;
  std::uint32_t interval_s = 0;
  std::vector<InputResult> inputs;

  static Step between(const std::optional<CounterSample>& from, const CounterSample& to) {
    Step s;
    s.restart = !from || to.uptime_s < from->uptime_s;
    s.interval_s = s.restart ? to.uptime_s : to.uptime_s - from->uptime_s;
    s.inputs.resize(to.energy_counter_wh.size());
    for (std::size_t i = 0; i < s.inputs.size(); ++i) {
      const double before = s.restart || i >= from->energy_counter_wh.size() ? 0.0 : from->energy_counter_wh[i];
      s.inputs[i].increase_wh = to.energy_counter_wh[i] - before;
      s.inputs[i].power_w = s.interval_s > 0 ? s.inputs[i].increase_wh * 3600.0 / s.interval_s : 0.0;
    }
    return s;
  }
};

EnergyAccountant::EnergyAccountant(AccountingPolicy policy, std::optional<CounterSample> last)
    : policy_(std::move(policy)), last_(std::move(last)) {}

Accounted EnergyAccountant::reject(std::string reason) {
  ++rejected_;
  Accounted out;
  out.kind = SampleKind::Rejected;
  out.reason = std::move(reason);
  return out;
}

// The baseline stays where it was, so whatever this sample's counters hold is still counted
// once a later sample is accepted against it.
Accounted EnergyAccountant::hold(const CounterSample& sample, std::string why) {
  held_ = sample;
  return reject(why + "; held until the next sample confirms it");
}

std::optional<std::string> EnergyAccountant::implausible(const Step& step, double factor) const {
  for (std::size_t i = 0; i < step.inputs.size(); ++i) {
    const double inc = step.inputs[i].increase_wh;
    if (inc < 0) return fmt::format("input {} counter went down by {:.2f} Wh", i + 1, -inc);
    const double rated = i < policy_.rated_power_w.size() ? policy_.rated_power_w[i] : 0.0;
    if (rated <= 0) continue;
    // A level the inverter has shown twice in a row is expected from then on (until apsecu
    // restarts: then one sample waits for the next again, and still nothing is lost).
    const double expected = std::max(rated, i < confirmed_w_.size() ? confirmed_w_[i] : 0.0);
    const double max_wh = expected * step.interval_s / 3600.0 * factor + policy_.slack_wh;
    if (inc > max_wh) {
      return fmt::format("input {} gained {:.2f} Wh in {} s ({:.0f} W), more than {:.0f} W × {:.1f} allows", i + 1,
                         inc, step.interval_s, step.inputs[i].power_w, expected, factor);
    }
  }
  return std::nullopt;
}

Accounted EnergyAccountant::accept(const CounterSample& sample, const Step& step, std::string reason) {
  last_ = sample;
  held_.reset();
  Accounted out;
  out.kind = step.restart ? SampleKind::InverterReset : SampleKind::Normal;
  out.interval_s = step.interval_s;
  out.inputs = step.inputs;
  for (const auto& in : out.inputs) {
    out.power_w += in.power_w;
    out.increase_wh += in.increase_wh;
  }
  out.reason = std::move(reason);
  return out;
}

Accounted EnergyAccountant::apply(const CounterSample& sample) {
  const bool comparable = last_ && last_->energy_counter_wh.size() == sample.energy_counter_wh.size();
  // With nothing to compare to, an inverter that powered up moments ago is judged like a
  // restart: its whole counter is today's energy.
  const bool fresh = !comparable && sample.uptime_s > 0 && sample.uptime_s <= policy_.fresh_start_max_uptime_s;
  if (!comparable && !fresh) {
    last_ = sample;
    held_.reset();
    Accounted out;
    out.kind = SampleKind::Baseline;
    out.inputs.assign(sample.energy_counter_wh.size(), InputResult{});
    return out;  // no reason: nothing was corrected
  }
  if (comparable && sample.uptime_s == last_->uptime_s) return reject("uptime did not advance (repeated answer)");
  const auto base = comparable ? last_ : std::nullopt;
  const Step step = Step::between(base, sample);
  if (step.interval_s < policy_.min_interval_s) {
    return reject(fmt::format("only {} s after the last sample, too short for a power: counted with the next one",
                              step.interval_s));
  }

  const auto why = implausible(step, policy_.plausibility_margin);
  if (!why) {
    std::string reason;
    if (fresh) {
      reason = fmt::format("first sample: the inverter powered up {} s ago, its whole counter counts", sample.uptime_s);
    } else if (step.restart) {
      ++resets_;
      reason = fmt::format("inverter restarted (uptime {} s)", sample.uptime_s);
    }
    if (held_) {
      reason += std::string(reason.empty() ? "" : "; ") +
                fmt::format("the sample held at uptime {} s was passing: counted from the baseline", held_->uptime_s);
    }
    return accept(sample, step, std::move(reason));
  }

  // Above the expected level. A held sample that this one continues from decides.
  const bool continues = held_ && held_->energy_counter_wh.size() == sample.energy_counter_wh.size() &&
                         held_->uptime_s != sample.uptime_s;
  if (!continues) {
    if (held_ && held_->uptime_s == sample.uptime_s) return reject("uptime did not advance (repeated answer)");
    return hold(sample, *why);
  }
  const Step lead = Step::between(base, *held_);
  const Step hop = Step::between(held_, sample);
  if (implausible(hop, policy_.physical_max_factor)) return hold(sample, *why);
  if (!implausible(lead, policy_.physical_max_factor)) {
    // Two samples in a row at that level: it is real, and all of it counts.
    if (step.restart && !fresh) ++resets_;
    confirmed_w_.resize(sample.energy_counter_wh.size(), 0.0);
    for (std::size_t i = 0; i < confirmed_w_.size(); ++i) {
      confirmed_w_[i] = std::max({confirmed_w_[i], lead.inputs[i].power_w, hop.inputs[i].power_w});
    }
    auto out = accept(sample, step,
                      fmt::format("{}; confirmed by the next sample: counted ({} s since the baseline)", *why,
                                  step.interval_s));
    // The power now is the last interval's, not the average since the baseline.
    out.power_w = 0;
    for (std::size_t i = 0; i < out.inputs.size() && i < hop.inputs.size(); ++i) {
      out.inputs[i].power_w = hop.inputs[i].power_w;
      out.power_w += hop.inputs[i].power_w;
    }
    return out;
  }
  // The step up to the held sample is more than any input can feed (or went down): a counter
  // jump, not energy. The held sample is the new baseline, and what came after it counts.
  const auto jump = *implausible(lead, policy_.physical_max_factor);
  if (hop.restart) ++resets_;
  return accept(sample, hop,
                fmt::format("{}: a counter jump, not counted; counted from the sample after it (uptime {} s)", jump,
                            held_->uptime_s));
}

std::string_view kind_name(SampleKind k) noexcept {
  switch (k) {
    case SampleKind::Baseline: return "baseline";
    case SampleKind::Normal: return "normal";
    case SampleKind::InverterReset: return "inverter_reset";
    case SampleKind::Rejected: return "rejected";
  }
  return "?";
}

}  // namespace apsecu::fleet
