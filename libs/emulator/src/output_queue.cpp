// SPDX-License-Identifier: GPL-3.0-or-later
#include "output_queue.hpp"

#include <algorithm>

namespace apsecu::emulator {

void OutputQueue::push(util::SteadyTime due, std::vector<util::Bytes> pieces,
                       std::vector<std::chrono::nanoseconds> gaps) {
  if (pieces.empty()) return;
  entries_.push_back(Entry{.due = due, .seq = seq_++, .pieces = std::move(pieces), .gaps = std::move(gaps),
                           .next = 0, .next_due = due});
}

std::vector<util::Bytes> OutputQueue::take_due(util::SteadyTime now) {
  std::vector<util::Bytes> out;
  for (;;) {
    if (active_) {
      auto& e = *active_;
      while (e.next < e.pieces.size() && e.next_due <= now) {
        out.push_back(std::move(e.pieces[e.next]));
        if (e.next < e.gaps.size()) e.next_due += e.gaps[e.next];
        ++e.next;
      }
      if (e.next < e.pieces.size()) return out;  // the rest of this frame first
      active_.reset();
    }
    const auto first = std::min_element(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return a.due != b.due ? a.due < b.due : a.seq < b.seq;
    });
    if (first == entries_.end() || first->due > now) return out;
    active_ = std::move(*first);
    // Started late (the previous frame was still going out): keep the gaps, not the clock.
    active_->next_due = std::max(active_->due, active_->next_due);
    entries_.erase(first);
  }
}

std::optional<util::SteadyTime> OutputQueue::next_due() const {
  if (active_) return active_->next_due;
  std::optional<util::SteadyTime> best;
  for (const auto& e : entries_) {
    if (!best || e.due < *best) best = e.due;
  }
  return best;
}

void OutputQueue::clear() noexcept {
  entries_.clear();
  active_.reset();
}

}  // namespace apsecu::emulator
