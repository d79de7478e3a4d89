// SPDX-License-Identifier: GPL-3.0-or-later
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "apsecu/config/load_save.hpp"

namespace {
using namespace apsecu::config;
using nlohmann::json;

json valid_json() {
  return json::parse(R"({
    "version": 1,
    "location": {"latitude": 52.1, "longitude": 5.3},
    "radio": {"ecu_id": "D8A3011B9780", "port": "/dev/ttyS0"},
    "inverters": [
      {"name": "roof east", "serial": "408000158215", "model": "YC600", "domoticz_idx": 12},
      {"name": "garage", "serial": "801000012345", "model": "QS1", "inputs_in_use": [true, true, false, false]}
    ]
  })");
}

std::vector<FieldError> errors_of(const json& j) {
  auto loaded = from_json(j);
  if (auto* e = std::get_if<std::vector<FieldError>>(&loaded)) return *e;
  return {};
}

bool has_error(const std::vector<FieldError>& errors, const std::string& field) {
  for (const auto& e : errors) {
    if (e.field == field) return true;
  }
  return false;
}

TEST(Config, ValidFileLoadsWithDefaultsFilledIn) {
  auto loaded = from_json(valid_json());
  ASSERT_TRUE(std::holds_alternative<Config>(loaded)) << describe(std::get<1>(loaded));
  const auto& c = std::get<Config>(loaded);
  EXPECT_EQ(c.polling.interval_s, 300);
  ASSERT_EQ(c.inverters.size(), 2U);
  EXPECT_EQ(c.inverters[0].domoticz_idx, 12);
  EXPECT_EQ(c.inverters[1].inputs_in_use.size(), 4U);
}

TEST(Config, ReportsEveryFieldErrorAtOnce) {
  auto j = valid_json();
  j["radio"]["ecu_id"] = "D8A3011B97";           // too short
  j["polling"]["interval_s"] = "300";            // text, not a number
  j["inverters"][0]["serial"] = "40800015821X";  // not digits
  j["inverters"][0]["domoticz_idx"] = "abc";     // the seed's classic mistake
  j["inverters"][1]["model"] = "YC1000";
  j["location"]["latitude"] = 95;
  const auto errors = errors_of(j);
  EXPECT_TRUE(has_error(errors, "radio.ecu_id"));
  EXPECT_TRUE(has_error(errors, "polling.interval_s"));
  EXPECT_TRUE(has_error(errors, "inverters[0].serial"));
  EXPECT_TRUE(has_error(errors, "inverters[0].domoticz_idx"));
  EXPECT_TRUE(has_error(errors, "inverters[1].model"));
  EXPECT_TRUE(has_error(errors, "location.latitude"));
  EXPECT_GE(errors.size(), 6U);
}

TEST(Config, DuplicateSerialsAndIdxAreRefused) {
  auto j = valid_json();
  j["inverters"][1]["serial"] = "408000158215";
  j["inverters"][1]["model"] = "YC600";
  j["inverters"][1].erase("inputs_in_use");
  j["inverters"][1]["domoticz_idx"] = 12;
  const auto errors = errors_of(j);
  EXPECT_TRUE(has_error(errors, "inverters[1].serial"));
  EXPECT_TRUE(has_error(errors, "inverters[1].domoticz_idx"));
}

TEST(Config, InputsInUseMustMatchTheModel) {
  auto j = valid_json();
  j["inverters"][0]["inputs_in_use"] = {true, true, true, true};
  EXPECT_TRUE(has_error(errors_of(j), "inverters[0].inputs_in_use"));
}

TEST(Config, InputOrderAndPanelPeaksAreReadCheckedAndWritten) {
  auto j = valid_json();
  j["inverters"][0]["input_order"] = {2, 1};
  j["inverters"][0]["panel_peak_w"] = {900, 880.5};
  auto loaded = from_json(j);
  ASSERT_TRUE(std::holds_alternative<Config>(loaded)) << describe(std::get<1>(loaded));
  const auto& c = std::get<Config>(loaded);
  EXPECT_EQ(c.inverters[0].input_order, (std::vector<int>{2, 1}));
  EXPECT_EQ(c.inverters[0].panel_peak_w, (std::vector<double>{900, 880.5}));
  EXPECT_TRUE(c.inverters[1].input_order.empty());
  const auto out = to_json(c);
  EXPECT_EQ(out["inverters"][0]["input_order"], j["inverters"][0]["input_order"]);
  EXPECT_EQ(out["inverters"][0]["panel_peak_w"], j["inverters"][0]["panel_peak_w"]);
  EXPECT_FALSE(out["inverters"][1].contains("input_order"));

  for (const auto& bad : std::vector<nlohmann::json>{{1, 1}, {2}, {2, 1, 3}, {0, 1}, {3, 1}, "2,1", {1.5, 2}}) {
    auto b = valid_json();
    b["inverters"][0]["input_order"] = bad;
    EXPECT_TRUE(has_error(errors_of(b), "inverters[0].input_order")) << bad.dump();
  }
  auto four = valid_json();
  four["inverters"][1]["input_order"] = {4, 3, 2, 1};
  EXPECT_TRUE(std::holds_alternative<Config>(from_json(four)));
  for (const auto& bad : std::vector<nlohmann::json>{{900}, {900, 0}, {900, 2500}, {900, "x"}}) {
    auto b = valid_json();
    b["inverters"][0]["panel_peak_w"] = bad;
    EXPECT_TRUE(has_error(errors_of(b), "inverters[0].panel_peak_w")) << bad.dump();
  }
}

TEST(Config, MigratesASeedStyleFileWithoutVersion) {
  auto j = valid_json();
  j.erase("version");
  j["inverters"][0]["domoticz_idx"] = "17";
  j["inverters"][1]["domoticz_idx"] = "";
  auto loaded = from_json(j);
  ASSERT_TRUE(std::holds_alternative<Config>(loaded)) << describe(std::get<1>(loaded));
  const auto& c = std::get<Config>(loaded);
  EXPECT_EQ(c.version, kCurrentVersion);
  EXPECT_EQ(c.inverters[0].domoticz_idx, 17);
  EXPECT_FALSE(c.inverters[1].domoticz_idx.has_value());
}

TEST(Config, RefusesAFileFromTheFuture) {
  auto j = valid_json();
  j["version"] = kCurrentVersion + 1;
  EXPECT_TRUE(has_error(errors_of(j), "version"));
}

TEST(Config, SaveIsAtomicAndRoundTrips) {
  const auto dir = std::filesystem::temp_directory_path() / ("apsecu-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "apsecu.json").string();
  auto c = std::get<Config>(from_json(valid_json()));
  c.inverters[0].short_address = 0x7C3A;
  ASSERT_TRUE(save_file(path, c).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  auto back = load_file(path);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(to_json(*back), to_json(c));

  // An invalid config is never written over a good file.
  c.polling.interval_s = 1;
  EXPECT_FALSE(save_file(path, c).ok());
  EXPECT_TRUE(load_file(path).ok());
  std::filesystem::remove_all(dir);
}

TEST(Config, LoadErrorsNameTheProblem) {
  const auto missing = load_file("/nonexistent/apsecu.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::Unreadable);
  const auto dir = std::filesystem::temp_directory_path();
  const auto path = (dir / ("apsecu-bad-" + std::to_string(::getpid()) + ".json")).string();
  std::ofstream(path) << "{ not json";
  const auto bad = load_file(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::NotJson);
  std::filesystem::remove(path);
}

TEST(Config, PowerLimitIsPerPanelWithinWhatTheInverterAccepts) {
  auto j = valid_json();
  j["inverters"][0]["power_limit_per_panel_w"] = 250;
  j["inverters"][1]["output_on"] = false;
  auto loaded = from_json(j);
  ASSERT_TRUE(std::holds_alternative<Config>(loaded)) << describe(std::get<1>(loaded));
  const auto& c = std::get<Config>(loaded);
  EXPECT_EQ(c.inverters[0].power_limit_per_panel_w, 250.0);
  EXPECT_TRUE(c.inverters[0].output_on);  // never switched: on
  EXPECT_FALSE(c.inverters[1].power_limit_per_panel_w.has_value());
  EXPECT_FALSE(c.inverters[1].output_on);
  const auto back = to_json(c);
  EXPECT_EQ(back["inverters"][0]["power_limit_per_panel_w"], 250.0);
  EXPECT_FALSE(back["inverters"][1].contains("power_limit_per_panel_w"));
  EXPECT_EQ(back["inverters"][1]["output_on"], false);

  // An inverter total (a QS1's 4 x 300 W) is no per-panel limit.
  for (const double bad : {19.0, 501.0, 1200.0, 0.0, -5.0}) {
    j["inverters"][0]["power_limit_per_panel_w"] = bad;
    const auto errors = errors_of(j);
    ASSERT_TRUE(has_error(errors, "inverters[0].power_limit_per_panel_w")) << bad;
    EXPECT_NE(describe(errors).find("20 to 500 W per panel"), std::string::npos) << describe(errors);
  }
  j["inverters"][0]["power_limit_per_panel_w"] = "300";
  EXPECT_TRUE(has_error(errors_of(j), "inverters[0].power_limit_per_panel_w"));
  j["inverters"][0]["power_limit_per_panel_w"] = nullptr;  // no limit
  j["inverters"][0]["output_on"] = "off";
  const auto errors = errors_of(j);
  EXPECT_FALSE(has_error(errors, "inverters[0].power_limit_per_panel_w"));
  EXPECT_TRUE(has_error(errors, "inverters[0].output_on"));
}

TEST(Config, GeneratedEcuIdIsValid) {
  Config c;
  c.radio.ecu_id = generate_ecu_id();
  EXPECT_EQ(c.radio.ecu_id.size(), 12U);
  EXPECT_TRUE(validate(c).empty()) << describe(validate(c));
}
}  // namespace
