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
  auto limit = parse_command(R"({"limit_per_panel_w":300,"serial":"801000012345"})", kInverters);
  ASSERT_TRUE(limit.ok());
  const auto job = std::get<engine::SetPowerLimit>(to_job(*limit));
  EXPECT_EQ(job.serial.str(), "801000012345");
  EXPECT_DOUBLE_EQ(job.limit_per_panel_w, 300);

  auto reboot = parse_command(R"({"reboot":"408000158215"})", kInverters);
  ASSERT_TRUE(reboot.ok());
  EXPECT_EQ(std::get<engine::Reboot>(to_job(*reboot)).serial.str(), "408000158215");
  EXPECT_EQ(command_name(*reboot), "reboot");
}

TEST(MqttCommands, TheLimitIsPerPanelAndAnInverterTotalIsRefused) {
  EXPECT_EQ(command_name(*parse_command(R"({"limit_per_panel_w":20,"serial":"801000012345"})", kInverters)),
            "limit_per_panel_w");
  EXPECT_TRUE(parse_command(R"({"limit_per_panel_w":500,"serial":"801000012345"})", kInverters).ok());
  // An automation written for the old command sends the inverter's total: its 300 W for a
  // whole QS1, taken per panel, would let it feed 1200 W.
  const auto old = error_of(R"({"limit_w":1200,"serial":"801000012345"})");
  EXPECT_NE(old.find("no longer accepted"), std::string::npos) << old;
  EXPECT_NE(old.find("per panel"), std::string::npos) << old;
  EXPECT_NE(old.find("limit_per_panel_w"), std::string::npos) << old;
  EXPECT_NE(error_of(R"({"limit_w":300,"serial":"801000012345"})").find("no longer accepted"), std::string::npos);
  for (const auto* bad : {R"({"limit_per_panel_w":19,"serial":"801000012345"})",
                          R"({"limit_per_panel_w":501,"serial":"801000012345"})",
                          R"({"limit_per_panel_w":"300","serial":"801000012345"})"}) {
    EXPECT_NE(error_of(bad).find("20 to 500"), std::string::npos) << bad;
  }
}

TEST(MqttCommands, OutputOnAndOff) {
  auto off = parse_command(R"({"output":"off","serial":"408000158215"})", kInverters);
  ASSERT_TRUE(off.ok()) << off.error().describe();
  const auto job = std::get<engine::SetOutput>(to_job(*off));
  EXPECT_EQ(job.serial.str(), "408000158215");
  EXPECT_FALSE(job.on);
  EXPECT_EQ(command_name(*off), "output");
  for (const auto* on : {R"({"output":"on","serial":"408000158215"})", R"({"output":"ON","serial":"408000158215"})",
                         R"({"output":true,"serial":"408000158215"})"}) {
    auto c = parse_command(on, kInverters);
    ASSERT_TRUE(c.ok()) << on;
    EXPECT_TRUE(std::get<engine::SetOutput>(to_job(*c)).on) << on;
  }
  EXPECT_NE(error_of(R"({"output":"off"})").find("needs \"serial\""), std::string::npos);
  EXPECT_NE(error_of(R"({"output":"dim","serial":"408000158215"})").find("\"on\" or \"off\""), std::string::npos);
  EXPECT_NE(error_of(R"({"output":"off","serial":"999999999999"})").find("no inverter 999999999999"),
            std::string::npos);

  auto reply = json::parse(reply_payload(*off, util::Result<std::string>(std::string("turned off"))));
  EXPECT_EQ(reply["command"], "output");
  EXPECT_EQ(reply["output"], "off");
  EXPECT_EQ(reply["serial"], "408000158215");
  EXPECT_EQ(reply["ok"], true);
}

TEST(MqttCommands, BadPayloadsSayWhatIsWrong) {
  EXPECT_NE(error_of("poll all").find("not JSON"), std::string::npos);
  EXPECT_NE(error_of("[1,2]").find("JSON object"), std::string::npos);
  EXPECT_NE(error_of(R"({"shutdown":true})").find("unknown command"), std::string::npos);
  EXPECT_NE(error_of(R"({"poll":"all","reboot":"408000158215"})").find("one command per message"), std::string::npos);
  EXPECT_NE(error_of(R"({"poll":"999999999999"})").find("no inverter 999999999999"), std::string::npos);
  EXPECT_NE(error_of(R"({"poll":"4080"})").find("\"poll\""), std::string::npos);
  EXPECT_NE(error_of(R"({"limit_per_panel_w":300})").find("needs \"serial\""), std::string::npos);
  EXPECT_NE(error_of(R"({"limit_per_panel_w":-5,"serial":"408000158215"})").find("20 to 500"), std::string::npos);
  EXPECT_NE(error_of(R"({"limit_per_panel_w":"300","serial":"408000158215"})").find("number of watts"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"reboot":408000158215})").find("as a string"), std::string::npos);
}

TEST(MqttCommands, WithoutAnInverterListSerialsPassToTheEngine) {
  EXPECT_TRUE(parse_command(R"({"reboot":"408000999999"})", {}).ok());
}

TEST(MqttCommands, RepliesEchoTheIdAndCarryTheOutcome) {
  auto c = parse_command(R"({"id":7,"limit_per_panel_w":300,"serial":"801000012345"})", kInverters);
  ASSERT_TRUE(c.ok());
  auto ok = json::parse(reply_payload(*c, util::Result<std::string>(std::string("power limit 300 W confirmed"))));
  EXPECT_EQ(ok["id"], 7);
  EXPECT_EQ(ok["command"], "limit_per_panel_w");
  EXPECT_EQ(ok["limit_per_panel_w"], 300.0);
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
