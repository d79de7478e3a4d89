// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/unpi/frame.hpp"

#include <string>

namespace apsecu::unpi {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "unpi"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::Oversize: return "frame data longer than 250 bytes";
      case Errc::TooShort: return "command needs at least CMD0 and CMD1";
    }
    return "unknown unpi error";
  }
};

}  // namespace

std::error_code make_error_code(Errc e) noexcept {
  static const Category category;
  return {static_cast<int>(e), category};
}

Frame make_frame(std::uint8_t cmd0, std::uint8_t cmd1, util::ByteView data) {
  return Frame{static_cast<Type>(cmd0 >> 5), static_cast<Subsystem>(cmd0 & 0x1F), cmd1,
               util::Bytes(data.begin(), data.end())};
}

std::uint8_t fcs(util::ByteView bytes_from_len) noexcept {
  std::uint8_t x = 0;
  for (const auto b : bytes_from_len) x ^= b;
  return x;
}

util::Result<util::Bytes> encode(const Frame& frame) {
  if (frame.data.size() > kMaxData) {
    return util::make_error(Errc::Oversize, "cannot encode a frame with " + std::to_string(frame.data.size()) +
                                                " data bytes (at most 250)");
  }
  util::Bytes out;
  out.reserve(frame.data.size() + kOverhead);
  out.push_back(kSof);
  out.push_back(static_cast<std::uint8_t>(frame.data.size()));
  out.push_back(frame.cmd0());
  out.push_back(frame.command);
  out.insert(out.end(), frame.data.begin(), frame.data.end());
  out.push_back(fcs(util::ByteView(out).subspan(1)));
  return out;
}

util::Result<Frame> frame_from_command_bytes(util::ByteView command_bytes) {
  if (command_bytes.size() < 2) return util::make_error(Errc::TooShort, "a command needs CMD0 and CMD1");
  if (command_bytes.size() - 2 > kMaxData) return util::make_error(Errc::Oversize, "more than 250 data bytes");
  return make_frame(command_bytes[0], command_bytes[1], command_bytes.subspan(2));
}

std::string_view type_name(Type t) noexcept {
  switch (t) {
    case Type::Poll: return "POLL";
    case Type::Sreq: return "SREQ";
    case Type::Areq: return "AREQ";
    case Type::Srsp: return "SRSP";
  }
  return "?";
}

std::string_view subsystem_name(Subsystem s) noexcept {
  switch (s) {
    case Subsystem::Rpc: return "RPC";
    case Subsystem::Sys: return "SYS";
    case Subsystem::Mac: return "MAC";
    case Subsystem::Nwk: return "NWK";
    case Subsystem::Af: return "AF";
    case Subsystem::Zdo: return "ZDO";
    case Subsystem::Sapi: return "ZB";
    case Subsystem::Util: return "UTIL";
    case Subsystem::Debug: return "DBG";
    case Subsystem::App: return "APP";
  }
  return "?";
}

}  // namespace apsecu::unpi
