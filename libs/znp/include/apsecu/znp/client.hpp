// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The host side of the ZNP link. A reader thread turns transport bytes into frames and hands
// each one to, in order: the tap (every frame), a tombstone of a timed-out waiter (dropped as
// late), the oldest matching waiter, and otherwise the indication stream (AREQs) or the
// "unexpected" counter (stray SRSPs).
//
// Requests: one SREQ -> SRSP exchange at a time (serialised by a mutex); the SRSP waiter is
// registered before the SREQ is written. For chains, register further waiters with expect()
// before sending.
//
// Thread safety: every public member may be called from any thread. Callbacks (tap,
// indication handler) run on the reader thread and must not block for long.
// The transport must outlive the client.

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "apsecu/transport/transport.hpp"
#include "apsecu/unpi/decoder.hpp"
#include "apsecu/znp/commands.hpp"
#include "apsecu/znp/msg_common.hpp"
#include "apsecu/znp/waiter.hpp"

namespace apsecu::znp {

enum class Direction { Sent, Received };
using FrameTap = std::function<void(Direction, const unpi::Frame&)>;
using IndicationHandler = std::function<void(const unpi::Frame&)>;

struct ClientOptions {
  // A real frame arrives back to back at 115200 baud, so a partial frame that stopped growing
  // for this long was a false start (noise with an FE in it): unpi::Decoder::on_idle().
  std::chrono::milliseconds idle_gap{50};
  // Read timeout while nothing is pending; bounds how long stop() takes.
  std::chrono::milliseconds poll_interval{100};
  // How long after a timeout a matching frame still counts as that waiter's late reply.
  std::chrono::milliseconds late_window{1500};
  std::size_t indication_capacity = 256;  // oldest dropped (and counted) beyond this
};

struct ClientStats {
  std::uint64_t frames_in = 0;
  std::uint64_t frames_out = 0;
  std::uint64_t requests = 0;
  std::uint64_t timeouts = 0;              // waits that expired, requests and expect()s alike
  std::uint64_t late_replies = 0;          // frames dropped because their waiter had timed out
  std::uint64_t unexpected = 0;            // SRSPs (or stray SREQs) nobody waited for
  std::uint64_t indications = 0;           // AREQs handed to the handler or the queue
  std::uint64_t indications_dropped = 0;   // queue overflow
  std::uint64_t write_errors = 0;
  unpi::DecoderStats decoder;
};

class ZnpClient {
 public:
  explicit ZnpClient(transport::Transport& transport, ClientOptions options = {});
  ~ZnpClient();
  ZnpClient(const ZnpClient&) = delete;
  ZnpClient& operator=(const ZnpClient&) = delete;

  // Stops and joins the reader; pending and later waits fail with Errc::Cancelled.
  void stop();

  // SREQ -> SRSP. Errc::Timeout ("no SRSP to ZB_START_REQUEST within 3000 ms"), Errc::RpcError
  // when the module rejects the command, the transport's error when the write fails.
  util::Result<unpi::Frame> request(const unpi::Frame& sreq, std::chrono::milliseconds timeout);
  util::Result<unpi::Frame> request(const unpi::Frame& sreq);  // timeout from kCommands

  // Typed: encodes `req`, decodes Req::Response (Errc::Malformed if it does not decode).
  template <class Req>
  util::Result<typename Req::Response> request(const Req& req, std::optional<std::chrono::milliseconds> timeout = {});

  // For requests answered by a StatusRsp: Errc::BadStatus unless the status is 0.
  template <class Req>
  util::Status request_ok(const Req& req, std::optional<std::chrono::milliseconds> timeout = {});

  // Writes a frame without waiting for anything (AREQs such as SYS_RESET_REQ).
  util::Status send(const unpi::Frame& frame);

  // Registers a waiter now; wait on it later.
  [[nodiscard]] Waiter expect(Match match);

  // Unclaimed AREQs, oldest first; nullopt after `timeout`. Unused while a handler is set.
  std::optional<unpi::Frame> next_indication(std::chrono::milliseconds timeout);
  void clear_indications();
  // Set a handler to receive indications on the reader thread instead of queueing them; an
  // empty function goes back to queueing.
  void on_indication(IndicationHandler handler);
  void set_tap(FrameTap tap);

  // After a reset nothing late can come any more: drop the tombstones.
  void forget_late_replies();
  // Only those a frame like `sample` would be taken as: for a request whose reply says the
  // same whichever request it answers (UTIL_GET_DEVICE_INFO asked again after a timeout).
  void forget_late_replies_like(const unpi::Frame& sample);

  [[nodiscard]] ClientStats stats() const;
  // False once the transport failed or was closed.
  [[nodiscard]] bool link_up() const noexcept { return link_up_; }
  [[nodiscard]] std::string describe() const { return transport_.describe(); }

 private:
  void read_loop();
  void dispatch(const unpi::Frame& frame);
  void deliver_indication(const unpi::Frame& frame);
  util::Status write_frame(const unpi::Frame& frame);
  [[nodiscard]] static Match srsp_match(const unpi::Frame& sreq);

  transport::Transport& transport_;
  ClientOptions options_;
  std::shared_ptr<detail::Registry> registry_;

  std::mutex request_mutex_;  // one SREQ in flight
  std::mutex write_mutex_;

  mutable std::mutex callbacks_mutex_;
  FrameTap tap_;
  IndicationHandler indication_handler_;

  mutable std::mutex indications_mutex_;
  std::condition_variable indications_cv_;
  std::deque<unpi::Frame> indications_;

  mutable std::mutex stats_mutex_;
  ClientStats stats_;

  unpi::Decoder decoder_;  // reader thread only
  std::atomic<bool> stop_{false};
  std::atomic<bool> link_up_{true};
  std::thread reader_;  // last: starts after everything above is constructed
};

template <class Req>
util::Result<typename Req::Response> ZnpClient::request(const Req& req,
                                                        std::optional<std::chrono::milliseconds> timeout) {
  const unpi::Frame sreq = req.encode();
  auto frame = timeout ? request(sreq, *timeout) : request(sreq);
  if (!frame) return frame.error();
  auto rsp = Req::Response::decode(*frame);
  if (!rsp) {
    return util::make_error(Errc::Malformed,
                            "malformed SRSP to " + command_name(Req::kKey) + ": " + util::to_hex(frame->data));
  }
  return std::move(*rsp);
}

template <class Req>
util::Status ZnpClient::request_ok(const Req& req, std::optional<std::chrono::milliseconds> timeout) {
  static_assert(std::is_same_v<typename Req::Response, StatusRsp>, "request_ok() needs a status SRSP");
  auto rsp = request(req, timeout);
  if (!rsp) return rsp.error();
  if (!rsp->ok()) {
    return util::make_error(Errc::BadStatus, command_name(Req::kKey) + " answered status 0x" +
                                                 util::to_hex(util::ByteView(&rsp->status, 1)) + " (" +
                                                 std::string(status_name(rsp->status)) + ")");
  }
  return {};
}

}  // namespace apsecu::znp
