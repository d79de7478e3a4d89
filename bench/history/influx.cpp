// SPDX-License-Identifier: GPL-3.0-or-later
#include "influx.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>

extern char** environ;

namespace apsecu::bench {
namespace fs = std::filesystem;

namespace {

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace

DiskUsage disk_usage(const std::string& path) {
  DiskUsage u;
  std::error_code ec;
  if (!fs::exists(path, ec)) return u;
  auto add = [&u](const fs::path& p) {
    struct stat st {};
    if (lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      u.allocated += static_cast<std::uint64_t>(st.st_blocks) * 512U;
      u.apparent += static_cast<std::uint64_t>(st.st_size);
    }
  };
  if (fs::is_regular_file(path, ec)) {
    add(path);
    return u;
  }
  for (const auto& e : fs::recursive_directory_iterator(path, ec)) add(e.path());
  return u;
}

void evict_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  fdatasync(fd);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  close(fd);
}

Influx::Influx(std::string dir) : dir_(std::move(dir)) {
  fs::create_directories(dir_);
  config_ = dir_ + "/influxdb.conf";
  log_ = dir_ + "/influxd.log";
  http_port_ = free_port();
  const int rpc_port = free_port();
  // Defaults except: loopback only, no phoning home, no self-monitoring database, no
  // request logs, and a short "cold" delay so the cache is snapshotted and compacted in
  // seconds, not after the default 10 minutes / 4 hours: the end state is the same one a
  // long-running Pi reaches, we just get there before measuring.
  std::ofstream(config_) << fmt::format(R"(reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{dir}/meta"
[data]
  dir = "{dir}/data"
  wal-dir = "{dir}/wal"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "5s"
  compact-full-write-cold-duration = "10s"
[http]
  bind-address = "127.0.0.1:{http}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "warn"
)",
                                        fmt::arg("rpc", rpc_port), fmt::arg("dir", dir_), fmt::arg("http", http_port_));
}

Influx::~Influx() { stop(); }

bool Influx::start(std::chrono::seconds timeout) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::string prog = "influxd";
  std::string flag = "-config";
  char* argv[] = {prog.data(), flag.data(), config_.data(), nullptr};
  const int rc = posix_spawnp(&pid_, "influxd", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    std::cerr << "cannot start influxd: " << std::strerror(rc) << "\n";
    return false;
  }
  http_ = std::make_unique<httplib::Client>("127.0.0.1", http_port_);
  http_->set_keep_alive(true);
  // Without it Nagle + delayed ACK add ~40 ms to every small request, which would be
  // our client's fault, not influxd's.
  http_->set_tcp_nodelay(true);
  http_->set_read_timeout(600, 0);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto r = http_->Get("/ping"); r && r->status == 204) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::cerr << "influxd exited during start-up; see " << log_ << "\n";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::cerr << "influxd did not answer /ping in time; see " << log_ << "\n";
  return false;
}

void Influx::stop() {
  http_.reset();
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 600; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string Influx::query(const std::string& db, const std::string& q) {
  httplib::Params params{{"db", db}, {"q", q}, {"epoch", "s"}};
  auto r = http_->Post("/query", params);
  if (!r || r->status != 200 || r->body.find("\"error\"") != std::string::npos) {
    std::cerr << "influx query failed (" << (r ? std::to_string(r->status) : httplib::to_string(r.error()))
              << "): " << q << "\n"
              << (r ? r->body.substr(0, 400) : std::string{}) << "\n";
    return {};
  }
  return r->body;
}

long Influx::query_size(const std::string& db, const std::string& q) {
  httplib::Params params{{"db", db}, {"q", q}, {"epoch", "s"}};
  auto r = http_->Post("/query", params);
  if (!r || r->status != 200) return -1;
  return static_cast<long>(r->body.size());
}

bool Influx::write(const std::string& db, const std::string& lines) {
  auto r = http_->Post(fmt::format("/write?db={}&precision=s", db), lines, "text/plain");
  if (!r || r->status != 204) {
    std::cerr << "influx write failed: " << (r ? r->body.substr(0, 400) : httplib::to_string(r.error())) << "\n";
    return false;
  }
  return true;
}

bool Influx::settle(std::chrono::seconds timeout) {
  // Settled: the WAL holds (almost) nothing and the set of TSM files has not changed for
  // a while, i.e. the snapshot and the compactions it triggered are done.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  int stable = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::string files;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir_ + "/data", ec)) {
      if (e.is_regular_file()) files += e.path().string() + ";";
    }
    const auto wal = disk_usage(dir_ + "/wal").apparent;
    const bool quiet = files == last && files.find(".tmp") == std::string::npos && wal < 1U << 20;
    stable = quiet ? stable + 1 : 0;
    last = files;
    if (stable >= 4) return true;
  }
  return false;
}

std::uint64_t Influx::disk_bytes() const {
  return disk_usage(dir_ + "/meta").allocated + disk_usage(dir_ + "/data").allocated +
         disk_usage(dir_ + "/wal").allocated;
}

void Influx::evict_cache() const {
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir_, ec)) {
    if (e.is_regular_file()) evict_file(e.path().string());
  }
}

}  // namespace apsecu::bench
