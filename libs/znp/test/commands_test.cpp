// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/znp/commands.hpp"

#include <set>

#include <gtest/gtest.h>

#include "apsecu/znp/describe.hpp"
#include "frames.hpp"

namespace {
using namespace apsecu;
using namespace apsecu::znp;
using test::wire;

TEST(Commands, TableCoversProtocolSection2) {
  struct Row {
    const char* cmd;  // CMD0 CMD1 as in the §2 table
    const char* name;
  };
  const Row rows[] = {
      {"2101", "SYS_PING"},          {"6101", "SYS_PING"},
      {"4100", "SYS_RESET_REQ"},     {"4180", "SYS_RESET_IND"},
      {"2700", "UTIL_GET_DEVICE_INFO"}, {"6700", "UTIL_GET_DEVICE_INFO"},
      {"2710", "UTIL_LOOPBACK"},     {"6710", "UTIL_LOOPBACK"},
      {"2605", "ZB_WRITE_CONFIGURATION"}, {"6605", "ZB_WRITE_CONFIGURATION"},
      {"2600", "ZB_START_REQUEST"},  {"6600", "ZB_START_REQUEST"},
      {"2400", "AF_REGISTER"},       {"6400", "AF_REGISTER"},
      {"2401", "AF_DATA_REQUEST"},   {"6401", "AF_DATA_REQUEST"},
      {"2402", "AF_DATA_REQUEST_EXT"}, {"6402", "AF_DATA_REQUEST_EXT"},
      {"4480", "AF_DATA_CONFIRM"},   {"4481", "AF_INCOMING_MSG"},
      {"45C0", "ZDO_STATE_CHANGE_IND"}, {"45C4", "ZDO_SRC_RTG_IND"},
  };
  for (const auto& row : rows) {
    const auto b = *util::from_hex(row.cmd);
    const auto key = key_of(unpi::make_frame(b[0], b[1], {}));
    const auto* info = find_command(key);
    ASSERT_NE(info, nullptr) << row.cmd;
    EXPECT_EQ(info->name, row.name) << row.cmd;
    if (key.type == unpi::Type::Sreq) {
      EXPECT_GT(info->timeout.count(), 0) << row.cmd;
    }
  }
  std::set<std::tuple<int, int, int>> keys;
  for (const auto& c : kCommands) {
    EXPECT_TRUE(keys.emplace(static_cast<int>(c.key.type), static_cast<int>(c.key.subsystem), c.key.id).second)
        << "duplicate row " << c.name;
  }
}

TEST(Commands, NamesAndTimeouts) {
  EXPECT_EQ(command_name(wire("FE00260026")), "ZB_START_REQUEST");
  EXPECT_EQ(command_name(unpi::make_frame(0x21, 0x02, {})), "SYS_0x02");
  EXPECT_EQ(default_timeout({unpi::Type::Areq, unpi::Subsystem::Sys, 0x80}).count(), 5000);
  EXPECT_EQ(default_timeout({unpi::Type::Areq, unpi::Subsystem::Zdo, 0xC0}).count(), 10000);
  EXPECT_EQ(default_timeout({unpi::Type::Sreq, unpi::Subsystem::Sys, 0x7F}).count(), 2000);
  EXPECT_EQ(status_name(0xCD), "nwk no route");
  EXPECT_EQ(device_state_name(9), "coordinator");
}

TEST(Describe, NamesAndDecodesFrames) {
  EXPECT_EQ(describe(wire("FE0166050062")), "SRSP ZB_WRITE_CONFIGURATION status=0x00 (success)");
  EXPECT_EQ(describe(wire("FE0426058302D8A3DD")), "SREQ ZB_WRITE_CONFIGURATION id=0x83 (PANID) value=D8A3");
  EXPECT_EQ(describe(wire("FE00260026")), "SREQ ZB_START_REQUEST");
  EXPECT_EQ(describe(wire("FE034480CD14011F")), "AREQ AF_DATA_CONFIRM status=0xCD (nwk no route) ep=0x14 trans=1");
  EXPECT_EQ(describe(wire("FE0145C0098D")), "AREQ ZDO_STATE_CHANGE_IND state=9 (coordinator)");
  EXPECT_EQ(describe(wire("FE064180020202020702C2")),
            "AREQ SYS_RESET_IND reason=2 transport=2 product=2 version=2.7.2");
  EXPECT_EQ(describe(wire("FE0E670000FFFF80971B01A3D8000007090011")),
            "SRSP UTIL_GET_DEVICE_INFO status=0x00 (success) ieee=FFFF80971B01A3D8 short=0x0000 type=0x07 "
            "state=9 (coordinator) assoc=[]");
  EXPECT_EQ(describe(wire("FE1C4481000001013A7C14140024004E8204000008FFFF4080001193483A7C0E39")),
            "AREQ AF_INCOMING_MSG group=0x0000 cluster=0x0101 src=0x7C3A ep=0x14>0x14 bcast=0 lqi=36 sec=0 "
            "ts=295502 seq=0 len=8 data=FFFF408000119348 mac_src=0x7C3A radius=14");
  EXPECT_EQ(describe(unpi::Frame{unpi::Type::Sreq, unpi::Subsystem::Sys, 0x02, {0x01}}), "SREQ SYS_0x02 data=01");
  EXPECT_EQ(describe(unpi::Frame{unpi::Type::Areq, unpi::Subsystem::Af, 0x80, {0x00}}), "AREQ AF_DATA_CONFIRM (malformed, 1 bytes) data=00");
  EXPECT_EQ(describe(unpi::Frame{unpi::Type::Srsp, unpi::Subsystem::Rpc, 0x00, {0x02, 0x27, 0x55}}),
            "SRSP RPC_ERROR unknown command for UTIL_0x55 27 55");
}

}  // namespace
