// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Bounds-checked readers and writers for wire formats. A ByteReader never throws and never
// reads past its span: a short read sets failed() and yields zeros, so decoders check once
// at the end instead of after every field.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace apsecu::util {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

class ByteReader {
 public:
  explicit ByteReader(ByteView data) noexcept : data_(data) {}

  std::uint8_t u8() noexcept;
  std::uint16_t u16le() noexcept;
  std::uint16_t u16be() noexcept;
  std::uint32_t u24be() noexcept;
  std::uint32_t u32le() noexcept;
  std::uint32_t u32be() noexcept;
  ByteView bytes(std::size_t n) noexcept;  // empty view when short
  void skip(std::size_t n) noexcept;

  [[nodiscard]] std::size_t position() const noexcept { return pos_; }
  [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
  [[nodiscard]] bool failed() const noexcept { return failed_; }
  [[nodiscard]] ByteView rest() const noexcept { return data_.subspan(pos_); }

 private:
  bool take(std::size_t n) noexcept;
  ByteView data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

class ByteWriter {
 public:
  ByteWriter& u8(std::uint8_t v);
  ByteWriter& u16le(std::uint16_t v);
  ByteWriter& u16be(std::uint16_t v);
  ByteWriter& u24be(std::uint32_t v);
  ByteWriter& u32le(std::uint32_t v);
  ByteWriter& u32be(std::uint32_t v);
  ByteWriter& bytes(ByteView v);
  ByteWriter& fill(std::size_t n, std::uint8_t v);

  [[nodiscard]] const Bytes& data() const& noexcept { return out_; }
  [[nodiscard]] Bytes take() noexcept { return std::move(out_); }
  [[nodiscard]] std::size_t size() const noexcept { return out_.size(); }

 private:
  Bytes out_;
};

}  // namespace apsecu::util
