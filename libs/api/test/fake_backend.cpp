// SPDX-License-Identifier: GPL-3.0-or-later
#include "fake_backend.hpp"

#include <stdlib.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apsecu/api/errors.hpp"
#include "apsecu/config/load_save.hpp"
#include "apsecu/store/day_key.hpp"
#include "apsecu/util/hex.hpp"

namespace apsecu::api::test {
namespace {

constexpr std::int64_t kCycleS = 900;
constexpr std::int64_t kFirstCycleS = 5 * 3600;  // UTC seconds into the day
constexpr std::int64_t kLastCycleS = 20 * 3600;

std::int64_t seconds(util::WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Power of one input at `s` seconds into the UTC day, on a day with weather `factor`.
double power_at(std::int64_t s, double factor, double peak_w) {
  if (s < kFirstCycleS || s > kLastCycleS) return 0;
  const double x = static_cast<double>(s - kFirstCycleS) / static_cast<double>(kLastCycleS - kFirstCycleS);
  return std::max(0.0, peak_w * factor * std::sin(std::numbers::pi * x));
}

double weather(std::int32_t day) { return 0.35 + 0.65 * static_cast<double>((day * 37) % 11) / 10.0; }


}  // namespace

class FakeBackend::Sub final : public Subscription {
 public:
  Sub(FakeBackend& b, std::uint64_t id) : b_(b), id_(id) {}
  ~Sub() override {
    std::lock_guard lock(b_.mutex_);
    b_.subscribers_.erase(id_);
  }

 private:
  FakeBackend& b_;
  std::uint64_t id_;
};

FakeBackend::FakeBackend(FakeOptions options) : options_(options), clock_(options.start) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "apsecu-api-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  data_dir_ = tmpl;

  config_.timezone = "Europe/Amsterdam";
  config_.location.latitude = 52.37;
  config_.location.longitude = 4.90;
  config_.radio.ecu_id = "D8A3011B9780";
  config_.radio.port = "emulator";
  config_.storage.data_dir = data_dir_.string();
  // Field by field: the settings' other fields keep their defaults.
  const auto inverter = [](std::string name, std::string serial, std::string model, std::vector<bool> in_use,
                           std::int64_t idx, std::uint16_t address) {
    config::InverterConfig inv;
    inv.name = std::move(name);
    inv.serial = std::move(serial);
    inv.model = std::move(model);
    inv.inputs_in_use = std::move(in_use);
    inv.domoticz_idx = idx;
    inv.short_address = address;
    return inv;
  };
  config_.inverters.push_back(inverter("Garage roof", kYc600, "YC600", {true, true}, 101, 0x1A2B));
  config_.inverters.push_back(inverter("Shed", kQs1, "QS1", {true, true, true, false}, 102, 0x3C4D));

  auto opened = store::Store::open(":memory:");
  if (!opened) throw std::runtime_error(opened.error().describe());
  store_ = std::make_unique<store::Store>(std::move(*opened));
  fill_history(options_.history_days);
  rebuild_snapshot();

  worker_ = std::thread([this] {
    std::unique_lock lock(jobs_mutex_);
    while (true) {
      jobs_wake_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      if (stop_) return;
      auto [job, done] = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      std::this_thread::sleep_for(options_.job_delay);
      util::Result<std::string> r = std::string("ok");
      if (fail_jobs_) {
        r = util::make_error(Errc::Busy, "the coordinator did not answer (scripted failure)");
      } else if (const auto* raw = std::get_if<engine::RawCommand>(&job)) {
        r = "sent " + util::to_hex(raw->command) + "; received FE0161010060";
      } else if (const auto* pair = std::get_if<engine::Pair>(&job)) {
        r = "paired " + pair->serial.str() + ", short address 0x5E6F";
      } else if (std::holds_alternative<engine::HealthCheck>(job)) {
        r = std::string("coordinator up, state 9, IEEE ours");
      } else if (std::holds_alternative<engine::PollNow>(job)) {
        r = std::string("polled 2 inverters, 2 answered");
      } else if (std::holds_alternative<engine::StartCoordinator>(job)) {
        r = std::string("coordinator started");
      } else if (const auto* limit = std::get_if<engine::SetPowerLimit>(&job)) {
        r = control_limit(*limit);
      } else if (const auto* output = std::get_if<engine::SetOutput>(&job)) {
        r = control_output(*output);
      }
      if (done) done(std::move(r));
      lock.lock();
    }
  });
}

FakeBackend::~FakeBackend() {
  {
    std::lock_guard lock(jobs_mutex_);
    stop_ = true;
  }
  jobs_wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::error_code ec;
  std::filesystem::remove_all(data_dir_, ec);
}

void FakeBackend::fill_history(int days) {
  const auto start_s = seconds(clock_.now());
  const std::int32_t today = day_of(clock_.now());
  const std::int64_t today_midnight = start_s - start_s % 86400;
  (void)store_->add_inverter({kYc600, "YC600", 2});
  (void)store_->add_inverter({kQs1, "QS1", 4});
  for (int d = days; d >= 0; --d) {
    const std::int32_t day = store::add_days(today, -d);
    const std::int64_t midnight = today_midnight - static_cast<std::int64_t>(d) * 86400;
    for (std::int64_t s = kFirstCycleS; s <= kLastCycleS; s += kCycleS) {
      if (midnight + s > start_s) break;
      store::Cycle c;
      c.time_s = midnight + s;
      c.day = day;
      for (const auto& [serial, inputs] : {std::pair{std::string(kYc600), 2}, std::pair{std::string(kQs1), 4}}) {
        store::InverterSample smp;
        smp.serial = serial;
        smp.time_s = c.time_s;
        smp.uptime_s = static_cast<std::uint32_t>(s - kFirstCycleS + 60);
        smp.kind = s == kFirstCycleS ? store::SampleKind::Baseline : store::SampleKind::Normal;
        smp.temperature_ddeg = 350;
        smp.frequency_mhz = 50000;
        smp.ac_voltage_cv = 23100;
        for (int i = 0; i < inputs; ++i) {
          const double w = power_at(s, weather(day), 250.0 - 10.0 * i);
          store::InputSample in;
          in.power_dw = static_cast<std::int32_t>(w * 10);
          in.increase_mwh = smp.kind == store::SampleKind::Baseline ? 0 : static_cast<std::int64_t>(w * 250.0);
          in.dc_voltage_cv = 3600;
          in.dc_current_ma = static_cast<std::int32_t>(w / 36.0 * 1000);
          smp.inputs.push_back(in);
          if (d == 0) today_wh_[serial] += static_cast<double>(in.increase_mwh) / 1000.0;
        }
        c.samples.push_back(std::move(smp));
      }
      if (s == kFirstCycleS) c.events.push_back({0, c.time_s, store::EventLevel::Info, "poll", "first poll of the day"});
      if (s == 12 * 3600 && day % 3 == 0) {
        c.events.push_back({0, c.time_s, store::EventLevel::Warning, "zigbee", "inverter 801000222222 did not answer"});
      }
      if (auto st = store_->write_cycle(c); !st) throw std::runtime_error(st.error().describe());
    }
  }
}

void FakeBackend::rebuild_snapshot() {
  auto s = std::make_shared<engine::Snapshot>();
  s->time = clock_.now();
  s->coordinator_up = true;
  s->in_window = !night_;
  const auto midnight = util::WallTime{} + std::chrono::seconds(seconds(clock_.now()) / 86400 * 86400);
  s->window.kind = schedule::PollWindow::Kind::Sun;
  s->window.start = midnight + std::chrono::seconds(kFirstCycleS);
  s->window.end = midnight + std::chrono::seconds(kLastCycleS);
  schedule::SunTimes sun;
  sun.sunrise = midnight + std::chrono::seconds(kFirstCycleS - 900);
  sun.sunset = midnight + std::chrono::seconds(kLastCycleS + 900);
  sun.solar_noon = midnight + std::chrono::seconds((kFirstCycleS + kLastCycleS) / 2);
  s->window.sun = sun;
  s->next_cycle = clock_.now() + std::chrono::seconds(kCycleS);
  const auto now_s = seconds(clock_.now()) % 86400;
  for (const auto& inv : config_.inverters) {
    fleet::InverterView v;
    v.serial = inv.serial;
    v.model = inv.model;
    v.name = inv.name;
    v.short_address = inv.short_address;
    v.sample_time = clock_.now();
    v.last_poll_time = clock_.now();
    v.last_outcome = "ok";
    v.link_quality_pct = 80 + cycle_ % 10;
    aps::Telemetry t;
    t.temperature_c = 35.5 + cycle_ % 5;
    t.frequency_hz = 50.01;
    t.ac_voltage_v = 231.2;
    t.uptime_s = static_cast<std::uint32_t>(3600 + cycle_ * 300);
    v.telemetry = t;
    const auto inputs = inv.model == "QS1" ? 4 : 2;
    for (int i = 0; i < inputs; ++i) {
      fleet::InputView in;
      in.in_use = inv.inputs_in_use.empty() || inv.inputs_in_use[static_cast<std::size_t>(i)];
      const double w = night_ ? 0.0 : power_at(now_s, 1.0, 250.0 - 10.0 * i) + cycle_ % 7;
      in.power_w = in.in_use ? w : 0;
      in.dc_voltage_v = 36.0 + cycle_ % 3;
      in.dc_current_a = in.power_w / 36.0;
      in.today_wh = today_wh_[inv.serial] / inputs + cycle_ * 10.0;
      in.lifetime_wh = 123456.0 + in.today_wh;
      v.power_w += in.power_w;
      v.today_wh += in.today_wh;
      v.lifetime_wh += in.lifetime_wh;
      v.inputs.push_back(in);
    }
    s->inverters.push_back(std::move(v));
  }
  s->controls = controls_;
  snapshot_ = std::move(s);
}

std::shared_ptr<const engine::Snapshot> FakeBackend::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void FakeBackend::push_cycle() {
  std::shared_ptr<const engine::Snapshot> snap;
  {
    std::lock_guard lock(mutex_);
    ++cycle_;
    rebuild_snapshot();
    snap = snapshot_;
  }
  publish(CycleEvent{snap});
  publish(JournalEvent{{clock_.now(), engine::Level::Info, "poll", fmt::format("cycle {}: 2 of 2 answered", cycle_)}});
  publish(FrameEvent{clock_.now(), true, "FE0D2401...", "AF_DATA_REQUEST to 0x1A2B"});
  publish(FrameEvent{clock_.now(), false, "FE03640100...", "AF_DATA_REQUEST status SUCCESS"});
}

void FakeBackend::set_night(bool night) {
  std::lock_guard lock(mutex_);
  night_ = night;
  rebuild_snapshot();
}

void FakeBackend::publish(const LiveEvent& e) {
  std::vector<LiveCallback> subs;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, cb] : subscribers_) subs.push_back(cb);
  }
  for (const auto& cb : subs) cb(e);
}

std::unique_ptr<Subscription> FakeBackend::subscribe(LiveCallback callback) {
  std::lock_guard lock(mutex_);
  const auto id = next_sub_++;
  subscribers_[id] = std::move(callback);
  return std::make_unique<Sub>(*this, id);
}

std::size_t FakeBackend::subscribers() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

void FakeBackend::post(engine::Job job, engine::JobDone done) {
  const char* names[] = {"poll", "pair", "raw", "reboot", "power_limit", "output", "health", "start"};
  static_assert(std::size(names) == std::variant_size_v<engine::Job>);
  {
    std::lock_guard lock(mutex_);
    posted_.push_back(names[job.index()]);
    if (const auto* pair = std::get_if<engine::Pair>(&job)) {
      for (auto& inv : config_.inverters) {
        if (inv.serial == pair->serial.str()) inv.short_address = 0x5E6F;
      }
    }
  }
  {
    std::lock_guard lock(jobs_mutex_);
    jobs_.emplace_back(std::move(job), std::move(done));
  }
  jobs_wake_.notify_all();
}

engine::InverterControl& FakeBackend::control_of(const aps::Serial& serial) {
  for (auto& c : controls_) {
    if (c.serial == serial) return c;
  }
  engine::InverterControl c;
  c.serial = serial;
  controls_.push_back(std::move(c));
  return controls_.back();
}

// Like the engine (the control state in the snapshot) and the daemon (what succeeded is
// saved in the inverter's settings).
util::Result<std::string> FakeBackend::control_limit(const engine::SetPowerLimit& job) {
  std::lock_guard lock(mutex_);
  auto& c = control_of(job.serial);
  c.limit_per_panel_w = job.limit_per_panel_w;
  if (refuse_limits_) {
    c.limit_state = engine::LimitState::Refused;
    c.detail = "the inverter refused the limit";
    rebuild_snapshot();
    return util::make_error(Errc::Busy, c.detail);
  }
  c.limit_state = engine::LimitState::Accepted;
  c.detail = fmt::format("accepted; reads back {:g} W per panel", job.limit_per_panel_w);
  for (auto& inv : config_.inverters) {
    if (inv.serial == job.serial.str()) inv.power_limit_per_panel_w = job.limit_per_panel_w;
  }
  rebuild_snapshot();
  return c.detail;
}

util::Result<std::string> FakeBackend::control_output(const engine::SetOutput& job) {
  std::lock_guard lock(mutex_);
  auto& c = control_of(job.serial);
  c.output_on = job.on;
  c.detail = job.on ? "turned on" : "turned off";
  for (auto& inv : config_.inverters) {
    if (inv.serial == job.serial.str()) inv.output_on = job.on;
  }
  rebuild_snapshot();
  return c.detail;
}

void FakeBackend::restart_engine() {
  std::lock_guard lock(mutex_);
  controls_.clear();
  rebuild_snapshot();
}

void FakeBackend::confirm_limit(const std::string& serial, engine::LimitState state, std::string detail) {
  std::lock_guard lock(mutex_);
  for (auto& c : controls_) {
    if (c.serial.str() != serial) continue;
    c.limit_state = state;
    c.detail = std::move(detail);
  }
  rebuild_snapshot();
}

std::vector<std::string> FakeBackend::posted_jobs() const {
  std::lock_guard lock(mutex_);
  return posted_;
}

config::Config FakeBackend::config() const {
  std::lock_guard lock(mutex_);
  return config_;
}

std::variant<config::Config, std::vector<config::FieldError>> FakeBackend::update_config(const config::Config& c) {
  auto errors = config::validate(c);
  if (!errors.empty()) return errors;
  std::lock_guard lock(mutex_);
  config_ = c;
  rebuild_snapshot();
  return config_;
}

void FakeBackend::with_store(const std::function<void(store::Store&)>& fn) {
  std::lock_guard lock(store_mutex_);
  fn(*store_);
}

util::Status FakeBackend::backup_to(const std::string& path) {
  const nlohmann::json j{{"magic", "apsecu-fake-backup"}, {"config", config::to_json(config())}};
  std::ofstream out(path, std::ios::binary);
  out << j.dump();
  if (!out) return util::make_error(Errc::Io, "cannot write " + path);
  return {};
}

util::Result<std::string> FakeBackend::restore_from(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object() || j.value("magic", "") != "apsecu-fake-backup" || !j.contains("config")) {
    return util::make_error(Errc::Io, "this is not an apsecu backup archive");
  }
  auto loaded = config::from_json(j["config"]);
  if (auto* errors = std::get_if<std::vector<config::FieldError>>(&loaded)) {
    return util::make_error(Errc::Io, "the backup's settings are invalid: " + config::describe(*errors));
  }
  std::lock_guard lock(mutex_);
  config_ = std::get<config::Config>(loaded);
  rebuild_snapshot();
  return fmt::format("restored the settings with {} inverters", config_.inverters.size());
}

std::int32_t FakeBackend::day_of(util::WallTime t) const { return store::day_key_of(seconds(t), 0); }

util::Status FakeBackend::power_action(PowerAction action) {
  std::lock_guard lock(mutex_);
  power_actions_.push_back(action);
  return {};
}

std::vector<PowerAction> FakeBackend::power_actions() const {
  std::lock_guard lock(mutex_);
  return power_actions_;
}

}  // namespace apsecu::api::test
