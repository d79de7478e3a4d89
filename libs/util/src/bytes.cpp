// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/util/bytes.hpp"

namespace apsecu::util {

bool ByteReader::take(std::size_t n) noexcept {
  if (failed_ || remaining() < n) {
    failed_ = true;
    return false;
  }
  return true;
}

std::uint8_t ByteReader::u8() noexcept {
  if (!take(1)) return 0;
  return data_[pos_++];
}

std::uint16_t ByteReader::u16le() noexcept {
  if (!take(2)) return 0;
  const auto v = static_cast<std::uint16_t>(data_[pos_] | (data_[pos_ + 1] << 8));
  pos_ += 2;
  return v;
}

std::uint16_t ByteReader::u16be() noexcept {
  if (!take(2)) return 0;
  const auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
  pos_ += 2;
  return v;
}

std::uint32_t ByteReader::u24be() noexcept {
  if (!take(3)) return 0;
  const std::uint32_t v = (std::uint32_t{data_[pos_]} << 16) | (std::uint32_t{data_[pos_ + 1]} << 8) |
                          std::uint32_t{data_[pos_ + 2]};
  pos_ += 3;
  return v;
}

std::uint32_t ByteReader::u32le() noexcept {
  if (!take(4)) return 0;
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= std::uint32_t{data_[pos_ + i]} << (8 * i);
  pos_ += 4;
  return v;
}

std::uint32_t ByteReader::u32be() noexcept {
  if (!take(4)) return 0;
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | data_[pos_ + i];
  pos_ += 4;
  return v;
}

ByteView ByteReader::bytes(std::size_t n) noexcept {
  if (!take(n)) return {};
  auto v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

void ByteReader::skip(std::size_t n) noexcept {
  if (take(n)) pos_ += n;
}

ByteWriter& ByteWriter::u8(std::uint8_t v) {
  out_.push_back(v);
  return *this;
}

ByteWriter& ByteWriter::u16le(std::uint16_t v) {
  out_.push_back(static_cast<std::uint8_t>(v & 0xFF));
  out_.push_back(static_cast<std::uint8_t>(v >> 8));
  return *this;
}

ByteWriter& ByteWriter::u16be(std::uint16_t v) {
  out_.push_back(static_cast<std::uint8_t>(v >> 8));
  out_.push_back(static_cast<std::uint8_t>(v & 0xFF));
  return *this;
}

ByteWriter& ByteWriter::u24be(std::uint32_t v) {
  for (int shift = 16; shift >= 0; shift -= 8) out_.push_back(static_cast<std::uint8_t>((v >> shift) & 0xFF));
  return *this;
}

ByteWriter& ByteWriter::u32le(std::uint32_t v) {
  for (int shift = 0; shift <= 24; shift += 8) out_.push_back(static_cast<std::uint8_t>((v >> shift) & 0xFF));
  return *this;
}

ByteWriter& ByteWriter::u32be(std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<std::uint8_t>((v >> shift) & 0xFF));
  return *this;
}

ByteWriter& ByteWriter::bytes(ByteView v) {
  out_.insert(out_.end(), v.begin(), v.end());
  return *this;
}

ByteWriter& ByteWriter::fill(std::size_t n, std::uint8_t v) {
  out_.insert(out_.end(), n, v);
  return *this;
}

}  // namespace apsecu::util
