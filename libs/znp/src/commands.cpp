// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/znp/commands.hpp"

#include <fmt/format.h>

#include "apsecu/znp/errors.hpp"

namespace apsecu::znp {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "znp"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::Timeout: return "no answer from the module in time";
      case Errc::BadStatus: return "the module answered with an error status";
      case Errc::Malformed: return "malformed frame from the module";
      case Errc::RpcError: return "the module rejected the command";
      case Errc::LinkDown: return "the link to the module is down";
      case Errc::Cancelled: return "cancelled";
      case Errc::WrongIeee: return "the module reports another IEEE address";
      case Errc::NotStarted: return "the coordinator is not running";
      case Errc::RecoveryFailed: return "the coordinator could not be recovered";
    }
    return "unknown znp error";
  }
};

}  // namespace

std::error_code make_error_code(Errc e) noexcept {
  static const Category category;
  return {static_cast<int>(e), category};
}

std::string command_name(const CommandKey& key) {
  if (const auto* info = find_command(key)) return std::string(info->name);
  return fmt::format("{}_0x{:02X}", unpi::subsystem_name(key.subsystem), key.id);
}

std::chrono::milliseconds default_timeout(const CommandKey& key, std::chrono::milliseconds fallback) {
  const auto* info = find_command(key);
  return info != nullptr && info->timeout.count() > 0 ? info->timeout : fallback;
}

std::string_view status_name(std::uint8_t status) noexcept {
  switch (status) {
    case 0x00: return "success";
    case 0x01: return "failure";
    case 0x02: return "invalid parameter";
    case 0x09: return "nv item uninitialised";
    case 0x0A: return "nv operation failed";
    case 0x0C: return "nv bad item length";
    case 0x10: return "memory error";
    case 0x11: return "buffer full";
    case 0x12: return "unsupported mode";
    case 0xB7: return "aps no ack";
    case 0xB8: return "aps duplicate entry";
    case 0xC2: return "nwk invalid request";
    case 0xC7: return "nwk table full";
    case 0xCD: return "nwk no route";
    case 0xE1: return "mac channel access failure";
    case 0xE9: return "mac no ack";
    case 0xF0: return "mac transaction expired";
    default: return "unknown";
  }
}

std::string_view device_state_name(std::uint8_t state) noexcept {
  switch (state) {
    case 0: return "hold";
    case 1: return "init";
    case 2: return "network discovery";
    case 3: return "joining";
    case 4: return "rejoining";
    case 5: return "end device unauthenticated";
    case 6: return "end device";
    case 7: return "router";
    case 8: return "coordinator starting";
    case 9: return "coordinator";
    case 10: return "orphan";
    default: return "unknown";
  }
}

std::string_view nv_name(std::uint8_t config_id) noexcept {
  switch (config_id) {
    case kNvExtAddr: return "EXTADDR";
    case kNvStartupOption: return "STARTUP_OPTION";
    case kNvPanId: return "PANID";
    case kNvChanList: return "CHANLIST";
    case kNvLogicalType: return "LOGICAL_TYPE";
    case kNvZdoDirectCb: return "ZDO_DIRECT_CB";
    default: return "NV";
  }
}

}  // namespace apsecu::znp
