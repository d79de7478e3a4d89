// SPDX-License-Identifier: GPL-3.0-or-later
// AF messages. Byte maps in msg_af.hpp.
#include "apsecu/znp/msg_af.hpp"

#include "codec.hpp"

namespace apsecu::znp {

unpi::Frame AfRegister::encode() const {
  util::ByteWriter w;
  w.u8(endpoint).u16le(profile_id).u16le(device_id).u8(device_version).u8(latency);
  codec::u16_list(w, in_clusters);
  codec::u16_list(w, out_clusters);
  return codec::frame(kKey, w.take());
}

std::optional<AfRegister> AfRegister::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  util::ByteReader r(f.data);
  AfRegister out;
  out.endpoint = r.u8();
  out.profile_id = r.u16le();
  out.device_id = r.u16le();
  out.device_version = r.u8();
  out.latency = r.u8();
  out.in_clusters = codec::u16_list(r);
  out.out_clusters = codec::u16_list(r);
  if (r.failed()) return std::nullopt;
  return out;
}

unpi::Frame AfDataRequest::encode() const {
  util::ByteWriter w;
  w.u16le(dst_addr).u8(dst_endpoint).u8(src_endpoint).u16le(cluster_id).u8(trans_id).u8(options).u8(radius);
  w.u8(static_cast<std::uint8_t>(data.size())).bytes(data);
  return codec::frame(kKey, w.take());
}

std::optional<AfDataRequest> AfDataRequest::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  util::ByteReader r(f.data);
  AfDataRequest out;
  out.dst_addr = r.u16le();
  out.dst_endpoint = r.u8();
  out.src_endpoint = r.u8();
  out.cluster_id = r.u16le();
  out.trans_id = r.u8();
  out.options = r.u8();
  out.radius = r.u8();
  const std::size_t len = r.u8();
  out.data = codec::copy(r.bytes(len));
  if (r.failed()) return std::nullopt;
  return out;
}

unpi::Frame AfDataRequestExt::encode() const {
  util::ByteWriter w;
  w.u8(addr_mode).bytes(dst_addr).u8(dst_endpoint).u16le(dst_pan).u8(src_endpoint).u16le(cluster_id);
  w.u8(trans_id).u8(options).u8(radius).u16le(static_cast<std::uint16_t>(data.size())).bytes(data);
  return codec::frame(kKey, w.take());
}

std::optional<AfDataRequestExt> AfDataRequestExt::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  util::ByteReader r(f.data);
  AfDataRequestExt out;
  out.addr_mode = r.u8();
  const auto dst = r.bytes(out.dst_addr.size());
  std::copy(dst.begin(), dst.end(), out.dst_addr.begin());
  out.dst_endpoint = r.u8();
  out.dst_pan = r.u16le();
  out.src_endpoint = r.u8();
  out.cluster_id = r.u16le();
  out.trans_id = r.u8();
  out.options = r.u8();
  out.radius = r.u8();
  const std::size_t len = r.u16le();
  out.data = codec::copy(r.bytes(len));
  if (r.failed()) return std::nullopt;
  return out;
}

unpi::Frame AfDataConfirm::encode() const { return codec::frame(kKey, {status, endpoint, trans_id}); }

std::optional<AfDataConfirm> AfDataConfirm::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f) || f.data.size() < 3) return std::nullopt;
  return AfDataConfirm{f.data[0], f.data[1], f.data[2]};
}

unpi::Frame AfIncomingMsg::encode() const {
  util::ByteWriter w;
  w.u16le(group_id).u16le(cluster_id).u16le(src_addr).u8(src_endpoint).u8(dst_endpoint);
  w.u8(was_broadcast).u8(link_quality).u8(security_use).u32le(timestamp).u8(trans_seq);
  w.u8(static_cast<std::uint8_t>(data.size())).bytes(data);
  if (mac_src_addr) w.u16le(*mac_src_addr);
  if (mac_src_addr && radius) w.u8(*radius);
  return codec::frame(kKey, w.take());
}

std::optional<AfIncomingMsg> AfIncomingMsg::decode(const unpi::Frame& f) noexcept {
  if (!kKey.matches(f)) return std::nullopt;
  util::ByteReader r(f.data);
  AfIncomingMsg out;
  out.group_id = r.u16le();
  out.cluster_id = r.u16le();
  out.src_addr = r.u16le();
  out.src_endpoint = r.u8();
  out.dst_endpoint = r.u8();
  out.was_broadcast = r.u8();
  out.link_quality = r.u8();
  out.security_use = r.u8();
  out.timestamp = r.u32le();
  out.trans_seq = r.u8();
  const std::size_t len = r.u8();
  out.data = codec::copy(r.bytes(len));
  if (r.failed()) return std::nullopt;
  // The Z-Stack 3 trailer is optional: older images end right after the data.
  if (r.remaining() >= 2) {
    out.mac_src_addr = r.u16le();
    if (r.remaining() >= 1) out.radius = r.u8();
  }
  return out;
}

}  // namespace apsecu::znp
