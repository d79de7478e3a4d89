// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/znp/waiter.hpp"

#include <algorithm>

#include "apsecu/znp/messages.hpp"

namespace apsecu::znp {

Match Match::key(const CommandKey& k) {
  return Match{command_name(k), [k](const unpi::Frame& f) { return k.matches(f); }};
}

Match data_confirm(std::uint8_t endpoint, std::uint8_t trans_id) {
  return Match::of<AfDataConfirm>(
      "AF_DATA_CONFIRM (ep 0x" + util::to_hex(util::ByteView(&endpoint, 1)) + ", trans " + std::to_string(trans_id) + ")",
      [=](const AfDataConfirm& c) { return c.endpoint == endpoint && c.trans_id == trans_id; });
}

Match incoming_from(std::uint16_t src_addr, std::optional<std::uint16_t> cluster_id) {
  const std::uint8_t addr[2] = {static_cast<std::uint8_t>(src_addr >> 8), static_cast<std::uint8_t>(src_addr & 0xFF)};
  std::string what = "AF_INCOMING_MSG from 0x" + util::to_hex(addr);
  if (cluster_id) {
    const std::uint8_t c[2] = {static_cast<std::uint8_t>(*cluster_id >> 8), static_cast<std::uint8_t>(*cluster_id & 0xFF)};
    what += " (cluster 0x" + util::to_hex(c) + ")";
  }
  return Match::of<AfIncomingMsg>(std::move(what), [=](const AfIncomingMsg& m) {
    return m.src_addr == src_addr && (!cluster_id || m.cluster_id == *cluster_id);
  });
}

Match state_change(std::uint8_t state) {
  return Match::of<ZdoStateChangeInd>("ZDO_STATE_CHANGE_IND (state " + std::to_string(state) + ")",
                                      [=](const ZdoStateChangeInd& s) { return s.state == state; });
}

namespace detail {

std::shared_ptr<Slot> Registry::add(Match match) {
  auto slot = std::make_shared<Slot>();
  slot->match = std::move(match);
  std::lock_guard lock(mutex_);
  if (failure_) {
    slot->failure = failure_;
    slot->registered = false;
    return slot;
  }
  slots_.push_back(slot);
  return slot;
}

void Registry::remove(const std::shared_ptr<Slot>& slot) {
  std::lock_guard lock(mutex_);
  if (!slot->registered) return;
  slot->registered = false;
  slots_.remove(slot);
}

bool Registry::ready(const std::shared_ptr<Slot>& slot) const {
  std::lock_guard lock(mutex_);
  return slot->frame.has_value() || slot->failure.has_value();
}

util::Result<unpi::Frame> Registry::wait(const std::shared_ptr<Slot>& slot, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (slot->waited) return util::make_error(Errc::Cancelled, "already waited for " + slot->match.what);
  slot->waited = true;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (slot->frame || slot->failure) break;
    const auto now = Clock::now();
    if (slot->held && (now >= slot->held_at + kSettle || now >= deadline)) {
      slot->frame = std::move(slot->held);  // nothing followed it: it was ours
      slot->held.reset();
      break;
    }
    if (now >= deadline) break;
    slot->cv.wait_until(lock, slot->held ? std::min(deadline, slot->held_at + kSettle) : deadline);
  }
  if (slot->registered) {
    slot->registered = false;
    slots_.remove(slot);
  }
  if (slot->frame) return std::move(*slot->frame);
  if (slot->failure) return *slot->failure;
  ++timeouts_;
  if (slot->match.late_reply_is_stale) tombstones_.push_back(Tombstone{slot->match, Clock::now() + late_window_});
  return util::make_error(Errc::Timeout,
                          "no " + slot->match.what + " within " + std::to_string(timeout.count()) + " ms");
}

Registry::Outcome Registry::offer(const unpi::Frame& frame) {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  std::erase_if(tombstones_, [&](const Tombstone& t) { return t.expires < now; });
  for (auto it = tombstones_.begin(); it != tombstones_.end(); ++it) {
    if (it->match.test(frame)) {
      tombstones_.erase(it);
      for (auto& s : slots_) {
        Slot& slot = *s;
        if (!slot.frame && !slot.failure && !slot.held && slot.match.test(frame)) {
          slot.held = frame;
          slot.held_at = now;
          slot.cv.notify_all();
          return Outcome::Delivered;
        }
      }
      ++late_;
      return Outcome::Late;
    }
  }
  for (auto it = slots_.begin(); it != slots_.end(); ++it) {
    Slot& slot = **it;
    if (!slot.frame && !slot.failure && slot.match.test(frame)) {
      if (slot.held) {  // the held one was the old request's late answer
        slot.held.reset();
        ++late_;
      }
      slot.frame = frame;
      // Stays registered until wait()/cancel() so ready() and wait() see the frame; it no
      // longer matches anything because it already holds one.
      slot.cv.notify_all();
      return Outcome::Delivered;
    }
  }
  return Outcome::Unclaimed;
}

void Registry::fail_all(const util::Error& error) {
  std::lock_guard lock(mutex_);
  failure_ = error;
  for (auto& slot : slots_) {
    if (!slot->frame && !slot->failure) {
      slot->failure = error;
      slot->cv.notify_all();
    }
  }
}

void Registry::clear_failure() {
  std::lock_guard lock(mutex_);
  failure_.reset();
}

void Registry::forget_late_like(const unpi::Frame& sample) {
  std::lock_guard lock(mutex_);
  std::erase_if(tombstones_, [&](const Tombstone& t) { return t.match.test(sample); });
}

void Registry::forget_late() {
  std::lock_guard lock(mutex_);
  tombstones_.clear();
}

std::uint64_t Registry::timeouts() const {
  std::lock_guard lock(mutex_);
  return timeouts_;
}

std::uint64_t Registry::late() const {
  std::lock_guard lock(mutex_);
  return late_;
}

}  // namespace detail

util::Result<unpi::Frame> Waiter::wait(std::chrono::milliseconds timeout) {
  if (!slot_) return util::make_error(Errc::Cancelled, "wait on an empty or cancelled waiter");
  return registry_->wait(slot_, timeout);
}

bool Waiter::ready() const { return slot_ && registry_->ready(slot_); }

std::string Waiter::what() const { return slot_ ? slot_->match.what : std::string("nothing"); }

void Waiter::cancel() {
  if (slot_) registry_->remove(slot_);
  slot_.reset();
  registry_.reset();
}

}  // namespace apsecu::znp
