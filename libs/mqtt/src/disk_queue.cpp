// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/mqtt/disk_queue.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <zlib.h>

#include "apsecu/mqtt/errors.hpp"
#include "apsecu/util/log.hpp"

namespace apsecu::mqtt {
namespace {

constexpr std::array<char, 4> kMagic{'A', 'P', 'S', 'Q'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint64_t kHeaderBytes = 16;
constexpr std::uint64_t kHeadOffset = 8;
constexpr std::uint64_t kRecordHeaderBytes = 8;  // body length + CRC
constexpr std::uint32_t kBodyFixedBytes = 4;     // qos, retain, topic length
// Far above any reading (< 2 KiB); a larger length is a torn or foreign record.
constexpr std::uint32_t kMaxBodyBytes = 1U << 20;
constexpr std::uint64_t kCompactMinBytes = 1U << 20;
// An empty queue is cut back to its header once it holds this much dead space: not at every
// message, since a ftruncate costs more than the append it undoes.
constexpr std::uint64_t kTruncateMinBytes = 64U << 10;
constexpr std::size_t kScanChunkBytes = 1U << 20;

util::Error io_error(std::string what) {
  return util::make_error(Errc::QueueIo, fmt::format("{}: {}", what, std::strerror(errno)));
}

util::Status write_all(int fd, const void* data, std::size_t size, std::uint64_t offset) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const auto n = ::pwrite(fd, p, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write the MQTT queue");
    }
    p += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return {};
}

bool read_all(int fd, void* data, std::size_t size, std::uint64_t offset) {
  auto* p = static_cast<char*>(data);
  while (size > 0) {
    const auto n = ::pread(fd, p, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

std::vector<char> header_bytes(std::uint64_t head) {
  std::vector<char> h(kHeaderBytes);
  std::memcpy(h.data(), kMagic.data(), kMagic.size());
  std::memcpy(h.data() + 4, &kVersion, sizeof kVersion);
  std::memcpy(h.data() + kHeadOffset, &head, sizeof head);
  return h;
}

std::vector<char> encode(const Message& m) {
  const auto topic_len = static_cast<std::uint16_t>(m.topic.size());
  const auto body_len = static_cast<std::uint32_t>(kBodyFixedBytes + m.topic.size() + m.payload.size());
  std::vector<char> r(kRecordHeaderBytes + body_len);
  char* body = r.data() + kRecordHeaderBytes;
  body[0] = static_cast<char>(m.qos);
  body[1] = static_cast<char>(m.retain ? 1 : 0);
  std::memcpy(body + 2, &topic_len, sizeof topic_len);
  std::memcpy(body + kBodyFixedBytes, m.topic.data(), m.topic.size());
  std::memcpy(body + kBodyFixedBytes + m.topic.size(), m.payload.data(), m.payload.size());
  const auto crc = crc32(body, body_len);
  std::memcpy(r.data(), &body_len, sizeof body_len);
  std::memcpy(r.data() + 4, &crc, sizeof crc);
  return r;
}

std::optional<Message> decode(const char* body, std::uint32_t len) {
  if (len < kBodyFixedBytes) return std::nullopt;
  std::uint16_t topic_len = 0;
  std::memcpy(&topic_len, body + 2, sizeof topic_len);
  if (kBodyFixedBytes + topic_len > len) return std::nullopt;
  Message m;
  m.qos = static_cast<unsigned char>(body[0]);
  m.retain = body[1] != 0;
  m.topic.assign(body + kBodyFixedBytes, topic_len);
  m.payload.assign(body + kBodyFixedBytes + topic_len, len - kBodyFixedBytes - topic_len);
  return m;
}

}  // namespace

std::uint32_t crc32(const void* data, std::size_t size) noexcept {
  return static_cast<std::uint32_t>(::crc32_z(0, static_cast<const Bytef*>(data), size));
}

DiskQueue::DiskQueue(std::filesystem::path path, int fd, std::size_t max_messages)
    : path_(std::move(path)), fd_(fd), max_messages_(max_messages < 1 ? 1 : max_messages) {}

DiskQueue::~DiskQueue() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
}

util::Result<std::unique_ptr<DiskQueue>> DiskQueue::open(const std::filesystem::path& file, std::size_t max_messages) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(fmt::format("cannot open the MQTT queue {}", file.string()));
  std::unique_ptr<DiskQueue> q(new DiskQueue(file, fd, max_messages));
  // Two writers would interleave records; a second apsecu (or sink) on the same directory
  // is refused instead.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    return util::make_error(Errc::QueueIo, fmt::format("the MQTT queue {} is in use by another apsecu", file.string()));
  }
  if (auto st = q->load(); !st) return st.error();
  return q;
}

util::Status DiskQueue::load() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return io_error("cannot stat the MQTT queue");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::vector<char> header(kHeaderBytes);
  const bool ours = size >= kHeaderBytes && read_all(fd_, header.data(), kHeaderBytes, 0) &&
                    std::memcmp(header.data(), kMagic.data(), kMagic.size()) == 0 &&
                    std::memcmp(header.data() + 4, &kVersion, sizeof kVersion) == 0;
  if (!ours) {
    if (size > 0) util::logger("mqtt")->warn("{} is not an apsecu MQTT queue; starting an empty one", path_.string());
    if (::ftruncate(fd_, 0) != 0) return io_error("cannot reset the MQTT queue");
    const auto h = header_bytes(kHeaderBytes);
    head_ = tail_ = kHeaderBytes;
    return write_all(fd_, h.data(), h.size(), 0);
  }
  std::memcpy(&head_, header.data() + kHeadOffset, sizeof head_);
  if (head_ < kHeaderBytes || head_ > size) head_ = kHeaderBytes;

  // Count the records and find where the last whole one ends.
  std::vector<char> buf;
  std::uint64_t buf_at = 0;
  auto view = [&](std::uint64_t off, std::size_t n) -> const char* {
    if (off < buf_at || off + n > buf_at + buf.size()) {
      buf.resize(std::max<std::size_t>(n, kScanChunkBytes));
      const auto avail = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - off));
      if (avail < n || !read_all(fd_, buf.data(), avail, off)) return nullptr;
      buf.resize(avail);
      buf_at = off;
    }
    return buf.data() + (off - buf_at);
  };
  std::uint64_t off = head_;
  while (off + kRecordHeaderBytes <= size) {
    const char* rh = view(off, kRecordHeaderBytes);
    if (rh == nullptr) break;
    std::uint32_t len = 0, crc = 0;
    std::memcpy(&len, rh, sizeof len);
    std::memcpy(&crc, rh + 4, sizeof crc);
    if (len < kBodyFixedBytes || len > kMaxBodyBytes || off + kRecordHeaderBytes + len > size) break;
    const char* body = view(off + kRecordHeaderBytes, len);
    if (body == nullptr || crc32(body, len) != crc) break;
    off += kRecordHeaderBytes + len;
    ++count_;
  }
  tail_ = off;
  if (tail_ < size) {
    util::logger("mqtt")->warn("MQTT queue {}: cut {} bytes of an incomplete record at the end", path_.string(),
                               size - tail_);
    if (::ftruncate(fd_, static_cast<off_t>(tail_)) != 0) return io_error("cannot cut the MQTT queue");
  }
  if (count_ == 0 && tail_ > kHeaderBytes) return after_pop();
  return {};
}

util::Status DiskQueue::push(const Message& m) {
  if (m.topic.size() > 0xFFFF || kBodyFixedBytes + m.topic.size() + m.payload.size() > kMaxBodyBytes) {
    return util::make_error(Errc::QueueIo, fmt::format("message to {} too large to queue", m.topic));
  }
  if (count_ >= max_messages_) {
    if (auto st = drop_oldest(); !st) return st;
  }
  const auto rec = encode(m);
  if (auto st = write_all(fd_, rec.data(), rec.size(), tail_); !st) {
    (void)::ftruncate(fd_, static_cast<off_t>(tail_));  // no half record left behind
    return st;
  }
  tail_ += rec.size();
  ++count_;
  return {};
}

util::Result<std::uint32_t> DiskQueue::body_length_at(std::uint64_t offset) const {
  std::uint32_t len = 0;
  if (!read_all(fd_, &len, sizeof len, offset)) return io_error("cannot read the MQTT queue");
  if (len < kBodyFixedBytes || len > kMaxBodyBytes || offset + kRecordHeaderBytes + len > tail_) {
    return util::make_error(Errc::QueueIo, fmt::format("MQTT queue {}: damaged record at {}", path_.string(), offset));
  }
  return len;
}

util::Status DiskQueue::drop_oldest() {
  auto len = body_length_at(head_);
  if (!len) return len.error();
  head_ += kRecordHeaderBytes + *len;
  --count_;
  ++dropped_;
  if (auto st = write_head(); !st) return st;
  return after_pop();
}

util::Result<std::optional<DiskQueue::Entry>> DiskQueue::read(Position from) {
  const std::uint64_t off = from <= base_ + head_ ? head_ : from - base_;
  if (off >= tail_) return std::optional<Entry>{};
  std::array<char, kRecordHeaderBytes> rh{};
  if (!read_all(fd_, rh.data(), rh.size(), off)) return io_error("cannot read the MQTT queue");
  std::uint32_t len = 0, crc = 0;
  std::memcpy(&len, rh.data(), sizeof len);
  std::memcpy(&crc, rh.data() + 4, sizeof crc);
  if (len < kBodyFixedBytes || len > kMaxBodyBytes || off + kRecordHeaderBytes + len > tail_) {
    return util::make_error(Errc::QueueIo, fmt::format("MQTT queue {}: damaged record at {}", path_.string(), off));
  }
  std::vector<char> body(len);
  if (!read_all(fd_, body.data(), len, off + kRecordHeaderBytes)) return io_error("cannot read the MQTT queue");
  auto m = crc32(body.data(), len) == crc ? decode(body.data(), len) : std::nullopt;
  if (!m) return util::make_error(Errc::QueueIo, fmt::format("MQTT queue {}: damaged record at {}", path_.string(), off));
  return std::optional<Entry>{Entry{base_ + off, base_ + off + kRecordHeaderBytes + len, std::move(*m)}};
}

util::Status DiskQueue::pop(Position position, Position next) {
  if (position < base_ + head_) return {};  // dropped while it was on its way
  if (position != base_ + head_ || next <= position || next - base_ > tail_) {
    return util::make_error(Errc::QueueIo, "MQTT queue: delivery confirmed out of order");
  }
  head_ = next - base_;
  --count_;
  if (auto st = write_head(); !st) return st;
  return after_pop();
}

util::Status DiskQueue::write_head() {
  return write_all(fd_, &head_, sizeof head_, kHeadOffset);
}

util::Status DiskQueue::after_pop() {
  if (count_ == 0 && tail_ - kHeaderBytes >= kTruncateMinBytes) {
    // Empty: back to a bare header, so a queue that keeps up never grows on disk.
    base_ += tail_ - kHeaderBytes;
    head_ = tail_ = kHeaderBytes;
    if (::ftruncate(fd_, static_cast<off_t>(kHeaderBytes)) != 0) return io_error("cannot cut the MQTT queue");
    return write_head();
  }
  const auto dead = head_ - kHeaderBytes;
  if (dead > kCompactMinBytes && dead * 2 > tail_ - kHeaderBytes) return compact();
  return {};
}

util::Status DiskQueue::compact() {
  auto tmp = path_;
  tmp += ".tmp";
  const int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create " + tmp.string());
  auto fail = [&](util::Status st) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return st;
  };
  const auto h = header_bytes(kHeaderBytes);
  if (auto st = write_all(fd, h.data(), h.size(), 0); !st) return fail(st);
  std::vector<char> buf(kScanChunkBytes);
  for (std::uint64_t off = head_; off < tail_;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), tail_ - off));
    if (!read_all(fd_, buf.data(), n, off)) return fail(io_error("cannot read the MQTT queue"));
    if (auto st = write_all(fd, buf.data(), n, kHeaderBytes + (off - head_)); !st) return fail(st);
    off += n;
  }
  // The new file must be whole, and ours, before it replaces the old one.
  if (::fdatasync(fd) != 0) return fail(io_error("cannot sync " + tmp.string()));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) return fail(io_error("cannot lock " + tmp.string()));
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return fail(io_error("cannot replace " + path_.string()));
  ::close(fd_);
  fd_ = fd;
  const auto shift = head_ - kHeaderBytes;
  base_ += shift;
  tail_ -= shift;
  head_ = kHeaderBytes;
  return {};
}

util::Status DiskQueue::clear() {
  dropped_ += count_;
  count_ = 0;
  head_ = tail_;
  if (auto st = write_head(); !st) return st;
  return after_pop();
}

util::Status DiskQueue::sync() {
  if (::fdatasync(fd_) != 0) return io_error("cannot sync the MQTT queue");
  return {};
}

int DiskQueue::duplicate_fd() const { return ::fcntl(fd_, F_DUPFD_CLOEXEC, 0); }

}  // namespace apsecu::mqtt
