// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Persists what the engine reports: every poll cycle with its samples, the engine state
// of each inverter and the journal entries since the previous cycle, in ONE transaction
// (one SD card commit per cycle). Journal entries between cycles wait in memory, bounded,
// until the next cycle, the end of the poll window, or flush().

#include <deque>
#include <mutex>
#include <string>

#include "apsecu/engine/engine.hpp"
#include "apsecu/store/store.hpp"

namespace apsecu::sinks {

struct StoreSinkOptions {
  std::size_t max_pending_events = 500;  // oldest dropped (and counted) beyond this
  engine::Level min_level = engine::Level::Info;
};

class StoreSink final : public engine::EngineListener {
 public:
  StoreSink(store::Store& store, StoreSinkOptions options = {});

  void on_cycle(const engine::CycleReport& report) override;
  void on_journal(const engine::JournalEntry& entry) override;
  void on_window_closed(const std::vector<fleet::InverterView>& views) override;

  // Writes pending journal entries now (shutdown).
  util::Status flush();

  [[nodiscard]] std::uint64_t write_failures() const noexcept { return write_failures_; }
  [[nodiscard]] std::uint64_t dropped_events() const noexcept { return dropped_events_; }
  [[nodiscard]] const std::string& last_error() const noexcept { return last_error_; }

 private:
  util::Status write(store::Cycle cycle);

  store::Store& store_;
  StoreSinkOptions options_;
  std::mutex mutex_;  // on_journal may come from any thread
  std::deque<store::Event> pending_;
  std::uint64_t write_failures_ = 0;
  std::uint64_t dropped_events_ = 0;
  std::string last_error_;
};

[[nodiscard]] store::EventLevel to_store_level(engine::Level l) noexcept;

// The integer record the store keeps for one successful poll.
[[nodiscard]] store::InverterSample to_sample(const engine::InverterPoll& poll);

}  // namespace apsecu::sinks
