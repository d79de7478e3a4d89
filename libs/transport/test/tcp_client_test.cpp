// SPDX-License-Identifier: GPL-3.0-or-later
// TcpClient against a loopback listener standing in for ser2net.
#include "apsecu/transport/tcp_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <thread>

#include <gtest/gtest.h>

namespace {
using namespace apsecu;
using namespace std::chrono_literals;

class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 1) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() {
    if (peer_ >= 0) ::close(peer_);
    if (fd_ >= 0) ::close(fd_);
  }
  int accept_peer() {
    peer_ = ::accept(fd_, nullptr, nullptr);
    return peer_;
  }
  void close_peer() {
    ::close(peer_);
    peer_ = -1;
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  int peer_ = -1;
  std::uint16_t port_ = 0;
};

TEST(TcpClient, ExchangesBytesWithTheServer) {
  Listener server;
  ASSERT_NE(server.port(), 0);
  auto client = transport::TcpClient::connect("127.0.0.1", server.port());
  ASSERT_TRUE(client.ok()) << client.error().describe();
  const int peer = server.accept_peer();
  ASSERT_GE(peer, 0);
  EXPECT_EQ((*client)->describe(), "tcp:127.0.0.1:" + std::to_string(server.port()));

  const std::vector<std::uint8_t> down = {0xFE, 0x01, 0x64, 0x01, 0x00, 0x64};
  ASSERT_EQ(::send(peer, down.data(), down.size(), 0), static_cast<ssize_t>(down.size()));
  std::vector<std::uint8_t> got;
  std::array<std::uint8_t, 32> buf{};
  while (got.size() < down.size()) {
    auto n = (*client)->read_some(buf, 2s);
    ASSERT_TRUE(n.ok()) << n.error().describe();
    ASSERT_GT(*n, 0U);
    got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  }
  EXPECT_EQ(got, down);

  const std::vector<std::uint8_t> up = {0xFE, 0x00, 0x21, 0x01, 0x20};
  ASSERT_TRUE((*client)->write_all(up).ok());
  std::vector<std::uint8_t> received(up.size());
  ASSERT_EQ(::recv(peer, received.data(), received.size(), MSG_WAITALL), static_cast<ssize_t>(up.size()));
  EXPECT_EQ(received, up);
}

TEST(TcpClient, TimeoutReturnsZeroAndPeerCloseIsAnError) {
  Listener server;
  auto client = transport::TcpClient::connect("127.0.0.1", server.port());
  ASSERT_TRUE(client.ok()) << client.error().describe();
  ASSERT_GE(server.accept_peer(), 0);

  std::array<std::uint8_t, 8> buf{};
  auto quiet = (*client)->read_some(buf, 20ms);
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(*quiet, 0U);

  server.close_peer();
  auto gone = (*client)->read_some(buf, 2s);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, transport::Errc::ReadFailed);
  // Writing to the dead socket reports an error (eventually) instead of raising SIGPIPE.
  util::Status st;
  for (int i = 0; i < 50 && st.ok(); ++i) st = (*client)->write_all(buf);
  EXPECT_FALSE(st.ok());
}

TEST(TcpClient, CloseUnblocksAReader) {
  Listener server;
  auto client = transport::TcpClient::connect("127.0.0.1", server.port());
  ASSERT_TRUE(client.ok());
  ASSERT_GE(server.accept_peer(), 0);
  std::optional<util::Result<std::size_t>> result;
  std::thread reader([&] {
    std::array<std::uint8_t, 8> buf{};
    result.emplace((*client)->read_some(buf, 20s));
  });
  std::this_thread::sleep_for(20ms);
  const auto start = std::chrono::steady_clock::now();
  (*client)->close();
  reader.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->error().code, transport::Errc::Closed);
}

TEST(TcpClient, RefusedConnectionNamesTheTarget) {
  std::uint16_t port = 0;
  {
    Listener gone;  // bound, then closed: nothing listens there any more
    port = gone.port();
  }
  auto client = transport::TcpClient::connect("127.0.0.1", port, 1000ms);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().code, transport::Errc::OpenFailed);
  EXPECT_NE(client.error().describe().find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}

}  // namespace
