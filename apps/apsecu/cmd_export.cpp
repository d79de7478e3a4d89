// SPDX-License-Identifier: GPL-3.0-or-later
// `apsecu export`: daily totals or samples on stdout, as CSV (with a header) or JSON (one
// object per line), one row per inverter input with the energy in Wh. Streams through the
// store's cursors on a read-only connection, so it runs beside the daemon and never holds
// the history in memory.

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "apsecu/store/day_key.hpp"
#include "apsecu/store/store.hpp"
#include "commands.hpp"

namespace apsecu::app {
namespace {

namespace fs = std::filesystem;

struct ExportArgs {
  std::string data_dir;
  bool days = false;
  bool samples = false;
  std::string from;
  std::string to;
  std::string format = "csv";
  std::string serial;
};

// "2026-06-21" or "20260621".
std::optional<std::int32_t> parse_date(const std::string& text) {
  std::string digits;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != '-') {
      return std::nullopt;
    }
  }
  if (digits.size() != 8 || (text.size() != 8 && text.size() != 10)) return std::nullopt;
  const auto key = static_cast<std::int32_t>(std::stol(digits));
  if (!store::is_valid_day_key(key)) return std::nullopt;
  return key;
}

std::string date_text(std::int32_t day) { return fmt::format("{:04}-{:02}-{:02}", day / 10000, day / 100 % 100, day % 100); }

std::string utc_text(std::int64_t unix_s) {
  const auto days = unix_s >= 0 ? unix_s / 86400 : (unix_s - 86399) / 86400;
  const auto secs = unix_s - days * 86400;
  const auto d = store::civil_from_days(days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", d.year, d.month, d.day, secs / 3600, secs / 60 % 60,
                     secs % 60);
}

std::string wh(std::int64_t mwh) { return fmt::format("{:.3f}", static_cast<double>(mwh) / 1000.0); }
std::string scaled(std::optional<std::int32_t> v, double div, int decimals) {
  return v ? fmt::format("{:.{}f}", *v / div, decimals) : std::string();
}
std::string json_or_null(const std::string& v) { return v.empty() ? "null" : v; }

// Serials are digits, but a store could hold anything: keep the JSON and CSV valid.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

class Output {
 public:
  explicit Output(bool json) : json_(json) {}
  void header(const char* csv_header) {
    if (!json_) line(csv_header);
  }
  // name=value pairs; values are already JSON literals (numbers, quoted text, null).
  void row(std::initializer_list<std::pair<const char*, std::string>> fields) {
    std::string out;
    bool first = true;
    for (const auto& [name, value] : fields) {
      if (json_) {
        out += fmt::format("{}\"{}\":{}", first ? "{" : ",", name, json_or_null(value));
      } else {
        out += fmt::format("{}{}", first ? "" : ",", value == "null" ? "" : value);
      }
      first = false;
    }
    if (json_) out += '}';
    line(out);
  }
  [[nodiscard]] bool ok() const { return std::ferror(stdout) == 0; }

 private:
  static void line(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
  }
  bool json_;
};

util::Status export_days(store::Store& s, std::int32_t from, std::int32_t to, std::optional<std::string_view> serial,
                         Output& out) {
  auto cursor = s.export_days(from, to, serial);
  if (!cursor) return cursor.error();
  out.header("serial,input,date,energy_wh,peak_power_w,peak_time,inverter_energy_wh,edited");
  for (;;) {
    auto row = cursor->next();
    if (!row) return row.error();
    if (!*row) return {};
    const auto& d = **row;
    const auto edited = std::string(d.edited ? "true" : "false");
    if (d.inputs.empty()) {  // a day filled in by hand: only the inverter's total exists
      out.row({{"serial", quoted(d.serial)}, {"input", "null"}, {"date", quoted(date_text(d.day))},
               {"energy_wh", wh(d.energy_mwh)}, {"peak_power_w", "null"}, {"peak_time", "null"},
               {"inverter_energy_wh", wh(d.energy_mwh)}, {"edited", edited}});
    }
    for (std::size_t i = 0; i < d.inputs.size(); ++i) {
      const auto& in = d.inputs[i];
      out.row({{"serial", quoted(d.serial)}, {"input", std::to_string(i + 1)}, {"date", quoted(date_text(d.day))},
               {"energy_wh", wh(in.energy_mwh)}, {"peak_power_w", scaled(in.peak_power_dw, 10.0, 1)},
               {"peak_time", in.peak_time_s > 0 ? quoted(utc_text(in.peak_time_s)) : "null"},
               {"inverter_energy_wh", wh(d.energy_mwh)}, {"edited", edited}});
    }
  }
}

util::Status export_samples(store::Store& s, std::int32_t from, std::int32_t to, std::optional<std::string_view> serial,
                            Output& out) {
  auto cursor = s.export_samples(from, to, serial);
  if (!cursor) return cursor.error();
  out.header(
      "serial,input,time,date,kind,uptime_s,energy_wh,power_w,counter,dc_voltage_v,dc_current_a,temperature_c,"
      "frequency_hz,ac_voltage_v");
  for (;;) {
    auto row = cursor->next();
    if (!row) return row.error();
    if (!*row) return {};
    const auto& sample = (*row)->sample;
    // Energy as counted: baseline and rejected samples add nothing, so the column sums right.
    const bool counts = store::counts_as_production(sample.kind);
    for (std::size_t i = 0; i < sample.inputs.size(); ++i) {
      const auto& in = sample.inputs[i];
      out.row({{"serial", quoted(sample.serial)}, {"input", std::to_string(i + 1)},
               {"time", quoted(utc_text(sample.time_s))}, {"date", quoted(date_text((*row)->day))},
               {"kind", quoted(store::kind_name(sample.kind))}, {"uptime_s", std::to_string(sample.uptime_s)},
               {"energy_wh", wh(counts ? in.increase_mwh : 0)}, {"power_w", scaled(in.power_dw, 10.0, 1)},
               {"counter", std::to_string(in.energy_counter_raw)}, {"dc_voltage_v", scaled(in.dc_voltage_cv, 100.0, 2)},
               {"dc_current_a", scaled(in.dc_current_ma, 1000.0, 3)},
               {"temperature_c", scaled(sample.temperature_ddeg, 10.0, 1)},
               {"frequency_hz", scaled(sample.frequency_mhz, 1000.0, 3)},
               {"ac_voltage_v", scaled(sample.ac_voltage_cv, 100.0, 2)}});
    }
  }
}

int run_export(const ExportArgs& args) {
  const std::int32_t from = args.from.empty() ? 19700101 : parse_date(args.from).value_or(0);
  const std::int32_t to = args.to.empty() ? 99991231 : parse_date(args.to).value_or(0);
  if (from == 0 || to == 0) {
    std::cerr << "export: --from/--to must be dates like 2026-06-21 (got '" << (from == 0 ? args.from : args.to)
              << "')\n";
    return 2;
  }
  const auto db_path = fs::path(args.data_dir) / "apsecu.db";
  if (!fs::exists(db_path)) {
    std::cerr << "export: no history in " << args.data_dir << " (" << db_path.string() << " does not exist)\n";
    return 1;
  }
  // Read-only: safe beside the running daemon, and never creates or migrates anything.
  auto store = store::Store::open(db_path.string(), {.read_only = true});
  if (!store) {
    std::cerr << "export: " << store.error().describe() << '\n';
    return 1;
  }
  std::optional<std::string_view> serial;
  if (!args.serial.empty()) serial = args.serial;
  Output out(args.format == "json");
  auto st = args.days ? export_days(*store, from, to, serial, out) : export_samples(*store, from, to, serial, out);
  std::fflush(stdout);
  if (!st) {
    std::cerr << "export: " << st.error().describe() << '\n';
    return 1;
  }
  if (!out.ok()) {
    std::cerr << "export: writing to stdout failed\n";
    return 1;
  }
  return 0;
}

}  // namespace

Runner add_export_command(CLI::App& root) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = root.add_subcommand("export", "Print daily totals or samples as CSV or JSON lines (energy in Wh)");
  cmd->add_option("--data", args->data_dir, "The data directory (holds apsecu.db)")->required();
  auto* days = cmd->add_flag("--days", args->days, "Daily totals: one row per inverter input and day");
  auto* samples = cmd->add_flag("--samples", args->samples, "Samples: one row per inverter input and poll");
  days->excludes(samples);
  samples->excludes(days);
  cmd->add_option("--from", args->from, "First day, YYYY-MM-DD (default: the first with data)");
  cmd->add_option("--to", args->to, "Last day, YYYY-MM-DD (default: the last with data)");
  cmd->add_option("--format", args->format, "csv (with a header) or json (one object per line)")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--serial", args->serial, "Only this inverter");
  return [args, cmd] {
    if (!args->days && !args->samples) {
      std::cerr << "export: say what to export: --days or --samples\n" << cmd->help();
      return 2;
    }
    return run_export(*args);
  };
}

}  // namespace apsecu::app
