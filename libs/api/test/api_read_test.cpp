// SPDX-License-Identifier: GPL-3.0-or-later
// The reading pages: live values, events, charts, statistics, journal.
#include <sstream>

#include "api_support.hpp"

namespace apsecu::api::test {
namespace {

TEST_F(ApiTest, LiveHasEveryInverterWithInputsTotalsAndWindow) {
  auto r = browser().get("/api/v1/live");
  ASSERT_EQ(r.status, 200) << r.text;
  const auto& j = r.body;
  EXPECT_EQ(j["date"], "2024-06-21");
  EXPECT_EQ(j["timezone"], "Europe/Amsterdam");  // pages show site times to visitors anywhere
  EXPECT_EQ(j["time_s"], 1718971200);
  EXPECT_FALSE(j["night"].get<bool>());
  EXPECT_EQ(j["window"]["kind"], "sun");
  EXPECT_TRUE(j["window"]["sunrise_s"].is_number());
  EXPECT_TRUE(j["window"]["sunset_s"].is_number());
  EXPECT_TRUE(j["next_cycle_s"].is_number());
  ASSERT_EQ(j["inverters"].size(), 2U);
  const auto& yc = j["inverters"][0];
  EXPECT_EQ(yc["serial"], FakeBackend::kYc600);
  EXPECT_EQ(yc["model"], "YC600");
  EXPECT_EQ(yc["name"], "Garage roof");
  ASSERT_EQ(yc["inputs"].size(), 2U);
  for (const char* k : {"dc_voltage_v", "dc_current_a", "power_w", "today_wh", "lifetime_wh"}) {
    EXPECT_TRUE(yc["inputs"][0][k].is_number()) << k;
  }
  for (const char* k : {"power_w", "today_wh", "lifetime_wh", "temperature_c", "frequency_hz", "ac_voltage_v",
                        "sample_time_s", "link_quality_pct"}) {
    EXPECT_TRUE(yc[k].is_number()) << k;
  }
  EXPECT_EQ(j["inverters"][1]["inputs"].size(), 4U);
  EXPECT_FALSE(j["inverters"][1]["inputs"][3]["in_use"].get<bool>());
  const double site = j["site"]["power_w"];
  EXPECT_NEAR(site, yc["power_w"].get<double>() + j["inverters"][1]["power_w"].get<double>(), 0.2);

  backend_.set_night(true);
  r = browser().get("/api/v1/live");
  EXPECT_TRUE(r.body["night"].get<bool>());
  EXPECT_EQ(r.body["site"]["power_w"], 0.0);

  auto one = browser().get("/api/v1/live/801000222222");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body["model"], "QS1");
  expect_error(browser().get("/api/v1/live/999999999999"), 404, "unknown_serial");
}

// Reads an SSE stream until `want` events of type `event` arrived (or 15 s passed). `during`
// runs once the stream is open (its first message, the current values, has arrived).
std::vector<json> read_events(int port, const std::string& cookie, const std::string& event, std::size_t want,
                              const std::function<void()>& during,
                              std::chrono::seconds limit = std::chrono::seconds(15)) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(std::chrono::seconds(5));
  std::vector<json> got;
  std::string buffer;
  httplib::Headers h;
  if (!cookie.empty()) h.emplace("Cookie", cookie);
  std::thread pusher;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  c.Get("/api/v1/events", h, [&](const char* data, std::size_t n) {
    buffer.append(data, n);
    std::size_t end = 0;
    while ((end = buffer.find("\n\n")) != std::string::npos) {
      const auto block = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      if (!pusher.joinable()) pusher = std::thread(during);
      if (block.rfind("event: " + event + "\n", 0) == 0) {
        got.push_back(json::parse(block.substr(block.find("data: ") + 6)));
      }
    }
    return got.size() < want && std::chrono::steady_clock::now() < deadline;
  });
  if (pusher.joinable()) pusher.join();
  return got;
}

TEST_F(ApiTest, EventsStreamLiveValuesAfterEveryCycle) {
  const auto events = read_events(server_->port(), "", "live", 3, [&] {
    backend_.push_cycle();
    backend_.push_cycle();
  });
  ASSERT_EQ(events.size(), 3U);  // the current values first, then one per cycle
  EXPECT_NE(events[1]["inverters"][0]["power_w"], events[2]["inverters"][0]["power_w"]);
}

TEST_F(ApiTest, EventsForAdminCarryJournalFramesAndJobs) {
  auto b = admin();
  const auto frames = read_events(server_->port(), b.cookie, "frame", 2, [&] { backend_.push_cycle(); });
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0]["direction"], "sent");
  const auto jobs = read_events(server_->port(), b.cookie, "job", 2, [&] { b.post("/api/v1/console", {{"action", "health"}}); });
  ASSERT_EQ(jobs.size(), 2U);
  EXPECT_EQ(jobs[0]["state"], "queued");
  EXPECT_EQ(jobs[1]["state"], "done");
  EXPECT_EQ(jobs[1]["text"], "coordinator up, state 9, IEEE ours");
  // Anonymous streams get no frames, only the live values.
  std::size_t lives = 0;
  const auto none = read_events(server_->port(), "", "frame", 1, [&] {
    backend_.push_cycle();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    lives = 1;
  }, std::chrono::seconds(3));
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(lives, 1U);
}

TEST_F(ApiTest, EventStreamsAreCapped) {
  HttpOptions o;
  o.max_sse_clients = 1;
  o.threads = 4;
  start(o);
  httplib::Client c("127.0.0.1", server_->port());
  std::atomic<bool> open{false};
  std::atomic<bool> stop{false};
  std::thread holder([&] {
    c.Get("/api/v1/events", [&](const char*, std::size_t) {
      open = true;
      return !stop.load();
    });
  });
  while (!open) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto r = browser().get("/api/v1/events");
  expect_error(r, 503, "too_many_streams");
  stop = true;
  backend_.push_cycle();
  holder.join();
}

TEST_F(ApiTest, DayChartSiteAndPerInverter) {
  auto b = browser();
  auto r = b.get("/api/v1/charts/day?date=2024-06-20");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["date"], "2024-06-20");
  EXPECT_EQ(r.body["site"].size(), 60U);  // 61 cycles; the first of the day is a baseline
  ASSERT_EQ(r.body["inverters"].size(), 2U);
  EXPECT_EQ(r.body["inverters"][0]["name"], "Garage roof");
  EXPECT_GT(r.body["site_peak_w"].get<double>(), 100);
  auto today = b.get("/api/v1/charts/day");
  EXPECT_EQ(today.body["date"], "2024-06-21");
  EXPECT_GT(today.body["site"].size(), 10U);
  auto one = b.get("/api/v1/charts/day?date=2024-06-20&serial=801000222222");
  ASSERT_EQ(one.body["inverters"].size(), 1U);
  EXPECT_TRUE(one.body["site"].empty());
  expect_error(b.get("/api/v1/charts/day?date=2024-02-30"), 400, "invalid_date");
  expect_error(b.get("/api/v1/charts/day?date=yesterday"), 400, "invalid_date");
  expect_error(b.get("/api/v1/charts/day?serial=12ab"), 400, "invalid_serial");
  expect_error(b.get("/api/v1/charts/day?serial=123456789012"), 404, "unknown_serial");
}

TEST_F(ApiTest, LastDaysChartIsAligned) {
  auto b = browser();
  auto r = b.get("/api/v1/charts/days?n=7&end=2024-06-20");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["from"], "2024-06-14");
  EXPECT_EQ(r.body["dates"].size(), 7U);
  EXPECT_EQ(r.body["site_wh"].size(), 7U);
  EXPECT_EQ(r.body["inverters"][0]["energy_wh"].size(), 7U);
  double sum = 0;
  for (const auto& inv : r.body["inverters"]) sum += inv["energy_wh"][3].get<double>();
  EXPECT_NEAR(sum, r.body["site_wh"][3].get<double>(), 0.01);
  auto before = b.get("/api/v1/charts/days?n=3&end=2020-01-03");
  EXPECT_EQ(before.body["site_wh"], json({0.0, 0.0, 0.0}));
  expect_error(b.get("/api/v1/charts/days?n=0"), 400, "invalid_n");
  expect_error(b.get("/api/v1/charts/days?n=9999"), 400, "invalid_n");
  expect_error(b.get("/api/v1/charts/days?n=x"), 400, "invalid_n");
  expect_error(b.get("/api/v1/charts/days?end=2024-13-01"), 400, "invalid_end");
}

TEST_F(ApiTest, MonthAndYearCharts) {
  auto b = browser();
  auto m = b.get("/api/v1/charts/month?month=2024-06");
  ASSERT_EQ(m.status, 200) << m.text;
  EXPECT_EQ(m.body["days"], 30);
  EXPECT_EQ(m.body["energy_wh"].size(), 30U);
  EXPECT_GT(m.body["energy_wh"][19].get<double>(), 0);
  EXPECT_EQ(m.body["energy_wh"][25].get<double>(), 0);
  auto y = b.get("/api/v1/charts/year?year=2024");
  ASSERT_EQ(y.status, 200);
  EXPECT_EQ(y.body["energy_wh"].size(), 12U);
  EXPECT_NEAR(y.body["energy_wh"][5].get<double>(), m.body["total_wh"].get<double>(), 0.01);
  EXPECT_EQ(b.get("/api/v1/charts/month").body["month"], "2024-06");
  EXPECT_EQ(b.get("/api/v1/charts/year?serial=408000111111").status, 200);
  expect_error(b.get("/api/v1/charts/month?month=2024-13"), 400, "invalid_month");
  expect_error(b.get("/api/v1/charts/month?month=june"), 400, "invalid_month");
  expect_error(b.get("/api/v1/charts/year?year=99999"), 400, "invalid_year");
}

TEST_F(ApiTest, StatisticsWithMoneyAndCo2) {
  auto r = browser().get("/api/v1/stats");
  ASSERT_EQ(r.status, 200) << r.text;
  const auto& t = r.body["total"];
  EXPECT_EQ(t["days_with_data"], 41);
  EXPECT_GT(t["total_kwh"].get<double>(), 10);
  EXPECT_NEAR(t["money"].get<double>(), t["total_kwh"].get<double>() * 0.30, 1e-6);
  EXPECT_NEAR(t["co2_kg"].get<double>(), t["total_kwh"].get<double>() * 0.4, 1e-6);
  EXPECT_TRUE(t["best"]["date"].is_string());
  EXPECT_TRUE(t["worst"]["date"].is_string());
  EXPECT_GE(t["best"]["energy_wh"].get<double>(), t["worst"]["energy_wh"].get<double>());
  EXPECT_EQ(r.body["inverters"].size(), 2U);
  EXPECT_EQ(r.body["energy"]["currency"], "EUR");
  expect_error(browser().get("/api/v1/stats?serial=abc"), 400, "invalid_serial");
}

TEST_F(ApiTest, PeriodAnalysis) {
  auto b = browser();
  auto r = b.get("/api/v1/stats/period?from=2024-06-01&to=2024-06-10");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["calendar_days"], 10);
  const auto& p = r.body["period"];
  EXPECT_EQ(p["days_with_production"], 10);
  EXPECT_GT(p["median_wh"].get<double>(), 0);
  EXPECT_GE(p["stddev_wh"].get<double>(), 0);
  EXPECT_GT(p["peak"]["power_w"].get<double>(), 0);
  EXPECT_TRUE(p["peak"]["time_s"].is_number());
  expect_error(b.get("/api/v1/stats/period?from=2024-06-10&to=2024-06-01"), 400, "invalid_range");
  expect_error(b.get("/api/v1/stats/period?to=2024-06-01"), 400, "missing_from");
  expect_error(b.get("/api/v1/stats/period?from=2024-06-01"), 400, "missing_to");
  expect_error(b.get("/api/v1/stats/period?from=1.6.24&to=2024-06-01"), 400, "invalid_from");
}

TEST_F(ApiTest, JournalFromTheStoreAndRecentForAdmins) {
  auto b = browser();
  auto r = b.get("/api/v1/journal?from=2024-06-18&to=2024-06-20");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_GE(r.body["events"].size(), 3U);
  for (const auto& e : r.body["events"]) EXPECT_TRUE(e["message"].is_string());
  auto warnings = b.get("/api/v1/journal?from=2024-06-01&to=2024-06-20&level=warning");
  for (const auto& e : warnings.body["events"]) EXPECT_EQ(e["level"], "warning");
  EXPECT_EQ(b.get("/api/v1/journal?limit=2&from=2024-06-01&to=2024-06-20").body["events"].size(), 2U);
  expect_error(b.get("/api/v1/journal?level=loud"), 400, "invalid_level");
  expect_error(b.get("/api/v1/journal?limit=0"), 400, "invalid_limit");
  expect_error(b.get("/api/v1/journal?from=2024-06-20&to=2024-06-01"), 400, "invalid_range");

  auto a = admin();
  backend_.push_cycle();
  auto recent = a.get("/api/v1/journal/recent");
  ASSERT_EQ(recent.status, 200);
  ASSERT_EQ(recent.body["entries"].size(), 1U);
  EXPECT_EQ(recent.body["entries"][0]["source"], "poll");
  auto frames = a.get("/api/v1/journal/frames");
  EXPECT_EQ(frames.body["frames"].size(), 2U);
}

}  // namespace
}  // namespace apsecu::api::test
