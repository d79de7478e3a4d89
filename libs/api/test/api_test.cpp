// SPDX-License-Identifier: GPL-3.0-or-later
#include "api_support.hpp"

namespace apsecu::api::test {
namespace {

TEST_F(ApiTest, LiveIsPublic) {
  auto b = browser();
  auto r = b.get("/api/v1/live");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["inverters"].size(), 2U);
}

}  // namespace
}  // namespace apsecu::api::test
