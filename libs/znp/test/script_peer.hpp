// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A scripted stand-in for the module, as an in-process Transport:
//
//   peer.expect("FE00270027").reply("FE0E6700...", 5ms);   // ordered script
//   peer.on("FE00210120").reply("FE02610179071C");         // standing rule, any time
//   peer.push("FE0145C0098D", 20ms);                       // unsolicited bytes
//
// Replies are queued `after` the host's write that triggered them (not cumulatively), and
// read_some() hands out bytes in due-time order. Host writes are split into frames; each
// must match the next scripted step or a rule, otherwise it is recorded as unexpected.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "apsecu/transport/transport.hpp"
#include "apsecu/unpi/decoder.hpp"
#include "apsecu/util/hex.hpp"

namespace apsecu::znp::test {

class ScriptPeer final : public transport::Transport {
 public:
  using Clock = std::chrono::steady_clock;
  using ms = std::chrono::milliseconds;

  ScriptPeer& expect(const std::string& request_hex) {
    std::lock_guard lock(mutex_);
    script_.push_back(Step{request_hex, {}});
    last_is_rule_ = false;
    return *this;
  }
  ScriptPeer& on(const std::string& request_hex) {
    std::lock_guard lock(mutex_);
    rules_.push_back(Step{request_hex, {}});
    last_is_rule_ = true;
    return *this;
  }
  ScriptPeer& reply(const std::string& frame_hex, ms after = ms{0}) {
    std::lock_guard lock(mutex_);
    Step& step = last_is_rule_ ? rules_.back() : script_.back();
    step.replies.emplace_back(frame_hex, after);
    return *this;
  }
  void push(const std::string& bytes_hex, ms after = ms{0}) {
    std::lock_guard lock(mutex_);
    schedule(bytes_hex, Clock::now() + after);
    cv_.notify_all();
  }
  void clear_rules() {
    std::lock_guard lock(mutex_);
    rules_.clear();
  }

  [[nodiscard]] std::vector<std::string> written() const {
    std::lock_guard lock(mutex_);
    return written_;
  }
  [[nodiscard]] std::vector<std::string> unexpected() const {
    std::lock_guard lock(mutex_);
    return unexpected_;
  }
  [[nodiscard]] std::size_t pending_steps() const {
    std::lock_guard lock(mutex_);
    return script_.size();
  }
  // Host writes made while replies to an earlier write were still queued.
  [[nodiscard]] int overlapping_writes() const {
    std::lock_guard lock(mutex_);
    return overlapping_writes_;
  }

  util::Result<std::size_t> read_some(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      if (closed_) return util::make_error(transport::Errc::Closed, "script peer closed");
      const auto now = Clock::now();
      if (!outgoing_.empty() && outgoing_.begin()->first <= now) {
        auto node = outgoing_.begin();
        util::Bytes& bytes = node->second;
        const std::size_t n = std::min(buffer.size(), bytes.size());
        std::copy_n(bytes.begin(), n, buffer.begin());
        bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
        if (bytes.empty()) outgoing_.erase(node);
        return n;
      }
      if (now >= deadline) return std::size_t{0};
      auto wake = deadline;
      if (!outgoing_.empty() && outgoing_.begin()->first < wake) wake = outgoing_.begin()->first;
      cv_.wait_until(lock, wake);
    }
  }

  util::Status write_all(util::ByteView bytes) override {
    std::lock_guard lock(mutex_);
    if (closed_) return util::make_error(transport::Errc::Closed, "script peer closed");
    const auto now = Clock::now();
    decoder_.feed(bytes);
    while (auto frame = decoder_.next()) {
      const std::string hex = util::to_hex(*unpi::encode(*frame));
      written_.push_back(hex);
      if (!outgoing_.empty()) ++overlapping_writes_;
      const Step* step = nullptr;
      Step scripted;
      if (!script_.empty() && script_.front().request == hex) {
        scripted = std::move(script_.front());
        script_.pop_front();
        step = &scripted;
      } else {
        for (const auto& rule : rules_) {
          if (rule.request == hex) {
            step = &rule;
            break;
          }
        }
      }
      if (step == nullptr) {
        unexpected_.push_back(hex);
        continue;
      }
      for (const auto& [reply_hex, after] : step->replies) schedule(reply_hex, now + after);
    }
    cv_.notify_all();
    return {};
  }

  void close() override {
    std::lock_guard lock(mutex_);
    closed_ = true;
    cv_.notify_all();
  }
  [[nodiscard]] std::string describe() const override { return "script-peer"; }

 private:
  struct Step {
    std::string request;
    std::vector<std::pair<std::string, ms>> replies;
  };

  void schedule(const std::string& hex, Clock::time_point due) {
    auto bytes = util::from_hex(hex);
    if (bytes) outgoing_.emplace(due, std::move(*bytes));  // multimap keeps equal-time order
  }

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Step> script_;
  std::vector<Step> rules_;
  bool last_is_rule_ = false;
  std::multimap<Clock::time_point, util::Bytes> outgoing_;
  std::vector<std::string> written_;
  std::vector<std::string> unexpected_;
  int overlapping_writes_ = 0;
  unpi::Decoder decoder_;
  bool closed_ = false;
};

}  // namespace apsecu::znp::test
