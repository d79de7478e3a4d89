// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/transport/reset_line.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

namespace {
using namespace apsecu;
using namespace std::chrono_literals;

// A fifo in a private temp directory, with an optional non-blocking reader end.
class TempFifo {
 public:
  TempFifo() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "apsecu-fifo-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return;
    dir_ = tmpl;
    path_ = dir_ + "/reset";
    if (::mkfifo(path_.c_str(), 0600) != 0) path_.clear();
  }
  ~TempFifo() {
    if (reader_ >= 0) ::close(reader_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  bool open_reader() {
    reader_ = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    return reader_ >= 0;
  }
  void close_reader() {
    ::close(reader_);
    reader_ = -1;
  }
  std::string read_all() {
    std::string out;
    char buf[16];
    ssize_t n = 0;
    while ((n = ::read(reader_, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
  int reader_ = -1;
};

TEST(FifoResetLine, WritesLevelsTheReaderSees) {
  TempFifo fifo;
  ASSERT_FALSE(fifo.path().empty());
  ASSERT_TRUE(fifo.open_reader());
  auto line = transport::FifoResetLine::open(fifo.path());
  ASSERT_TRUE(line.ok()) << line.error().describe();
  EXPECT_EQ((*line)->describe(), "fifo:" + fifo.path());
  EXPECT_TRUE((*line)->present());

  ASSERT_TRUE((*line)->set_low(true).ok());
  ASSERT_TRUE((*line)->set_low(false).ok());
  EXPECT_EQ(fifo.read_all(), "01");
}

TEST(FifoResetLine, NoReaderIsAnError) {
  TempFifo fifo;
  ASSERT_FALSE(fifo.path().empty());
  auto line = transport::FifoResetLine::open(fifo.path());
  ASSERT_FALSE(line.ok());
  EXPECT_NE(line.error().describe().find("no reader"), std::string::npos);
}

TEST(FifoResetLine, ReaderGoneIsAnErrorNotASignal) {
  TempFifo fifo;
  ASSERT_TRUE(fifo.open_reader());
  auto line = transport::FifoResetLine::open(fifo.path());
  ASSERT_TRUE(line.ok());
  fifo.close_reader();
  auto st = (*line)->set_low(true);  // EPIPE, reopen finds no reader
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().describe().find("no reader"), std::string::npos);

  // A new reader (a restarted emulator) is picked up again.
  ASSERT_TRUE(fifo.open_reader());
  ASSERT_TRUE((*line)->set_low(false).ok());
  EXPECT_EQ(fifo.read_all(), "1");
}

TEST(FifoResetLine, RegularFileIsRejected) {
  TempFifo fifo;
  const std::string file = fifo.path() + ".txt";
  { std::FILE* f = std::fopen(file.c_str(), "w"); ASSERT_NE(f, nullptr); std::fclose(f); }
  auto line = transport::FifoResetLine::open(file);
  ASSERT_FALSE(line.ok());
  EXPECT_NE(line.error().describe().find("not a named pipe"), std::string::npos);
}

struct RecordingLine final : transport::ResetLine {
  std::vector<bool> levels;
  bool fail_low = false;
  util::Status set_low(bool low) override {
    levels.push_back(low);
    if (low && fail_low) return util::make_error(transport::Errc::WriteFailed, "boom");
    return {};
  }
  [[nodiscard]] std::string describe() const override { return "recording"; }
};

TEST(HardReset, PulsesLowThenWaits) {
  RecordingLine line;
  std::vector<std::chrono::milliseconds> sleeps;
  auto st = transport::hard_reset(line, {}, [&](std::chrono::milliseconds d) { sleeps.push_back(d); });
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(line.levels, (std::vector<bool>{true, false}));
  EXPECT_EQ(sleeps, (std::vector<std::chrono::milliseconds>{500ms, 1500ms}));

  sleeps.clear();
  line.levels.clear();
  ASSERT_TRUE(transport::hard_reset(line, {.low = 50ms, .wait = 2500ms}, [&](auto d) { sleeps.push_back(d); }).ok());
  EXPECT_EQ(sleeps, (std::vector<std::chrono::milliseconds>{50ms, 2500ms}));
}

TEST(HardReset, ReleasesTheLineEvenWhenPullingLowFailed) {
  RecordingLine line;
  line.fail_low = true;
  std::vector<std::chrono::milliseconds> sleeps;
  auto st = transport::hard_reset(line, {}, [&](auto d) { sleeps.push_back(d); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(line.levels, (std::vector<bool>{true, false}));
  EXPECT_TRUE(sleeps.empty());
  EXPECT_NE(st.error().describe().find("recording"), std::string::npos);
}

TEST(HardReset, NoLineMeansNoPulseAndNoWait) {
  transport::NoResetLine none;
  int sleeps = 0;
  ASSERT_TRUE(transport::hard_reset(none, {}, [&](auto) { ++sleeps; }).ok());
  EXPECT_EQ(sleeps, 0);
}

TEST(GpioResetLine, UnknownChipIsAClearError) {
  auto line = transport::GpioResetLine::open("apsecu-no-such-chip", 18);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().code, transport::Errc::OpenFailed);
  if (transport::gpio_supported()) {
    EXPECT_NE(line.error().describe().find("apsecu-no-such-chip"), std::string::npos);
  } else {
    EXPECT_NE(line.error().describe().find("without libgpiod"), std::string::npos);
  }
}

}  // namespace
