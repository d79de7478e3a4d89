// SPDX-License-Identifier: GPL-3.0-or-later
// The MQTT sink against a local mosquitto broker (started here, on loopback):
//   1. messages per second it sustains, QoS 0 and QoS 1, apsecu format (~600-byte payloads),
//      from on_cycle() to the broker's acknowledgement (the store-and-forward file included);
//   2. what the queue costs while the broker is away: heap and RSS before/after queueing
//      100,000 messages, and bytes on disk, per 1,000 messages;
//   3. how fast that backlog is replayed once the broker is back.
// Usage: bench_mqtt [messages]   (default 20000 for the rates; the queue test uses 100000)

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "apsecu/mqtt/sink.hpp"
#include "broker.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::mqtt;
using Steady = std::chrono::steady_clock;

constexpr std::size_t kInverters = 100;  // per simulated cycle: one batch per on_cycle()
constexpr std::size_t kQueued = 100000;

double seconds_since(Steady::time_point t0) { return std::chrono::duration<double>(Steady::now() - t0).count(); }

std::size_t heap_in_use() { return mallinfo2().uordblks; }

std::size_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

util::WallTime t0() { return util::WallTime(std::chrono::seconds(1782036300)); }

std::vector<fleet::InverterView> plant() {
  std::vector<fleet::InverterView> views;
  for (std::size_t i = 0; i < kInverters; ++i) {
    fleet::InverterView v;
    char serial[16];
    std::snprintf(serial, sizeof serial, "40800%07zu", 1000 + i);
    v.serial = serial;
    v.model = "QS1";
    v.name = "Panel row " + std::to_string(i);
    aps::Telemetry tel;
    tel.temperature_c = 41.5;
    tel.frequency_hz = 50.01;
    tel.ac_voltage_v = 232.4;
    v.telemetry = tel;
    v.link_quality_pct = 80;
    for (int k = 0; k < 4; ++k) {
      fleet::InputView in;
      in.power_w = 180.4;
      in.dc_voltage_v = 36.2;
      in.dc_current_a = 4.98;
      in.today_wh = 1234.56;
      in.lifetime_wh = 987654.3;
      v.inputs.push_back(in);
      v.power_w += in.power_w;
    }
    views.push_back(v);
  }
  return views;
}

engine::CycleReport report(const std::vector<fleet::InverterView>& views, int minute) {
  engine::CycleReport r;
  r.time = t0() + std::chrono::minutes(minute);
  r.views = views;
  for (const auto& v : views) {
    engine::InverterPoll p;
    p.serial = *aps::Serial::parse(v.serial);
    p.time = r.time;
    p.result.outcome = engine::PollOutcome::Ok;
    p.applied = fleet::Applied{};
    r.polls.push_back(std::move(p));
  }
  return r;
}

SinkOptions options(int port, const std::filesystem::path& dir, int qos) {
  SinkOptions o;
  o.settings.host = "127.0.0.1";
  o.settings.port = port;
  o.settings.client_id = "apsecu-bench";
  o.settings.format = "apsecu";
  o.settings.topic = "bench/";
  o.settings.qos = qos;
  o.settings.queue_max_messages = 1000000;
  o.queue_dir = dir;
  o.reconnect_min = std::chrono::milliseconds(100);
  o.reconnect_max = std::chrono::milliseconds(200);
  return o;
}

bool wait_until(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = Steady::now() + timeout;
  while (Steady::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return done();
}

void rate(int port, const std::filesystem::path& dir, int qos, std::size_t messages) {
  util::SystemClock clock;
  MqttSink sink(options(port, dir / ("rate" + std::to_string(qos)), qos), clock);
  if (!sink.start().ok() || !wait_until([&] { return sink.status().state == LinkState::Connected; }, std::chrono::seconds(5))) {
    std::printf("  QoS %d: no connection\n", qos);
    return;
  }
  const auto views = plant();
  const auto start = Steady::now();
  for (std::size_t sent = 0; sent < messages; sent += kInverters) sink.on_cycle(report(views, static_cast<int>(sent)));
  const double push_s = seconds_since(start);
  if (!wait_until([&] { return sink.status().delivered >= messages; }, std::chrono::seconds(120))) {
    std::printf("  QoS %d: only %llu of %zu delivered\n", qos, static_cast<unsigned long long>(sink.status().delivered),
                messages);
    return;
  }
  const double total_s = seconds_since(start);
  std::printf("  QoS %d: %zu messages acknowledged in %.2f s = %.0f msg/s (queueing alone: %.0f msg/s)\n", qos,
              messages, total_s, static_cast<double>(messages) / total_s, static_cast<double>(messages) / push_s);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::size_t messages = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20000;
  if (!mqtt::test::run("command -v mosquitto >/dev/null")) {
    std::printf("bench_mqtt: mosquitto not installed (scripts/install-deps.sh --test); skipped\n");
    return 0;
  }
  mqtt::test::TempDir dir;
  mqtt::test::Broker broker(dir.path());
  if (!broker.start()) {
    std::printf("bench_mqtt: the broker did not start\n");
    return 1;
  }
  std::printf("Sustained rate, on_cycle() to broker acknowledgement (%zu inverters per cycle):\n", kInverters);
  rate(broker.port(), dir.path(), 0, messages);
  rate(broker.port(), dir.path(), 1, messages);

  broker.stop();
  util::SystemClock clock;
  MqttSink sink(options(broker.port(), dir.path() / "outage", 1), clock);
  const auto views = plant();
  (void)sink.start();
  sink.on_cycle(report(views, 0));  // warm up allocations that are not the queue's
  const auto heap0 = heap_in_use();
  const auto rss0 = rss_bytes();
  const auto queued0 = sink.status().queued;
  const auto start = Steady::now();
  for (std::size_t n = 0; n < kQueued; n += kInverters) sink.on_cycle(report(views, static_cast<int>(n) + 1));
  const double queue_s = seconds_since(start);
  const auto st = sink.status();
  const auto added = st.queued - queued0;
  const double per_k = 1000.0 / static_cast<double>(added);
  std::printf("Broker away: %zu messages queued in %.2f s (%.0f msg/s, dropped %llu)\n", added, queue_s,
              static_cast<double>(added) / queue_s, static_cast<unsigned long long>(st.dropped));
  std::printf("  queue memory per 1,000 messages: heap %+.0f bytes, RSS %+.0f bytes\n",
              (static_cast<double>(heap_in_use()) - static_cast<double>(heap0)) * per_k,
              (static_cast<double>(rss_bytes()) - static_cast<double>(rss0)) * per_k);
  std::printf("  queue file per 1,000 messages: %.0f bytes on disk\n", static_cast<double>(st.queue_bytes) / static_cast<double>(st.queued) * 1000.0);

  if (!broker.start()) return 1;
  const auto replay = Steady::now();
  if (wait_until([&] { return sink.status().queued == 0; }, std::chrono::seconds(300))) {
    const double s = seconds_since(replay);
    std::printf("Replay after the broker is back: %zu messages in %.2f s (%.0f msg/s, reconnect included)\n", st.queued,
                s, static_cast<double>(st.queued) / s);
  } else {
    std::printf("Replay: %zu messages still queued after 300 s\n", sink.status().queued);
  }
  return 0;
}
