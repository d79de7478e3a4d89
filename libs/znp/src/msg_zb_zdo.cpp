// SPDX-License-Identifier: GPL-3.0-or-later
// SAPI and ZDO messages. Byte maps in msg_zb.hpp / msg_zdo.hpp.
#include "apsecu/znp/msg_zb.hpp"
#include "apsecu/znp/msg_zdo.hpp"
#include "codec.hpp"

namespace apsecu::znp {

ZbWriteConfiguration ZbWriteConfiguration::startup_option(std::uint8_t options) {
  return {kNvStartupOption, {options}};
}

ZbWriteConfiguration ZbWriteConfiguration::ext_addr(const Ieee& ieee) {
  return {kNvExtAddr, util::Bytes(ieee.begin(), ieee.end())};
}

ZbWriteConfiguration ZbWriteConfiguration::logical_type(std::uint8_t type) { return {kNvLogicalType, {type}}; }

ZbWriteConfiguration ZbWriteConfiguration::pan_id(std::uint16_t pan) {
  util::ByteWriter w;
  w.u16le(pan);
  return {kNvPanId, w.take()};
}

ZbWriteConfiguration ZbWriteConfiguration::chan_list(std::uint32_t mask) {
  util::ByteWriter w;
  w.u32le(mask);
  return {kNvChanList, w.take()};
}

unpi::Frame ZbWriteConfiguration::encode() const {
  util::ByteWriter w;
  w.u8(config_id).u8(static_cast<std::uint8_t>(value.size())).bytes(value);
  return codec::frame(kKey, w.take());
}

std::optional<ZbWriteConfiguration> ZbWriteConfiguration::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  util::ByteReader r(f.data);
  ZbWriteConfiguration out;
  out.config_id = r.u8();
  const std::size_t len = r.u8();
  out.value = codec::copy(r.bytes(len));
  if (r.failed()) return std::nullopt;
  return out;
}

unpi::Frame ZbStartRequest::encode() const { return codec::frame(kKey); }
std::optional<ZbStartRequest> ZbStartRequest::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  return ZbStartRequest{};
}

unpi::Frame ZbStartRequestRsp::encode() const { return codec::frame(kKey); }
std::optional<ZbStartRequestRsp> ZbStartRequestRsp::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  return ZbStartRequestRsp{};
}

unpi::Frame ZdoStateChangeInd::encode() const { return codec::frame(kKey, {state}); }
std::optional<ZdoStateChangeInd> ZdoStateChangeInd::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f) || f.data.empty()) return std::nullopt;
  return ZdoStateChangeInd{f.data[0]};
}

unpi::Frame ZdoSrcRtgInd::encode() const {
  util::ByteWriter w;
  w.u16le(dst_addr);
  codec::u16_list(w, relays);
  return codec::frame(kKey, w.take());
}

std::optional<ZdoSrcRtgInd> ZdoSrcRtgInd::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  util::ByteReader r(f.data);
  ZdoSrcRtgInd out;
  out.dst_addr = r.u16le();
  out.relays = codec::u16_list(r);
  if (r.failed()) return std::nullopt;
  return out;
}

}  // namespace apsecu::znp
