// SPDX-License-Identifier: GPL-3.0-or-later
// `apsecu console`: the seed's Zigbee console. Each command is typed as CMD0 CMD1 DATA in hex;
// LEN and FCS are added, the frame is sent, and every frame that comes back within the
// listening window is printed with its name and decoded fields.

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "apsecu/emulator/emulator.hpp"
#include "apsecu/transport/reset_line.hpp"
#include "apsecu/transport/spec.hpp"
#include "apsecu/unpi/decoder.hpp"
#include "apsecu/util/hex.hpp"
#include "apsecu/znp/describe.hpp"
#include "commands.hpp"
#include "radio_link.hpp"

namespace apsecu::app {
namespace {

struct ConsoleArgs {
  std::string port = "emulator";
  std::string reset = "none";
  int listen_ms = 1500;
  std::vector<std::string> commands;
};

void print_frame(const char* arrow, const unpi::Frame& f) {
  const auto wire = unpi::encode(f);
  std::cout << arrow << ' ' << (wire ? util::to_hex(*wire) : "?") << "  " << znp::describe(f) << '\n';
}

// Prints every frame that arrives within `window`; with `stop_after_first`, returns as soon as
// one frame was printed.
void listen(transport::Transport& t, unpi::Decoder& decoder, std::chrono::milliseconds window,
            bool stop_after_first = false) {
  const auto until = std::chrono::steady_clock::now() + window;
  std::array<std::uint8_t, 512> buf{};
  for (auto now = std::chrono::steady_clock::now(); now < until; now = std::chrono::steady_clock::now()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
    auto n = t.read_some(buf, std::min(left, std::chrono::milliseconds(50)));
    if (!n) {
      std::cout << "! " << n.error().describe() << '\n';
      return;
    }
    if (*n == 0) {
      decoder.on_idle();
    } else {
      decoder.feed(util::ByteView(buf.data(), *n));
    }
    bool printed = false;
    while (auto f = decoder.next()) {
      print_frame("<", *f);
      printed = true;
    }
    if (printed && stop_after_first) return;
  }
}

int run_line(const std::string& line, RadioLink& link, unpi::Decoder& decoder, std::chrono::milliseconds window) {
  if (line == "reset") {
    const auto status = transport::hard_reset(*link.reset);
    std::cout << (status ? "hard reset done" : "! hard reset failed: " + status.error().describe()) << '\n';
    listen(*link.transport, decoder, window);
    return status ? 0 : 1;
  }
  if (line == "listen") {
    listen(*link.transport, decoder, window);
    return 0;
  }
  const auto bytes = util::from_hex(line);
  if (!bytes) {
    std::cout << "! not hex: type CMD0 CMD1 DATA, e.g. 2700 (device info), 2101 (ping), reset, listen\n";
    return 1;
  }
  auto frame = unpi::frame_from_command_bytes(*bytes);
  if (!frame) {
    std::cout << "! " << frame.error().describe() << '\n';
    return 1;
  }
  const auto wire = unpi::encode(*frame);
  if (!wire) return 1;
  print_frame(">", *frame);
  if (auto st = link.transport->write_all(*wire); !st) {
    std::cout << "! " << st.error().describe() << '\n';
    return 1;
  }
  listen(*link.transport, decoder, window);
  return 0;
}

}  // namespace

Runner add_console_command(CLI::App& root) {
  auto args = std::make_shared<ConsoleArgs>();
  auto* cmd = root.add_subcommand("console", "Send raw ZNP commands and print every reply frame by name");
  cmd->add_option("--port", args->port, "Serial device, tcp:host:port, or emulator")->capture_default_str();
  cmd->add_option("--reset", args->reset, "Reset line: none, gpio:CHIP:LINE or fifo:PATH")->capture_default_str();
  cmd->add_option("--listen-ms", args->listen_ms, "How long to print replies after each command")
      ->check(CLI::Range(50, 60000))
      ->capture_default_str();
  cmd->add_option("commands", args->commands,
                  "Commands as CMD0 CMD1 DATA hex (LEN and FCS are added), or 'reset' / 'listen'; "
                  "without any, lines are read from standard input");

  return [args] {
    const util::SystemClock clock;
    std::optional<emulator::EmulatorConfig> emu;
    if (args->port == "emulator") {
      emu.emplace();
      emu->start = clock.now();
    }
    auto link = open_radio(args->port, args->reset, emu, clock);
    if (!link) {
      std::cerr << "console: " << link.error().describe() << '\n';
      return 1;
    }
    std::cout << "# connected to " << link->transport->describe() << '\n';
    unpi::Decoder decoder;
    const std::chrono::milliseconds window(args->listen_ms);
    int failures = 0;
    // A module accepts frames only once it has booted and said so with SYS_RESET_IND.
    if (link->emulator) listen(*link->transport, decoder, std::chrono::milliseconds(5000), true);
    if (!args->commands.empty()) {
      for (const auto& c : args->commands) failures += run_line(c, *link, decoder, window);
    } else {
      std::string line;
      while (std::getline(std::cin, line)) {
        if (line.empty() || line[0] == '#') continue;
        failures += run_line(line, *link, decoder, window);
      }
    }
    if (link->emulator) link->emulator->stop();
    return failures == 0 ? 0 : 1;
  };
}

}  // namespace apsecu::app
