// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A TCP connection to a serial server such as ser2net ("raw" mode), for a module that sits on
// another machine. Same semantics as SerialPort; a peer that closes the connection makes
// read_some() fail with Errc::ReadFailed.

#include <cstdint>
#include <memory>
#include <string>

#include "apsecu/transport/fd_transport.hpp"

namespace apsecu::transport {

class TcpClient final : public FdTransport {
 public:
  // Resolves `host` (name, IPv4 or IPv6 literal) and connects to the first address that answers.
  static util::Result<std::unique_ptr<TcpClient>> connect(const std::string& host, std::uint16_t port,
                                                          std::chrono::milliseconds timeout = kConnectTimeout);

  static constexpr std::chrono::milliseconds kConnectTimeout{3000};

 private:
  using FdTransport::FdTransport;
};

}  // namespace apsecu::transport
