// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The emulator as a running peer: a Cc2530 and its SolarPlant driven by one worker thread,
// reachable through front doors that look to the host exactly like the real hardware:
//
//   * in-process: connect() gives a transport::Transport, reset_line() a transport::ResetLine
//     wired to the module's RST pin;
//   * pseudo-terminal: open_pty() creates /dev/pts/N in raw mode plus a named pipe to which the
//     host writes '0' (pin low) and '1' (pin high) — the host opens them as "/dev/pts/N" and
//     "fifo:/path".
//
// Simulated time comes from the Clock (ScaledClock for 60×/600× days); reply latencies are
// real time (steady clock) scaled by EmulatorConfig::timing_scale. All public functions are
// thread-safe.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apsecu/emulator/cc2530.hpp"
#include "apsecu/emulator/config.hpp"
#include "apsecu/emulator/ground_truth.hpp"
#include "apsecu/emulator/inverter_sim.hpp"
#include "apsecu/transport/transport.hpp"
#include "apsecu/util/clock.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::emulator {

struct PtyOptions {
  std::string reset_fifo;  // "" = a fresh temporary directory holding "reset"
  std::string link;        // optional stable symlink to the pty (replaced if it exists)
};

struct PtyPaths {
  std::string pty;         // /dev/pts/N
  std::string reset_fifo;  // the named pipe
  [[nodiscard]] std::string reset_spec() const { return "fifo:" + reset_fifo; }
};

class Emulator {
 public:
  // Checks and completes the configuration (finalize()) and opens the ground-truth file.
  // The clock must outlive the emulator.
  static util::Result<std::unique_ptr<Emulator>> create(EmulatorConfig config, const util::Clock& clock);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Powers the module on (it boots and sends SYS_RESET_IND) and starts the worker thread.
  void start();
  // Stops the thread, closes the front doors and writes the open ground-truth days.
  void stop();

  // A new host-side connection. Several may exist; all see the module's output from the moment
  // they are connected. They stay safe to use (failing with Closed) after the emulator is gone.
  [[nodiscard]] std::unique_ptr<transport::Transport> connect();
  [[nodiscard]] std::unique_ptr<transport::ResetLine> reset_line();
  // Creates the pty and reset fifo; at most once per emulator.
  [[nodiscard]] util::Result<PtyPaths> open_pty(const PtyOptions& options = {});

  // Fault events on demand (the same as the scheduled ones).
  void freeze_coordinator();
  void zombie_coordinator();
  void reset_coordinator();
  bool reset_inverter(const std::string& serial);

  [[nodiscard]] const EmulatorConfig& config() const noexcept;
  [[nodiscard]] util::WallTime sim_time() const;
  [[nodiscard]] CoordinatorStatus coordinator() const;
  [[nodiscard]] std::vector<InverterStatus> inverters() const;
  [[nodiscard]] std::optional<InverterStatus> inverter(const std::string& serial) const;
  // Energy the panels really produced (ground truth), per inverter and local day.
  [[nodiscard]] std::vector<DayEnergy> ground_truth() const;
  [[nodiscard]] std::optional<DayEnergy> ground_truth(const std::string& serial,
                                                      std::chrono::year_month_day date) const;

  struct Impl;

 private:
  explicit Emulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace apsecu::emulator
