// SPDX-License-Identifier: GPL-3.0-or-later
// The running emulator through its front doors: in-process Transport/ResetLine and the pty.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "apsecu/emulator/emulator.hpp"
#include "apsecu/unpi/decoder.hpp"
#include "apsecu/unpi/frame.hpp"
#include "bench.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::emulator;
using namespace apsecu::emulator::testing;
using namespace std::chrono_literals;

constexpr const char* kResetInd = "FE064180020202020702C2";
constexpr const char* kPoll7C3A = "FE1D24013A7C1414060001000F1380971B01A3D8FBFB06BB000000000000C1FEFE6F";

// Reads frames until `count` arrived or `timeout` passed.
std::vector<std::string> read_frames(transport::Transport& t, std::size_t count, std::chrono::milliseconds timeout) {
  unpi::Decoder d;
  std::vector<std::string> out;
  const auto end = std::chrono::steady_clock::now() + timeout;
  std::uint8_t buf[512];
  while (out.size() < count && std::chrono::steady_clock::now() < end) {
    auto n = t.read_some(buf, 20ms);
    if (!n) break;
    d.feed(util::ByteView(buf, *n));
    while (auto f = d.next()) out.push_back(util::to_hex(*unpi::encode(*f)));
  }
  return out;
}

std::vector<std::string> ask(transport::Transport& t, const char* request, std::size_t count,
                             std::chrono::milliseconds timeout = 1s) {
  EXPECT_TRUE(t.write_all(hex(request)));
  return read_frames(t, count, timeout);
}

void start_network(transport::Transport& t) {
  ask(t, "FE0A26050108FFFF80971B01A3D856", 1);
  ask(t, "FE0426058302D8A3DD", 1);
  ask(t, "FE062605840400000100A4", 1);
  ask(t, "FE0D240014050F0001010002000015000020", 1);
  const auto frames = read_frames(t, 0, 0ms);
  (void)frames;
  ASSERT_TRUE(t.write_all(hex("FE00260026")));
  for (int i = 0; i < 20; ++i) {
    const auto f = read_frames(t, 1, 500ms);
    if (!f.empty() && f.back() == "FE0145C0098D") return;
  }
  FAIL() << "coordinator never reached state 9";
}

struct Running {
  explicit Running(EmulatorConfig c = noon_config(), double speed = 1.0)
      : clock(at_utc("2026-06-21T12:00Z"), speed) {
    auto e = Emulator::create(std::move(c), clock);
    if (!e) throw std::runtime_error(e.error().describe());
    emu = std::move(e).value();
  }
  util::ScaledClock clock;
  std::unique_ptr<Emulator> emu;
};

TEST(Emulator, InProcessDoorCarriesTheWholeConversation) {
  Running r;
  auto host = r.emu->connect();
  r.emu->start();
  EXPECT_THAT(read_frames(*host, 1, 2s), ::testing::ElementsAre(kResetInd));
  EXPECT_THAT(ask(*host, "FE00210120", 1), ::testing::ElementsAre("FE02610179071C"));
  start_network(*host);
  const auto poll = ask(*host, kPoll7C3A, 4);
  ASSERT_EQ(poll.size(), 4U);
  EXPECT_EQ(poll[3].substr(0, 8), "FE724481");

  // The reset line: a pulse reboots the module.
  auto pin = r.emu->reset_line();
  ASSERT_TRUE(pin->set_low(true));
  std::this_thread::sleep_for(30ms);
  ASSERT_TRUE(pin->set_low(false));
  EXPECT_THAT(read_frames(*host, 1, 2s), ::testing::ElementsAre(kResetInd));
  EXPECT_EQ(r.emu->coordinator().device_state, 0);

  host->close();
  std::uint8_t b[4];
  const auto after = host->read_some(b, 10ms);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, transport::Errc::Closed);
}

TEST(Emulator, ScheduledFreezeNeedsAHardReset) {
  auto c = noon_config();
  ScheduledEvent freeze;
  freeze.at = at_utc("2026-06-21T12:00:30Z");
  freeze.kind = EventKind::FreezeCoordinator;
  c.events = {freeze};
  Running r(c, 60.0);  // the event fires after half a second of real time
  auto host = r.emu->connect();
  r.emu->start();
  read_frames(*host, 1, 2s);
  EXPECT_EQ(ask(*host, "FE00210120", 1).size(), 1U);
  std::this_thread::sleep_for(700ms);
  EXPECT_TRUE(r.emu->coordinator().frozen);
  EXPECT_TRUE(ask(*host, "FE00210120", 1, 200ms).empty());
  EXPECT_TRUE(ask(*host, "FE0141000040", 1, 300ms).empty());
  auto pin = r.emu->reset_line();
  ASSERT_TRUE(pin->set_low(true));
  ASSERT_TRUE(pin->set_low(false));
  EXPECT_THAT(read_frames(*host, 1, 2s), ::testing::ElementsAre(kResetInd));
  EXPECT_THAT(ask(*host, "FE00210120", 1), ::testing::ElementsAre("FE02610179071C"));
}

TEST(Emulator, ScheduledZombieAnswersPingButNotPollsUntilThePin) {
  auto c = noon_config();
  ScheduledEvent zombie;
  zombie.at = at_utc("2026-06-21T12:00:30Z");
  zombie.kind = EventKind::ZombieCoordinator;
  c.events = {zombie};
  Running r(c, 60.0);
  auto host = r.emu->connect();
  r.emu->start();
  read_frames(*host, 1, 2s);
  start_network(*host);
  std::this_thread::sleep_for(700ms);
  ASSERT_TRUE(r.emu->coordinator().zombie);
  EXPECT_THAT(ask(*host, "FE00210120", 1), ::testing::ElementsAre("FE02610179071C"));
  EXPECT_THAT(ask(*host, kPoll7C3A, 4, 600ms), ::testing::ElementsAre("FE0164010064"));
  auto pin = r.emu->reset_line();
  ASSERT_TRUE(pin->set_low(true));
  ASSERT_TRUE(pin->set_low(false));
  EXPECT_THAT(read_frames(*host, 1, 2s), ::testing::ElementsAre(kResetInd));
  EXPECT_FALSE(r.emu->coordinator().zombie);
}

TEST(Emulator, ScheduledInverterResetZeroesItsCounters) {
  auto c = noon_config();
  ScheduledEvent reset;
  reset.at = at_utc("2026-06-21T12:00:20Z");
  reset.kind = EventKind::ResetInverter;
  reset.serial = "703000021300";
  c.events = {reset};
  Running r(c, 60.0);
  const auto before = r.emu->inverter("703000021300");
  ASSERT_TRUE(before);
  ASSERT_GT(before->uptime_s, 3600U);
  r.emu->start();
  std::this_thread::sleep_for(600ms);
  const auto after = r.emu->inverter("703000021300");
  EXPECT_LT(after->uptime_s, 60U);
  EXPECT_EQ(after->power_ups, before->power_ups + 1);
  // The ground truth keeps counting across the reset.
  const auto truth = r.emu->ground_truth("703000021300", std::chrono::year_month_day{2026y / 6 / 21});
  ASSERT_TRUE(truth);
  EXPECT_GT(truth->total_wh(), before->inputs[0].energy_j / 3600.0);
}

TEST(Emulator, ScheduledCoordinatorResetLosesTheNetworkAndPastEventsAreSkipped) {
  auto c = noon_config();
  ScheduledEvent past, reset;
  past.at = at_utc("2026-06-21T11:00Z");  // before the start: never fires
  past.kind = EventKind::FreezeCoordinator;
  reset.at = at_utc("2026-06-21T12:01:00Z");  // one real second after the start
  reset.kind = EventKind::ResetCoordinator;
  c.events = {past, reset};
  Running r(c, 60.0);
  auto host = r.emu->connect();
  r.emu->start();
  read_frames(*host, 1, 2s);
  start_network(*host);
  EXPECT_EQ(r.emu->coordinator().device_state, 9);
  EXPECT_THAT(read_frames(*host, 1, 2s), ::testing::ElementsAre(kResetInd));
  EXPECT_EQ(r.emu->coordinator().device_state, 0);
  EXPECT_FALSE(r.emu->coordinator().frozen);
  EXPECT_EQ(ask(*host, kPoll7C3A, 1).front(), "FE016401C2A6");
}

TEST(Emulator, PseudoTerminalAndResetFifoWorkWithPlainPosixCalls) {
  Running r;
  const auto paths = r.emu->open_pty();
  ASSERT_TRUE(paths) << paths.error().describe();
  EXPECT_EQ(paths->pty.rfind("/dev/pts/", 0), 0U);
  EXPECT_EQ(paths->reset_spec(), "fifo:" + paths->reset_fifo);
  const int fd = ::open(paths->pty.c_str(), O_RDWR | O_NOCTTY);
  ASSERT_GE(fd, 0);
  r.emu->start();

  auto read_until = [&](std::size_t frames_wanted) {
    unpi::Decoder d;
    std::vector<std::string> out;
    const auto end = std::chrono::steady_clock::now() + 2s;
    while (out.size() < frames_wanted && std::chrono::steady_clock::now() < end) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      std::uint8_t buf[256];
      const auto n = ::read(fd, buf, sizeof buf);
      if (n <= 0) continue;
      d.feed(util::ByteView(buf, static_cast<std::size_t>(n)));
      while (auto f = d.next()) out.push_back(util::to_hex(*unpi::encode(*f)));
    }
    return out;
  };
  EXPECT_THAT(read_until(1), ::testing::ElementsAre(kResetInd));
  const auto ping = hex("FE00210120");
  ASSERT_EQ(::write(fd, ping.data(), ping.size()), static_cast<ssize_t>(ping.size()));
  EXPECT_THAT(read_until(1), ::testing::ElementsAre("FE02610179071C"));

  const int pin = ::open(paths->reset_fifo.c_str(), O_WRONLY | O_NONBLOCK);
  ASSERT_GE(pin, 0);
  ASSERT_EQ(::write(pin, "0", 1), 1);
  std::this_thread::sleep_for(30ms);
  ASSERT_EQ(::write(pin, "1", 1), 1);
  EXPECT_THAT(read_until(1), ::testing::ElementsAre(kResetInd));
  ::close(pin);
  ::close(fd);
  r.emu->stop();
  EXPECT_NE(::access(paths->reset_fifo.c_str(), F_OK), 0);  // cleaned up
}

TEST(Emulator, StopIsCleanAndIdempotent) {
  Running r;
  auto host = r.emu->connect();
  r.emu->start();
  r.emu->stop();
  r.emu->stop();
  EXPECT_FALSE(host->write_all(hex("FE00210120")));
}

}  // namespace
