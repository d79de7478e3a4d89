// SPDX-License-Identifier: GPL-3.0-or-later
// MqttSink: the thread-safe side (engine events, inverter list, status, test). The I/O
// thread is in sink_io.cpp.
#include "apsecu/mqtt/sink.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "apsecu/mqtt/errors.hpp"
#include "apsecu/util/log.hpp"
#include "outbox.hpp"

namespace apsecu::mqtt {
namespace {

constexpr std::string_view kQueueFile = "mqtt-queue.bin";
// With store-and-forward off (queue_max_messages 0) the queue still carries what is being
// sent while connected; this bounds a burst.
constexpr std::size_t kBurstMessages = 1000;
constexpr int kMqttPort = 1883;
constexpr int kMqttsPort = 8883;

}  // namespace

std::string_view link_state_name(LinkState s) noexcept {
  switch (s) {
    case LinkState::Stopped: return "stopped";
    case LinkState::Connecting: return "connecting";
    case LinkState::Connected: return "connected";
    case LinkState::Waiting: return "waiting";
  }
  return "?";
}

SinkOptions sink_options(const config::Config& c, std::string sw_version) {
  SinkOptions o;
  o.settings = c.mqtt;
  o.queue_dir = c.storage.data_dir;
  o.ecu_id = c.radio.ecu_id;
  o.sw_version = std::move(sw_version);
  o.inverters = inverter_infos(c.inverters);
  return o;
}

util::Result<config::Mqtt> settings_from_url(std::string_view url, config::Mqtt base) {
  auto bad = [&](std::string_view why) {
    return util::make_error(Errc::BadSettings, fmt::format("{}: {} (expected mqtt://HOST:PORT)", url, why));
  };
  std::string_view rest = url;
  if (rest.starts_with("mqtt://")) {
    base.tls = false;
    base.port = kMqttPort;
    rest.remove_prefix(7);
  } else if (rest.starts_with("mqtts://")) {
    base.tls = true;
    base.port = kMqttsPort;
    rest.remove_prefix(8);
  } else {
    return bad("unknown scheme");
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    const auto user = rest.substr(0, at);
    const auto colon = user.find(':');
    base.username = std::string(user.substr(0, colon));
    base.password = colon == std::string_view::npos ? std::string() : std::string(user.substr(colon + 1));
    rest.remove_prefix(at + 1);
  }
  std::string_view host = rest;
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos && rest.find(']') == std::string_view::npos) {
    host = rest.substr(0, colon);
    const auto port_text = rest.substr(colon + 1);
    int port = 0;
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return bad("port must be 1 to 65535");
    }
    base.port = port;
  }
  if (host.empty()) return bad("no host");
  base.host = std::string(host);
  base.enabled = true;
  return base;
}

MqttSink::MqttSink(SinkOptions options, const util::Clock& clock, PostJob post_job)
    : options_(std::move(options)), clock_(clock), post_job_(std::move(post_job)) {
  discovery_ = DiscoveryContext{options_.settings.ha_prefix, options_.settings.base_topic, options_.ecu_id,
                                options_.sw_version};
  inverters_ = options_.inverters;
  status_.endpoint = fmt::format("{}:{}", options_.settings.host, options_.settings.port);
}

MqttSink::~MqttSink() { stop(); }

util::Status MqttSink::start() {
  std::lock_guard lock(mutex_);
  if (started_) return {};
  auto f = parse_format(options_.settings.format);
  if (!f) return util::make_error(Errc::BadSettings, fmt::format("unknown MQTT format \"{}\"", options_.settings.format));
  format_ = *f;
  const auto max = options_.settings.queue_max_messages;
  std::error_code ec;
  std::filesystem::create_directories(options_.queue_dir, ec);
  auto queue = DiskQueue::open(options_.queue_dir / kQueueFile, max > 0 ? static_cast<std::size_t>(max) : kBurstMessages);
  if (!queue) return queue.error();
  if (!(*queue)->empty()) {
    util::logger("mqtt")->info("{} messages from before the restart wait in the MQTT queue", (*queue)->size());
  }
  outbox_ = std::make_shared<Outbox>(std::move(*queue), max > 0);
  started_ = true;
  stop_ = false;
  status_.state = LinkState::Connecting;
  io_ = std::thread([this] { run(); });
  return {};
}

void MqttSink::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!started_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (io_.joinable()) io_.join();
  outbox_->sync();
  std::lock_guard lock(mutex_);
  started_ = false;
  status_.state = LinkState::Stopped;
  status_.listening = false;
  status_.connected_since.reset();
  if (test_ && !test_->result) test_->result = util::Result<std::string>(util::make_error(Errc::Stopped, "MQTT stopped"));
  wake_.notify_all();
}

std::shared_ptr<Outbox> MqttSink::outbox() const {
  std::lock_guard lock(mutex_);
  return outbox_;
}

InverterInfo MqttSink::info_for(const fleet::InverterView& view) {
  std::lock_guard lock(mutex_);
  for (const auto& i : inverters_) {
    if (i.serial == view.serial) return i;
  }
  return inverter_info(view);
}

void MqttSink::publish_reading(const fleet::InverterView& view, util::WallTime t, Event e) {
  const auto info = info_for(view);
  const auto& s = options_.settings;
  std::vector<Message> out;
  if (auto payload = format_reading(format_, view, info, t, e)) {
    out.push_back(Message{reading_topic(s.topic, info), std::move(*payload), qos(), s.retain});
  } else {
    std::lock_guard lock(mutex_);
    if (std::find(warned_no_idx_.begin(), warned_no_idx_.end(), view.serial) == warned_no_idx_.end()) {
      warned_no_idx_.push_back(view.serial);
      util::logger("mqtt")->warn("inverter {} has no Domoticz idx: its readings are not published to {}", view.serial,
                                 s.topic);
    }
  }
  // Home Assistant's sensors read their own retained state topic: a restarted HA gets the
  // last values at once.
  if (s.ha_discovery) {
    if (auto payload = format_reading(Format::Apsecu, view, info, t, e)) {
      out.push_back(Message{inverter_state_topic(s.base_topic, view.serial), std::move(*payload), qos(), true});
    }
  }
  if (!out.empty()) {
    if (auto o = outbox()) o->push(out);
  }
}

void MqttSink::on_cycle(const engine::CycleReport& report) {
  const auto box = outbox();
  if (!box) return;
  std::size_t answered = 0;
  for (const auto& poll : report.polls) {
    if (!poll.result.ok() || !poll.applied) continue;
    const auto serial = poll.serial.str();
    const auto it = std::find_if(report.views.begin(), report.views.end(),
                                 [&](const fleet::InverterView& v) { return v.serial == serial; });
    if (it == report.views.end()) continue;
    ++answered;
    publish_reading(*it, poll.time, Event::Poll);
  }
  if (answered > 0 && options_.settings.ha_discovery) {
    box->push(Message{ecu_state_topic(options_.settings.base_topic),
                          format_ecu_state(report.views, answered, report.time), qos(), true});
  }
}

void MqttSink::on_window_closed(const std::vector<fleet::InverterView>& views) {
  const auto box = outbox();
  if (!box) return;
  const auto now = clock_.now();
  std::vector<fleet::InverterView> closed;
  closed.reserve(views.size());
  for (const auto& v : views) {
    closed.push_back(closed_window_view(v));
    publish_reading(closed.back(), now, Event::WindowClosed);
  }
  if (options_.settings.ha_discovery) {
    box->push(Message{ecu_state_topic(options_.settings.base_topic),
                          format_ecu_state(closed, 0, now, Event::WindowClosed), qos(), true});
  }
}

std::vector<Message> MqttSink::removals(const std::vector<InverterInfo>& before,
                                        const std::vector<InverterInfo>& after) const {
  std::vector<Message> out;
  for (const auto& old : before) {
    const auto it =
        std::find_if(after.begin(), after.end(), [&](const InverterInfo& i) { return i.serial == old.serial; });
    if (it == after.end()) {
      auto gone = inverter_removal(discovery_, old.serial);
      out.insert(out.end(), gone.begin(), gone.end());
      out.push_back(Message{inverter_state_topic(discovery_.base_topic, old.serial), "", 1, true});
    } else if (!(*it == old)) {
      auto gone = discovery_changes_removal(discovery_, old, *it);
      out.insert(out.end(), gone.begin(), gone.end());
    }
  }
  return out;
}

void MqttSink::set_inverters(std::vector<InverterInfo> inverters) {
  std::vector<Message> out;
  {
    std::lock_guard lock(mutex_);
    if (options_.settings.ha_discovery) {
      out = removals(inverters_, inverters);
      // New and changed inverters are announced behind any removal still queued, so that a
      // quick delete-and-add never ends with the entities deleted.
      for (const auto& inv : inverters) {
        const auto it = std::find(inverters_.begin(), inverters_.end(), inv);
        if (it != inverters_.end()) continue;
        auto add = inverter_discovery(discovery_, inv);
        out.insert(out.end(), add.begin(), add.end());
      }
    }
    inverters_ = std::move(inverters);
  }
  if (auto box = outbox(); box && !out.empty()) box->push(out);
}

void MqttSink::retire(const std::vector<InverterInfo>& announced_before) {
  std::vector<Message> out;
  {
    std::lock_guard lock(mutex_);
    if (options_.settings.ha_discovery) out = removals(announced_before, inverters_);
  }
  if (auto box = outbox(); box && !out.empty()) box->push(out);
}

void MqttSink::remove_inverter(const std::string& serial) {
  std::vector<InverterInfo> rest;
  {
    std::lock_guard lock(mutex_);
    rest = inverters_;
  }
  const auto before = rest.size();
  std::erase_if(rest, [&](const InverterInfo& i) { return i.serial == serial; });
  if (rest.size() != before) {
    set_inverters(std::move(rest));
    return;
  }
  // Not in the list (already gone from the settings): clear whatever HA may still hold.
  if (auto box = outbox(); box && options_.settings.ha_discovery) {
    auto out = inverter_removal(discovery_, serial);
    out.push_back(Message{inverter_state_topic(discovery_.base_topic, serial), "", 1, true});
    box->push(out);
  }
}

util::Result<std::string> MqttSink::test_message(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!started_) return util::make_error(Errc::Stopped, "MQTT is not running");
  if (status_.state != LinkState::Connected) {
    const auto why = status_.last_error ? status_.last_error->describe() : std::string("still connecting");
    return util::Error{status_.last_error ? status_.last_error->code : make_error_code(Errc::NotConnected),
                       fmt::format("not connected to {}: {}", status_.endpoint, why)};
  }
  if (test_ && !test_->result) return util::make_error(Errc::PublishFailed, "a test message is already on its way");
  auto request = std::make_shared<TestRequest>();
  test_ = request;
  if (!wake_.wait_for(lock, timeout, [&] { return request->result.has_value(); })) {
    test_.reset();
    return util::make_error(Errc::Timeout, fmt::format("connected to {}, but no acknowledgement of the test message "
                                                       "within {} ms",
                                                       status_.endpoint, timeout.count()));
  }
  auto result = std::move(*request->result);
  test_.reset();
  return result;
}

SinkStatus MqttSink::status() const {
  SinkStatus s;
  {
    std::lock_guard lock(mutex_);
    s = status_;
  }
  if (auto box = outbox()) {
    const auto c = box->counts();
    s.queued = c.queued;
    s.queue_bytes = c.bytes;
    s.dropped = c.dropped;
  }
  return s;
}

}  // namespace apsecu::mqtt
