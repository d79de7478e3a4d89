// SPDX-License-Identifier: GPL-3.0-or-later
// The owner's controls of an inverter: a power limit per panel and the grid output on or
// off, from the console and the inverter routes, and their state in the live values, also
// after a restart (from the settings).
#include "api_support.hpp"

namespace apsecu::api::test {
namespace {

json wait_job(Browser& b, std::int64_t id) {
  for (int i = 0; i < 200; ++i) {
    auto r = b.get("/api/v1/console/jobs/" + std::to_string(id));
    if (r.body.value("state", "") != "queued") return r.body;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return {};
}

json live_inverter(Browser& b, const std::string& serial) {
  const auto live = b.get("/api/v1/live");
  for (const auto& inv : live.body["inverters"]) {
    if (inv["serial"] == serial) return inv;
  }
  ADD_FAILURE() << "no " << serial << " in " << live.text;
  return {};
}

TEST_F(ApiTest, PowerLimitIsPerPanelAndShowsTheInverterMaximum) {
  auto b = admin();
  const std::string qs1 = FakeBackend::kQs1;
  auto before = live_inverter(b, qs1);
  EXPECT_EQ(before["limit_state"], "none");
  EXPECT_TRUE(before["power_limit_per_panel_w"].is_null());
  EXPECT_TRUE(before["power_limit_w"].is_null());
  EXPECT_EQ(before["output_on"], true);

  auto r = b.post("/api/v1/console", {{"action", "power_limit"}, {"serial", qs1}, {"limit_per_panel_w", 150}});
  ASSERT_EQ(r.status, 202) << r.text;
  EXPECT_EQ(r.body["detail"], qs1 + " 150 W per panel (600 W for its 4 inputs)");
  EXPECT_EQ(wait_job(b, r.body["id"])["state"], "done");
  auto after = live_inverter(b, qs1);
  EXPECT_EQ(after["power_limit_per_panel_w"], 150.0);
  EXPECT_EQ(after["power_limit_w"], 600.0);  // a QS1 has four panels
  EXPECT_EQ(after["limit_state"], "accepted");
  EXPECT_EQ(after["limit_detail"], "accepted; reads back 150 W per panel");
  EXPECT_EQ(backend_.config().inverters[1].power_limit_per_panel_w, 150.0);

  // The inverter route does the same for the inverters page; a YC600 has two panels.
  const std::string yc600 = FakeBackend::kYc600;
  auto page = b.post("/api/v1/inverters/" + yc600 + "/power_limit", {{"limit_per_panel_w", 500}});
  ASSERT_EQ(page.status, 202) << page.text;
  wait_job(b, page.body["id"]);
  EXPECT_EQ(live_inverter(b, yc600)["power_limit_w"], 1000.0);

  backend_.confirm_limit(qs1, engine::LimitState::NotApplied, "reports the limit but feeds 900 W: not applied");
  after = live_inverter(b, qs1);
  EXPECT_EQ(after["limit_state"], "not_applied");
  EXPECT_EQ(after["limit_detail"], "reports the limit but feeds 900 W: not applied");
  backend_.confirm_limit(qs1, engine::LimitState::Confirmed, "");
  EXPECT_EQ(live_inverter(b, qs1)["limit_state"], "confirmed");
}

TEST_F(ApiTest, AnInverterTotalIsRefusedNotTakenPerPanel) {
  auto b = admin();
  const std::string qs1 = FakeBackend::kQs1;
  // What the old API took: 1200 W for the whole QS1 would now mean 4800 W.
  auto old = b.post("/api/v1/console", {{"action", "power_limit"}, {"serial", qs1}, {"limit_w", 1200}});
  expect_error(old, 400, "limit_is_per_panel");
  EXPECT_NE(old.body["error"]["message"].get<std::string>().find("per panel"), std::string::npos);
  for (const auto& bad : {json(19), json(501), json(1200), json("300"), json(nullptr)}) {
    SCOPED_TRACE(bad.dump());
    expect_error(b.post("/api/v1/console", {{"action", "power_limit"}, {"serial", qs1}, {"limit_per_panel_w", bad}}),
                 400, "invalid_limit_per_panel_w");
  }
  expect_error(b.post("/api/v1/inverters/" + qs1 + "/power_limit", {{"limit_w", 300}}), 400, "limit_is_per_panel");
  expect_error(b.post("/api/v1/inverters/" + qs1 + "/power_limit"), 400, "invalid_limit_per_panel_w");
  EXPECT_TRUE(backend_.posted_jobs().empty());
}

TEST_F(ApiTest, ARefusedLimitIsShownAndNotSaved) {
  auto b = admin();
  const std::string yc600 = FakeBackend::kYc600;
  backend_.refuse_limits(true);
  auto r = b.post("/api/v1/console", {{"action", "power_limit"}, {"serial", yc600}, {"limit_per_panel_w", 250}});
  ASSERT_EQ(r.status, 202) << r.text;
  EXPECT_EQ(wait_job(b, r.body["id"])["state"], "failed");
  auto inv = live_inverter(b, yc600);
  EXPECT_EQ(inv["limit_state"], "refused");
  EXPECT_EQ(inv["limit_detail"], "the inverter refused the limit");
  EXPECT_EQ(inv["power_limit_per_panel_w"], 250.0);  // what was asked, and refused
  EXPECT_FALSE(backend_.config().inverters[0].power_limit_per_panel_w.has_value());
}

TEST_F(ApiTest, OutputOnAndOffAndTheStateAfterARestart) {
  auto b = admin();
  const std::string yc600 = FakeBackend::kYc600;
  auto off = b.post("/api/v1/inverters/" + yc600 + "/off");
  ASSERT_EQ(off.status, 202) << off.text;
  EXPECT_EQ(off.body["action"], "off");
  EXPECT_EQ(wait_job(b, off.body["id"])["state"], "done");
  EXPECT_EQ(live_inverter(b, yc600)["output_on"], false);
  auto limit = b.post("/api/v1/console", {{"action", "power_limit"}, {"serial", yc600}, {"limit_per_panel_w", 200}});
  wait_job(b, limit.body["id"]);

  // A restart: the engine knows nothing, the settings remember both.
  backend_.restart_engine();
  auto inv = live_inverter(b, yc600);
  EXPECT_EQ(inv["output_on"], false);
  EXPECT_EQ(inv["power_limit_per_panel_w"], 200.0);
  EXPECT_EQ(inv["power_limit_w"], 400.0);
  EXPECT_EQ(inv["limit_state"], "accepted");
  EXPECT_EQ(inv["limit_detail"], "");
  auto listed = b.get("/api/v1/inverters");
  EXPECT_EQ(listed.body["inverters"][0]["output_on"], false);
  EXPECT_EQ(listed.body["inverters"][0]["power_limit_per_panel_w"], 200.0);
  EXPECT_EQ(listed.body["inverters"][0]["live"]["output_on"], false);
  EXPECT_EQ(b.get("/api/v1/live/" + yc600).body["power_limit_w"], 400.0);

  // Editing the inverter's other settings keeps them.
  ASSERT_EQ(b.put("/api/v1/inverters/" + yc600, {{"name", "Garage"}}).status, 200);
  EXPECT_FALSE(backend_.config().inverters[0].output_on);
  EXPECT_EQ(backend_.config().inverters[0].power_limit_per_panel_w, 200.0);

  auto on = b.post("/api/v1/console", {{"action", "on"}, {"serial", yc600}});
  ASSERT_EQ(on.status, 202) << on.text;
  wait_job(b, on.body["id"]);
  EXPECT_EQ(live_inverter(b, yc600)["output_on"], true);
  EXPECT_TRUE(backend_.config().inverters[0].output_on);
  EXPECT_EQ(backend_.posted_jobs(), (std::vector<std::string>{"output", "power_limit", "output"}));
}

TEST_F(ApiTest, AFailedSwitchChangesNothing) {
  auto b = admin();
  backend_.fail_jobs(true);
  auto off = b.post("/api/v1/console", {{"action", "off"}, {"serial", FakeBackend::kQs1}});
  EXPECT_EQ(wait_job(b, off.body["id"])["state"], "failed");
  EXPECT_EQ(live_inverter(b, FakeBackend::kQs1)["output_on"], true);
  EXPECT_TRUE(backend_.config().inverters[1].output_on);
}

}  // namespace
}  // namespace apsecu::api::test
