// SPDX-License-Identifier: GPL-3.0-or-later
// The web page's "test" button: try settings that may not be saved yet, end to end.
#include <chrono>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apsecu/mqtt/connection.hpp"
#include "apsecu/mqtt/discovery.hpp"
#include "apsecu/mqtt/errors.hpp"

namespace apsecu::mqtt {
namespace {

constexpr std::chrono::milliseconds kStep{50};

long long ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

}  // namespace

util::Result<std::string> test_settings(const config::Mqtt& settings, std::chrono::milliseconds timeout) {
  bool connected = false;
  std::set<int> done;
  ConnectionEvents events;
  events.connected = [&] { connected = true; };
  events.published = [&](int mid) { done.insert(mid); };
  const auto client_id = settings.client_id + "-test";
  auto conn = Connection::create(settings, client_id, std::nullopt, std::move(events));
  if (!conn) return conn.error();
  auto& c = **conn;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeout;
  if (auto st = c.connect(); !st) return st.error();
  while (!connected) {
    if (std::chrono::steady_clock::now() > deadline) {
      return util::make_error(Errc::Timeout, fmt::format("no answer from {} within {} ms", c.endpoint(), timeout.count()));
    }
    if (auto st = c.loop(kStep); !st) return st.error();
  }
  const auto connected_at = std::chrono::steady_clock::now();
  const auto topic = test_topic(settings.base_topic);
  const nlohmann::json payload{{"test", true}, {"client_id", client_id}};
  auto mid = c.publish(Message{topic, payload.dump(), 1, false});
  if (!mid) return mid.error();
  while (done.count(*mid) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      return util::make_error(Errc::Timeout,
                              fmt::format("connected to {}, but the broker did not acknowledge the test message on {} "
                                          "within {} ms",
                                          c.endpoint(), topic, timeout.count()));
    }
    if (auto st = c.loop(kStep); !st) return st.error();
  }
  const auto acked_at = std::chrono::steady_clock::now();
  c.disconnect();
  for (int i = 0; i < 3 && c.loop(kStep); ++i) {
  }
  return fmt::format("connected to {}{} in {} ms; test message on {} acknowledged by the broker in {} ms", c.endpoint(),
                     settings.tls ? " (TLS)" : "", ms_between(start, connected_at), topic,
                     ms_between(connected_at, acked_at));
}

}  // namespace apsecu::mqtt
