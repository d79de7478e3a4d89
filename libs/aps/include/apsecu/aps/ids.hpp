// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Identifiers and how they appear on the wire (protocol §3).
//
//   ECU id  "D8A3011B9780"  -> bytes E0..E5 = D8 A3 01 1B 97 80
//   ecu_rev                 =  E5..E0      = 80 97 1B 01 A3 D8   (in every host->inverter payload)
//   IEEE (NV 0x01)          =  FF FF + ecu_rev
//   PAN id (NV 0x83)        =  E0 E1 on the wire, i.e. 0xA3D8 LE; big-endian A3 D8 in pairing data
//   Serial "408000158215"   -> 40 80 00 15 82 15 (digits read as hex nibbles, no conversion)

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "apsecu/util/bytes.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::aps {

enum class Errc {
  BadEcuId = 1,
  BadSerial,
  NotL2,
  BadL2Checksum,
  WrongLength,
  UnknownReply,
  SerialMismatch,
  OutOfRange,
  Refused,  // the inverter answered a set command with a refusal
};
[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

class EcuId {
 public:
  // Exactly 12 hex characters; the message says which rule was broken.
  [[nodiscard]] static util::Result<EcuId> parse(std::string_view text);
  [[nodiscard]] std::string str() const;                    // "D8A3011B9780"
  [[nodiscard]] std::array<std::uint8_t, 6> reversed() const noexcept;  // ecu_rev
  [[nodiscard]] std::array<std::uint8_t, 8> ieee() const noexcept;      // FF FF + ecu_rev
  [[nodiscard]] std::uint16_t pan_id() const noexcept;                  // 0xA3D8 for D8A3...
  [[nodiscard]] const std::array<std::uint8_t, 6>& bytes() const noexcept { return bytes_; }
  bool operator==(const EcuId&) const = default;

 private:
  std::array<std::uint8_t, 6> bytes_{};
};

class Serial {
 public:
  // Exactly 12 decimal digits.
  [[nodiscard]] static util::Result<Serial> parse(std::string_view text);
  [[nodiscard]] static Serial from_bytes(util::ByteView six_bytes);  // no validation: wire data
  [[nodiscard]] std::string str() const;  // 12 characters
  [[nodiscard]] const std::array<std::uint8_t, 6>& bytes() const noexcept { return bytes_; }
  bool operator==(const Serial&) const = default;
  auto operator<=>(const Serial&) const = default;

 private:
  std::array<std::uint8_t, 6> bytes_{};
};

}  // namespace apsecu::aps

template <>
struct std::is_error_code_enum<apsecu::aps::Errc> : std::true_type {};
