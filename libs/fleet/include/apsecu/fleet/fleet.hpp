// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The inverters as apsecu sees them: identity from the settings, and per inverter the energy
// accountant, the day ledger, the last reading and the link outcome. Pure: times and day
// keys come from the caller; persisted state goes in and out as JSON text.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apsecu/aps/telemetry.hpp"
#include "apsecu/fleet/energy_accountant.hpp"
#include "apsecu/fleet/ledger.hpp"
#include "apsecu/util/clock.hpp"

namespace apsecu::fleet {

struct InverterSpec {
  aps::Serial serial;
  aps::Model model = aps::Model::Yc600;
  std::string name;
  std::optional<std::uint16_t> short_address;
  std::vector<bool> inputs_in_use;  // empty: all
  double panel_power_w = 300;
  std::vector<double> panel_peak_w{};  // per input, the panels on it; empty: panel_power_w each
  aps::DecodeOptions decode;         // decode.input_order: the owner's numbering of the inputs
};

// What each input may feed before a sample needs the next one to confirm it: the model's
// rating or the configured panels, whichever is more. A low setting (the 300 W default of
// panel_power_w) must never make real energy look implausible.
[[nodiscard]] std::vector<double> expected_input_power_w(const InverterSpec& spec);

// One input's view after the last poll.
struct InputView {
  bool in_use = true;
  std::optional<double> dc_voltage_v;
  std::optional<double> dc_current_a;
  double power_w = 0;
  double today_wh = 0;
  double lifetime_wh = 0;
  double energy_counter_wh = 0;
};

struct InverterView {
  std::string serial;
  std::string model;
  std::string name;
  std::optional<std::uint16_t> short_address;
  std::optional<util::WallTime> sample_time;  // of the last accepted reading
  std::optional<aps::Telemetry> telemetry;
  std::optional<double> link_quality_pct;
  std::vector<InputView> inputs;
  double power_w = 0;
  double today_wh = 0;
  double lifetime_wh = 0;
  std::optional<util::WallTime> last_poll_time;
  std::string last_outcome = "never";  // "ok", "no_route", ...
  std::string last_detail;
  int consecutive_failures = 0;
};

// What one successful poll did to the books.
struct Applied {
  Accounted accounted;          // per input increases and power (estimate included)
  double estimated_gap_wh = 0;  // added for energy produced before an inverter restart
  std::string note;             // a correction worth journaling; empty when normal
};

struct FleetPolicy {
  std::uint32_t poll_interval_s = 300;
  double plausibility_margin = 1.5;
  // After a restart the energy produced between the last poll and the restart is gone from
  // the counters; estimate it from the power measured around the gap (audited), rather than
  // lose it. Only within one local day, and for gaps up to this long: a slow or busy host
  // can miss several polls around a restart.
  std::uint32_t max_estimated_gap_s = 4 * 3600;
};

class Fleet {
 public:
  Fleet(std::vector<InverterSpec> specs, FleetPolicy policy, const std::map<std::string, std::string>& states = {});

  [[nodiscard]] const std::vector<InverterSpec>& specs() const noexcept { return specs_; }
  [[nodiscard]] const InverterSpec* find(const aps::Serial& serial) const noexcept;
  void set_short_address(const aps::Serial& serial, std::uint16_t address);

  // A decoded reply at wall time `t` booked on local day `day`. nullopt for an unknown serial.
  std::optional<Applied> apply(const aps::Serial& serial, const aps::Telemetry& t, std::optional<double> lqi_pct,
                               util::WallTime when, DayKey day);
  void record_failure(const aps::Serial& serial, std::string outcome, std::string detail, util::WallTime when);

  // Closes every inverter's day when `day` is a new one.
  std::vector<std::pair<std::string, ClosedDay>> roll_to(DayKey day);
  // End of the poll window: power 0, energy kept.
  void zero_power();

  [[nodiscard]] std::vector<InverterView> views() const;
  // The persisted state of one inverter (accountant baseline, ledger, last power).
  [[nodiscard]] std::string state_json(const aps::Serial& serial) const;

 private:
  struct Runtime {
    EnergyAccountant accountant;
    Ledger ledger;
    InverterView view;
    std::optional<util::WallTime> last_sample_time;
    std::vector<double> last_power_w;
  };
  Runtime& runtime(std::size_t index) { return runtimes_[index]; }
  [[nodiscard]] std::optional<std::size_t> index_of(const aps::Serial& serial) const noexcept;
  void refresh_view(std::size_t index);
  double estimate_gap(Runtime& rt, const aps::Telemetry& t, util::WallTime when, DayKey day, Accounted& acc) const;

  std::vector<InverterSpec> specs_;
  FleetPolicy policy_;
  std::vector<Runtime> runtimes_;
};

}  // namespace apsecu::fleet
