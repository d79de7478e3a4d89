// SPDX-License-Identifier: GPL-3.0-or-later
// SYS and UTIL messages, plus the shared SRSP shapes. Byte maps in msg_sys.hpp / msg_util.hpp.
#include "apsecu/util/hex.hpp"
#include "apsecu/znp/msg_sys.hpp"
#include "apsecu/znp/msg_util.hpp"
#include "codec.hpp"

namespace apsecu::znp {

std::string to_hex(const Ieee& ieee) { return util::to_hex(ieee); }

unpi::Frame StatusRsp::encode() const { return codec::frame(key, {status}); }

std::optional<StatusRsp> StatusRsp::decode(const unpi::Frame& f) noexcept {
  if (f.type != unpi::Type::Srsp || f.data.empty()) return std::nullopt;
  return StatusRsp{key_of(f), f.data[0]};
}

std::string_view RpcError::reason() const noexcept {
  switch (error_code) {
    case 1: return "unknown subsystem";
    case 2: return "unknown command";
    case 3: return "bad parameter";
    case 4: return "bad length";
    default: return "unknown rpc error";
  }
}

unpi::Frame RpcError::encode() const { return codec::frame(kKey, {error_code, request_cmd0, request_cmd1}); }

std::optional<RpcError> RpcError::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f) || f.data.size() < 3) return std::nullopt;
  return RpcError{f.data[0], f.data[1], f.data[2]};
}

unpi::Frame SysPing::encode() const { return codec::frame(kKey); }
std::optional<SysPing> SysPing::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  return SysPing{};
}

unpi::Frame SysPingRsp::encode() const {
  util::ByteWriter w;
  w.u16le(capabilities);
  return codec::frame(kKey, w.take());
}
std::optional<SysPingRsp> SysPingRsp::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  util::ByteReader r(f.data);
  SysPingRsp out{r.u16le()};
  if (r.failed()) return std::nullopt;
  return out;
}

unpi::Frame SysResetReq::encode() const { return codec::frame(kKey, {type}); }
std::optional<SysResetReq> SysResetReq::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f) || f.data.empty()) return std::nullopt;
  return SysResetReq{f.data[0]};
}

unpi::Frame SysResetInd::encode() const {
  return codec::frame(kKey, {reason, transport_rev, product_id, major_rel, minor_rel, hw_rev});
}
std::optional<SysResetInd> SysResetInd::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f) || f.data.size() < 6) return std::nullopt;
  const auto& d = f.data;
  return SysResetInd{d[0], d[1], d[2], d[3], d[4], d[5]};
}

unpi::Frame UtilGetDeviceInfo::encode() const { return codec::frame(kKey); }
std::optional<UtilGetDeviceInfo> UtilGetDeviceInfo::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  return UtilGetDeviceInfo{};
}

unpi::Frame UtilGetDeviceInfoRsp::encode() const {
  util::ByteWriter w;
  w.u8(status).bytes(ieee).u16le(short_addr).u8(device_type).u8(device_state);
  codec::u16_list(w, assoc_devices);
  return codec::frame(kKey, w.take());
}

std::optional<UtilGetDeviceInfoRsp> UtilGetDeviceInfoRsp::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  util::ByteReader r(f.data);
  UtilGetDeviceInfoRsp out;
  out.status = r.u8();
  const auto ieee = r.bytes(out.ieee.size());
  std::copy(ieee.begin(), ieee.end(), out.ieee.begin());
  out.short_addr = r.u16le();
  out.device_type = r.u8();
  out.device_state = r.u8();
  // A failed request may stop after the status; the list is optional for robustness.
  if (r.remaining() > 0) out.assoc_devices = codec::u16_list(r);
  if (r.failed()) return std::nullopt;
  return out;
}

unpi::Frame UtilLoopback::encode() const { return codec::frame(kKey, data); }
std::optional<UtilLoopback> UtilLoopback::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  return UtilLoopback{f.data};
}

unpi::Frame UtilLoopbackRsp::encode() const { return codec::frame(kKey, data); }
std::optional<UtilLoopbackRsp> UtilLoopbackRsp::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  return UtilLoopbackRsp{f.data};
}

}  // namespace apsecu::znp
