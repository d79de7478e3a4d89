// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What goes into the history store and what comes out of it. Everything is an integer in
// the unit its name says (mWh, dW, cV, mA, mHz, decidegrees): integers are exact, so
// aggregates equal the sum of their samples, and they pack into 1-4 bytes on disk where a
// double always takes 8. Conversions to W / Wh for display are the accessors below.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace apsecu::store {

// QS1 has four inputs, the most of any supported model; the schema has four input groups.
inline constexpr std::size_t kMaxInputs = 4;

enum class SampleKind : std::uint8_t {
  Baseline = 0,       // first answer after a (re)start: remembered, no energy
  Normal = 1,         // counters advanced; 1 is stored in zero bytes, the common case
  InverterReset = 2,  // uptime went backwards: the whole counter is new energy
  Rejected = 3,       // kept for diagnosis, never counted
};
// Only normal and reset samples feed aggregates, curves and lifetime totals.
[[nodiscard]] constexpr bool counts_as_production(SampleKind k) noexcept {
  return k == SampleKind::Normal || k == SampleKind::InverterReset;
}
[[nodiscard]] const char* kind_name(SampleKind k) noexcept;

struct InputSample {
  std::int64_t energy_counter_raw = 0;  // the inverter's accumulator as sent; scale is the caller's
  std::int64_t increase_mwh = 0;        // accounted increase since the previous sample
  std::int32_t power_dw = 0;            // deciwatts over the interval
  std::optional<std::int32_t> dc_voltage_cv;
  std::optional<std::int32_t> dc_current_ma;
  bool operator==(const InputSample&) const = default;
};

struct InverterSample {
  std::string serial;
  std::int64_t time_s = 0;  // UTC unix seconds of the answer
  std::uint32_t uptime_s = 0;
  SampleKind kind = SampleKind::Normal;
  std::vector<InputSample> inputs;  // physical order, exactly as many as the inverter has
  std::optional<std::int32_t> temperature_ddeg;  // decidegrees Celsius
  std::optional<std::int32_t> frequency_mhz;
  std::optional<std::int32_t> ac_voltage_cv;
  std::optional<std::int32_t> link_quality;  // 0..255 as the coordinator reports it
  bool operator==(const InverterSample&) const = default;
};

enum class EventLevel : std::uint8_t { Debug = 0, Info = 1, Warning = 2, Error = 3 };
[[nodiscard]] const char* level_name(EventLevel l) noexcept;

struct Event {
  std::int64_t id = 0;  // assigned by the store; ignored on append
  std::int64_t time_s = 0;
  EventLevel level = EventLevel::Info;
  std::string source;   // "poll", "zigbee", "store", ...
  std::string message;
  bool operator==(const Event&) const = default;
};

struct StateUpdate {
  std::string serial;
  std::string state;  // the engine's persisted state (JSON), opaque to the store
};

// Who the audit trail names for corrections the engine makes on its own.
inline constexpr const char* kEngineActor = "engine";

// An automatic correction the engine made while accounting a cycle (issue 3: "every
// correction goes into an audit log with its reason"). Written to the audit trail in the
// cycle's own transaction, so the trail can never miss a correction whose effect on the
// totals was committed, nor name one that was not.
struct Correction {
  std::string serial;
  std::string action;  // "inverter_reset", "rejected", "gap_estimate", "rebaseline", ...
  std::string reason;  // for a person: what was seen and what was done about it
  // What the value was and what it became. JSON text is stored as JSON; anything else is
  // stored as a JSON string; "" as null. The audit row holds {"serial":..,"value":..}.
  std::string old_value;
  std::string new_value;
  bool operator==(const Correction&) const = default;
};

// One poll cycle: written in ONE transaction so the SD card sees one commit per 5 minutes.
struct Cycle {
  std::int64_t time_s = 0;  // start of the cycle: the x of the site curve
  std::int32_t day = 0;     // local day of the cycle; all its samples are booked on it
  std::vector<InverterSample> samples;
  std::vector<StateUpdate> states;
  std::vector<Event> events;
  std::vector<Correction> corrections;  // audited with actor kEngineActor at time_s
};

struct InverterInfo {
  std::string serial;
  std::string model;  // "YC600", "QS1", "DS3"
  int inputs = 0;     // 1..kMaxInputs
  bool operator==(const InverterInfo&) const = default;
};

struct StoredState {
  std::int64_t time_s = 0;  // as of the cycle's last poll (its time when it polled nothing)
  std::string state;
};

// Who changed history and why; time comes from the caller like everywhere else.
struct AuditNote {
  std::int64_t time_s = 0;
  std::string actor;   // "web:admin", "cli", ...
  std::string reason;  // required: an edit without a reason cannot be reviewed later
};

struct AuditEntry {
  std::int64_t id = 0;
  std::int64_t time_s = 0;
  std::string actor;
  // "set_day_total", "wipe_inverter", "set_lifetime", "merge", or a Correction's action
  std::string action;
  std::string reason;
  std::string old_value;  // JSON
  std::string new_value;  // JSON
};

// ---- query results --------------------------------------------------------------------

struct CurvePoint {
  std::int64_t time_s = 0;
  std::int32_t power_dw = 0;
  [[nodiscard]] double power_w() const noexcept { return power_dw / 10.0; }
  bool operator==(const CurvePoint&) const = default;
};

struct InverterCurve {
  std::string serial;
  std::vector<CurvePoint> points;
};

struct DayCurve {
  std::int32_t day = 0;
  std::vector<InverterCurve> inverters;  // registration order; only those with points
  std::vector<CurvePoint> site;          // sum per cycle; empty when asked for one serial
};

struct DayEnergy {
  std::int32_t day = 0;
  std::int64_t energy_mwh = 0;
  [[nodiscard]] double energy_wh() const noexcept { return static_cast<double>(energy_mwh) / 1000.0; }
  bool operator==(const DayEnergy&) const = default;
};

struct InverterDays {
  std::string serial;
  std::vector<DayEnergy> days;  // only days with a row, ascending
};

struct DailyEnergy {
  std::vector<InverterDays> inverters;
  std::vector<DayEnergy> site;  // empty when asked for one serial
};

struct MonthEnergy {
  int month = 0;  // 1..12
  std::int64_t energy_mwh = 0;
  [[nodiscard]] double energy_wh() const noexcept { return static_cast<double>(energy_mwh) / 1000.0; }
  bool operator==(const MonthEnergy&) const = default;
};

struct StatisticsQuery {
  std::optional<std::string> serial;  // nullopt: the whole site
  std::optional<std::int32_t> from_day;
  std::optional<std::int32_t> to_day;
};

struct PowerPeak {
  std::int32_t day = 0;
  std::int64_t time_s = 0;
  std::int32_t power_dw = 0;
};

// Over days with production (energy > 0). Money and CO2 are the caller's: price x total_kwh().
struct Statistics {
  std::int64_t days_with_data = 0;
  std::int64_t days_with_production = 0;
  std::int64_t total_mwh = 0;
  std::optional<DayEnergy> best;
  std::optional<DayEnergy> worst;
  double mean_wh = 0;    // = average per production day
  double median_wh = 0;
  double stddev_wh = 0;  // population standard deviation
  std::optional<PowerPeak> peak;
  std::int32_t first_day = 0;  // first and last day with data in the range
  std::int32_t last_day = 0;
  [[nodiscard]] double total_kwh() const noexcept { return static_cast<double>(total_mwh) / 1e6; }
};

// ---- export rows ------------------------------------------------------------------------

struct SampleRow {
  std::int32_t day = 0;
  InverterSample sample;
};

struct InputDay {
  std::int64_t energy_mwh = 0;
  std::int32_t peak_power_dw = 0;
  std::int64_t peak_time_s = 0;
  bool operator==(const InputDay&) const = default;
};

struct DayRow {
  std::string serial;
  std::int32_t day = 0;
  std::int64_t energy_mwh = 0;
  std::int32_t peak_power_dw = 0;
  std::int64_t peak_time_s = 0;
  std::int64_t samples = 0;
  bool edited = false;  // set_day_total replaced what the samples said
  std::vector<InputDay> inputs;
};

struct RetentionOptions {
  int batch_rows = 2000;     // rows per transaction: short locks, bounded WAL growth
  int events_keep_days = 0;  // 0 keeps the journal forever
};

struct RetentionReport {
  std::int64_t samples_deleted = 0;
  std::int64_t events_deleted = 0;
  int batches = 0;
};

// ---- other files: inspection and merge --------------------------------------------------

// What inspect_database found in a file that passed every check.
struct DatabaseInfo {
  int schema_version = 0;
  std::int64_t bytes = 0;
  std::int64_t inverters = 0;
  std::int64_t samples = 0;
  std::int64_t days = 0;       // site days with a total
  std::int32_t first_day = 0;  // 0 when the file holds no days
  std::int32_t last_day = 0;
};

// What merge_from imported. Nothing that was already here is overwritten.
struct MergeReport {
  int source_schema_version = 0;
  bool source_migrated = false;  // an older schema, migrated on a temporary copy first
  std::int64_t inverters_added = 0;
  std::int64_t samples_added = 0;
  std::int64_t samples_present = 0;  // already here: kept exactly as they were
  // Older than a wipe_inverter of their inverter recorded here: a wipe stays a wipe.
  std::int64_t samples_skipped_wiped = 0;
  std::int64_t inverter_days_changed = 0;  // (inverter, day) totals or curves that changed
  std::int64_t days_recomputed = 0;        // site days rebuilt because of those
  std::int64_t months_recomputed = 0;
  std::int64_t edited_days_kept = 0;  // edited here (set_day_total): the edit was kept
  std::int64_t events_added = 0;
  std::int64_t audit_added = 0;
  std::int64_t lifetimes_raised = 0;  // inverters whose lifetime totals went up
  std::int64_t states_added = 0;
  std::int32_t first_day = 0;  // range of the recomputed days; 0 when none
  std::int32_t last_day = 0;
};

}  // namespace apsecu::store
