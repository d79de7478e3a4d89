// SPDX-License-Identifier: GPL-3.0-or-later
// SerialPort against a pty: the slave is opened by path exactly like a real UART.
#include "apsecu/transport/serial_port.hpp"

#include <pty.h>
#include <unistd.h>

#include <array>
#include <thread>

#include <gtest/gtest.h>

namespace {
using namespace apsecu;
using namespace std::chrono_literals;

class Pty {
 public:
  Pty() {
    char name[256] = {};
    if (::openpty(&master_, &slave_, name, nullptr, nullptr) == 0) path_ = name;
  }
  ~Pty() {
    if (master_ >= 0) ::close(master_);
    if (slave_ >= 0) ::close(slave_);
  }
  [[nodiscard]] bool ok() const { return !path_.empty(); }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] int master() const { return master_; }

 private:
  int master_ = -1;
  int slave_ = -1;
  std::string path_;
};

std::vector<std::uint8_t> read_n(transport::Transport& t, std::size_t n) {
  std::vector<std::uint8_t> out;
  std::array<std::uint8_t, 64> buf{};
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    auto got = t.read_some(buf, 200ms);
    if (!got) break;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*got));
  }
  return out;
}

TEST(SerialPort, ReadsWhatTheMasterWrites) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  auto port = transport::SerialPort::open(pty.path());
  ASSERT_TRUE(port.ok()) << port.error().describe();
  EXPECT_EQ((*port)->describe(), "serial:" + pty.path());

  // Raw mode: bytes such as 0x0D, 0x11 (XON), 0x03 (^C) and 0xFE pass untouched.
  const std::vector<std::uint8_t> sent = {0xFE, 0x01, 0x0D, 0x0A, 0x11, 0x13, 0x03, 0x00};
  ASSERT_EQ(::write(pty.master(), sent.data(), sent.size()), static_cast<ssize_t>(sent.size()));
  EXPECT_EQ(read_n(**port, sent.size()), sent);
}

TEST(SerialPort, WritesReachTheMaster) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  auto port = transport::SerialPort::open(pty.path());
  ASSERT_TRUE(port.ok()) << port.error().describe();
  const std::vector<std::uint8_t> sent = {0xFE, 0x00, 0x27, 0x00, 0x27, 0x0A};
  ASSERT_TRUE((*port)->write_all(sent).ok());
  std::vector<std::uint8_t> got(sent.size());
  std::size_t have = 0;
  while (have < got.size()) {
    const auto n = ::read(pty.master(), got.data() + have, got.size() - have);
    ASSERT_GT(n, 0);
    have += static_cast<std::size_t>(n);
  }
  EXPECT_EQ(got, sent);
}

TEST(SerialPort, TimeoutReturnsZero) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  auto port = transport::SerialPort::open(pty.path());
  ASSERT_TRUE(port.ok());
  std::array<std::uint8_t, 16> buf{};
  const auto start = std::chrono::steady_clock::now();
  auto got = (*port)->read_some(buf, 30ms);
  ASSERT_TRUE(got.ok()) << got.error().describe();
  EXPECT_EQ(*got, 0U);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 25ms);
}

TEST(SerialPort, CloseUnblocksAReader) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  auto port = transport::SerialPort::open(pty.path());
  ASSERT_TRUE(port.ok());
  std::optional<util::Result<std::size_t>> result;
  const auto start = std::chrono::steady_clock::now();
  std::thread reader([&] {
    std::array<std::uint8_t, 16> buf{};
    result.emplace((*port)->read_some(buf, 20s));
  });
  std::this_thread::sleep_for(20ms);
  (*port)->close();
  reader.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_EQ(result->error().code, transport::Errc::Closed);

  // Later calls fail the same way instead of touching a released fd.
  std::array<std::uint8_t, 4> buf{};
  EXPECT_EQ((*port)->read_some(buf, 1ms).error().code, transport::Errc::Closed);
  EXPECT_EQ((*port)->write_all(buf).error().code, transport::Errc::Closed);
}

TEST(SerialPort, MissingDeviceIsAClearError) {
  auto port = transport::SerialPort::open("/dev/does-not-exist-apsecu");
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, transport::Errc::OpenFailed);
  EXPECT_NE(port.error().describe().find("/dev/does-not-exist-apsecu"), std::string::npos);
}

TEST(SerialPort, RejectsUnsupportedBaudAndNonTty) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  auto odd = transport::SerialPort::open(pty.path(), {.baud = 12345});
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.error().describe().find("12345"), std::string::npos);

  auto not_tty = transport::SerialPort::open("/dev/null");
  ASSERT_FALSE(not_tty.ok());
  EXPECT_NE(not_tty.error().describe().find("not a serial port"), std::string::npos);

  auto other = transport::SerialPort::open(pty.path(), {.baud = 57600});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->describe(), "serial:" + pty.path() + "@57600");
}

}  // namespace
