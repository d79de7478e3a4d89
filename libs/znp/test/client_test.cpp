// SPDX-License-Identifier: GPL-3.0-or-later
// ZnpClient against the scripted peer. Timeouts are short; success paths use generous ones
// that return as soon as the frame arrives, so a loaded machine only makes tests slower.
#include "apsecu/znp/client.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "apsecu/znp/messages.hpp"
#include "frames.hpp"
#include "script_peer.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::znp;
using namespace std::chrono_literals;
using test::ScriptPeer;

constexpr auto kPatience = 2000ms;  // success paths; returns early

const Ieee kIeee = {0xFF, 0xFF, 0x80, 0x97, 0x1B, 0x01, 0xA3, 0xD8};

TEST(ZnpClient, RequestReturnsItsTypedSrsp) {
  ScriptPeer peer;
  peer.expect("FE00270027").reply("FE0E670000FFFF80971B01A3D8000007090011", 5ms);
  ZnpClient client(peer);
  auto info = client.request(UtilGetDeviceInfo{}, kPatience);
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(info->ieee, kIeee);
  EXPECT_EQ(info->device_state, kDevZbCoord);
  const auto s = client.stats();
  EXPECT_EQ(s.frames_out, 1U);
  EXPECT_EQ(s.frames_in, 1U);
  EXPECT_EQ(s.requests, 1U);
  EXPECT_EQ(s.timeouts, 0U);
  EXPECT_TRUE(peer.unexpected().empty());
}

TEST(ZnpClient, TimeoutErrorNamesTheCommandAndTheDuration) {
  ScriptPeer peer;
  ZnpClient client(peer);
  auto rsp = client.request(ZbStartRequest{}, 40ms);
  ASSERT_FALSE(rsp.ok());
  EXPECT_EQ(rsp.error().code, Errc::Timeout);
  EXPECT_EQ(rsp.error().describe(), "no SRSP to ZB_START_REQUEST within 40 ms");
  EXPECT_EQ(client.stats().timeouts, 1U);
  EXPECT_EQ(peer.written(), std::vector<std::string>{"FE00260026"});
}

TEST(ZnpClient, BadStatusAndRpcErrorAreErrors) {
  ScriptPeer peer;
  peer.expect("FE0426058302D8A3DD").reply("FE0166050163");
  const unpi::Frame unknown{unpi::Type::Sreq, unpi::Subsystem::Util, 0x55, {}};
  peer.expect(test::hex(unknown)).reply(test::hex(RpcError{2, 0x27, 0x55}.encode()));
  ZnpClient client(peer);
  auto st = client.request_ok(ZbWriteConfiguration::pan_id(0xA3D8), kPatience);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::BadStatus);
  EXPECT_EQ(st.error().describe(), "ZB_WRITE_CONFIGURATION answered status 0x01 (failure)");

  auto rpc = client.request(unknown, kPatience);
  ASSERT_FALSE(rpc.ok());
  EXPECT_EQ(rpc.error().code, Errc::RpcError);
  EXPECT_EQ(rpc.error().describe(), "module rejected UTIL_0x55: unknown command");
}

TEST(ZnpClient, LateReplyIsDroppedAndNotGivenToTheNextRequest) {
  ScriptPeer peer;
  // The first write's answer (status 0x01) comes long after its 100 ms timeout, while the
  // second request (same SRSP id) is already waiting. The module answers in order, back to
  // back, so the second request's own answer (status 0x00) follows within a few ms.
  peer.expect("FE0426058302D8A3DD").reply("FE0166050163", 500ms);
  peer.expect("FE062605840400000100A4").reply("FE0166050062", 430ms);
  ZnpClient client(peer);

  auto first = client.request(ZbWriteConfiguration::pan_id(0xA3D8), 100ms);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, Errc::Timeout);

  auto second = client.request(ZbWriteConfiguration::chan_list(0x00010000), 5000ms);
  ASSERT_TRUE(second.ok()) << second.error().describe();
  EXPECT_EQ(second->status, 0x00) << "the late status 0x01 reply was handed to the wrong request";
  const auto s = client.stats();
  EXPECT_EQ(s.late_replies, 1U);
  EXPECT_EQ(s.timeouts, 1U);
  EXPECT_FALSE(client.next_indication(0ms).has_value());
}

TEST(ZnpClient, ALostReplyCostsOnlyItsOwnRequest) {
  // Line noise ate the first answer: it will never come. The tombstone it left must not eat
  // the next request's own answer (which would leave a tombstone of its own, and so on for
  // every request after it), nor may a late answer ever go to the wrong request.
  ScriptPeer peer;
  peer.expect("FE00270027");  // lost
  peer.expect("FE00270027").reply("FE0E670000FFFF80971B01A3D8000007090011", 5ms);
  peer.expect("FE00270027").reply("FE0E670000FFFF80971B01A3D8000007090011", 5ms);
  ZnpClient client(peer);
  ASSERT_FALSE(client.request(UtilGetDeviceInfo{}, 30ms).ok());
  const auto t0 = std::chrono::steady_clock::now();
  auto second = client.request(UtilGetDeviceInfo{}, 2000ms);
  ASSERT_TRUE(second.ok()) << second.error().describe();
  // Held for the settle time in case a second answer showed it to be the late one.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1000ms);
  auto third = client.request(UtilGetDeviceInfo{}, 2000ms);
  ASSERT_TRUE(third.ok()) << third.error().describe();
  EXPECT_EQ(client.stats().late_replies, 0U);
}

TEST(ZnpClient, ForgetLateRepliesEndsTheTombstones) {
  ScriptPeer peer;
  peer.expect("FE00270027");  // never answered
  peer.expect("FE00270027").reply("FE0E670000FFFF80971B01A3D8000007090011");
  ZnpClient client(peer);
  ASSERT_FALSE(client.request(UtilGetDeviceInfo{}, 30ms).ok());
  client.forget_late_replies();  // e.g. after a hard reset
  auto info = client.request(UtilGetDeviceInfo{}, kPatience);
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(client.stats().late_replies, 0U);
}

// The §6.1 read: SRSP, confirm, route report and telemetry all arrive right after the write.
// Waiters registered before the request must catch the confirm and the answer.
TEST(ZnpClient, ExpectRegisteredBeforeSendingCatchesTheWholeChain) {
  ScriptPeer peer;
  AfDataRequest poll{0x103A, 0x14, 0x14, 0x0006, 1, 0, 0x0F,
                     *util::from_hex("80971B01A3D8FBFB06BB000000000000C1FEFE")};
  peer.expect(test::hex(poll.encode()))
      .reply("FE0164010064")
      .reply("FE034480001401D2")
      .reply("FE0345C43A1000A8")
      .reply(test::kYc600Answer);
  ZnpClient client(peer);
  Waiter confirm = client.expect(data_confirm(0x14, 1));
  Waiter incoming = client.expect(incoming_from(0x103A, 0x0106));
  ASSERT_TRUE(client.request_ok(poll, kPatience).ok());
  auto c = confirm.wait_as<AfDataConfirm>(kPatience);
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->status, 0);
  auto msg = incoming.wait_as<AfIncomingMsg>(kPatience);
  ASSERT_TRUE(msg.ok()) << msg.error().describe();
  EXPECT_EQ(msg->data.size(), 94U);
  // The route report nobody waited for is an indication.
  auto ind = client.next_indication(kPatience);
  ASSERT_TRUE(ind.has_value());
  EXPECT_TRUE(ZdoSrcRtgInd::kKey.matches(*ind));
}

TEST(ZnpClient, ExpectTimeoutNamesWhatWasAwaited) {
  ScriptPeer peer;
  ZnpClient client(peer);
  Waiter w = client.expect(data_confirm(0x14, 1));
  auto r = w.wait(30ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(), "no AF_DATA_CONFIRM (ep 0x14, trans 1) within 30 ms");
  // wait() is one-shot.
  EXPECT_EQ(w.wait(1ms).error().code, Errc::Cancelled);
}

TEST(ZnpClient, UnclaimedIndicationsAreQueuedInOrderOrHandedToTheHandler) {
  ScriptPeer peer;
  ZnpClient client(peer);
  peer.push("FE0145C0088CFE0145C0098D");
  auto first = client.next_indication(kPatience);
  auto second = client.next_indication(kPatience);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(ZdoStateChangeInd::decode(*first)->state, 8);
  EXPECT_EQ(ZdoStateChangeInd::decode(*second)->state, 9);
  EXPECT_FALSE(client.next_indication(10ms).has_value());

  std::mutex m;
  std::condition_variable cv;
  std::vector<unpi::Frame> handled;
  client.on_indication([&](const unpi::Frame& f) {
    std::lock_guard lock(m);
    handled.push_back(f);
    cv.notify_all();
  });
  peer.push("FE064180020202020702C2");
  std::unique_lock lock(m);
  ASSERT_TRUE(cv.wait_for(lock, kPatience, [&] { return !handled.empty(); }));
  EXPECT_TRUE(SysResetInd::decode(handled.front()).has_value());
  EXPECT_EQ(client.stats().indications, 3U);
}

TEST(ZnpClient, CancelledWaiterLeavesNoTombstone) {
  ScriptPeer peer;
  ZnpClient client(peer);
  {
    Waiter w = client.expect(Match::of<SysResetInd>());
  }  // destroyed without waiting
  peer.push("FE064180020202020702C2");
  EXPECT_TRUE(client.next_indication(kPatience).has_value());
  EXPECT_EQ(client.stats().late_replies, 0U);
}

TEST(ZnpClient, StraySrspIsCountedNotQueued) {
  ScriptPeer peer;
  ZnpClient client(peer);
  peer.push("FE0166050062");
  peer.push("FE0145C0098D", 20ms);  // marks the point where the SRSP must have been handled
  ASSERT_TRUE(client.next_indication(kPatience).has_value());
  EXPECT_EQ(client.stats().unexpected, 1U);
}

TEST(ZnpClient, TapSeesBothDirections) {
  ScriptPeer peer;
  peer.expect("FE00210120").reply("FE02610179071C");
  ZnpClient client(peer);
  std::mutex m;
  std::vector<std::pair<Direction, std::string>> seen;
  client.set_tap([&](Direction d, const unpi::Frame& f) {
    std::lock_guard lock(m);
    seen.emplace_back(d, test::hex(f));
  });
  auto pong = client.request(SysPing{}, kPatience);
  ASSERT_TRUE(pong.ok());
  EXPECT_EQ(pong->capabilities, 0x0779);
  std::lock_guard lock(m);
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0], std::make_pair(Direction::Sent, std::string("FE00210120")));
  EXPECT_EQ(seen[1], std::make_pair(Direction::Received, std::string("FE02610179071C")));
}

TEST(ZnpClient, IdleLineAbandonsAFalseStart) {
  ScriptPeer peer;
  ZnpClient client(peer);
  // "FE 10 41" announces 16 data bytes that never come. Without the idle rule the next real
  // frame would be swallowed into this candidate and stay stuck.
  peer.push("FE1041");
  peer.push("FE0145C0098D", 300ms);
  auto ind = client.next_indication(5000ms);
  ASSERT_TRUE(ind.has_value());
  EXPECT_EQ(ZdoStateChangeInd::decode(*ind)->state, 9);
  EXPECT_GE(client.stats().decoder.abandoned, 1U);
}

TEST(ZnpClient, OneRequestInFlightAtATime) {
  ScriptPeer peer;
  peer.on("FE00210120").reply("FE02610179071C", 20ms);
  peer.on("FE00270027").reply("FE0E670000FFFF80971B01A3D8000007090011", 20ms);
  ZnpClient client(peer);
  std::atomic<int> ok{0};
  auto worker = [&](bool ping) {
    for (int i = 0; i < 5; ++i) {
      const bool good = ping ? client.request(SysPing{}, kPatience).ok() : client.request(UtilGetDeviceInfo{}, kPatience).ok();
      if (good) ++ok;
    }
  };
  std::thread a(worker, true);
  std::thread b(worker, false);
  a.join();
  b.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(peer.overlapping_writes(), 0);
}

TEST(ZnpClient, LinkLossFailsPendingAndLaterWaits) {
  ScriptPeer peer;
  ZnpClient client(peer);
  Waiter w = client.expect(Match::of<SysResetInd>());
  std::thread closer([&] {
    std::this_thread::sleep_for(20ms);
    peer.close();
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = w.wait(10s);
  closer.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::LinkDown);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_FALSE(client.link_up());
  auto later = client.request(SysPing{}, 10s);
  ASSERT_FALSE(later.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(ZnpClient, StopCancelsWaiters) {
  ScriptPeer peer;
  auto client = std::make_unique<ZnpClient>(peer);
  Waiter w = client->expect(Match::of<SysResetInd>());
  client->stop();
  auto r = w.wait(10s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::Cancelled);
  client.reset();
}

}  // namespace
