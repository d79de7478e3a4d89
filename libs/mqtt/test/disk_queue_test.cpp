// SPDX-License-Identifier: GPL-3.0-or-later
// The store-and-forward file: order, restarts, bound, torn tails, compaction.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "apsecu/mqtt/disk_queue.hpp"

namespace {
using namespace apsecu::mqtt;
namespace fs = std::filesystem;

class MqttDiskQueue : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "apsecu-mqttq-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    file_ = dir_ / "q.bin";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<DiskQueue> open(std::size_t max = 100) {
    auto q = DiskQueue::open(file_, max);
    EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().describe());
    return q.ok() ? std::move(*q) : nullptr;
  }
  static Message msg(int i, std::size_t pad = 0) {
    return Message{"t/" + std::to_string(i), "payload " + std::to_string(i) + std::string(pad, 'x'), i % 3, i % 2 == 0};
  }
  // Reads and confirms everything, returning the numbers in order.
  static std::vector<int> drain(DiskQueue& q) {
    std::vector<int> seen;
    DiskQueue::Position pos = 0;
    while (true) {
      auto e = q.read(pos);
      EXPECT_TRUE(e.ok());
      if (!e.ok() || !*e) break;
      seen.push_back(std::stoi((*e)->message.topic.substr(2)));
      EXPECT_TRUE(q.pop((*e)->position, (*e)->next).ok());
      pos = (*e)->next;
    }
    return seen;
  }

  fs::path dir_;
  fs::path file_;
};

TEST_F(MqttDiskQueue, KeepsOrderAndEveryField) {
  auto q = open();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q->push(msg(i)).ok());
  EXPECT_EQ(q->size(), 10U);
  auto e = q->read(0);
  ASSERT_TRUE(e.ok() && *e);
  EXPECT_EQ((*e)->message, msg(0));
  // Reading does not remove; the next read from `next` gets the second.
  auto e2 = q->read((*e)->next);
  EXPECT_EQ((*e2)->message, msg(1));
  EXPECT_EQ(drain(*q), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_TRUE(q->empty());
  EXPECT_FALSE(q->read(0).value().has_value());
}

TEST_F(MqttDiskQueue, AnEmptiedQueueIsCutBackToItsHeader) {
  auto q = open();
  for (int i = 0; i < 99; ++i) ASSERT_TRUE(q->push(msg(i, 1000)).ok());
  EXPECT_GT(fs::file_size(file_), 64U << 10);
  EXPECT_EQ(drain(*q).size(), 99U);
  EXPECT_EQ(fs::file_size(file_), 16U);
  // Logical positions go on growing: a sender's old position is not mistaken for a new one.
  ASSERT_TRUE(q->push(msg(100)).ok());
  EXPECT_EQ(drain(*q), (std::vector<int>{100}));
}

TEST_F(MqttDiskQueue, ClearDropsEverything) {
  auto q = open();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q->push(msg(i)).ok());
  ASSERT_TRUE(q->clear().ok());
  EXPECT_TRUE(q->empty());
  EXPECT_EQ(q->dropped(), 5U);
  EXPECT_FALSE(q->read(0).value().has_value());
  q.reset();
  EXPECT_TRUE(open()->empty());
}

TEST_F(MqttDiskQueue, SurvivesARestartWithDeliveredMessagesGone) {
  {
    auto q = open();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(q->push(msg(i)).ok());
    auto e = q->read(0);
    ASSERT_TRUE(q->pop((*e)->position, (*e)->next).ok());
  }
  auto q = open();
  EXPECT_EQ(q->size(), 4U);
  ASSERT_TRUE(q->push(msg(5)).ok());
  EXPECT_EQ(drain(*q), (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST_F(MqttDiskQueue, WhenFullTheOldestIsDroppedAndCounted) {
  auto q = open(3);
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(q->push(msg(i)).ok());
  EXPECT_EQ(q->size(), 3U);
  EXPECT_EQ(q->dropped(), 4U);
  EXPECT_EQ(drain(*q), (std::vector<int>{4, 5, 6}));
}

TEST_F(MqttDiskQueue, ATornRecordAtTheEndIsCutOff) {
  {
    auto q = open();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(q->push(msg(i)).ok());
  }
  const auto whole = fs::file_size(file_);
  {
    std::ofstream out(file_, std::ios::binary | std::ios::app);
    out << std::string("\x40\x00\x00\x00garbage", 11);  // a length and half a body
  }
  auto q = open();
  EXPECT_EQ(q->size(), 3U);
  EXPECT_EQ(fs::file_size(file_), whole);
  ASSERT_TRUE(q->push(msg(3)).ok());
  EXPECT_EQ(drain(*q), (std::vector<int>{0, 1, 2, 3}));
}

TEST_F(MqttDiskQueue, ADeliveredPrefixIsCompactedAwayAndPositionsStayValid) {
  auto q = open(100000);
  for (int i = 0; i < 3000; ++i) ASSERT_TRUE(q->push(msg(i, 2000)).ok());
  const auto big = fs::file_size(file_);
  DiskQueue::Position pos = 0;
  for (int i = 0; i < 2500; ++i) {
    auto e = q->read(pos);
    ASSERT_TRUE(e.ok() && *e);
    ASSERT_TRUE(q->pop((*e)->position, (*e)->next).ok());
    pos = (*e)->next;
  }
  EXPECT_LT(fs::file_size(file_), big / 2);
  auto e = q->read(pos);
  ASSERT_TRUE(e.ok() && *e);
  EXPECT_EQ((*e)->message, msg(2500, 2000));
  q.reset();
  auto again = open(100000);
  EXPECT_EQ(again->size(), 500U);
  EXPECT_EQ(drain(*again).front(), 2500);
}

TEST_F(MqttDiskQueue, AForeignFileIsReplacedByAnEmptyQueue) {
  {
    std::ofstream out(file_, std::ios::binary);
    out << "this is not a queue at all";
  }
  auto q = open();
  EXPECT_TRUE(q->empty());
  ASSERT_TRUE(q->push(msg(1)).ok());
  EXPECT_EQ(drain(*q), (std::vector<int>{1}));
}

TEST_F(MqttDiskQueue, ReadingFromADroppedPositionStartsAtTheHead) {
  auto q = open(2);
  ASSERT_TRUE(q->push(msg(0)).ok());
  auto first = q->read(0);
  ASSERT_TRUE(q->push(msg(1)).ok());
  ASSERT_TRUE(q->push(msg(2)).ok());  // drops 0
  // The sender had 0 in flight: its confirmation is ignored and 1 comes next.
  EXPECT_TRUE(q->pop((*first)->position, (*first)->next).ok());
  EXPECT_EQ(q->size(), 2U);
  auto e = q->read((*first)->next);
  EXPECT_EQ((*e)->message, msg(1));
}

TEST_F(MqttDiskQueue, OneQueueFileHasOneOwner) {
  auto q = open();
  auto second = DiskQueue::open(file_, 10);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().describe().find("in use"), std::string::npos);
  q.reset();
  EXPECT_TRUE(DiskQueue::open(file_, 10).ok());
}

TEST(MqttCrc, MatchesTheStandardCheckValue) { EXPECT_EQ(crc32("123456789", 9), 0xCBF43926U); }

}  // namespace
