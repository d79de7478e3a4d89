// SPDX-License-Identifier: GPL-3.0-or-later
#include "mt.hpp"

#include "apsecu/unpi/frame.hpp"

namespace apsecu::emulator::mt {

util::Bytes frame(std::uint8_t cmd0, std::uint8_t cmd1, util::ByteView data) {
  // Every caller stays far below 250 data bytes; an oversize frame would be a bug here.
  auto wire = unpi::encode(unpi::make_frame(cmd0, cmd1, data));
  return wire ? std::move(wire).value() : util::Bytes{};
}

util::Bytes reset_indication() {
  const std::uint8_t data[] = {0x02, 0x02, 0x02, 0x02, 0x07, 0x02};
  return areq(kSys, 0x80, data);
}

util::Bytes state_change(std::uint8_t state) {
  const std::uint8_t data[] = {state};
  return areq(kZdo, 0xC0, data);
}

util::Bytes data_confirm(std::uint8_t status, std::uint8_t endpoint, std::uint8_t trans_id) {
  const std::uint8_t data[] = {status, endpoint, trans_id};
  return areq(kAf, 0x80, data);
}

util::Bytes source_route(std::uint16_t destination) {
  util::ByteWriter w;
  w.u16le(destination).u8(0);  // relay count 0: heard directly
  return areq(kZdo, 0xC4, w.data());
}

util::Bytes rpc_error(std::uint8_t cmd0, std::uint8_t cmd1) {
  const std::uint8_t data[] = {0x02, cmd0, cmd1};
  return frame(0x60, 0x00, data);
}

util::Bytes incoming_msg(const IncomingMsg& m) {
  util::ByteWriter w;
  w.u16le(m.group_id)
      .u16le(m.cluster_id)
      .u16le(m.src_addr)
      .u8(m.src_endpoint)
      .u8(m.dst_endpoint)
      .u8(m.was_broadcast ? 1 : 0)
      .u8(m.link_quality)
      .u8(0)  // SecurityUse
      .u32le(m.timestamp)
      .u8(m.trans_seq)
      .u8(static_cast<std::uint8_t>(m.data.size()))
      .bytes(m.data)
      .u16le(m.mac_src_addr)
      .u8(m.radius);
  return areq(kAf, 0x81, w.data());
}

}  // namespace apsecu::emulator::mt
