// SPDX-License-Identifier: GPL-3.0-or-later
#include "net.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "apsecu/api/errors.hpp"

namespace apsecu::api {

std::optional<Address> parse_address(std::string_view text) noexcept {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 63) return std::nullopt;
  const std::string s(text);
  Address a;
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    a.bytes[10] = 0xFF;
    a.bytes[11] = 0xFF;
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v4.s_addr);
    for (std::size_t i = 0; i < 4; ++i) a.bytes[12 + i] = p[i];
    a.v4 = true;
    return a;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    for (std::size_t i = 0; i < 16; ++i) a.bytes[i] = v6.s6_addr[i];
    bool mapped = a.bytes[10] == 0xFF && a.bytes[11] == 0xFF;
    for (std::size_t i = 0; i < 10; ++i) mapped = mapped && a.bytes[i] == 0;
    a.v4 = mapped;
    return a;
  }
  return std::nullopt;
}

util::Result<Network> parse_network(std::string_view text) {
  const auto slash = text.find('/');
  const auto addr_text = text.substr(0, slash);
  auto addr = parse_address(addr_text);
  if (!addr) return util::make_error(Errc::BadOption, "admin network \"" + std::string(text) + "\": not an IP address");
  const int max_bits = addr->v4 ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    const auto b = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(b.data(), b.data() + b.size(), bits);
    if (ec != std::errc{} || end != b.data() + b.size() || bits < 0 || bits > max_bits) {
      return util::make_error(Errc::BadOption, "admin network \"" + std::string(text) + "\": prefix must be 0 to " +
                                                   std::to_string(max_bits));
    }
  }
  return Network{*addr, addr->v4 ? bits + 96 : bits};
}

bool contains(const Network& net, const Address& a) noexcept {
  int left = net.prefix_bits;
  for (std::size_t i = 0; i < 16 && left > 0; ++i, left -= 8) {
    const int n = left >= 8 ? 8 : left;
    const auto mask = static_cast<std::uint8_t>(0xFF << (8 - n));
    if ((net.base.bytes[i] & mask) != (a.bytes[i] & mask)) return false;
  }
  return true;
}

util::Result<NetworkList> NetworkList::parse(const std::vector<std::string>& cidrs) {
  NetworkList list;
  for (const auto& c : cidrs) {
    auto n = parse_network(c);
    if (!n) return n.error();
    list.nets_.push_back(*n);
  }
  return list;
}

bool NetworkList::contains(std::string_view address) const noexcept {
  const auto a = parse_address(address);
  if (!a) return false;
  for (const auto& n : nets_) {
    if (api::contains(n, *a)) return true;
  }
  return false;
}

}  // namespace apsecu::api
