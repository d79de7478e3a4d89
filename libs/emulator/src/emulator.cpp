// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/emulator/emulator.hpp"

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "apsecu/emulator/solar_plant.hpp"
#include "apsecu/util/hex.hpp"
#include "apsecu/util/log.hpp"
#include "host_link.hpp"
#include "pty_door.hpp"

namespace apsecu::emulator {
namespace {

// The worker wakes at least this often to move simulated time and fire scheduled events.
constexpr auto kTick = std::chrono::milliseconds{20};
// A partial frame that stops growing for this long was a false start (115200 baud sends a
// whole frame in ~20 ms).
constexpr auto kLineIdle = std::chrono::milliseconds{50};

}  // namespace

struct Emulator::Impl {
  Impl(EmulatorConfig c, const util::Clock& clk)
      : config(std::move(c)), clock(clk), plant(config), module(config, plant), inbox(std::make_shared<Inbox>()) {
    events = config.events;
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  }

  void run();
  void step(util::SteadyTime now);
  void fire_events();
  void deliver(const std::vector<util::Bytes>& writes);

  EmulatorConfig config;
  const util::Clock& clock;
  mutable std::mutex mutex;  // guards everything below except inbox (own lock)
  SolarPlant plant;
  Cc2530 module;
  std::vector<ScheduledEvent> events;
  std::size_t next_event = 0;
  std::shared_ptr<Inbox> inbox;
  std::vector<std::shared_ptr<Port>> ports;
  std::unique_ptr<PtyDoor> pty;
  util::SteadyTime last_input{};
  bool idle_pending = false;
  bool started = false;
  std::atomic<bool> stopping{false};
  std::thread worker;
  std::shared_ptr<spdlog::logger> log = util::logger("emulator");
};

void Emulator::Impl::fire_events() {
  while (next_event < events.size() && events[next_event].at <= plant.time()) {
    const auto& e = events[next_event++];
    switch (e.kind) {
      case EventKind::FreezeCoordinator:
        log->info("event: coordinator freezes");
        module.freeze();
        break;
      case EventKind::ZombieCoordinator:
        log->info("event: coordinator keeps answering but stops routing");
        module.zombie();
        break;
      case EventKind::ResetCoordinator:
        log->info("event: coordinator resets");
        module.spontaneous_reset(clock.steady_now());
        break;
      case EventKind::ResetInverter:
        if (auto serial = aps::Serial::parse(e.serial)) {
          if (auto* inv = plant.find(*serial)) {
            log->info("event: inverter {} restarts", e.serial);
            inv->restart(plant.time());
          }
        }
        break;
    }
  }
}

void Emulator::Impl::deliver(const std::vector<util::Bytes>& writes) {
  for (const auto& w : writes) {
    if (log->should_log(spdlog::level::trace)) log->trace("module -> host {}", util::to_hex(w));
    for (const auto& p : ports) p->deliver(w);
    if (pty) pty->write_host(w);
  }
  std::erase_if(ports, [](const auto& p) { return p->closed(); });
}

void Emulator::Impl::step(util::SteadyTime now) {
  std::lock_guard lock(mutex);
  plant.advance_to(clock.now());
  fire_events();
  for (auto& e : inbox->take()) {
    switch (e.kind) {
      case InputEvent::Kind::Bytes:
        if (log->should_log(spdlog::level::trace)) log->trace("host -> module {}", util::to_hex(e.bytes));
        module.receive(e.bytes, now);
        last_input = now;
        idle_pending = true;
        break;
      case InputEvent::Kind::ResetLow: module.set_reset_low(true, now); break;
      case InputEvent::Kind::ResetHigh: module.set_reset_low(false, now); break;
    }
  }
  if (pty) {
    for (const bool low : pty->read_levels()) module.set_reset_low(low, now);
    const auto bytes = pty->read_host();
    if (!bytes.empty()) {
      if (log->should_log(spdlog::level::trace)) log->trace("host -> module {}", util::to_hex(bytes));
      module.receive(bytes, now);
      last_input = now;
      idle_pending = true;
    }
  }
  if (idle_pending && now - last_input >= kLineIdle) {
    module.line_idle();
    idle_pending = false;
  }
  deliver(module.take_due(now));
}

void Emulator::Impl::run() {
  while (!stopping.load()) {
    step(clock.steady_now());
    auto wait = std::chrono::nanoseconds{kTick};
    {
      std::lock_guard lock(mutex);
      const auto now = clock.steady_now();
      if (const auto due = module.next_due()) wait = std::clamp<std::chrono::nanoseconds>(*due - now, {}, kTick);
      if (idle_pending) wait = std::min<std::chrono::nanoseconds>(wait, kLineIdle);
    }
    pollfd fds[3] = {{inbox->fd(), POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
    if (pty) {
      fds[1].fd = pty->master_fd();
      fds[2].fd = pty->fifo_fd();
    }
    const timespec ts{static_cast<time_t>(wait.count() / 1'000'000'000), static_cast<long>(wait.count() % 1'000'000'000)};
    ::ppoll(fds, 3, &ts, nullptr);
    // POLLHUP on the master means no host has the slave open: do not spin on it.
    if ((fds[1].revents & POLLHUP) != 0) std::this_thread::sleep_for(std::chrono::milliseconds{5});
    inbox->drain_wakeups();
  }
}

Emulator::Emulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

util::Result<std::unique_ptr<Emulator>> Emulator::create(EmulatorConfig config, const util::Clock& clock) {
  auto done = finalize(std::move(config));
  if (!done) return done.error();
  auto impl = std::make_unique<Impl>(std::move(done).value(), clock);
  if (auto opened = impl->plant.ground_truth().open_file(impl->config.ground_truth_path); !opened) {
    return opened.error();
  }
  impl->plant.start(clock.now());
  // Events scheduled before the start belong to a past the emulator never lived through.
  while (impl->next_event < impl->events.size() && impl->events[impl->next_event].at < impl->plant.time()) {
    ++impl->next_event;
  }
  return std::unique_ptr<Emulator>(new Emulator(std::move(impl)));
}

Emulator::~Emulator() { stop(); }

void Emulator::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->started) return;
  impl_->started = true;
  impl_->module.power_on(impl_->clock.steady_now());
  impl_->worker = std::thread([this] { impl_->run(); });
}

void Emulator::stop() {
  impl_->stopping = true;
  impl_->inbox->wake();
  if (impl_->worker.joinable()) impl_->worker.join();
  std::lock_guard lock(impl_->mutex);
  impl_->inbox->close();
  for (auto& p : impl_->ports) p->close();
  impl_->ports.clear();
  impl_->pty.reset();
  if (impl_->started) {
    impl_->plant.ground_truth().flush_open_days();
    impl_->started = false;
  }
}

std::unique_ptr<transport::Transport> Emulator::connect() {
  auto port = std::make_shared<Port>();
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping) {
      port->close();
    } else {
      impl_->ports.push_back(port);
    }
  }
  return std::make_unique<InProcessTransport>(impl_->inbox, std::move(port));
}

std::unique_ptr<transport::ResetLine> Emulator::reset_line() {
  return std::make_unique<InProcessResetLine>(impl_->inbox);
}

util::Result<PtyPaths> Emulator::open_pty(const PtyOptions& options) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->pty) return impl_->pty->paths();
  auto door = PtyDoor::open(options);
  if (!door) return door.error();
  impl_->pty = std::move(door).value();
  impl_->inbox->wake();  // the worker must start polling the new descriptors
  return impl_->pty->paths();
}

void Emulator::freeze_coordinator() {
  std::lock_guard lock(impl_->mutex);
  impl_->module.freeze();
}

void Emulator::zombie_coordinator() {
  std::lock_guard lock(impl_->mutex);
  impl_->module.zombie();
}

void Emulator::reset_coordinator() {
  std::lock_guard lock(impl_->mutex);
  impl_->module.spontaneous_reset(impl_->clock.steady_now());
  impl_->inbox->wake();
}

bool Emulator::reset_inverter(const std::string& serial) {
  const auto s = aps::Serial::parse(serial);
  if (!s) return false;
  std::lock_guard lock(impl_->mutex);
  impl_->plant.advance_to(impl_->clock.now());
  auto* inv = impl_->plant.find(*s);
  if (inv == nullptr) return false;
  inv->restart(impl_->plant.time());
  return true;
}

const EmulatorConfig& Emulator::config() const noexcept { return impl_->config; }

util::WallTime Emulator::sim_time() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->plant.time();
}

CoordinatorStatus Emulator::coordinator() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->module.status(impl_->clock.steady_now());
}

std::vector<InverterStatus> Emulator::inverters() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<InverterStatus> out;
  for (const auto& inv : impl_->plant.inverters()) out.push_back(inv.status(impl_->plant.time()));
  return out;
}

std::optional<InverterStatus> Emulator::inverter(const std::string& serial) const {
  for (auto& s : inverters()) {
    if (s.serial.str() == serial) return s;
  }
  return std::nullopt;
}

std::vector<DayEnergy> Emulator::ground_truth() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->plant.ground_truth().days();
}

std::optional<DayEnergy> Emulator::ground_truth(const std::string& serial, std::chrono::year_month_day date) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->plant.ground_truth().day(serial, date);
}

}  // namespace apsecu::emulator
