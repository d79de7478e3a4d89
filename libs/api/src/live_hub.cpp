// SPDX-License-Identifier: GPL-3.0-or-later
#include "live_hub.hpp"

#include <algorithm>

namespace apsecu::api {

struct LiveHub::Client {
  bool admin = false;
  std::deque<std::shared_ptr<const std::string>> queue;
  bool lost = false;
  bool closed = false;
};

LiveHub::LiveHub(Backend& backend, Options options, LiveFormatter format)
    : backend_(backend), options_(options), format_(std::move(format)) {}

void LiveHub::start() {
  std::weak_ptr<LiveHub> weak = weak_from_this();
  subscription_ = backend_.subscribe([weak](const LiveEvent& e) {
    if (auto self = weak.lock()) self->on_event(e);
  });
}

void LiveHub::stop() {
  subscription_.reset();
  std::lock_guard lock(mutex_);
  stopped_ = true;
  wake_.notify_all();
}

std::shared_ptr<LiveHub::Client> LiveHub::open(bool admin) {
  std::lock_guard lock(mutex_);
  if (stopped_ || clients_.size() >= options_.max_clients) return nullptr;
  auto c = std::make_shared<Client>();
  c->admin = admin;
  // The current values first, so a page is complete without waiting for the next cycle.
  if (auto snap = backend_.snapshot()) {
    json hello = format_(*snap);
    c->queue.push_back(std::make_shared<const std::string>("event: live\ndata: " + hello.dump() + "\n\n"));
  }
  clients_.push_back(c);
  return c;
}

void LiveHub::close(const std::shared_ptr<Client>& c) {
  std::lock_guard lock(mutex_);
  c->closed = true;
  std::erase(clients_, c);
}

std::size_t LiveHub::clients() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

std::optional<std::string> LiveHub::next(Client& c) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, options_.heartbeat, [&] { return stopped_ || c.closed || !c.queue.empty(); });
  if (stopped_ || c.closed) return std::nullopt;
  if (c.queue.empty()) return std::string(": keep-alive\n\n");
  std::string out;
  if (c.lost) {
    out = "event: lost\ndata: {}\n\n";
    c.lost = false;
  }
  while (!c.queue.empty()) {
    out += *c.queue.front();
    c.queue.pop_front();
  }
  return out;
}

void LiveHub::push(const std::string& event, const json& data, bool admin_only) {
  auto text = std::make_shared<const std::string>("event: " + event + "\ndata: " + data.dump() + "\n\n");
  for (auto& c : clients_) {
    if (admin_only && !c->admin) continue;
    if (c->queue.size() >= options_.queue) {
      c->queue.pop_front();
      c->lost = true;
    }
    c->queue.push_back(text);
  }
  wake_.notify_all();
}

void LiveHub::on_event(const LiveEvent& e) {
  // Formatting happens outside the lock; the engine thread calls this.
  if (const auto* cycle = std::get_if<CycleEvent>(&e)) {
    if (!cycle->snapshot) return;
    const json j = format_(*cycle->snapshot);
    std::lock_guard lock(mutex_);
    push("live", j, false);
  } else if (const auto* journal = std::get_if<JournalEvent>(&e)) {
    const json j = journal_json(journal->entry);
    std::lock_guard lock(mutex_);
    journal_.push_back(j);
    if (journal_.size() > options_.ring) journal_.pop_front();
    push("journal", j, true);
  } else if (const auto* frame = std::get_if<FrameEvent>(&e)) {
    const json j = frame_json(*frame);
    std::lock_guard lock(mutex_);
    frames_.push_back(j);
    if (frames_.size() > options_.ring) frames_.pop_front();
    push("frame", j, true);
  }
}

json LiveHub::recent_journal() const {
  std::lock_guard lock(mutex_);
  return json(std::vector<json>(journal_.begin(), journal_.end()));
}

json LiveHub::recent_frames() const {
  std::lock_guard lock(mutex_);
  return json(std::vector<json>(frames_.begin(), frames_.end()));
}

json LiveHub::submit(engine::Job job, std::string action, std::string detail) {
  json entry;
  std::int64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_job_++;
    entry = {{"id", id},
             {"action", std::move(action)},
             {"detail", std::move(detail)},
             {"state", "queued"},
             {"text", ""},
             {"submitted_s", util::unix_seconds(backend_.clock().now())},
             {"finished_s", nullptr}};
    jobs_.push_back(entry);
    if (jobs_.size() > options_.jobs_kept) jobs_.pop_front();
    push("job", entry, true);
  }
  std::weak_ptr<LiveHub> weak = weak_from_this();
  // Not under the lock: a backend may call `done` at once, on this thread.
  backend_.post(std::move(job), [weak, id](util::Result<std::string> r) {
    if (auto self = weak.lock()) self->finish_job(id, r);
  });
  return entry;
}

void LiveHub::finish_job(std::int64_t id, const util::Result<std::string>& r) {
  const auto now = util::unix_seconds(backend_.clock().now());
  std::lock_guard lock(mutex_);
  for (auto& j : jobs_) {
    if (j["id"] != id) continue;
    j["state"] = r.ok() ? "done" : "failed";
    j["text"] = r.ok() ? r.value() : r.error().describe();
    j["finished_s"] = now;
    push("job", j, true);
    return;
  }
}

json LiveHub::jobs() const {
  std::lock_guard lock(mutex_);
  return json(std::vector<json>(jobs_.rbegin(), jobs_.rend()));
}

std::optional<json> LiveHub::job(std::int64_t id) const {
  std::lock_guard lock(mutex_);
  for (const auto& j : jobs_) {
    if (j["id"] == id) return j;
  }
  return std::nullopt;
}

}  // namespace apsecu::api
