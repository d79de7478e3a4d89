// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Debian's influxd 1.6 as the seed ran it, started on loopback from a temporary config,
// plus the few HTTP calls the benchmark needs (/ping, /write, /query).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace httplib {
class Client;
}

namespace apsecu::bench {

class Influx {
 public:
  // Writes the config under `dir` (meta/, data/, wal/ below it) on two free ports.
  explicit Influx(std::string dir);
  Influx(const Influx&) = delete;
  Influx& operator=(const Influx&) = delete;
  ~Influx();

  // Starts influxd and waits until /ping answers; returns false (and says why) on failure.
  bool start(std::chrono::seconds timeout = std::chrono::seconds(120));
  void stop();
  [[nodiscard]] bool running() const noexcept { return pid_ > 0; }

  // POST /query; returns the body, or an empty string after printing the error.
  std::string query(const std::string& db, const std::string& q);
  // Raw request used for timing: the body size (no parsing), or -1 on failure.
  long query_size(const std::string& db, const std::string& q);
  bool write(const std::string& db, const std::string& lines);

  // Waits until the cache is snapshotted into TSM files and compactions are quiet.
  bool settle(std::chrono::seconds timeout);
  // Allocated bytes (du) of meta + data + wal.
  [[nodiscard]] std::uint64_t disk_bytes() const;
  // Drops influxd's files from the page cache (cold start).
  void evict_cache() const;
  [[nodiscard]] const std::string& log_path() const noexcept { return log_; }

 private:
  std::string dir_;
  std::string config_;
  std::string log_;
  int http_port_ = 0;
  pid_t pid_ = -1;
  std::unique_ptr<httplib::Client> http_;
};

// Allocated bytes of every regular file below `path` (like du -sB1), and the apparent size.
struct DiskUsage {
  std::uint64_t allocated = 0;
  std::uint64_t apparent = 0;
};
[[nodiscard]] DiskUsage disk_usage(const std::string& path);
// Flushes and drops one file from the page cache.
void evict_file(const std::string& path);

}  // namespace apsecu::bench
