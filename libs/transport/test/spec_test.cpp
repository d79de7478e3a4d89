// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/transport/spec.hpp"

#include <pty.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace {
using namespace apsecu;
using transport::ResetSpec;
using transport::TransportSpec;

TEST(TransportSpec, ParsesEveryForm) {
  auto bare = transport::parse_transport_spec("/dev/ttyS0");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->kind, TransportSpec::Kind::Serial);
  EXPECT_EQ(bare->path, "/dev/ttyS0");
  EXPECT_EQ(bare->baud, 115200U);

  auto serial = transport::parse_transport_spec("serial:/dev/ttyUSB0@57600");
  ASSERT_TRUE(serial.ok());
  EXPECT_EQ(serial->path, "/dev/ttyUSB0");
  EXPECT_EQ(serial->baud, 57600U);

  auto tcp = transport::parse_transport_spec("tcp:ser2net.local:2001");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->kind, TransportSpec::Kind::Tcp);
  EXPECT_EQ(tcp->host, "ser2net.local");
  EXPECT_EQ(tcp->port, 2001);

  auto v6 = transport::parse_transport_spec("tcp:[::1]:3333");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 3333);
}

TEST(TransportSpec, RejectsMalformedSpecsWithTheAcceptedForms) {
  for (const char* spec : {"", "ttyS0", "serial:", "serial:/dev/x@300", "serial:/dev/x@fast", "tcp:host",
                           "tcp::2000", "tcp:host:0", "tcp:host:70000", "tcp:host:20x", "udp:host:1"}) {
    auto r = transport::parse_transport_spec(spec);
    ASSERT_FALSE(r.ok()) << spec;
    EXPECT_EQ(r.error().code, transport::Errc::BadSpec) << spec;
    EXPECT_NE(r.error().describe().find("tcp:host:port"), std::string::npos) << spec;
  }
}

TEST(ResetSpec, ParsesEveryForm) {
  EXPECT_EQ(transport::parse_reset_spec("none")->kind, ResetSpec::Kind::None);
  EXPECT_EQ(transport::parse_reset_spec("")->kind, ResetSpec::Kind::None);
  auto gpio = transport::parse_reset_spec("gpio:gpiochip0:18");
  ASSERT_TRUE(gpio.ok());
  EXPECT_EQ(gpio->kind, ResetSpec::Kind::Gpio);
  EXPECT_EQ(gpio->chip, "gpiochip0");
  EXPECT_EQ(gpio->offset, 18U);
  auto path = transport::parse_reset_spec("gpio:/dev/gpiochip1:5");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->chip, "/dev/gpiochip1");
  auto fifo = transport::parse_reset_spec("fifo:/run/apsemu/reset");
  ASSERT_TRUE(fifo.ok());
  EXPECT_EQ(fifo->kind, ResetSpec::Kind::Fifo);
  EXPECT_EQ(fifo->path, "/run/apsemu/reset");
}

TEST(ResetSpec, RejectsMalformedSpecs) {
  for (const char* spec : {"gpio:", "gpio:18", "gpio:chip:", "gpio:chip:x", "fifo:", "pin:18", "None"}) {
    auto r = transport::parse_reset_spec(spec);
    ASSERT_FALSE(r.ok()) << spec;
    EXPECT_EQ(r.error().code, transport::Errc::BadSpec) << spec;
    EXPECT_NE(r.error().describe().find("fifo:/path"), std::string::npos) << spec;
  }
}

TEST(OpenTransport, OpensAPtyByPathAndReportsBadSpecs) {
  int master = -1;
  int slave = -1;
  char name[256] = {};
  ASSERT_EQ(::openpty(&master, &slave, name, nullptr, nullptr), 0);
  auto t = transport::open_transport(std::string("serial:") + name);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ((*t)->describe(), std::string("serial:") + name);
  ::close(master);
  ::close(slave);

  auto bad = transport::open_transport("bogus");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, transport::Errc::BadSpec);
}

TEST(OpenResetLine, NoneIsANonNullAbsentLine) {
  auto none = transport::open_reset_line("none");
  ASSERT_TRUE(none.ok());
  ASSERT_NE(none->get(), nullptr);
  EXPECT_FALSE((*none)->present());
  EXPECT_EQ((*none)->describe(), "none");
  EXPECT_FALSE(transport::open_reset_line("fifo:/nonexistent/apsecu/reset").ok());
}

}  // namespace
