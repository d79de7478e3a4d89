// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Pieces shared by the typed messages. Every message struct has:
//   static constexpr CommandKey kKey;            the frame it is
//   unpi::Frame encode() const;                  host requests and, for the emulator, replies
//   static std::optional<T> decode(const Frame&) total, never throws; nullopt when the frame
//                                                is another command or too short
// Requests also name their `Response`. Decoders ignore trailing bytes they do not know, so a
// firmware that appends a field does not break them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "apsecu/unpi/frame.hpp"
#include "apsecu/znp/commands.hpp"

namespace apsecu::znp {

// An IEEE (extended) address in wire order, i.e. little-endian: the coordinator of ECU
// D8A3011B9780 is FF FF 80 97 1B 01 A3 D8.
using Ieee = std::array<std::uint8_t, 8>;
[[nodiscard]] std::string to_hex(const Ieee& ieee);

// The one-byte-status SRSP most SREQs get (ZB_WRITE_CONFIGURATION, AF_REGISTER,
// AF_DATA_REQUEST, AF_DATA_REQUEST_EXT).
struct StatusRsp {
  CommandKey key{unpi::Type::Srsp, unpi::Subsystem::Sys, 0};  // which SRSP this was
  std::uint8_t status = kStatusSuccess;

  [[nodiscard]] bool ok() const noexcept { return status == kStatusSuccess; }
  [[nodiscard]] unpi::Frame encode() const;
  // Any SRSP with at least one data byte.
  [[nodiscard]] static std::optional<StatusRsp> decode(const unpi::Frame& f) noexcept;
};

// MT RPC error: the module could not parse or does not implement the SREQ it got.
//   60 00 | ErrCode(1) ReqCmd0(1) ReqCmd1(1)     ErrCode: 1 subsystem, 2 command id, 3 parameter, 4 length
struct RpcError {
  static constexpr CommandKey kKey{unpi::Type::Srsp, unpi::Subsystem::Rpc, 0x00};
  std::uint8_t error_code = 0;
  std::uint8_t request_cmd0 = 0;
  std::uint8_t request_cmd1 = 0;

  // Whether this error answers `request`.
  [[nodiscard]] bool answers(const unpi::Frame& request) const noexcept {
    return request_cmd0 == request.cmd0() && request_cmd1 == request.command;
  }
  [[nodiscard]] std::string_view reason() const noexcept;
  [[nodiscard]] unpi::Frame encode() const;
  [[nodiscard]] static std::optional<RpcError> decode(const unpi::Frame& f) noexcept;
};

}  // namespace apsecu::znp
