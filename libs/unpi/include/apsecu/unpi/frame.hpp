// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// TI UNPI ("MT") frames as the CC2530 ZNP sends and receives them on the UART.
//
//   offset  0     1     2      3      4 .. 3+LEN      4+LEN
//         +-----+-----+------+------+---------------+-----+
//         | SOF | LEN | CMD0 | CMD1 | DATA (LEN B)  | FCS |
//         | FE  |     |      |      | 0..250 bytes  |     |
//         +-----+-----+------+------+---------------+-----+
//   LEN  = number of DATA bytes only
//   CMD0 = type (bits 7..5: 0 POLL, 1 SREQ, 2 AREQ, 3 SRSP) | subsystem (bits 4..0)
//   FCS  = XOR of LEN, CMD0, CMD1 and every DATA byte (SOF excluded)

#include <cstdint>
#include <optional>
#include <string>

#include "apsecu/util/bytes.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::unpi {

inline constexpr std::uint8_t kSof = 0xFE;
inline constexpr std::size_t kMaxData = 250;
inline constexpr std::size_t kOverhead = 5;  // SOF, LEN, CMD0, CMD1, FCS
inline constexpr std::size_t kMaxFrame = kMaxData + kOverhead;

enum class Type : std::uint8_t { Poll = 0, Sreq = 1, Areq = 2, Srsp = 3 };

enum class Subsystem : std::uint8_t {
  Rpc = 0,
  Sys = 1,
  Mac = 2,
  Nwk = 3,
  Af = 4,
  Zdo = 5,
  Sapi = 6,
  Util = 7,
  Debug = 8,
  App = 9,
};

struct Frame {
  Type type = Type::Sreq;
  Subsystem subsystem = Subsystem::Sys;
  std::uint8_t command = 0;
  util::Bytes data;

  [[nodiscard]] std::uint8_t cmd0() const noexcept {
    return static_cast<std::uint8_t>((static_cast<unsigned>(type) << 5) | (static_cast<unsigned>(subsystem) & 0x1F));
  }
  bool operator==(const Frame&) const = default;
};

// Splits CMD0 into type and subsystem.
[[nodiscard]] Frame make_frame(std::uint8_t cmd0, std::uint8_t cmd1, util::ByteView data);

[[nodiscard]] std::uint8_t fcs(util::ByteView bytes_from_len) noexcept;

// Wire bytes, SOF to FCS. Fails for more than kMaxData data bytes.
[[nodiscard]] util::Result<util::Bytes> encode(const Frame& frame);

// "CMD0 CMD1 DATA..." as typed in a console: LEN and FCS are added (seed console behaviour).
[[nodiscard]] util::Result<Frame> frame_from_command_bytes(util::ByteView command_bytes);

[[nodiscard]] std::string_view type_name(Type t) noexcept;
[[nodiscard]] std::string_view subsystem_name(Subsystem s) noexcept;

enum class Errc { Oversize = 1, TooShort };
[[nodiscard]] std::error_code make_error_code(Errc e) noexcept;

}  // namespace apsecu::unpi

template <>
struct std::is_error_code_enum<apsecu::unpi::Errc> : std::true_type {};
