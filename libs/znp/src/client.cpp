// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/znp/client.hpp"

#include <array>

#include "apsecu/util/log.hpp"
#include "apsecu/znp/describe.hpp"
#include "apsecu/znp/msg_common.hpp"

namespace apsecu::znp {
namespace {

std::shared_ptr<spdlog::logger> log() {
  static const auto logger = util::logger("znp");
  return logger;
}

}  // namespace

ZnpClient::ZnpClient(transport::Transport& transport, ClientOptions options)
    : transport_(transport),
      options_(options),
      registry_(std::make_shared<detail::Registry>(options.late_window)),
      reader_([this] { read_loop(); }) {}

ZnpClient::~ZnpClient() { stop(); }

void ZnpClient::stop() {
  stop_ = true;
  if (reader_.joinable()) reader_.join();
  registry_->fail_all(util::make_error(Errc::Cancelled, "ZNP client stopped"));
  indications_cv_.notify_all();
}

void ZnpClient::read_loop() {
  std::array<std::uint8_t, 512> buffer{};
  auto last_rx = std::chrono::steady_clock::now();
  while (!stop_) {
    const auto timeout = decoder_.has_partial() ? options_.idle_gap : options_.poll_interval;
    auto got = transport_.read_some(buffer, timeout);
    if (!got) {
      if (stop_) break;
      link_up_ = false;
      const auto error = util::make_error(Errc::LinkDown, "link " + transport_.describe() +
                                                              " lost: " + got.error().describe());
      log()->error("{}", error.message);
      registry_->fail_all(error);
      indications_cv_.notify_all();
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (*got > 0) {
      decoder_.feed(util::ByteView(buffer.data(), *got));
      last_rx = now;
    } else if (decoder_.has_partial() && now - last_rx >= options_.idle_gap) {
      decoder_.on_idle();
    }
    while (auto frame = decoder_.next()) dispatch(*frame);
    std::lock_guard lock(stats_mutex_);
    stats_.decoder = decoder_.stats();
  }
}

void ZnpClient::dispatch(const unpi::Frame& frame) {
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.frames_in;
  }
  FrameTap tap;
  {
    std::lock_guard lock(callbacks_mutex_);
    tap = tap_;
  }
  if (tap) tap(Direction::Received, frame);
  if (log()->should_log(spdlog::level::trace)) log()->trace("<- {}", znp::describe(frame));

  switch (registry_->offer(frame)) {
    case detail::Registry::Outcome::Delivered: return;
    case detail::Registry::Outcome::Late:
      log()->debug("dropped late {} (its waiter had timed out)", znp::describe(frame));
      return;
    case detail::Registry::Outcome::Unclaimed: break;
  }
  if (frame.type == unpi::Type::Areq) {
    deliver_indication(frame);
    return;
  }
  log()->debug("dropped unexpected {}", znp::describe(frame));
  std::lock_guard lock(stats_mutex_);
  ++stats_.unexpected;
}

void ZnpClient::deliver_indication(const unpi::Frame& frame) {
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.indications;
  }
  IndicationHandler handler;
  {
    std::lock_guard lock(callbacks_mutex_);
    handler = indication_handler_;
  }
  if (handler) {
    handler(frame);
    return;
  }
  bool dropped = false;
  {
    std::lock_guard lock(indications_mutex_);
    if (indications_.size() >= options_.indication_capacity && !indications_.empty()) {
      indications_.pop_front();
      dropped = true;
    }
    indications_.push_back(frame);
  }
  indications_cv_.notify_one();
  if (dropped) {
    std::lock_guard lock(stats_mutex_);
    ++stats_.indications_dropped;
  }
}

util::Status ZnpClient::write_frame(const unpi::Frame& frame) {
  auto bytes = unpi::encode(frame);
  if (!bytes) return bytes.error();
  FrameTap tap;
  {
    std::lock_guard lock(callbacks_mutex_);
    tap = tap_;
  }
  // Tapped before the write so a journal never shows a reply ahead of its request.
  if (tap) tap(Direction::Sent, frame);
  if (log()->should_log(spdlog::level::trace)) log()->trace("-> {}", znp::describe(frame));
  util::Status st;
  {
    std::lock_guard lock(write_mutex_);
    st = transport_.write_all(*bytes);
  }
  std::lock_guard lock(stats_mutex_);
  if (!st) {
    ++stats_.write_errors;
    return util::Error{st.error().code, "cannot send " + command_name(frame) + ": " + st.error().describe()};
  }
  ++stats_.frames_out;
  return {};
}

Match ZnpClient::srsp_match(const unpi::Frame& sreq) {
  const CommandKey rsp = key_of(sreq).response();
  const std::uint8_t cmd0 = sreq.cmd0();
  const std::uint8_t cmd1 = sreq.command;
  return Match{"SRSP to " + command_name(sreq), [rsp, cmd0, cmd1](const unpi::Frame& f) {
                 if (rsp.matches(f)) return true;
                 const auto err = RpcError::decode(f);
                 return err && err->request_cmd0 == cmd0 && err->request_cmd1 == cmd1;
               }};
}

util::Result<unpi::Frame> ZnpClient::request(const unpi::Frame& sreq) {
  return request(sreq, default_timeout(key_of(sreq)));
}

util::Result<unpi::Frame> ZnpClient::request(const unpi::Frame& sreq, std::chrono::milliseconds timeout) {
  std::lock_guard serial(request_mutex_);
  Waiter waiter = expect(srsp_match(sreq));  // before the write: a fast SRSP must find it
  if (auto st = write_frame(sreq); !st) return st.error();
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.requests;
  }
  auto reply = waiter.wait(timeout);
  if (!reply) {
    log()->warn("{}", reply.error().describe());
    return reply.error();
  }
  if (const auto err = RpcError::decode(*reply)) {
    return util::make_error(Errc::RpcError, "module rejected " + command_name(sreq) + ": " + std::string(err->reason()));
  }
  return reply;
}

util::Status ZnpClient::send(const unpi::Frame& frame) { return write_frame(frame); }

Waiter ZnpClient::expect(Match match) { return Waiter(registry_, registry_->add(std::move(match))); }

std::optional<unpi::Frame> ZnpClient::next_indication(std::chrono::milliseconds timeout) {
  std::unique_lock lock(indications_mutex_);
  indications_cv_.wait_for(lock, timeout, [&] { return !indications_.empty() || stop_ || !link_up_; });
  if (indications_.empty()) return std::nullopt;
  unpi::Frame f = std::move(indications_.front());
  indications_.pop_front();
  return f;
}

void ZnpClient::clear_indications() {
  std::lock_guard lock(indications_mutex_);
  indications_.clear();
}

void ZnpClient::on_indication(IndicationHandler handler) {
  std::lock_guard lock(callbacks_mutex_);
  indication_handler_ = std::move(handler);
}

void ZnpClient::set_tap(FrameTap tap) {
  std::lock_guard lock(callbacks_mutex_);
  tap_ = std::move(tap);
}

void ZnpClient::forget_late_replies() { registry_->forget_late(); }
void ZnpClient::forget_late_replies_like(const unpi::Frame& sample) { registry_->forget_late_like(sample); }

ClientStats ZnpClient::stats() const {
  ClientStats out;
  {
    std::lock_guard lock(stats_mutex_);
    out = stats_;
  }
  out.timeouts = registry_->timeouts();
  out.late_replies = registry_->late();
  return out;
}

}  // namespace apsecu::znp
