// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/emulator/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "apsecu/aps/ids.hpp"
#include "model_behaviour.hpp"

namespace apsecu::emulator {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "emulator"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::BadConfig: return "invalid emulator configuration";
      case Errc::PtyFailed: return "cannot create the pseudo-terminal";
      case Errc::FifoFailed: return "cannot create the reset fifo";
      case Errc::NotRunning: return "emulator not running";
    }
    return "unknown emulator error";
  }
};

bool reserved_address(std::uint16_t a) noexcept { return a == 0x0000 || a >= 0xFFF8; }

// Stable per serial, so a config without addresses gives the same network every run.
std::uint16_t address_from_serial(const std::string& serial) noexcept {
  std::uint32_t h = 2166136261U;
  for (const char c : serial) h = (h ^ static_cast<std::uint8_t>(c)) * 16777619U;
  return static_cast<std::uint16_t>((h >> 16) ^ (h & 0xFFFF));
}

}  // namespace

std::error_code make_error_code(Errc e) noexcept {
  static const Category category;
  return {static_cast<int>(e), category};
}

double rated_ac_power_w(aps::Model model) noexcept { return behaviour(model).rated_ac_w; }

std::vector<InverterConfig> default_inverters() {
  auto make = [](const char* serial, aps::Model model, std::uint16_t address, std::uint8_t lqi, unsigned routes) {
    InverterConfig c;
    c.serial = serial;
    c.model = model;
    c.short_address = address;
    c.link_quality = lqi;
    c.route_reports = routes;
    return c;
  };
  // Serials and short addresses from the captures in the protocol reference (§6.1, §6.8).
  return {make("408000158215", aps::Model::Yc600, 0x103A, 0x71, 1),
          make("801000007312", aps::Model::Qs1, 0x6C14, 0x5C, 1),
          make("703000021300", aps::Model::Ds3, 0x6C22, 0x4C, 2)};
}

util::Result<EmulatorConfig> finalize(EmulatorConfig config) {
  std::vector<std::string> problems;
  if (!aps::EcuId::parse(config.ecu_id)) problems.push_back("ecu_id must be 12 hex characters");
  if (config.inverters.empty()) config.inverters = default_inverters();
  if (!(config.location.latitude_deg >= -90 && config.location.latitude_deg <= 90)) {
    problems.push_back("latitude must be within -90..90");
  }
  if (!(config.location.longitude_deg >= -180 && config.location.longitude_deg <= 180)) {
    problems.push_back("longitude must be within -180..180");
  }
  if (!(config.speed > 0)) problems.push_back("speed must be > 0");
  if (!(config.timing_scale >= 0)) problems.push_back("timing scale must be >= 0");
  if (!(config.step_s > 0 && config.step_s <= 60)) problems.push_back("step_s must be within (0, 60]");
  if (!(config.cloudiness >= 0 && config.cloudiness <= 1)) problems.push_back("cloudiness must be within 0..1");
  for (const double r : {config.faults.drop_rate, config.faults.bad_fcs_rate, config.faults.garbage_rate,
                         config.faults.split_rate, config.faults.late_rate, config.faults.bad_l2_checksum_rate}) {
    if (!(r >= 0 && r <= 1)) problems.push_back("fault rates must be within 0..1");
  }
  if (config.faults.late_max < config.faults.late_min) problems.push_back("late_max must be >= late_min");
  if (!config.day_utc_offset_min) {
    config.day_utc_offset_min = static_cast<int>(std::lround(config.location.longitude_deg / 15.0)) * 60;
  }

  std::set<std::string> serials;
  std::set<std::uint16_t> addresses;
  for (auto& inv : config.inverters) {
    if (!aps::Serial::parse(inv.serial)) problems.push_back("serial '" + inv.serial + "' must be 12 digits");
    if (!serials.insert(inv.serial).second) problems.push_back("serial " + inv.serial + " appears twice");
    const auto inputs = aps::info(inv.model).inputs;
    if (inv.panel_peak_w.empty()) inv.panel_peak_w.assign(inputs, behaviour(inv.model).default_panel_w);
    if (inv.panel_peak_w.size() != inputs) {
      problems.push_back("inverter " + inv.serial + " needs " + std::to_string(inputs) + " panel values");
    }
    for (const double w : inv.panel_peak_w) {
      if (!(w >= 0 && w <= 1000)) problems.push_back("panel power of " + inv.serial + " must be within 0..1000 W");
    }
    if (!inv.orientation) {
      inv.orientation = schedule::PanelOrientation{35, config.location.latitude_deg >= 0 ? 180.0 : 0.0};
    }
    if (inv.route_reports > 3) problems.push_back("route_reports of " + inv.serial + " must be 0..3");
    if (inv.power_limit_per_panel_w && !(*inv.power_limit_per_panel_w >= 0)) {
      problems.push_back("power limit per panel of " + inv.serial + " must be >= 0");
    }
    if (inv.short_address != 0 && reserved_address(inv.short_address)) {
      problems.push_back("short address of " + inv.serial + " is reserved");
    }
    if (inv.short_address != 0 && !addresses.insert(inv.short_address).second) {
      problems.push_back("short address of " + inv.serial + " is used twice");
    }
  }
  for (auto& inv : config.inverters) {
    if (inv.short_address != 0) continue;
    auto a = address_from_serial(inv.serial);
    while (reserved_address(a) || addresses.count(a) != 0 || a == config.neighbour_router) ++a;
    inv.short_address = a;
    addresses.insert(a);
  }
  if (addresses.count(config.neighbour_router) != 0) {
    problems.push_back("neighbour_router must not be an inverter's address");
  }
  for (const auto& e : config.events) {
    if (e.kind == EventKind::ResetInverter && serials.count(e.serial) == 0) {
      problems.push_back("event names unknown inverter " + e.serial);
    }
  }
  if (!problems.empty()) {
    std::string msg = "emulator configuration: ";
    for (std::size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    return util::make_error(Errc::BadConfig, msg);
  }
  return config;
}

std::optional<util::WallTime> parse_utc(std::string_view text) {
  int y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int used = 0;
  const std::string str(text);
  if (std::sscanf(str.c_str(), "%d-%u-%uT%u:%u:%u%n", &y, &mo, &d, &h, &mi, &s, &used) < 6) {
    s = 0;
    used = 0;
    if (std::sscanf(str.c_str(), "%d-%u-%uT%u:%u%n", &y, &mo, &d, &h, &mi, &used) < 5) return std::nullopt;
  }
  const auto rest = std::string_view(str).substr(static_cast<std::size_t>(used));
  if (!(rest.empty() || rest == "Z" || rest == "z")) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{mo}, std::chrono::day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
}

std::string format_utc(util::WallTime t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(t - day)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace apsecu::emulator
