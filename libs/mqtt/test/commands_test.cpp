// SPDX-License-Identifier: GPL-3.0-or-later
// Command payloads and replies, without a broker.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apsecu/mqtt/commands.hpp"
#include "apsecu/mqtt/errors.hpp"
#include "fixtures.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::mqtt;
using namespace apsecu::mqtt::test;
using nlohmann::json;

const std::vector<InverterInfo> kInverters{make_info("408000158215", 1), make_info("801000012345", 2, "QS1")};

std::string error_of(std::string_view payload) {
  auto c = parse_command(payload, kInverters);
  EXPECT_FALSE(c.ok()) << payload;
  if (c.ok()) return {};
  EXPECT_EQ(c.error().code, make_error_code(Errc::BadCommand));
  return c.error().describe();
}

TEST(MqttCommands, PollOneOrAll) {
  auto one = parse_command(R"({"poll":"408000158215"})", kInverters);
  ASSERT_TRUE(one.ok());
  const auto one_job = to_job(*one);
  const auto* job = std::get_if<engine::PollNow>(&one_job);
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->serial->str(), "408000158215");

  auto all = parse_command(R"({"poll":"all"})", kInverters);
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(std::get<engine::PollNow>(to_job(*all)).serial.has_value());
}

TEST(MqttCommands, TheSeedsNumberedPollStillWorks) {
  auto second = parse_command(R"({"poll":1})", kInverters);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(std::get<engine::PollNow>(to_job(*second)).serial->str(), "801000012345");
  auto all = parse_command(R"({"poll":99})", kInverters);
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(std::get<engine::PollNow>(to_job(*all)).serial.has_value());
  EXPECT_NE(error_of(R"({"poll":5})").find("no inverter number 5"), std::string::npos);
}

TEST(MqttCommands, PowerLimitAndReboot) {
  auto limit = parse_command(R"({"limit_w":300,"serial":"801000012345"})", kInverters);
  ASSERT_TRUE(limit.ok());
  const auto job = std::get<engine::SetPowerLimit>(to_job(*limit));
  EXPECT_EQ(job.serial.str(), "801000012345");
  EXPECT_DOUBLE_EQ(job.limit_per_panel_w, 300);

  auto reboot = parse_command(R"({"reboot":"408000158215"})", kInverters);
  ASSERT_TRUE(reboot.ok());
  EXPECT_EQ(std::get<engine::Reboot>(to_job(*reboot)).serial.str(), "408000158215");
  EXPECT_EQ(command_name(*reboot), "reboot");
}

TEST(MqttCommands, BadPayloadsSayWhatIsWrong) {
  EXPECT_NE(error_of("poll all").find("not JSON"), std::string::npos);
  EXPECT_NE(error_of("[1,2]").find("JSON object"), std::string::npos);
  EXPECT_NE(error_of(R"({"shutdown":true})").find("unknown command"), std::string::npos);
  EXPECT_NE(error_of(R"({"poll":"all","reboot":"408000158215"})").find("one command per message"), std::string::npos);
  EXPECT_NE(error_of(R"({"poll":"999999999999"})").find("no inverter 999999999999"), std::string::npos);
  EXPECT_NE(error_of(R"({"poll":"4080"})").find("\"poll\""), std::string::npos);
  EXPECT_NE(error_of(R"({"limit_w":300})").find("needs \"serial\""), std::string::npos);
  EXPECT_NE(error_of(R"({"limit_w":-5,"serial":"408000158215"})").find("above 0"), std::string::npos);
  EXPECT_NE(error_of(R"({"limit_w":"300","serial":"408000158215"})").find("number of watts"), std::string::npos);
  EXPECT_NE(error_of(R"({"reboot":408000158215})").find("as a string"), std::string::npos);
}

TEST(MqttCommands, WithoutAnInverterListSerialsPassToTheEngine) {
  EXPECT_TRUE(parse_command(R"({"reboot":"408000999999"})", {}).ok());
}

TEST(MqttCommands, RepliesEchoTheIdAndCarryTheOutcome) {
  auto c = parse_command(R"({"id":7,"limit_w":300,"serial":"801000012345"})", kInverters);
  ASSERT_TRUE(c.ok());
  auto ok = json::parse(reply_payload(*c, util::Result<std::string>(std::string("power limit 300 W confirmed"))));
  EXPECT_EQ(ok["id"], 7);
  EXPECT_EQ(ok["command"], "limit_w");
  EXPECT_EQ(ok["serial"], "801000012345");
  EXPECT_EQ(ok["ok"], true);
  EXPECT_EQ(ok["result"], "power limit 300 W confirmed");

  auto failed = json::parse(reply_payload(*c, util::Result<std::string>(util::make_error(Errc::Timeout, "no answer"))));
  EXPECT_EQ(failed["ok"], false);
  EXPECT_EQ(failed["error"], "no answer");

  auto poll = parse_command(R"({"id":"a1","poll":"all"})", kInverters);
  EXPECT_EQ(json::parse(reply_payload(*poll, util::Result<std::string>(std::string("3 polled"))))["serial"], "all");

  const auto rejected = json::parse(reply_rejected(R"({"id":"x","poll":true})", util::make_error(Errc::BadCommand, "bad")));
  EXPECT_EQ(rejected["id"], "x");
  EXPECT_EQ(rejected["ok"], false);
  EXPECT_EQ(rejected["error"], "bad");
  EXPECT_FALSE(json::parse(reply_rejected("garbage", util::make_error(Errc::BadCommand, "bad"))).contains("id"));
}

}  // namespace
