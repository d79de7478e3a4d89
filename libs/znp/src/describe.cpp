// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/znp/describe.hpp"

#include <fmt/format.h>

#include "apsecu/util/hex.hpp"
#include "apsecu/znp/messages.hpp"

namespace apsecu::znp {
namespace {

std::string status_text(std::uint8_t status) { return fmt::format("status=0x{:02X} ({})", status, status_name(status)); }

std::string list_text(const std::vector<std::uint16_t>& list) {
  std::string out = "[";
  for (std::size_t i = 0; i < list.size(); ++i) out += fmt::format("{}0x{:04X}", i == 0 ? "" : " ", list[i]);
  return out + "]";
}

// Fields of a frame whose key is in the table, or nullopt when the payload does not decode.
std::optional<std::string> fields(const unpi::Frame& f) {
  const CommandKey key = key_of(f);
  if (key == SysPingRsp::kKey) {
    if (auto m = SysPingRsp::decode(f)) return fmt::format("capabilities=0x{:04X}", m->capabilities);
  } else if (key == SysResetReq::kKey) {
    if (auto m = SysResetReq::decode(f)) return fmt::format("type={}", m->type);
  } else if (key == SysResetInd::kKey) {
    if (auto m = SysResetInd::decode(f)) {
      return fmt::format("reason={} transport={} product={} version={}.{}.{}", m->reason, m->transport_rev,
                         m->product_id, m->major_rel, m->minor_rel, m->hw_rev);
    }
  } else if (key == UtilGetDeviceInfoRsp::kKey) {
    if (auto m = UtilGetDeviceInfoRsp::decode(f)) {
      return fmt::format("{} ieee={} short=0x{:04X} type=0x{:02X} state={} ({}) assoc={}", status_text(m->status),
                         to_hex(m->ieee), m->short_addr, m->device_type, m->device_state,
                         device_state_name(m->device_state), list_text(m->assoc_devices));
    }
  } else if (key == UtilLoopback::kKey || key == UtilLoopbackRsp::kKey) {
    return "data=" + util::to_hex(f.data);
  } else if (key == ZbWriteConfiguration::kKey) {
    if (auto m = ZbWriteConfiguration::decode(f)) {
      return fmt::format("id=0x{:02X} ({}) value={}", m->config_id, nv_name(m->config_id), util::to_hex(m->value));
    }
  } else if (key == AfRegister::kKey) {
    if (auto m = AfRegister::decode(f)) {
      return fmt::format("ep=0x{:02X} profile=0x{:04X} device=0x{:04X} version={} latency={} in={} out={}", m->endpoint,
                         m->profile_id, m->device_id, m->device_version, m->latency, list_text(m->in_clusters),
                         list_text(m->out_clusters));
    }
  } else if (key == AfDataRequest::kKey) {
    if (auto m = AfDataRequest::decode(f)) {
      return fmt::format("dst=0x{:04X} ep=0x{:02X}>0x{:02X} cluster=0x{:04X} trans={} options=0x{:02X} radius={} len={} data={}",
                         m->dst_addr, m->src_endpoint, m->dst_endpoint, m->cluster_id, m->trans_id, m->options,
                         m->radius, m->data.size(), util::to_hex(m->data));
    }
  } else if (key == AfDataRequestExt::kKey) {
    if (auto m = AfDataRequestExt::decode(f)) {
      return fmt::format("mode=0x{:02X} dst={} pan=0x{:04X} ep=0x{:02X}>0x{:02X} cluster=0x{:04X} trans={} options=0x{:02X} "
                         "radius={} len={} data={}",
                         m->addr_mode, util::to_hex(m->dst_addr), m->dst_pan, m->src_endpoint, m->dst_endpoint,
                         m->cluster_id, m->trans_id, m->options, m->radius, m->data.size(), util::to_hex(m->data));
    }
  } else if (key == AfDataConfirm::kKey) {
    if (auto m = AfDataConfirm::decode(f)) {
      return fmt::format("{} ep=0x{:02X} trans={}", status_text(m->status), m->endpoint, m->trans_id);
    }
  } else if (key == AfIncomingMsg::kKey) {
    if (auto m = AfIncomingMsg::decode(f)) {
      std::string out = fmt::format(
          "group=0x{:04X} cluster=0x{:04X} src=0x{:04X} ep=0x{:02X}>0x{:02X} bcast={} lqi={} sec={} ts={} seq={} len={} data={}",
          m->group_id, m->cluster_id, m->src_addr, m->src_endpoint, m->dst_endpoint, m->was_broadcast,
          m->link_quality, m->security_use, m->timestamp, m->trans_seq, m->data.size(), util::to_hex(m->data));
      if (m->mac_src_addr) out += fmt::format(" mac_src=0x{:04X}", *m->mac_src_addr);
      if (m->radius) out += fmt::format(" radius={}", *m->radius);
      return out;
    }
  } else if (key == ZdoStateChangeInd::kKey) {
    if (auto m = ZdoStateChangeInd::decode(f)) return fmt::format("state={} ({})", m->state, device_state_name(m->state));
  } else if (key == ZdoSrcRtgInd::kKey) {
    if (auto m = ZdoSrcRtgInd::decode(f)) return fmt::format("dst=0x{:04X} relays={}", m->dst_addr, list_text(m->relays));
  } else if (key == RpcError::kKey) {
    if (auto m = RpcError::decode(f)) {
      return fmt::format("{} for {} {:02X} {:02X}", m->reason(),
                         command_name(key_of(unpi::make_frame(m->request_cmd0, m->request_cmd1, {}))),
                         m->request_cmd0, m->request_cmd1);
    }
  } else if (f.type == unpi::Type::Srsp) {
    if (auto m = StatusRsp::decode(f); m && f.data.size() == 1) return status_text(m->status);
  }
  if (f.data.empty()) return std::string{};
  return std::nullopt;
}

}  // namespace

std::string describe(const unpi::Frame& frame) {
  const std::string head = fmt::format("{} {}", unpi::type_name(frame.type), command_name(frame));
  if (find_command(key_of(frame)) == nullptr) {
    return frame.data.empty() ? head : head + " data=" + util::to_hex(frame.data);
  }
  auto body = fields(frame);
  if (!body) return fmt::format("{} (malformed, {} bytes) data={}", head, frame.data.size(), util::to_hex(frame.data));
  return body->empty() ? head : head + " " + *body;
}

}  // namespace apsecu::znp
