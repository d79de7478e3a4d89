// SPDX-License-Identifier: GPL-3.0-or-later
// The admin pages: console, inverters, settings, MQTT, database, backup/restore, photo,
// memo, system.
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

TEST_F(ApiTest, ConsoleJobsRunAndReport) {
  auto b = admin();
  for (const auto& body : std::vector<json>{{{"action", "health"}},
                                            {{"action", "start"}},
                                            {{"action", "start_pairing"}},
                                            {{"action", "raw"}, {"hex", "21 01"}},
                                            {{"action", "poll"}},
                                            {{"action", "poll"}, {"serial", "408000111111"}},
                                            {{"action", "pair"}, {"serial", "408000111111"}, {"force", true}},
                                            {{"action", "reboot"}, {"serial", "801000222222"}},
                                            {{"action", "power_limit"}, {"serial", "801000222222"}, {"limit_per_panel_w", 300}},
                                            {{"action", "off"}, {"serial", "801000222222"}},
                                            {{"action", "on"}, {"serial", "801000222222"}}}) {
    SCOPED_TRACE(body.dump());
    auto r = b.post("/api/v1/console", body);
    ASSERT_EQ(r.status, 202) << r.text;
    const auto done = wait_job(b, r.body["id"]);
    EXPECT_EQ(done["state"], "done");
    EXPECT_FALSE(done["text"].get<std::string>().empty());
  }
  EXPECT_EQ(backend_.posted_jobs(), (std::vector<std::string>{"health", "start", "start", "raw", "poll", "poll", "pair",
                                                              "reboot", "power_limit", "output", "output"}));
  auto list = b.get("/api/v1/console/jobs");
  EXPECT_EQ(list.body["jobs"].size(), 11U);
  EXPECT_EQ(list.body["jobs"][0]["action"], "on");  // newest first
  EXPECT_EQ(list.body["jobs"][1]["action"], "off");
  EXPECT_EQ(list.body["jobs"][2]["action"], "power_limit");
  backend_.fail_jobs(true);
  auto failing = b.post("/api/v1/console", {{"action", "health"}});
  EXPECT_EQ(wait_job(b, failing.body["id"])["state"], "failed");
}

TEST_F(ApiTest, ConsoleRefusesBadInput) {
  auto b = admin();
  expect_error(b.post("/api/v1/console", json::object()), 400, "missing_action");
  expect_error(b.post("/api/v1/console", {{"action", "dance"}}), 400, "invalid_action");
  expect_error(b.post("/api/v1/console", {{"action", "raw"}, {"hex", "xyz"}}), 400, "invalid_hex");
  expect_error(b.post("/api/v1/console", {{"action", "raw"}, {"hex", "2"}}), 400, "invalid_hex");
  expect_error(b.post("/api/v1/console", {{"action", "raw"}, {"hex", "2101"}, {"listen_ms", 99999}}), 400,
               "invalid_listen_ms");
  expect_error(b.post("/api/v1/console", {{"action", "pair"}}), 400, "missing_serial");
  expect_error(b.post("/api/v1/console", {{"action", "pair"}, {"serial", "4080001111"}}), 400, "invalid_serial");
  expect_error(b.post("/api/v1/console", {{"action", "pair"}, {"serial", "123456789012"}}), 404, "unknown_serial");
  expect_error(b.post("/api/v1/console", {{"action", "power_limit"}, {"serial", "408000111111"}, {"limit_per_panel_w", "lots"}}),
               400, "invalid_limit_per_panel_w");
  expect_error(b.post("/api/v1/console", {{"action", "off"}}), 400, "missing_serial");
  expect_error(b.post("/api/v1/console", {{"action", "on"}, {"serial", "123456789012"}}), 404, "unknown_serial");
  expect_error(b.get("/api/v1/console/jobs/999"), 404, "unknown_job");
  EXPECT_TRUE(backend_.posted_jobs().empty());
}

TEST_F(ApiTest, InvertersAddEditDeletePair) {
  auto b = admin();
  auto list = b.get("/api/v1/inverters");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["inverters"].size(), 2U);
  EXPECT_EQ(list.body["models"].size(), 3U);
  EXPECT_TRUE(list.body["inverters"][0]["live"].is_object());

  auto added = b.post("/api/v1/inverters", {{"name", "Carport"},
                                            {"serial", "703000333333"},
                                            {"model", "ds3"},
                                            {"inputs_in_use", {true, false}},
                                            {"domoticz_idx", 103}});
  ASSERT_EQ(added.status, 201) << added.text;
  EXPECT_EQ(added.body["model"], "DS3");
  EXPECT_EQ(backend_.config().inverters.size(), 3U);

  auto edited = b.put("/api/v1/inverters/703000333333", {{"name", "Carport east"}, {"domoticz_idx", nullptr}});
  ASSERT_EQ(edited.status, 200) << edited.text;
  EXPECT_EQ(backend_.config().inverters[2].name, "Carport east");
  EXPECT_FALSE(backend_.config().inverters[2].domoticz_idx.has_value());

  auto pair = b.post("/api/v1/inverters/703000333333/pair", {{"force", true}});
  ASSERT_EQ(pair.status, 202) << pair.text;
  EXPECT_EQ(wait_job(b, pair.body["id"])["text"], "paired 703000333333, short address 0x5E6F");
  EXPECT_EQ(backend_.config().inverters[2].short_address, 0x5E6F);
  EXPECT_EQ(b.post("/api/v1/inverters/703000333333/poll").status, 202);

  // A new serial is another inverter: the pairing does not carry over.
  auto moved = b.put("/api/v1/inverters/703000333333", {{"serial", "703000444444"}});
  ASSERT_EQ(moved.status, 200) << moved.text;
  EXPECT_FALSE(moved.body["paired"].get<bool>());

  ASSERT_EQ(b.del("/api/v1/inverters/703000444444").status, 200);
  EXPECT_EQ(backend_.config().inverters.size(), 2U);
}

TEST_F(ApiTest, InverterValidation) {
  auto b = admin();
  auto r = b.post("/api/v1/inverters", {{"name", "X"}, {"serial", "40800011111A"}, {"model", "YC600"}});
  expect_error(r, 422, "invalid_settings");
  EXPECT_EQ(r.body["error"]["fields"][0]["field"], "serial");
  r = b.post("/api/v1/inverters", {{"name", "X"}, {"serial", "408000999999"}, {"model", "YC600"}, {"domoticz_idx", "12a"}});
  expect_error(r, 422, "invalid_settings");
  EXPECT_EQ(r.body["error"]["fields"][0]["field"], "domoticz_idx");
  r = b.post("/api/v1/inverters", {{"name", "X"}, {"serial", "408000999999"}, {"model", "YC1000"}});
  expect_error(r, 422, "invalid_settings");
  EXPECT_EQ(r.body["error"]["fields"][0]["field"], "model");
  r = b.post("/api/v1/inverters",
             {{"name", "X"}, {"serial", "408000999999"}, {"model", "QS1"}, {"inputs_in_use", {true, true}}});
  expect_error(r, 422, "invalid_settings");
  EXPECT_EQ(r.body["error"]["fields"][0]["field"], "inputs_in_use");
  r = b.post("/api/v1/inverters", {{"name", ""}, {"serial", "408000999999"}, {"model", "QS1"}});
  expect_error(r, 422, "invalid_settings");
  r = b.post("/api/v1/inverters", {{"name", "X"}, {"serial", "408000999999"}, {"model", "YC600"}, {"domoticz_idx", 101}});
  expect_error(r, 422, "invalid_settings");  // idx 101 is the garage roof's
  expect_error(b.post("/api/v1/inverters", {{"name", "Dup"}, {"serial", "408000111111"}, {"model", "YC600"}}), 409,
               "serial_exists");
  expect_error(b.put("/api/v1/inverters/123456789012", {{"name", "X"}}), 404, "unknown_serial");
  expect_error(b.del("/api/v1/inverters/123456789012"), 404, "unknown_serial");
  expect_error(b.post("/api/v1/inverters/123456789012/pair"), 404, "unknown_serial");
  EXPECT_EQ(backend_.config().inverters.size(), 2U);
}

TEST_F(ApiTest, SettingsReadAndMergePatch) {
  auto b = admin();
  auto r = b.get("/api/v1/settings");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.body.contains("inverters"));
  EXPECT_EQ(r.body["energy"]["currency"], "EUR");
  auto put = b.put("/api/v1/settings", {{"energy", {{"price_per_kwh", 0.25}}}, {"polling", {{"sunrise_offset_min", -10}}}});
  ASSERT_EQ(put.status, 200) << put.text;
  EXPECT_EQ(backend_.config().energy.price_per_kwh, 0.25);
  EXPECT_EQ(backend_.config().polling.sunrise_offset_min, -10);
  EXPECT_EQ(backend_.config().inverters.size(), 2U);  // untouched
  auto bad = b.put("/api/v1/settings", {{"location", {{"latitude", 123}}}, {"polling", {{"interval_s", 5}}}});
  expect_error(bad, 422, "invalid_settings");
  EXPECT_GE(bad.body["error"]["fields"].size(), 2U);
  auto type = b.put("/api/v1/settings", {{"energy", {{"currency", 5}}}});
  expect_error(type, 422, "invalid_settings");
  EXPECT_EQ(backend_.config().energy.currency, "EUR");
}

TEST_F(ApiTest, MqttSettingsKeepPasswordSecret) {
  auto b = admin();
  auto r = b.get("/api/v1/mqtt");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_FALSE(r.body["enabled"].get<bool>());
  EXPECT_FALSE(r.body.contains("password"));
  auto put = b.put("/api/v1/mqtt", {{"enabled", true}, {"host", "broker.lan"}, {"password", "s3cret"}, {"format", "seed_flat"}});
  ASSERT_EQ(put.status, 200) << put.text;
  EXPECT_FALSE(put.body.contains("password"));
  EXPECT_TRUE(put.body["password_set"].get<bool>());
  EXPECT_EQ(backend_.config().mqtt.password, "s3cret");
  EXPECT_TRUE(b.put("/api/v1/mqtt", {{"password", ""}}).body["password_set"].get<bool>());  // empty keeps it
  EXPECT_EQ(backend_.config().mqtt.password, "s3cret");
  EXPECT_FALSE(b.get("/api/v1/settings").body["mqtt"].contains("password"));
  auto bad = b.put("/api/v1/mqtt", {{"port", 70000}});
  expect_error(bad, 422, "invalid_settings");
  EXPECT_EQ(bad.body["error"]["fields"][0]["field"], "port");
  expect_error(b.put("/api/v1/mqtt", {{"format", "xml"}}), 422, "invalid_settings");
  expect_error(b.put("/api/v1/mqtt", {{"host", ""}}), 422, "invalid_settings");
  expect_error(b.post("/api/v1/mqtt/test"), 501, "not_supported");
  expect_error(b.get("/api/v1/mqtt/status"), 501, "not_supported");
}

TEST_F(ApiTest, DatabaseDayEditWipeExport) {
  auto b = admin();
  auto inv = b.get("/api/v1/db/inverters");
  ASSERT_EQ(inv.body["inverters"].size(), 2U);
  auto day = b.get("/api/v1/db/day?date=2024-06-20&serial=408000111111");
  ASSERT_EQ(day.status, 200) << day.text;
  ASSERT_EQ(day.body["rows"].size(), 1U);
  EXPECT_FALSE(day.body["rows"][0]["edited"].get<bool>());

  auto set = b.put("/api/v1/db/day-total",
                   {{"serial", "408000111111"}, {"date", "2024-06-20"}, {"energy_wh", 1234}, {"reason", "meter says so"}});
  ASSERT_EQ(set.status, 200) << set.text;
  day = b.get("/api/v1/db/day?date=2024-06-20&serial=408000111111");
  EXPECT_EQ(day.body["rows"][0]["energy_wh"], 1234.0);
  EXPECT_TRUE(day.body["rows"][0]["edited"].get<bool>());
  auto audit = b.get("/api/v1/audit");
  ASSERT_EQ(audit.body["entries"].size(), 1U);
  EXPECT_EQ(audit.body["entries"][0]["actor"], "web:admin");
  EXPECT_EQ(audit.body["entries"][0]["reason"], "meter says so");

  expect_error(b.put("/api/v1/db/day-total", {{"serial", "408000111111"}, {"date", "2024-06-20"}, {"energy_wh", 5}}), 400,
               "missing_reason");
  expect_error(b.put("/api/v1/db/day-total",
                     {{"serial", "408000111111"}, {"date", "2024-06-20"}, {"energy_wh", -5}, {"reason", "x"}}),
               400, "invalid_energy_wh");
  expect_error(b.put("/api/v1/db/day-total",
                     {{"serial", "408000111111"}, {"date", "20-06-2024"}, {"energy_wh", 5}, {"reason", "x"}}),
               400, "invalid_date");
  expect_error(b.put("/api/v1/db/day-total",
                     {{"serial", "123456789012"}, {"date", "2024-06-20"}, {"energy_wh", 5}, {"reason", "x"}}),
               404, "unknown_serial");
  expect_error(b.get("/api/v1/db/day"), 400, "missing_date");

  auto csv = b.get("/api/v1/db/export.csv?from=2024-06-19&to=2024-06-20");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.text.rfind("date,serial,energy_wh", 0), 0U);
  EXPECT_NE(csv.text.find("2024-06-20,408000111111,1234,"), std::string::npos);
  auto samples = b.get("/api/v1/db/export.csv?from=2024-06-20&to=2024-06-20&kind=samples&serial=801000222222");
  ASSERT_EQ(samples.status, 200);
  EXPECT_GT(std::count(samples.text.begin(), samples.text.end(), '\n'), 200);
  expect_error(b.get("/api/v1/db/export.csv?from=2024-01-01&to=2024-06-20&kind=samples"), 400, "range_too_long");
  expect_error(b.get("/api/v1/db/export.csv?kind=xml"), 400, "invalid_kind");

  expect_error(b.post("/api/v1/db/wipe", {{"serial", "801000222222"}, {"reason", "sold"}}), 400, "confirm_mismatch");
  expect_error(b.post("/api/v1/db/wipe", {{"serial", "801000222222"}, {"confirm", "801000222222"}}), 400,
               "missing_reason");
  auto wiped = b.post("/api/v1/db/wipe", {{"serial", "801000222222"}, {"reason", "sold"}, {"confirm", "801000222222"}});
  ASSERT_EQ(wiped.status, 200) << wiped.text;
  EXPECT_TRUE(b.get("/api/v1/db/day?date=2024-06-20&serial=801000222222").body["rows"].empty());
}

TEST_F(ApiTest, BackupDownloadAndRestoreUpload) {
  auto b = admin();
  auto backup = b.get("/api/v1/backup");
  ASSERT_EQ(backup.status, 200);
  EXPECT_NE(backup.header("Content-Disposition").find("apsecu-backup-2024-06-21"), std::string::npos);
  ASSERT_NE(backup.text.find("apsecu-fake-backup"), std::string::npos);

  b.del("/api/v1/inverters/801000222222");
  ASSERT_EQ(backend_.config().inverters.size(), 1U);
  auto restored = b.raw("POST", "/api/v1/restore", backup.text, "application/octet-stream");
  ASSERT_EQ(restored.status, 200) << restored.text;
  EXPECT_EQ(backend_.config().inverters.size(), 2U);

  // Multipart, as a plain HTML form would send it.
  httplib::MultipartFormDataItems items{{"file", backup.text, "backup.bin", "application/octet-stream"}};
  auto multi = b.client().Post("/api/v1/restore", {{"Cookie", b.cookie}, {"X-CSRF-Token", b.csrf_}}, items);
  ASSERT_TRUE(multi);
  EXPECT_EQ(multi->status, 200) << multi->body;

  expect_error(b.raw("POST", "/api/v1/restore", "garbage", "application/octet-stream"), 422, "invalid_backup");
  expect_error(b.raw("POST", "/api/v1/restore", "", "application/octet-stream"), 400, "empty_upload");
  // No temporary files are left behind.
  for (const auto& e : std::filesystem::directory_iterator(backend_.data_dir())) {
    EXPECT_EQ(e.path().extension(), ".json") << e.path();
  }
}

TEST_F(ApiTest, UploadLimits) {
  HttpOptions small;
  small.max_upload_bytes = 1000;
  small.max_photo_bytes = 500;
  start(small);
  auto b = admin();
  expect_error(b.raw("POST", "/api/v1/restore", std::string(2000, 'x'), "application/octet-stream"), 413, "too_large");
  std::string jpeg = "\xFF\xD8\xFF\xE0";
  expect_error(b.raw("PUT", "/api/v1/photo", jpeg + std::string(600, 'x'), "image/jpeg"), 413, "too_large");
  // A chunked body has no Content-Length: the limit is enforced while it streams.
  httplib::Headers h{{"Cookie", b.cookie}, {"X-CSRF-Token", b.csrf_}};
  auto r = b.client().Post(
      "/api/v1/restore", h,
      [](std::size_t offset, httplib::DataSink& sink) {
        const std::string part(400, 'y');
        if (offset < 4000) return sink.write(part.data(), part.size());
        sink.done();
        return true;
      },
      "application/octet-stream");
  // The server answers 413 and closes; the client may see the reply or only the closed
  // connection while it is still sending. Either way nothing was kept.
  if (r) {
    EXPECT_EQ(r->status, 413);
  }
  for (const auto& e : std::filesystem::directory_iterator(backend_.data_dir())) {
    EXPECT_EQ(e.path().string().find("restore"), std::string::npos) << e.path();
  }
  EXPECT_EQ(b.get("/api/v1/system").status, 200);
  expect_error(b.raw("PUT", "/api/v1/memo", R"({"text":")" + std::string(300 * 1024, 'a') + "\"}", "application/json"),
               413, "too_large");
}

TEST_F(ApiTest, PhotoUploadShowAndTypeCheck) {
  auto b = admin();
  expect_error(b.get("/api/v1/photo"), 404, "no_photo");
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(100, '\0');
  auto up = b.raw("PUT", "/api/v1/photo", png, "image/png");
  ASSERT_EQ(up.status, 200) << up.text;
  auto shown = browser().get("/api/v1/photo");  // public
  EXPECT_EQ(shown.status, 200);
  EXPECT_EQ(shown.header("Content-Type"), "image/png");
  EXPECT_EQ(shown.text, png);
  expect_error(b.raw("PUT", "/api/v1/photo", "<svg onload=alert(1)>", "image/jpeg"), 415, "not_an_image");
  EXPECT_EQ(browser().get("/api/v1/photo").text, png);  // the old one stays
  EXPECT_EQ(b.del("/api/v1/photo").status, 200);
  expect_error(b.get("/api/v1/photo"), 404, "no_photo");
}

TEST_F(ApiTest, MemoNotes) {
  auto b = admin();
  EXPECT_EQ(browser().get("/api/v1/memo").body["text"], "");
  auto r = b.put("/api/v1/memo", {{"text", "2024-05-02 cleaned the panels"}});
  ASSERT_EQ(r.status, 200) << r.text;
  auto read = browser().get("/api/v1/memo");
  EXPECT_EQ(read.body["text"], "2024-05-02 cleaned the panels");
  EXPECT_TRUE(read.body["updated_s"].is_number());
  expect_error(b.put("/api/v1/memo", {{"text", 5}}), 400, "invalid_text");
  expect_error(b.put("/api/v1/memo", {{"text", std::string(70000, 'a')}}), 400, "invalid_text");
}

TEST_F(ApiTest, SystemInfoAndPowerActions) {
  auto b = admin();
  auto r = b.get("/api/v1/system");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["version"], "0.1.0-test");
  for (const char* k : {"uptime_s", "apsecu_uptime_s", "cpus", "load", "memory", "disk", "time_s"}) {
    EXPECT_FALSE(r.body[k].is_null()) << k;
  }
  EXPECT_TRUE(r.body.contains("temperature_c"));
  expect_error(b.post("/api/v1/system/reboot"), 403, "power_actions_off");
  EXPECT_TRUE(backend_.power_actions().empty());

  HttpOptions allowed;
  allowed.allow_power_actions = true;
  start(allowed);
  b = admin();
  EXPECT_EQ(b.post("/api/v1/system/shutdown").status, 202);
  ASSERT_EQ(backend_.power_actions().size(), 1U);
  EXPECT_EQ(backend_.power_actions()[0], PowerAction::Shutdown);
}

TEST_F(ApiTest, StaticFilesFromWwwDir) {
  const auto dir = std::filesystem::path(backend_.data_dir()) / "www";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "index.html") << "<!doctype html><title>apsecu</title>";
  www_dir_ = dir.string();
  start({});
  auto r = browser().get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.text.find("apsecu"), std::string::npos);
  EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
  expect_error(browser().get("/../users.json"), 404, "not_found");
}

}  // namespace
}  // namespace apsecu::api::test
