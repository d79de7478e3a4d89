// SPDX-License-Identifier: GPL-3.0-or-later
// JSON form of EmulatorConfig (keys documented in docs/emulator.md). Every key is optional;
// an unknown key is an error so that a typo does not silently run the defaults.
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apsecu/emulator/config.hpp"

namespace apsecu::emulator {
namespace {

using nlohmann::json;

struct BadKey {
  std::string message;
};

void only_keys(const json& j, const std::set<std::string>& allowed, const std::string& where) {
  if (!j.is_object()) throw BadKey{where + " must be an object"};
  for (const auto& [key, value] : j.items()) {
    if (allowed.count(key) == 0) throw BadKey{"unknown key '" + key + "' in " + where};
  }
}

std::uint16_t address(const json& j) {
  if (j.is_number_unsigned()) return static_cast<std::uint16_t>(j.get<unsigned>() & 0xFFFF);
  // Written the way people read it ("0x103A" or "103A", big-endian), not as on the wire.
  auto text = j.get<std::string>();
  if (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0) text = text.substr(2);
  std::size_t used = 0;
  const unsigned long v = std::stoul(text, &used, 16);
  if (used != text.size() || v > 0xFFFF) throw BadKey{"bad short address '" + j.get<std::string>() + "'"};
  return static_cast<std::uint16_t>(v);
}

util::WallTime time_of(const json& j) {
  const auto t = parse_utc(j.get<std::string>());
  if (!t) throw BadKey{"bad time '" + j.get<std::string>() + "' (want 2026-06-21T04:00Z)"};
  return *t;
}

InverterConfig inverter_from(const json& j) {
  if (j.is_object() && j.contains("power_limit_w")) {
    throw BadKey{"'power_limit_w' is now 'power_limit_per_panel_w' (watts per panel, as the stock ECU sets it)"};
  }
  only_keys(j, {"serial", "model", "short_address", "panels_w", "tilt", "azimuth", "paired", "qs1_zero_grid",
                "link_quality", "route_reports", "power_limit_per_panel_w", "output_on", "limit_mode",
                "pair_answer_after_step2"},
            "inverter");
  InverterConfig inv;
  inv.serial = j.at("serial").get<std::string>();
  if (j.contains("model")) {
    const auto m = aps::model_from_name(j["model"].get<std::string>());
    if (!m) throw BadKey{"unknown model '" + j["model"].get<std::string>() + "'"};
    inv.model = *m;
  }
  if (j.contains("short_address")) inv.short_address = address(j["short_address"]);
  if (j.contains("panels_w")) inv.panel_peak_w = j["panels_w"].get<std::vector<double>>();
  if (j.contains("tilt") || j.contains("azimuth")) {
    inv.orientation = schedule::PanelOrientation{j.value("tilt", 35.0), j.value("azimuth", 180.0)};
  }
  inv.paired = j.value("paired", inv.paired);
  inv.qs1_zero_grid = j.value("qs1_zero_grid", inv.qs1_zero_grid);
  inv.link_quality = j.value("link_quality", inv.link_quality);
  inv.route_reports = j.value("route_reports", inv.route_reports);
  if (j.contains("power_limit_per_panel_w")) inv.power_limit_per_panel_w = j["power_limit_per_panel_w"].get<double>();
  inv.output_on = j.value("output_on", inv.output_on);
  if (j.contains("limit_mode")) {
    const auto mode = j["limit_mode"].get<std::string>();
    if (mode == "obey") {
      inv.limit_mode = LimitMode::Obey;
    } else if (mode == "refuse") {
      inv.limit_mode = LimitMode::Refuse;
    } else if (mode == "ignore") {
      inv.limit_mode = LimitMode::Ignore;
    } else {
      throw BadKey{"unknown limit_mode '" + mode + "' (obey, refuse, ignore)"};
    }
  }
  if (j.contains("pair_answer_after_step2")) inv.pair_answer_after_step2 = j["pair_answer_after_step2"].get<bool>();
  return inv;
}

ScheduledEvent event_from(const json& j) {
  only_keys(j, {"at", "kind", "serial"}, "event");
  ScheduledEvent e;
  e.at = time_of(j.at("at"));
  const auto kind = j.at("kind").get<std::string>();
  if (kind == "freeze") {
    e.kind = EventKind::FreezeCoordinator;
  } else if (kind == "zombie") {
    e.kind = EventKind::ZombieCoordinator;
  } else if (kind == "reset_coordinator") {
    e.kind = EventKind::ResetCoordinator;
  } else if (kind == "reset_inverter") {
    e.kind = EventKind::ResetInverter;
    e.serial = j.at("serial").get<std::string>();
  } else {
    throw BadKey{"unknown event kind '" + kind + "' (freeze, zombie, reset_coordinator, reset_inverter)"};
  }
  return e;
}

void faults_from(const json& j, FaultConfig& f) {
  only_keys(j, {"drop_rate", "bad_fcs_rate", "garbage_rate", "split_rate", "late_rate", "bad_l2_checksum_rate",
                "late_min_ms", "late_max_ms"},
            "faults");
  f.drop_rate = j.value("drop_rate", f.drop_rate);
  f.bad_fcs_rate = j.value("bad_fcs_rate", f.bad_fcs_rate);
  f.garbage_rate = j.value("garbage_rate", f.garbage_rate);
  f.split_rate = j.value("split_rate", f.split_rate);
  f.late_rate = j.value("late_rate", f.late_rate);
  f.bad_l2_checksum_rate = j.value("bad_l2_checksum_rate", f.bad_l2_checksum_rate);
  if (j.contains("late_min_ms")) f.late_min = std::chrono::milliseconds{j["late_min_ms"].get<long>()};
  if (j.contains("late_max_ms")) f.late_max = std::chrono::milliseconds{j["late_max_ms"].get<long>()};
}

EmulatorConfig overlay(const json& j, EmulatorConfig c) {
  only_keys(j, {"ecu_id", "location", "start", "speed", "timing_scale", "seed", "cloudiness", "day_utc_offset_min",
                "step_s", "warm_start", "neighbour_router", "ground_truth", "inverters", "faults", "events"},
            "emulator configuration");
  c.ecu_id = j.value("ecu_id", c.ecu_id);
  if (j.contains("location")) {
    only_keys(j["location"], {"lat", "lon"}, "location");
    c.location.latitude_deg = j["location"].value("lat", c.location.latitude_deg);
    c.location.longitude_deg = j["location"].value("lon", c.location.longitude_deg);
  }
  if (j.contains("start")) c.start = time_of(j["start"]);
  c.speed = j.value("speed", c.speed);
  c.timing_scale = j.value("timing_scale", c.timing_scale);
  c.seed = j.value("seed", c.seed);
  c.cloudiness = j.value("cloudiness", c.cloudiness);
  if (j.contains("day_utc_offset_min")) c.day_utc_offset_min = j["day_utc_offset_min"].get<int>();
  c.step_s = j.value("step_s", c.step_s);
  c.warm_start = j.value("warm_start", c.warm_start);
  if (j.contains("neighbour_router")) c.neighbour_router = address(j["neighbour_router"]);
  c.ground_truth_path = j.value("ground_truth", c.ground_truth_path);
  if (j.contains("inverters")) {
    c.inverters.clear();
    for (const auto& inv : j["inverters"]) c.inverters.push_back(inverter_from(inv));
  }
  if (j.contains("faults")) faults_from(j["faults"], c.faults);
  if (j.contains("events")) {
    for (const auto& e : j["events"]) c.events.push_back(event_from(e));
  }
  return c;
}

}  // namespace

util::Result<EmulatorConfig> config_from_json(std::string_view text, EmulatorConfig base) {
  try {
    return overlay(json::parse(text), std::move(base));
  } catch (const BadKey& e) {
    return util::make_error(Errc::BadConfig, "emulator configuration: " + e.message);
  } catch (const json::exception& e) {
    return util::make_error(Errc::BadConfig, std::string("emulator configuration: ") + e.what());
  } catch (const std::exception& e) {  // std::stoul on a malformed address
    return util::make_error(Errc::BadConfig, std::string("emulator configuration: ") + e.what());
  }
}

util::Result<EmulatorConfig> load_config(const std::string& path, EmulatorConfig base) {
  std::ifstream in(path);
  if (!in) return util::make_error(Errc::BadConfig, "cannot read emulator configuration " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto c = config_from_json(text.str(), std::move(base));
  if (!c) return util::make_error(Errc::BadConfig, path + ": " + c.error().describe());
  return c;
}

}  // namespace apsecu::emulator
