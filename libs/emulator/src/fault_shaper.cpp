// SPDX-License-Identifier: GPL-3.0-or-later
#include "fault_shaper.hpp"

#include <algorithm>

namespace apsecu::emulator {
namespace {

// A UART delivers a frame in bursts a few bytes apart; these gaps are real time and are
// not scaled with the timing profile.
constexpr std::chrono::microseconds kMinPieceGap{200};
constexpr std::chrono::microseconds kMaxPieceGap{2000};
constexpr std::uint64_t kMaxPiece = 8;

}  // namespace

ExchangeFaults FaultShaper::draw(bool has_inverter_answer) {
  ExchangeFaults f;
  if (has_inverter_answer) {
    f.drop = rng_.chance(config_.drop_rate);
    f.late = !f.drop && rng_.chance(config_.late_rate);
    f.bad_l2_checksum = !f.drop && rng_.chance(config_.bad_l2_checksum_rate);
  }
  f.bad_fcs = rng_.chance(config_.bad_fcs_rate);
  f.garbage = rng_.chance(config_.garbage_rate);
  f.split = rng_.chance(config_.split_rate);
  return f;
}

util::Bytes FaultShaper::garbage_run() {
  // The kinds of junk seen on real lines (protocol §1.4, §6.8).
  switch (rng_.between(0, 3)) {
    case 0: return {0xF0, 0xF8};
    case 1: return {0xF8};
    case 2: return util::Bytes(rng_.between(3, 40), 0x4E);
    default: {
      util::Bytes junk(rng_.between(1, 16));
      for (auto& b : junk) b = static_cast<std::uint8_t>(rng_.between(0, 0xFD));  // never an SOF
      return junk;
    }
  }
}

void FaultShaper::emit(std::vector<PlannedFrame> frames, util::SteadyTime base, const ExchangeFaults& faults,
                       OutputQueue& out) {
  if (frames.empty()) return;
  if (faults.late) {
    const auto delay = rng_.duration(config_.late_min, config_.late_max);
    bool any = false;
    for (auto& f : frames) {
      if (f.inverter_answer) {
        f.at += delay;
        any = true;
      }
    }
    if (any) ++counters_.late;
  }
  if (faults.bad_fcs) {
    // Prefer the inverter's AF_INCOMING_MSG (the last answer frame): the long frame most likely
    // to be hit by noise.
    const auto answer = std::find_if(frames.rbegin(), frames.rend(), [](const auto& f) { return f.inverter_answer; });
    auto target = answer != frames.rend() ? std::prev(answer.base())
                                          : frames.begin() + static_cast<std::ptrdiff_t>(rng_.between(0, frames.size() - 1));
    target->bytes.back() ^= static_cast<std::uint8_t>(rng_.between(1, 0xFF));
    ++counters_.bad_fcs;
  }
  if (faults.garbage) {
    const auto k = rng_.between(0, frames.size() - 1);
    frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(k),
                  PlannedFrame{.at = frames[k].at, .bytes = garbage_run(), .inverter_answer = false});
    ++counters_.garbage;
  }
  std::stable_sort(frames.begin(), frames.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  if (faults.split) ++counters_.split;

  for (auto& f : frames) {
    if (!faults.split) {
      std::vector<util::Bytes> one;
      one.push_back(std::move(f.bytes));
      out.push(base + f.at, std::move(one));
      continue;
    }
    std::vector<util::Bytes> pieces;
    std::vector<std::chrono::nanoseconds> gaps;
    for (std::size_t pos = 0; pos < f.bytes.size();) {
      const auto n = std::min<std::size_t>(f.bytes.size() - pos, rng_.between(1, kMaxPiece));
      pieces.emplace_back(f.bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                          f.bytes.begin() + static_cast<std::ptrdiff_t>(pos + n));
      pos += n;
      if (pos < f.bytes.size()) gaps.push_back(rng_.duration(kMinPieceGap, kMaxPieceGap));
    }
    out.push(base + f.at, std::move(pieces), std::move(gaps));
  }
}

}  // namespace apsecu::emulator
