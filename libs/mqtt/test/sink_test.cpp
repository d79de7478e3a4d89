// SPDX-License-Identifier: GPL-3.0-or-later
// Store-and-forward across broker outages and daemon restarts; commands; the test action.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "apsecu/mqtt/connection.hpp"
#include "apsecu/mqtt/errors.hpp"
#include "sink_support.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::mqtt;
using namespace apsecu::mqtt::test;
using nlohmann::json;

// Sample minutes per serial, in arrival order.
std::map<std::string, std::vector<std::int64_t>> minutes_by_serial(const std::vector<Received>& got) {
  std::map<std::string, std::vector<std::int64_t>> out;
  const auto t0 = json::parse(format_reading(Format::Apsecu, make_view("408000158215"), make_info("408000158215", 1),
                                             sample_time()).value())["sample_time_unix_s"].get<std::int64_t>();
  for (const auto& r : got) {
    const auto j = json::parse(r.payload);
    out[j["serial"]].push_back((j["sample_time_unix_s"].get<std::int64_t>() - t0) / 60);
  }
  return out;
}

TEST(MqttStoreAndForward, ABrokerOutageLosesNothingAndKeepsOrder) {
  TempDir dir;
  Broker broker(dir.path(), BrokerConfig{.persistence = true});
  ASSERT_TRUE(broker.start());
  // A persistent session, so the watcher gets what was published while the broker and it
  // were both coming back.
  Subscriber sub(broker.port(), {"plant/#"}, SubscriberOptions{.client_id = "watcher", .clean_session = false});
  ASSERT_TRUE(sub.ready());
  util::FakeClock clock(sample_time());
  MqttSink sink(sink_options_for(broker.port(), dir.path() / "q"), clock);
  ASSERT_TRUE(sink.start().ok());
  ASSERT_TRUE(eventually([&] { return connected(sink); }));

  int minute = 0;
  for (; minute < 3; ++minute) sink.on_cycle(make_report(two_views(minute), sample_time(minute)));
  ASSERT_EQ(sub.wait_for(6).size(), 6U);
  // Acknowledged, so not sent again. (A broker killed between passing a message on and
  // sending its PUBACK gets that message twice: QoS 1 is "at least once".)
  ASSERT_TRUE(eventually([&] { return sink.status().queued == 0; }));

  broker.stop();
  ASSERT_TRUE(eventually([&] { return !connected(sink); }));
  for (; minute < 8; ++minute) sink.on_cycle(make_report(two_views(minute), sample_time(minute)));
  EXPECT_EQ(sink.status().queued, 10U);
  EXPECT_GT(sink.status().queue_bytes, 0U);
  EXPECT_TRUE(sink.status().last_error.has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // a few failed reconnects

  ASSERT_TRUE(broker.start());
  ASSERT_TRUE(eventually([&] { return connected(sink); }));
  for (; minute < 10; ++minute) sink.on_cycle(make_report(two_views(minute), sample_time(minute)));

  auto has_last = [&] {
    const auto m = minutes_by_serial(sub.received("plant/"));
    return m.size() == 2 && std::all_of(m.begin(), m.end(), [](const auto& kv) {
             return std::find(kv.second.begin(), kv.second.end(), 9) != kv.second.end();
           });
  };
  ASSERT_TRUE(eventually(has_last, std::chrono::seconds(10)));
  const auto got = sub.received("plant/");
  ASSERT_GE(got.size(), 20U);
  // QoS 1 is "at least once": the broker may hand the watcher again what it had sent just
  // before it was stopped. Nothing may be missing, and first arrivals must be in order.
  const std::vector<std::int64_t> all{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  ASSERT_EQ(minutes_by_serial(got).size(), 2U);
  for (const auto& [serial, minutes] : minutes_by_serial(got)) {
    std::vector<std::int64_t> first;
    for (auto m : minutes) {
      if (std::find(first.begin(), first.end(), m) == first.end()) first.push_back(m);
    }
    EXPECT_EQ(first, all) << serial;
    EXPECT_EQ(minutes.back(), 9) << serial;
  }
  EXPECT_TRUE(eventually([&] { return sink.status().queued == 0; }));
  EXPECT_EQ(sink.status().dropped, 0U);
  EXPECT_EQ(sink.status().connects, 2U);
}

TEST(MqttStoreAndForward, QueuedReadingsSurviveADaemonRestart) {
  TempDir dir;
  Broker broker(dir.path());
  util::FakeClock clock(sample_time());
  const auto options = sink_options_for(broker.port(), dir.path() / "q");
  {
    MqttSink first(options, clock);  // the broker is not running yet
    ASSERT_TRUE(first.start().ok());
    for (int minute = 0; minute < 3; ++minute) first.on_cycle(make_report(two_views(minute), sample_time(minute)));
    EXPECT_EQ(first.status().queued, 6U);
    ASSERT_TRUE(eventually([&] { return first.status().last_error.has_value(); }));
    EXPECT_EQ(first.status().last_error->code, make_error_code(Errc::Unreachable));
  }
  ASSERT_TRUE(broker.start());
  Subscriber sub(broker.port(), {"plant/#"});
  ASSERT_TRUE(sub.ready());
  MqttSink second(options, clock);
  ASSERT_TRUE(second.start().ok());
  const auto got = sub.wait_for(6);
  ASSERT_EQ(got.size(), 6U);
  EXPECT_EQ(minutes_by_serial(got).at("801000012345"), (std::vector<std::int64_t>{0, 1, 2}));
}

TEST(MqttStoreAndForward, OverflowDropsTheOldestAndCountsIt) {
  TempDir dir;
  util::FakeClock clock(sample_time());
  auto options = sink_options_for(free_port(), dir.path() / "q");
  options.settings.queue_max_messages = 4;
  MqttSink sink(options, clock);
  ASSERT_TRUE(sink.start().ok());
  for (int minute = 0; minute < 5; ++minute) sink.on_cycle(make_report(two_views(minute), sample_time(minute)));
  EXPECT_EQ(sink.status().queued, 4U);
  EXPECT_EQ(sink.status().dropped, 6U);
}

class MqttCommandsLive : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(broker_.start()); }

  MqttSink& start_sink() {
    sink_ = std::make_unique<MqttSink>(sink_options_for(broker_.port(), dir_.path() / "q"), clock_,
                                       [this](engine::Job job, engine::JobDone done) {
                                         {
                                           std::lock_guard lock(jobs_mutex_);
                                           jobs_.push_back(job);
                                         }
                                         done(util::Result<std::string>(std::string("done")));
                                       });
    EXPECT_TRUE(sink_->start().ok());
    EXPECT_TRUE(eventually([&] { return sink_->status().listening; }));
    return *sink_;
  }

  TempDir dir_;
  Broker broker_{dir_.path()};
  util::FakeClock clock_{sample_time()};
  std::vector<engine::Job> jobs() {
    std::lock_guard lock(jobs_mutex_);
    return jobs_;
  }

  std::mutex jobs_mutex_;
  std::vector<engine::Job> jobs_;  // written on the sink's I/O thread
  std::unique_ptr<MqttSink> sink_;
};

TEST_F(MqttCommandsLive, GoodCommandsReachTheEngineAndTheirOutcomeComesBack) {
  Subscriber sub(broker_.port(), {"apsecu/reply"});
  ASSERT_TRUE(sub.ready());
  start_sink();
  sub.publish("apsecu/cmd", R"({"id":1,"poll":"all"})");
  sub.publish("apsecu/cmd", R"({"id":2,"limit_per_panel_w":250,"serial":"801000012345"})");
  sub.publish("apsecu/cmd", R"({"id":3,"reboot":"408000158215"})");
  sub.publish("apsecu/cmd", R"({"id":4,"output":"off","serial":"408000158215"})");
  const auto replies = sub.wait_for(4);
  ASSERT_EQ(replies.size(), 4U);
  for (int i = 0; i < 4; ++i) {
    const auto j = json::parse(replies[static_cast<std::size_t>(i)].payload);
    EXPECT_EQ(j["id"], i + 1);
    EXPECT_EQ(j["ok"], true);
    EXPECT_EQ(j["result"], "done");
  }
  const auto jobs = this->jobs();
  ASSERT_EQ(jobs.size(), 4U);
  EXPECT_FALSE(std::get<engine::PollNow>(jobs[0]).serial.has_value());
  EXPECT_DOUBLE_EQ(std::get<engine::SetPowerLimit>(jobs[1]).limit_per_panel_w, 250);
  EXPECT_EQ(std::get<engine::Reboot>(jobs[2]).serial.str(), "408000158215");
  EXPECT_FALSE(std::get<engine::SetOutput>(jobs[3]).on);
  EXPECT_EQ(sink_->status().commands, 4U);
}

TEST_F(MqttCommandsLive, ABadCommandGetsAClearErrorOnTheReplyTopic) {
  Subscriber sub(broker_.port(), {"apsecu/reply"});
  ASSERT_TRUE(sub.ready());
  start_sink();
  sub.publish("apsecu/cmd", R"({"id":"x","limit_per_panel_w":300})");
  const auto replies = sub.wait_for(1);
  ASSERT_EQ(replies.size(), 1U);
  const auto j = json::parse(replies[0].payload);
  EXPECT_EQ(j["id"], "x");
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error"], "\"limit_per_panel_w\" needs \"serial\": which inverter to limit");
  EXPECT_TRUE(jobs().empty());
  EXPECT_EQ(sink_->status().commands_rejected, 1U);
}

TEST_F(MqttCommandsLive, ARetainedCommandIsNeverExecuted) {
  ASSERT_TRUE(run("mosquitto_pub -h 127.0.0.1 -p " + std::to_string(broker_.port()) +
                  " -q 1 -r -t apsecu/cmd -m '{\"limit_per_panel_w\":20,\"serial\":\"408000158215\"}'"));
  Subscriber sub(broker_.port(), {"apsecu/reply"});
  ASSERT_TRUE(sub.ready());
  start_sink();  // subscribes to apsecu/cmd and gets the retained power limit at once
  const auto replies = sub.wait_for(1);
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_NE(json::parse(replies[0].payload)["error"].get<std::string>().find("retained command ignored"),
            std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(jobs().empty());
}

TEST_F(MqttCommandsLive, TheTestActionReportsWhatHappened) {
  auto& sink = start_sink();
  auto ok = sink.test_message();
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_NE(ok.value().find("acknowledged by the broker"), std::string::npos) << ok.value();

  broker_.stop();
  ASSERT_TRUE(eventually([&] { return !connected(sink); }));
  auto down = sink.test_message();
  ASSERT_FALSE(down.ok());
  EXPECT_NE(down.error().describe().find("not connected to 127.0.0.1:"), std::string::npos) << down.error().describe();

  // And the settings test, for settings that are not in use yet.
  config::Mqtt s;
  s.host = "127.0.0.1";
  s.port = broker_.port();
  auto refused = test_settings(s, std::chrono::seconds(2));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, make_error_code(Errc::Unreachable));
  EXPECT_NE(refused.error().describe().find("Connection refused"), std::string::npos) << refused.error().describe();
  ASSERT_TRUE(broker_.start());
  auto fine = test_settings(s, std::chrono::seconds(2));
  ASSERT_TRUE(fine.ok()) << fine.error().describe();
  EXPECT_NE(fine.value().find("acknowledged by the broker"), std::string::npos);
}

}  // namespace
