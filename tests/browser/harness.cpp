// SPDX-License-Identifier: GPL-3.0-or-later
// bench_http's server: a real HttpServer over the fake backend (an in-memory store with
// 40 days of a two-inverter site, a scripted engine). A poll cycle is published every
// `--cycle-ms` so the pages have live values to show. Prints "port N" once listening;
// runs until stdin closes or SIGTERM.
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "apsecu/api/http_server.hpp"
#include "fake_backend.hpp"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  using namespace apsecu;
  api::HttpOptions options;
  options.listen_address = "127.0.0.1";
  options.port = 0;
  int cycle_ms = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--www") options.www_dir = argv[i + 1];
    if (k == "--port") options.port = std::atoi(argv[i + 1]);
    if (k == "--cycle-ms") cycle_ms = std::atoi(argv[i + 1]);
  }
  api::test::FakeOptions fake;
  // Today, so the pages' date pickers (the browser's today) find data.
  fake.start = std::chrono::system_clock::now();
  api::test::FakeBackend backend(fake);
  api::HttpServer server(backend, options);
  if (auto st = server.start(); !st) {
    std::cerr << "harness: " << st.error().describe() << "\n";
    return 1;
  }
  std::cout << "port " << server.port() << std::endl;
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::thread stdin_watch([] {
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    g_stop = 1;
  });
  stdin_watch.detach();
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(cycle_ms));
    backend.fake_clock().set(std::chrono::system_clock::now());
    backend.push_cycle();
  }
  server.stop();
  return 0;
}
