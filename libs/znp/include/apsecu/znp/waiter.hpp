// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Waiting for frames from the module. A Waiter is registered when it is created and waited on
// later, so a reply that arrives between "send" and "wait" is never lost (the two-phase
// pattern needed for AF_DATA_REQUEST -> SRSP -> AF_DATA_CONFIRM -> AF_INCOMING_MSG).
//
// A waiter whose wait() timed out leaves a "tombstone" for a while: a matching frame that
// arrives late is dropped and counted instead of being handed to the next waiter for the same
// kind of frame. SRSPs carry no sequence number, so without this a late answer to one request
// would be taken as the answer to the next (the module answers strictly in order).
//
// But a timed-out answer is far more often lost (line noise) than late, and then the frame
// that meets the tombstone is the next request's own answer: dropping it made that request
// time out too, leave its own tombstone, and so on for every request after it. So a frame
// that meets a tombstone while a newer waiter wants it is held for that waiter: if a second
// matching frame follows within the settle time, the held one was the late answer (dropped,
// counted) and the second is delivered; otherwise the held one was this request's own.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "apsecu/unpi/frame.hpp"
#include "apsecu/util/hex.hpp"
#include "apsecu/util/result.hpp"
#include "apsecu/znp/commands.hpp"
#include "apsecu/znp/errors.hpp"

namespace apsecu::znp {

// Which frame a waiter wants. `test` runs on the client's reader thread with the client's
// waiter lock held: keep it short and never call back into the client from it.
struct Match {
  std::string what;  // for messages: "no <what> within 3000 ms"
  std::function<bool(const unpi::Frame&)> test;
  // True: a matching frame that comes after this waiter timed out answers the old request
  // and must not satisfy the next one (SRSPs, which carry no sequence number). False for
  // frames that are just as valid late, such as an inverter's telemetry: dropping those
  // would make every following poll of the same inverter time out as well.
  bool late_reply_is_stale = true;

  // Any frame with this key.
  [[nodiscard]] static Match key(const CommandKey& k);
  template <class T>
  [[nodiscard]] static Match of() {
    return key(T::kKey);
  }
  // A frame that decodes as T and satisfies `pred`.
  template <class T, class Pred>
  [[nodiscard]] static Match of(std::string what, Pred pred) {
    return Match{std::move(what), [pred = std::move(pred)](const unpi::Frame& f) {
                   const auto m = T::decode(f);
                   return m.has_value() && pred(*m);
                 }};
  }
};

// Common matchers for the AF request chain and network start.
[[nodiscard]] Match data_confirm(std::uint8_t endpoint, std::uint8_t trans_id);
[[nodiscard]] Match incoming_from(std::uint16_t src_addr, std::optional<std::uint16_t> cluster_id = std::nullopt);
[[nodiscard]] Match state_change(std::uint8_t state);

namespace detail {

struct Slot {
  Match match;
  std::optional<unpi::Frame> frame;
  std::optional<unpi::Frame> held;  // met a tombstone: late for the old request, or ours
  std::chrono::steady_clock::time_point held_at;
  std::optional<util::Error> failure;
  std::condition_variable cv;
  bool registered = true;
  bool waited = false;
};

// The waiter list shared by a client and its Waiters; thread-safe.
class Registry {
 public:
  using Clock = std::chrono::steady_clock;
  // How long a held frame waits for a second one that would show it was a late answer: the
  // module writes its answers back to back, a few milliseconds apart.
  static constexpr std::chrono::milliseconds kSettle{150};
  explicit Registry(std::chrono::milliseconds late_window) : late_window_(late_window) {}

  std::shared_ptr<Slot> add(Match match);
  void remove(const std::shared_ptr<Slot>& slot);
  // Removes the slot when it returns; on timeout leaves a tombstone.
  util::Result<unpi::Frame> wait(const std::shared_ptr<Slot>& slot, std::chrono::milliseconds timeout);
  [[nodiscard]] bool ready(const std::shared_ptr<Slot>& slot) const;

  enum class Outcome { Delivered, Late, Unclaimed };
  // Tombstones first (the oldest request is answered first), then live waiters in
  // registration order.
  Outcome offer(const unpi::Frame& frame);
  // Fails every pending waiter, and every later one until clear_failure().
  void fail_all(const util::Error& error);
  void clear_failure();
  void forget_late();
  // Drops the tombstones that would swallow `sample`.
  void forget_late_like(const unpi::Frame& sample);

  [[nodiscard]] std::uint64_t timeouts() const;
  [[nodiscard]] std::uint64_t late() const;

 private:
  struct Tombstone {
    Match match;
    Clock::time_point expires;
  };
  mutable std::mutex mutex_;
  std::list<std::shared_ptr<Slot>> slots_;
  std::deque<Tombstone> tombstones_;
  std::optional<util::Error> failure_;
  std::chrono::milliseconds late_window_;
  std::uint64_t timeouts_ = 0;
  std::uint64_t late_ = 0;
};

}  // namespace detail

// A registered interest in one frame. Move-only; destroying or cancelling it unregisters
// without leaving a tombstone. wait() may be called once.
class Waiter {
 public:
  Waiter() = default;
  Waiter(std::shared_ptr<detail::Registry> registry, std::shared_ptr<detail::Slot> slot)
      : registry_(std::move(registry)), slot_(std::move(slot)) {}
  Waiter(Waiter&&) noexcept = default;
  Waiter& operator=(Waiter&& other) noexcept {
    if (this != &other) {
      cancel();
      registry_ = std::move(other.registry_);
      slot_ = std::move(other.slot_);
    }
    return *this;
  }
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;
  ~Waiter() { cancel(); }

  // The frame, or Errc::Timeout "no <what> within <timeout> ms", or the link failure.
  util::Result<unpi::Frame> wait(std::chrono::milliseconds timeout);

  // wait() and decode as T; Errc::Malformed when the frame does not decode.
  template <class T>
  util::Result<T> wait_as(std::chrono::milliseconds timeout) {
    auto frame = wait(timeout);
    if (!frame) return frame.error();
    auto msg = T::decode(*frame);
    if (!msg) return util::make_error(Errc::Malformed, "malformed " + what() + ": " + util::to_hex(frame->data));
    return std::move(*msg);
  }

  // True once the frame arrived (wait() would return at once).
  [[nodiscard]] bool ready() const;
  [[nodiscard]] std::string what() const;
  void cancel();

 private:
  std::shared_ptr<detail::Registry> registry_;
  std::shared_ptr<detail::Slot> slot_;
};

}  // namespace apsecu::znp
