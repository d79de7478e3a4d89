// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Hands every engine event to several listeners (store, log, MQTT, web), in order.

#include <vector>

#include "apsecu/engine/engine.hpp"

namespace apsecu::engine {

class ListenerSet final : public EngineListener {
 public:
  void add(EngineListener& l) { listeners_.push_back(&l); }

  void on_cycle(const CycleReport& r) override {
    for (auto* l : listeners_) l->on_cycle(r);
  }
  void on_journal(const JournalEntry& e) override {
    for (auto* l : listeners_) l->on_journal(e);
  }
  void on_window_closed(const std::vector<fleet::InverterView>& v) override {
    for (auto* l : listeners_) l->on_window_closed(v);
  }
  void on_day_closed(fleet::DayKey day, const std::vector<std::pair<std::string, fleet::ClosedDay>>& d) override {
    for (auto* l : listeners_) l->on_day_closed(day, d);
  }
  void on_paired(const aps::Serial& s, std::uint16_t a) override {
    for (auto* l : listeners_) l->on_paired(s, a);
  }
  void on_frame(znp::Direction dir, const unpi::Frame& f) override {
    for (auto* l : listeners_) l->on_frame(dir, f);
  }

 private:
  std::vector<EngineListener*> listeners_;  // not owned; they outlive the engine
};

}  // namespace apsecu::engine
