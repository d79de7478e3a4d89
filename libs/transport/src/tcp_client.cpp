// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/transport/tcp_client.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errno_text.hpp"

namespace apsecu::transport {
namespace {

// One connect() attempt with a timeout. Returns the connected fd or -1 with errno set.
int connect_one(const addrinfo& ai, std::chrono::milliseconds timeout) {
  const int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return -1;
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      const int err = errno;
      ::close(fd);
      errno = err;
      return -1;
    }
    pollfd pfd{fd, POLLOUT, 0};
    int ready = 0;
    do {
      ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    int err = ETIMEDOUT;
    if (ready > 0) {
      socklen_t len = sizeof err;
      if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    } else if (ready < 0) {
      err = errno;
    }
    if (err != 0) {
      ::close(fd);
      errno = err;
      return -1;
    }
  }
  // Frames are small and latency matters more than packet count; keepalive notices a
  // ser2net host that disappeared without closing the connection.
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  return fd;
}

}  // namespace

util::Result<std::unique_ptr<TcpClient>> TcpClient::connect(const std::string& host, std::uint16_t port,
                                                            std::chrono::milliseconds timeout) {
  const std::string description = "tcp:" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                                  std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list); rc != 0) {
    return util::make_error(Errc::OpenFailed, "cannot resolve " + host + ": " + ::gai_strerror(rc));
  }
  int fd = -1;
  int last_err = 0;
  for (const addrinfo* ai = list; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = connect_one(*ai, timeout);
    if (fd < 0) last_err = errno;
  }
  ::freeaddrinfo(list);
  if (fd < 0) {
    return util::make_error(Errc::OpenFailed, "cannot connect to " + description + ": " + errno_text(last_err));
  }
  auto wake = make_wake_fd();
  if (!wake) {
    ::close(fd);
    return wake.error();
  }
  return std::unique_ptr<TcpClient>(new TcpClient(fd, *wake, Kind::Socket, description));
}

}  // namespace apsecu::transport
