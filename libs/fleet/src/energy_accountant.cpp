// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/fleet/energy_accountant.hpp"

#include <fmt/format.h>

namespace apsecu::fleet {

EnergyAccountant::EnergyAccountant(AccountingPolicy policy, std::optional<CounterSample> last)
    : policy_(std::move(policy)), last_(std::move(last)) {}

Accounted EnergyAccountant::reject(std::string reason) {
  ++rejected_;
  ++consecutive_rejections_;
  Accounted out;
  out.kind = SampleKind::Rejected;
  out.reason = std::move(reason);
  return out;
}

std::optional<std::string> EnergyAccountant::implausible(const std::vector<InputResult>& inputs,
                                                         std::uint32_t interval_s) const {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const double inc = inputs[i].increase_wh;
    if (inc < 0) return fmt::format("input {} counter went down by {:.2f} Wh", i + 1, -inc);
    const double rated = i < policy_.rated_power_w.size() ? policy_.rated_power_w[i] : 0.0;
    if (rated <= 0) continue;
    const double max_wh = rated * interval_s / 3600.0 * policy_.plausibility_margin + policy_.slack_wh;
    if (inc > max_wh) {
      return fmt::format("input {} gained {:.2f} Wh in {} s, more than {:.0f} W × {:.1f} allows", i + 1, inc,
                         interval_s, rated, policy_.plausibility_margin);
    }
  }
  return std::nullopt;
}

Accounted EnergyAccountant::apply(const CounterSample& sample) {
  const bool comparable = last_ && last_->energy_counter_wh.size() == sample.energy_counter_wh.size();
  // With nothing to compare to, an inverter that powered up moments ago is judged like a
  // restart: its whole counter is today's energy.
  const bool fresh = !comparable && sample.uptime_s > 0 && sample.uptime_s <= policy_.fresh_start_max_uptime_s;
  if (!comparable && !fresh) {
    last_ = sample;
    consecutive_rejections_ = 0;
    Accounted out;
    out.kind = SampleKind::Baseline;
    out.inputs.assign(sample.energy_counter_wh.size(), InputResult{});
    return out;  // no reason: nothing was corrected
  }

  const bool reset = fresh || sample.uptime_s < last_->uptime_s;
  if (!reset && sample.uptime_s == last_->uptime_s) return reject("uptime did not advance (repeated answer)");

  // After a restart the counters started from zero at uptime 0, so the whole counter and the
  // whole uptime are the increase and its interval.
  const std::uint32_t interval_s = reset ? sample.uptime_s : sample.uptime_s - last_->uptime_s;
  std::vector<InputResult> inputs(sample.energy_counter_wh.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    inputs[i].increase_wh =
        reset ? sample.energy_counter_wh[i] : sample.energy_counter_wh[i] - last_->energy_counter_wh[i];
    inputs[i].power_w = interval_s > 0 ? inputs[i].increase_wh * 3600.0 / interval_s : 0.0;
  }

  if (auto why = implausible(inputs, interval_s)) {
    if (consecutive_rejections_ + 1 >= policy_.rebaseline_after_rejections) {
      // The stored baseline itself is probably what is wrong (e.g. a scale change); start over
      // from this sample rather than rejecting forever.
      ++rejected_;
      last_ = sample;
      consecutive_rejections_ = 0;
      Accounted out;
      out.kind = SampleKind::Baseline;
      out.inputs.assign(inputs.size(), InputResult{});
      out.reason = *why + "; re-baselined after repeated rejections";
      return out;
    }
    return reject(*why);
  }

  consecutive_rejections_ = 0;
  last_ = sample;
  Accounted out;
  out.kind = reset ? SampleKind::InverterReset : SampleKind::Normal;
  out.interval_s = interval_s;
  out.inputs = std::move(inputs);
  for (const auto& in : out.inputs) {
    out.power_w += in.power_w;
    out.increase_wh += in.increase_wh;
  }
  if (fresh) {
    out.reason = fmt::format("first sample: the inverter powered up {} s ago, its whole counter counts",
                             sample.uptime_s);
  } else if (reset) {
    ++resets_;
    out.reason = fmt::format("inverter restarted (uptime {} s)", sample.uptime_s);
  }
  return out;
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
