// SPDX-License-Identifier: GPL-3.0-or-later
// Every typed message against the reference frames of protocol §4 and §6.
#include "apsecu/znp/messages.hpp"

#include <gtest/gtest.h>

#include "apsecu/util/hex.hpp"
#include "frames.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::znp;
using test::hex;
using test::wire;

util::Bytes bytes(const char* h) { return *util::from_hex(h); }

const Ieee kIeee = {0xFF, 0xFF, 0x80, 0x97, 0x1B, 0x01, 0xA3, 0xD8};  // ECU D8A3011B9780

// Encodes to the capture and decodes back to an equal message.
template <class T>
void round_trip(const T& msg, const std::string& capture) {
  EXPECT_EQ(hex(msg.encode()), capture);
  const auto decoded = T::decode(wire(capture));
  ASSERT_TRUE(decoded.has_value()) << capture;
  EXPECT_EQ(hex(decoded->encode()), capture);
}

TEST(Messages, StartSequenceOfSection41) {
  round_trip(ZbWriteConfiguration::startup_option(kStartupClearConfig | kStartupClearState), "FE03260503010321");
  round_trip(SysResetReq{}, "FE0141000040");
  round_trip(SysResetInd{2, 2, 2, 2, 7, 2}, "FE064180020202020702C2");
  round_trip(ZbWriteConfiguration::ext_addr(kIeee), "FE0A26050108FFFF80971B01A3D856");
  round_trip(ZbWriteConfiguration::logical_type(kLogicalTypeCoordinator), "FE032605870100A6");
  round_trip(ZbWriteConfiguration::pan_id(0xA3D8), "FE0426058302D8A3DD");
  round_trip(ZbWriteConfiguration::chan_list(0x00010000), "FE062605840400000100A4");
  round_trip(StatusRsp{ZbWriteConfiguration::kKey.response(), 0}, "FE0166050062");
  round_trip(AfRegister{0x14, 0x0F05, 0x0100, 1, 0, {0x0000, 0x0015}, {}}, "FE0D240014050F0001010002000015000020");
  round_trip(StatusRsp{AfRegister::kKey.response(), 0}, "FE0164000065");
  round_trip(ZbStartRequest{}, "FE00260026");
  round_trip(ZbStartRequestRsp{}, "FE00660066");
  round_trip(ZdoStateChangeInd{kDevCoordStarting}, "FE0145C0088C");
  round_trip(ZdoStateChangeInd{kDevZbCoord}, "FE0145C0098D");
  round_trip(UtilGetDeviceInfo{}, "FE00270027");
  round_trip(UtilGetDeviceInfoRsp{0, kIeee, 0x0000, 0x07, kDevZbCoord, {}}, "FE0E670000FFFF80971B01A3D8000007090011");
  round_trip(UtilGetDeviceInfoRsp{0, kIeee, 0x0000, 0x07, kDevHold, {}}, "FE0E670000FFFF80971B01A3D8000007000018");
}

TEST(Messages, DecodedFieldsOfTheStartReplies) {
  const auto ind = SysResetInd::decode(wire("FE064180020202020702C2"));
  ASSERT_TRUE(ind);
  EXPECT_EQ(ind->reason, 2);
  EXPECT_EQ(ind->minor_rel, 7);
  const auto info = UtilGetDeviceInfoRsp::decode(wire("FE0E670000FFFF80971B01A3D8000007090011"));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, 0);
  EXPECT_EQ(info->ieee, kIeee);
  EXPECT_EQ(info->device_type, 0x07);
  EXPECT_EQ(info->device_state, kDevZbCoord);
  EXPECT_TRUE(info->assoc_devices.empty());
  const auto st = StatusRsp::decode(wire("FE0166050062"));
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->ok());
  EXPECT_EQ(st->key, ZbWriteConfiguration::kKey.response());
}

TEST(Messages, NormalOperationBroadcastOfSection42) {
  AfDataRequest req{kBroadcastAddr, 0x14, 0x14, 0x0006, 1, 0, 0x0F,
                    bytes("80971B01A3D8FBFB1100000D6030FBD3000000000000000004010281FEFE")};
  round_trip(req, "FE282401FFFF1414060001000F1E80971B01A3D8FBFB1100000D6030FBD3000000000000000004010281FEFE8F");
  round_trip(StatusRsp{AfDataRequest::kKey.response(), 0}, "FE0164010064");
}

TEST(Messages, HealthFramesOfSection43) {
  round_trip(SysPing{}, "FE00210120");
  round_trip(SysPingRsp{0x0779}, "FE02610179071C");
  round_trip(UtilLoopback{bytes("AABBCC")}, "FE032710AABBCCE9");
  round_trip(UtilLoopbackRsp{bytes("AABBCC")}, "FE036710AABBCCA9");
}

TEST(Messages, PairingFramesOfSection44) {
  const auto serial = bytes("408000119348");
  const auto ecu_rev = bytes("80971B01A3D8");
  auto step = [&](std::uint16_t cluster, std::uint8_t trans, util::Bytes data) {
    AfDataRequestExt m;
    m.dst_addr.fill(0xFF);
    m.dst_endpoint = 0x14;
    m.dst_pan = 0xFFFF;
    m.src_endpoint = 0x14;
    m.cluster_id = cluster;
    m.trans_id = trans;
    m.radius = 0x0F;
    m.data = std::move(data);
    return m;
  };
  util::Bytes d1 = serial;
  for (auto b : bytes("FFFF10FFFF")) d1.push_back(b);
  d1.insert(d1.end(), ecu_rev.begin(), ecu_rev.end());
  round_trip(step(0x020D, 0, d1),
             "FE2524020FFFFFFFFFFFFFFFFF14FFFF140D0200000F1100408000119348FFFF10FFFF80971B01A3D871");
  round_trip(step(0x020C, 1, serial), "FE1A24020FFFFFFFFFFFFFFFFF14FFFF140C0201000F06004080001193483F");
  util::Bytes d3 = serial;
  for (auto b : bytes("A3D810FFFF")) d3.push_back(b);
  d3.insert(d3.end(), ecu_rev.begin(), ecu_rev.end());
  round_trip(step(0x010F, 2, d3),
             "FE2524020FFFFFFFFFFFFFFFFF14FFFF140F0102000F1100408000119348A3D810FFFF80971B01A3D809");
  round_trip(step(0x0101, 3, ecu_rev), "FE1A24020FFFFFFFFFFFFFFFFF14FFFF14010103000F060080971B01A3D84F");
  round_trip(StatusRsp{AfDataRequestExt::kKey.response(), 0}, "FE0164020067");

  for (const char* echo : {"FE25448100000D0200001414012700130004000011408000119348FFFF10FFFF80971B01A3D83A7C0DE8",
                           "FE1A448100000C02000014140122003F420400000640800011934821D00D7B",
                           "FE1A44810000010100001414012700CEB60400000680971B01A3D83A7C0DBE"}) {
    const auto m = AfIncomingMsg::decode(wire(echo));
    ASSERT_TRUE(m) << echo;
    EXPECT_EQ(m->was_broadcast, 1) << echo;
    EXPECT_EQ(m->src_addr, 0x0000) << echo;
    EXPECT_EQ(hex(m->encode()), echo);
  }

  const char* answer = "FE1C4481000001013A7C14140024004E8204000008FFFF4080001193483A7C0E39";
  const auto m = AfIncomingMsg::decode(wire(answer));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->cluster_id, 0x0101);
  EXPECT_EQ(m->src_addr, 0x7C3A);
  EXPECT_EQ(m->was_broadcast, 0);
  EXPECT_EQ(m->data, bytes("FFFF408000119348"));
  EXPECT_EQ(m->mac_src_addr, 0x7C3A);
  EXPECT_EQ(m->radius, 0x0E);
  EXPECT_EQ(hex(m->encode()), answer);
}

TEST(Messages, PollFramesOfSection45) {
  AfDataRequest poll{0x7C3A, 0x14, 0x14, 0x0006, 1, 0, 0x0F,
                     bytes("80971B01A3D8FBFB06BB000000000000C1FEFE")};
  round_trip(poll, "FE1D24013A7C1414060001000F1380971B01A3D8FBFB06BB000000000000C1FEFE6F");
  round_trip(AfDataConfirm{0x00, 0x14, 0x01}, "FE034480001401D2");
  round_trip(AfDataConfirm{kStatusNwkNoRoute, 0x14, 0x01}, "FE034480CD14011F");
  round_trip(AfDataConfirm{kStatusMacNoAck, 0x14, 0x01}, "FE034480E914013B");
  round_trip(ZdoSrcRtgInd{0x103A, {}}, "FE0345C43A1000A8");
  round_trip(ZdoSrcRtgInd{0x6C22, {}}, "FE0345C4226C00CC");
}

using test::kYc600Answer;

TEST(Messages, Yc600PollAnswerOfSection61) {
  const auto m = AfIncomingMsg::decode(wire(kYc600Answer));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->group_id, 0x0000);
  EXPECT_EQ(m->cluster_id, 0x0106);
  EXPECT_EQ(m->src_addr, 0x103A);
  EXPECT_EQ(m->src_endpoint, 0x14);
  EXPECT_EQ(m->dst_endpoint, 0x14);
  EXPECT_EQ(m->was_broadcast, 0);
  EXPECT_EQ(m->link_quality, 0x71);
  EXPECT_EQ(m->security_use, 0);
  EXPECT_EQ(m->timestamp, 0x00FA7CB5U);
  EXPECT_EQ(m->trans_seq, 0);
  ASSERT_EQ(m->data.size(), 94U);
  EXPECT_EQ(util::to_hex(util::ByteView(m->data).first(8)), "408000158215FBFB");
  EXPECT_EQ(m->mac_src_addr, 0x103A);
  EXPECT_EQ(m->radius, 0x0E);
  EXPECT_EQ(hex(m->encode()), kYc600Answer);
}

TEST(Messages, IncomingMessageWithoutTrailerIsAccepted) {
  auto full = AfIncomingMsg::decode(wire(kYc600Answer));
  ASSERT_TRUE(full);
  AfIncomingMsg bare = *full;
  bare.mac_src_addr.reset();
  bare.radius.reset();
  const auto frame = bare.encode();
  EXPECT_EQ(frame.data.size(), 17U + 94U);
  const auto back = AfIncomingMsg::decode(frame);
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->mac_src_addr.has_value());
  EXPECT_FALSE(back->radius.has_value());
  EXPECT_EQ(back->data, full->data);
}

TEST(Messages, DecodersRejectShortOrForeignFrames) {
  auto truncated = wire(kYc600Answer);
  truncated.data.resize(50);  // Len says 94 but only part of the data is there
  EXPECT_FALSE(AfIncomingMsg::decode(truncated));
  EXPECT_FALSE(AfIncomingMsg::decode(wire("FE034480001401D2")));  // a confirm, not a message
  EXPECT_FALSE(AfDataConfirm::decode(unpi::Frame{unpi::Type::Areq, unpi::Subsystem::Af, 0x80, {0x00}}));
  EXPECT_FALSE(SysResetInd::decode(unpi::Frame{unpi::Type::Areq, unpi::Subsystem::Sys, 0x80, {2, 2, 2}}));
  EXPECT_FALSE(UtilGetDeviceInfoRsp::decode(unpi::Frame{unpi::Type::Srsp, unpi::Subsystem::Util, 0x00, {0, 1, 2}}));
  EXPECT_FALSE(ZdoSrcRtgInd::decode(unpi::Frame{unpi::Type::Areq, unpi::Subsystem::Zdo, 0xC4, {0x3A, 0x10, 2, 1}}));
  EXPECT_FALSE(ZbWriteConfiguration::decode(unpi::Frame{unpi::Type::Sreq, unpi::Subsystem::Sapi, 0x05, {0x83, 4, 1}}));
  EXPECT_FALSE(StatusRsp::decode(wire("FE00660066")));  // ZB_START_REQUEST's SRSP has no status
  EXPECT_FALSE(StatusRsp::decode(wire("FE034480001401D2")));  // not an SRSP
  // A device-info answer that stops after its fixed part still decodes.
  EXPECT_TRUE(UtilGetDeviceInfoRsp::decode(
      unpi::Frame{unpi::Type::Srsp, unpi::Subsystem::Util, 0x00, bytes("00FFFF80971B01A3D800000709")}));
}

TEST(Messages, RpcErrorNamesTheRejectedRequest) {
  const RpcError err{2, 0x27, 0x55};
  const auto back = RpcError::decode(err.encode());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->reason(), "unknown command");
  EXPECT_TRUE(back->answers(unpi::make_frame(0x27, 0x55, {})));
  EXPECT_FALSE(back->answers(unpi::make_frame(0x27, 0x00, {})));
}

}  // namespace
