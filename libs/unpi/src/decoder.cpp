// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/unpi/decoder.hpp"

#include <algorithm>

namespace apsecu::unpi {

void Decoder::feed(util::ByteView bytes) {
  // Bytes are appended in slices so that pending_ never holds more than one frame's worth.
  while (!bytes.empty()) {
    const std::size_t room = kMaxFrame - std::min(pending_.size(), kMaxFrame - 1);
    const std::size_t n = std::min(room, bytes.size());
    pending_.insert(pending_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    bytes = bytes.subspan(n);
    scan();
  }
}

std::optional<Frame> Decoder::next() {
  if (ready_.empty()) return std::nullopt;
  Frame f = std::move(ready_.front());
  ready_.pop_front();
  return f;
}

void Decoder::on_idle() {
  if (pending_.empty()) return;
  ++stats_.abandoned;
  drop_front(1);
  scan();
}

void Decoder::reset() {
  pending_.clear();
  ready_.clear();
}

void Decoder::drop_front(std::size_t n) {
  stats_.skipped_bytes += n;
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
}

void Decoder::scan() {
  for (;;) {
    const auto sof = std::find(pending_.begin(), pending_.end(), kSof);
    if (sof != pending_.begin()) drop_front(static_cast<std::size_t>(sof - pending_.begin()));
    if (pending_.size() < 2) return;

    const std::size_t len = pending_[1];
    if (len > kMaxData) {
      ++stats_.oversize;
      drop_front(1);
      continue;
    }
    const std::size_t total = len + kOverhead;
    if (pending_.size() < total) return;  // wait for the rest

    const util::ByteView candidate(pending_.data(), total);
    if (fcs(candidate.subspan(1, total - 2)) != candidate[total - 1]) {
      ++stats_.bad_fcs;
      drop_front(1);
      continue;
    }
    ready_.push_back(make_frame(candidate[2], candidate[3], candidate.subspan(4, len)));
    ++stats_.frames;
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(total));
  }
}

}  // namespace apsecu::unpi
