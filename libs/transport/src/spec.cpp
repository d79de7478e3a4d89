// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/transport/spec.hpp"

#include <charconv>

#include "apsecu/transport/tcp_client.hpp"

namespace apsecu::transport {
namespace {

constexpr std::string_view kLinkForms = "expected /dev/ttyX, serial:/dev/ttyX[@baud] or tcp:host:port";
constexpr std::string_view kResetForms = "expected none, gpio:<chip>:<offset> or fifo:/path";

util::Error bad(std::string_view spec, std::string_view why, std::string_view forms) {
  return util::make_error(Errc::BadSpec,
                          "bad spec '" + std::string(spec) + "': " + std::string(why) + " (" + std::string(forms) + ")");
}

template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

util::Result<TransportSpec> parse_serial(std::string_view spec, std::string_view rest) {
  TransportSpec out;
  out.kind = TransportSpec::Kind::Serial;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const auto baud = parse_number<unsigned>(rest.substr(at + 1));
    if (!baud || !is_supported_baud(*baud)) return bad(spec, "unsupported baud rate", kLinkForms);
    out.baud = *baud;
    rest = rest.substr(0, at);
  }
  if (rest.empty()) return bad(spec, "missing device path", kLinkForms);
  out.path = std::string(rest);
  return out;
}

util::Result<TransportSpec> parse_tcp(std::string_view spec, std::string_view rest) {
  TransportSpec out;
  out.kind = TransportSpec::Kind::Tcp;
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos) return bad(spec, "missing port", kLinkForms);
  std::string_view host = rest.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return bad(spec, "missing host", kLinkForms);
  const auto port = parse_number<std::uint16_t>(rest.substr(colon + 1));
  if (!port || *port == 0) return bad(spec, "port must be 1..65535", kLinkForms);
  out.host = std::string(host);
  out.port = *port;
  return out;
}

}  // namespace

util::Result<TransportSpec> parse_transport_spec(std::string_view spec) {
  if (spec.empty()) return bad(spec, "empty", kLinkForms);
  if (starts_with(spec, "tcp:")) return parse_tcp(spec, spec.substr(4));
  if (starts_with(spec, "serial:")) return parse_serial(spec, spec.substr(7));
  if (spec.front() == '/') return parse_serial(spec, spec);
  return bad(spec, "unknown kind", kLinkForms);
}

util::Result<ResetSpec> parse_reset_spec(std::string_view spec) {
  ResetSpec out;
  if (spec.empty() || spec == "none") return out;
  if (starts_with(spec, "fifo:")) {
    if (spec.size() == 5) return bad(spec, "missing fifo path", kResetForms);
    out.kind = ResetSpec::Kind::Fifo;
    out.path = std::string(spec.substr(5));
    return out;
  }
  if (starts_with(spec, "gpio:")) {
    const std::string_view rest = spec.substr(5);
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return bad(spec, "missing chip or line offset", kResetForms);
    const auto offset = parse_number<unsigned>(rest.substr(colon + 1));
    if (!offset) return bad(spec, "line offset must be a number", kResetForms);
    out.kind = ResetSpec::Kind::Gpio;
    out.chip = std::string(rest.substr(0, colon));
    out.offset = *offset;
    return out;
  }
  return bad(spec, "unknown kind", kResetForms);
}

util::Result<std::unique_ptr<Transport>> open_transport(std::string_view spec) {
  auto parsed = parse_transport_spec(spec);
  if (!parsed) return parsed.error();
  if (parsed->kind == TransportSpec::Kind::Tcp) {
    auto tcp = TcpClient::connect(parsed->host, parsed->port);
    if (!tcp) return tcp.error();
    return std::unique_ptr<Transport>(std::move(*tcp));
  }
  auto serial = SerialPort::open(parsed->path, SerialOptions{parsed->baud});
  if (!serial) return serial.error();
  return std::unique_ptr<Transport>(std::move(*serial));
}

util::Result<std::unique_ptr<ResetLine>> open_reset_line(std::string_view spec) {
  auto parsed = parse_reset_spec(spec);
  if (!parsed) return parsed.error();
  switch (parsed->kind) {
    case ResetSpec::Kind::None: return std::unique_ptr<ResetLine>(std::make_unique<NoResetLine>());
    case ResetSpec::Kind::Fifo: {
      auto fifo = FifoResetLine::open(parsed->path);
      if (!fifo) return fifo.error();
      return std::unique_ptr<ResetLine>(std::move(*fifo));
    }
    case ResetSpec::Kind::Gpio: {
      auto gpio = GpioResetLine::open(parsed->chip, parsed->offset);
      if (!gpio) return gpio.error();
      return std::unique_ptr<ResetLine>(std::move(*gpio));
    }
  }
  return bad(spec, "unknown kind", kResetForms);
}

}  // namespace apsecu::transport
