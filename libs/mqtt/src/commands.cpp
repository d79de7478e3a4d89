// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/mqtt/commands.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apsecu/config/config.hpp"
#include "apsecu/mqtt/errors.hpp"

namespace apsecu::mqtt {
namespace {

using Json = nlohmann::ordered_json;

// The seed's {"poll":99} means "all inverters" (ESP-ECU, protocol §8.1).
constexpr std::int64_t kSeedPollAll = 99;

util::Error bad(std::string message) { return util::make_error(Errc::BadCommand, std::move(message)); }

util::Result<aps::Serial> known_serial(const Json& v, std::string_view key, const std::vector<InverterInfo>& inverters) {
  if (!v.is_string()) return bad(fmt::format("\"{}\" must be an inverter serial (12 digits, as a string)", key));
  const auto text = v.get<std::string>();
  auto serial = aps::Serial::parse(text);
  if (!serial) return bad(fmt::format("\"{}\": {}", key, serial.error().describe()));
  if (!inverters.empty() &&
      std::none_of(inverters.begin(), inverters.end(), [&](const InverterInfo& i) { return i.serial == text; })) {
    return bad(fmt::format("no inverter {} in the settings", text));
  }
  return *serial;
}

util::Result<PollCommand> parse_poll(const Json& v, const std::vector<InverterInfo>& inverters) {
  if (v.is_string() && v.get<std::string>() == "all") return PollCommand{};
  if (v.is_number_integer()) {
    const auto n = v.get<std::int64_t>();
    if (n == kSeedPollAll) return PollCommand{};
    if (n < 0 || static_cast<std::size_t>(n) >= inverters.size()) {
      return bad(fmt::format("\"poll\": no inverter number {} (there are {}; 99 = all)", n, inverters.size()));
    }
    auto serial = aps::Serial::parse(inverters[static_cast<std::size_t>(n)].serial);
    if (!serial) return bad(serial.error().describe());
    return PollCommand{*serial};
  }
  auto serial = known_serial(v, "poll", inverters);
  if (!serial) return serial.error();
  return PollCommand{*serial};
}

util::Result<LimitCommand> parse_limit(const Json& j, const std::vector<InverterInfo>& inverters) {
  const auto& v = j["limit_per_panel_w"];
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < config::kMinLimitPerPanel_w ||
      v.get<double>() > config::kMaxLimitPerPanel_w) {
    return bad(fmt::format("\"limit_per_panel_w\" must be a number of watts per panel from {:.0f} to {:.0f}",
                           config::kMinLimitPerPanel_w, config::kMaxLimitPerPanel_w));
  }
  if (!j.contains("serial")) return bad("\"limit_per_panel_w\" needs \"serial\": which inverter to limit");
  auto serial = known_serial(j["serial"], "serial", inverters);
  if (!serial) return serial.error();
  return LimitCommand{*serial, v.get<double>()};
}

util::Result<OutputCommand> parse_output(const Json& j, const std::vector<InverterInfo>& inverters) {
  const auto& v = j["output"];
  std::optional<bool> on;
  if (v.is_boolean()) on = v.get<bool>();
  if (v.is_string()) {
    auto text = v.get<std::string>();
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    if (text == "on") on = true;
    if (text == "off") on = false;
  }
  if (!on) return bad("\"output\" must be \"on\" or \"off\"");
  if (!j.contains("serial")) return bad("\"output\" needs \"serial\": which inverter to switch");
  auto serial = known_serial(j["serial"], "serial", inverters);
  if (!serial) return serial.error();
  return OutputCommand{*serial, *on};
}

std::string id_of(const Json& j) {
  if (!j.is_object() || !j.contains("id")) return {};
  const auto& id = j["id"];
  if (id.is_string() || id.is_number()) return id.dump();
  return {};
}

std::optional<std::string> serial_of(const Command& c) {
  return std::visit(
      [](const auto& a) -> std::optional<std::string> {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, PollCommand>) {
          return a.serial ? a.serial->str() : std::string("all");
        } else {
          return a.serial.str();
        }
      },
      c.action);
}

}  // namespace

util::Result<Command> parse_command(std::string_view payload, const std::vector<InverterInfo>& inverters) {
  Json j = Json::parse(payload, nullptr, false);
  if (j.is_discarded()) return bad("not JSON; send e.g. {\"poll\":\"all\"}");
  if (!j.is_object()) return bad("a command is a JSON object, e.g. {\"poll\":\"all\"}");
  // The limit used to be an inverter total; taken per panel now it would be 2-4 times too
  // much, so an automation still sending it gets told instead.
  if (j.contains("limit_w")) {
    return bad(fmt::format("\"limit_w\" is no longer accepted: the power limit is per panel now; send "
                           "{{\"limit_per_panel_w\":W,\"serial\":\"…\"}} with {:.0f} to {:.0f} W per panel, "
                           "not a total for the inverter",
                           config::kMinLimitPerPanel_w, config::kMaxLimitPerPanel_w));
  }
  const int kinds = static_cast<int>(j.contains("poll")) + static_cast<int>(j.contains("limit_per_panel_w")) +
                    static_cast<int>(j.contains("reboot")) + static_cast<int>(j.contains("output"));
  if (kinds == 0) {
    return bad("unknown command: expected \"poll\", \"limit_per_panel_w\", \"output\" or \"reboot\"");
  }
  if (kinds > 1) return bad("one command per message: \"poll\", \"limit_per_panel_w\", \"output\" or \"reboot\"");
  Command c;
  c.id_json = id_of(j);
  if (j.contains("poll")) {
    auto p = parse_poll(j["poll"], inverters);
    if (!p) return p.error();
    c.action = *p;
  } else if (j.contains("limit_per_panel_w")) {
    auto l = parse_limit(j, inverters);
    if (!l) return l.error();
    c.action = *l;
  } else if (j.contains("output")) {
    auto o = parse_output(j, inverters);
    if (!o) return o.error();
    c.action = *o;
  } else {
    auto s = known_serial(j["reboot"], "reboot", inverters);
    if (!s) return s.error();
    c.action = RebootCommand{*s};
  }
  return c;
}

engine::Job to_job(const Command& c) {
  return std::visit(
      [](const auto& a) -> engine::Job {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, PollCommand>) {
          return engine::PollNow{a.serial};
        } else if constexpr (std::is_same_v<T, LimitCommand>) {
          return engine::SetPowerLimit{a.serial, a.limit_per_panel_w};
        } else if constexpr (std::is_same_v<T, OutputCommand>) {
          return engine::SetOutput{a.serial, a.on};
        } else {
          return engine::Reboot{a.serial};
        }
      },
      c.action);
}

std::string_view command_name(const Command& c) noexcept {
  switch (c.action.index()) {
    case 0: return "poll";
    case 1: return "limit_per_panel_w";
    case 2: return "reboot";
    default: return "output";
  }
}

std::string reply_payload(const Command& c, const util::Result<std::string>& outcome) {
  Json j;
  if (!c.id_json.empty()) j["id"] = Json::parse(c.id_json, nullptr, false);
  j["command"] = command_name(c);
  if (auto s = serial_of(c)) j["serial"] = *s;
  if (const auto* l = std::get_if<LimitCommand>(&c.action)) j["limit_per_panel_w"] = l->limit_per_panel_w;
  if (const auto* o = std::get_if<OutputCommand>(&c.action)) j["output"] = o->on ? "on" : "off";
  j["ok"] = outcome.ok();
  if (outcome.ok()) {
    j["result"] = outcome.value();
  } else {
    j["error"] = outcome.error().describe();
  }
  return j.dump();
}

std::string reply_rejected(std::string_view payload, const util::Error& error) {
  Json j;
  const auto id = id_of(Json::parse(payload, nullptr, false));
  if (!id.empty()) j["id"] = Json::parse(id, nullptr, false);
  j["ok"] = false;
  j["error"] = error.describe();
  return j.dump();
}

}  // namespace apsecu::mqtt
