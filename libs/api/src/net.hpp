// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Address ranges for "admin pages only from the home network". IPv4-mapped IPv6 addresses
// (::ffff:192.168.1.5, what a dual-stack socket reports) match the IPv4 ranges.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apsecu/util/result.hpp"

namespace apsecu::api {

struct Address {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 as ::ffff:a.b.c.d
  bool v4 = false;
};

struct Network {
  Address base;
  int prefix_bits = 0;  // over the 128-bit form
};

[[nodiscard]] std::optional<Address> parse_address(std::string_view text) noexcept;
// "192.168.0.0/16", "fe80::/10" or a single address. The message says what is wrong.
[[nodiscard]] util::Result<Network> parse_network(std::string_view text);
[[nodiscard]] bool contains(const Network& net, const Address& a) noexcept;

class NetworkList {
 public:
  [[nodiscard]] static util::Result<NetworkList> parse(const std::vector<std::string>& cidrs);
  [[nodiscard]] bool contains(std::string_view address) const noexcept;

 private:
  std::vector<Network> nets_;
};

}  // namespace apsecu::api
