// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Fans the backend's live events out to the open event streams (SSE), keeps the recent
// journal entries and wire frames for the console page, and tracks console jobs.
//
// Each stream has a bounded queue: a slow browser loses its oldest messages (and is told
// so with a "lost" event) instead of slowing the engine thread that publishes. Streams
// that are not admin get the live values only. Thread-safe; shared so that a job finishing
// after stop() finds nothing to write to.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "apsecu/api/backend.hpp"
#include "json_views.hpp"

namespace apsecu::api {

class LiveHub : public std::enable_shared_from_this<LiveHub> {
 public:
  struct Options {
    std::size_t max_clients = 4;
    std::chrono::seconds heartbeat{15};
    std::size_t ring = 200;         // journal entries and frames kept for the console page
    std::size_t queue = 256;        // messages waiting per stream
    std::size_t jobs_kept = 50;
  };
  using LiveFormatter = std::function<json(const engine::Snapshot&)>;

  LiveHub(Backend& backend, Options options, LiveFormatter format);

  void start();
  void stop();

  struct Client;
  // nullptr when max_clients streams are open already.
  [[nodiscard]] std::shared_ptr<Client> open(bool admin);
  void close(const std::shared_ptr<Client>& c);
  // The next message for a stream (SSE text), a heartbeat comment after `heartbeat`
  // without one, or nullopt when the hub stops.
  [[nodiscard]] std::optional<std::string> next(Client& c);
  [[nodiscard]] std::size_t clients() const;

  [[nodiscard]] json recent_journal() const;
  [[nodiscard]] json recent_frames() const;

  // Posts a job to the engine; the result comes as a "job" event and via job(id).
  json submit(engine::Job job, std::string action, std::string detail);
  [[nodiscard]] json jobs() const;
  [[nodiscard]] std::optional<json> job(std::int64_t id) const;

 private:
  void on_event(const LiveEvent& e);
  void push(const std::string& event, const json& data, bool admin_only);
  void finish_job(std::int64_t id, const util::Result<std::string>& r);

  Backend& backend_;
  Options options_;
  LiveFormatter format_;
  std::unique_ptr<Subscription> subscription_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  std::vector<std::shared_ptr<Client>> clients_;
  std::deque<json> journal_;
  std::deque<json> frames_;
  std::deque<json> jobs_;
  std::int64_t next_job_ = 1;
};

}  // namespace apsecu::api
