// SPDX-License-Identifier: GPL-3.0-or-later
// /api/v1/system: version, uptime, CPU load, memory, disk, SoC temperature; reboot and
// shutdown when HttpOptions::allow_power_actions permits them.
#include <sys/statvfs.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "server.hpp"

namespace apsecu::api {
namespace {

std::optional<std::string> first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

json meminfo() {
  std::ifstream in("/proc/meminfo");
  json j{{"total_kib", nullptr}, {"available_kib", nullptr}};
  std::string key;
  std::int64_t value = 0;
  std::string unit;
  while (in >> key >> value >> unit) {
    if (key == "MemTotal:") j["total_kib"] = value;
    if (key == "MemAvailable:") j["available_kib"] = value;
  }
  return j;
}

json temperature() {
  // Zone 0 is the SoC on a Raspberry Pi; absent in containers and many PCs.
  const auto t = first_line("/sys/class/thermal/thermal_zone0/temp");
  if (!t) return nullptr;
  try {
    return std::stod(*t) / 1000.0;
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

void add_system_routes(Api& api) {
  api.get("/api/v1/system", Access::Admin, [&api](const httplib::Request&, httplib::Response& res, const Caller&) {
    json j{{"version", api.backend.version()}, {"time_s", util::unix_seconds(api.backend.clock().now())}};
    std::array<char, 256> host{};
    j["hostname"] = gethostname(host.data(), host.size() - 1) == 0 ? json(std::string(host.data())) : json(nullptr);
    j["uptime_s"] = nullptr;
    if (const auto up = first_line("/proc/uptime")) {
      std::istringstream ss(*up);
      double s = 0;
      if (ss >> s) j["uptime_s"] = static_cast<std::int64_t>(s);
    }
    j["apsecu_uptime_s"] =
        std::chrono::duration_cast<std::chrono::seconds>(api.backend.clock().steady_now() - api.started).count();
    j["cpus"] = std::thread::hardware_concurrency();
    j["load"] = nullptr;
    if (const auto load = first_line("/proc/loadavg")) {
      std::istringstream ss(*load);
      double a = 0, b = 0, c = 0;
      if (ss >> a >> b >> c) j["load"] = {a, b, c};
    }
    j["memory"] = meminfo();
    struct statvfs fs {};
    if (statvfs(api.backend.data_dir().c_str(), &fs) == 0) {
      j["disk"] = {{"path", api.backend.data_dir()},
                   {"total_bytes", static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize},
                   {"free_bytes", static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize}};
    } else {
      j["disk"] = nullptr;
    }
    j["temperature_c"] = temperature();
    j["power_actions"] = api.options.allow_power_actions;
    j["event_streams"] = api.hub->clients();
    send_json(res, j);
  });

  api.post(R"(/api/v1/system/(reboot|shutdown))", Access::Admin,
           [&api](const httplib::Request& req, httplib::Response& res, const Caller&) {
             if (!api.options.allow_power_actions) {
               return send_error(res, 403, "power_actions_off",
                                 "reboot and shutdown are switched off in this apsecu's options");
             }
             const auto action = req.matches[1].str() == "reboot" ? PowerAction::Reboot : PowerAction::Shutdown;
             if (auto st = api.backend.power_action(action); !st) return send_failure(res, st.error());
             send_json(res, {{"accepted", req.matches[1].str()}}, 202);
           });
}

}  // namespace apsecu::api
