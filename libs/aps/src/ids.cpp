// SPDX-License-Identifier: GPL-3.0-or-later
// Identifier text <-> wire bytes (protocol §3).
//
//   ECU id text   "D8A3011B9780"            serial text  "408000158215"
//                   | | | | | |                            | | | | | |
//   bytes_        D8 A3 01 1B 97 80          bytes_       40 80 00 15 82 15
//   index          0  1  2  3  4  5                        0  1  2  3  4  5
//
//   reversed() = bytes_[5..0]          80 97 1B 01 A3 D8
//   ieee()     = FF FF + reversed()    FF FF 80 97 1B 01 A3 D8
//   pan_id()   = bytes_[1] << 8 | bytes_[0] = 0xA3D8  (NV 0x83 stores D8 A3, i.e. little-endian)
#include "apsecu/aps/ids.hpp"

#include <fmt/format.h>

namespace apsecu::aps {
namespace {

constexpr std::size_t kIdTextLength = 12;
constexpr std::size_t kIdBytes = 6;
constexpr std::uint8_t kIeeePrefix = 0xFF;

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "aps"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::BadEcuId: return "invalid ECU id";
      case Errc::BadSerial: return "invalid inverter serial number";
      case Errc::NotL2: return "not an APsystems L2 frame";
      case Errc::BadL2Checksum: return "L2 checksum mismatch";
      case Errc::WrongLength: return "wrong payload length";
      case Errc::UnknownReply: return "unknown reply opcode";
      case Errc::SerialMismatch: return "reply from another inverter";
      case Errc::OutOfRange: return "value out of range";
      case Errc::Refused: return "refused by the inverter";
    }
    return "unknown aps error";
  }
};

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Both identifiers are 12 nibbles packed high-first; only the accepted alphabet differs.
std::array<std::uint8_t, kIdBytes> pack_nibbles(std::string_view text) noexcept {
  std::array<std::uint8_t, kIdBytes> out{};
  for (std::size_t i = 0; i < kIdBytes; ++i) {
    out[i] = static_cast<std::uint8_t>((hex_digit(text[2 * i]) << 4) | hex_digit(text[2 * i + 1]));
  }
  return out;
}

std::string unpack_nibbles(const std::array<std::uint8_t, kIdBytes>& bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(kIdTextLength);
  for (const auto b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0F]);
  }
  return out;
}

}  // namespace

std::error_code make_error_code(Errc e) noexcept {
  static const Category category;
  return {static_cast<int>(e), category};
}

util::Result<EcuId> EcuId::parse(std::string_view text) {
  if (text.size() != kIdTextLength) {
    return util::make_error(Errc::BadEcuId, fmt::format("ECU id \"{}\" must be exactly 12 hex characters, not {}",
                                                        text, text.size()));
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (hex_digit(text[i]) < 0) {
      return util::make_error(Errc::BadEcuId, fmt::format("ECU id \"{}\": character '{}' at position {} is not a "
                                                          "hex digit (0-9, A-F)",
                                                          text, text[i], i + 1));
    }
  }
  EcuId id;
  id.bytes_ = pack_nibbles(text);
  return id;
}

std::string EcuId::str() const { return unpack_nibbles(bytes_); }

std::array<std::uint8_t, 6> EcuId::reversed() const noexcept {
  return {bytes_[5], bytes_[4], bytes_[3], bytes_[2], bytes_[1], bytes_[0]};
}

std::array<std::uint8_t, 8> EcuId::ieee() const noexcept {
  const auto rev = reversed();
  return {kIeeePrefix, kIeeePrefix, rev[0], rev[1], rev[2], rev[3], rev[4], rev[5]};
}

std::uint16_t EcuId::pan_id() const noexcept {
  return static_cast<std::uint16_t>((bytes_[1] << 8) | bytes_[0]);
}

util::Result<Serial> Serial::parse(std::string_view text) {
  if (text.size() != kIdTextLength) {
    return util::make_error(Errc::BadSerial, fmt::format("serial \"{}\" must be exactly 12 decimal digits, not {}",
                                                         text, text.size()));
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return util::make_error(Errc::BadSerial, fmt::format("serial \"{}\": character '{}' at position {} is not a "
                                                           "decimal digit",
                                                           text, text[i], i + 1));
    }
  }
  Serial s;
  s.bytes_ = pack_nibbles(text);
  return s;
}

Serial Serial::from_bytes(util::ByteView six_bytes) {
  Serial s;
  for (std::size_t i = 0; i < kIdBytes && i < six_bytes.size(); ++i) s.bytes_[i] = six_bytes[i];
  return s;
}

// Wire data is not validated, so a corrupted serial shows its hex nibbles rather than
// being silently "fixed".
std::string Serial::str() const { return unpack_nibbles(bytes_); }

}  // namespace apsecu::aps
