// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Commands received on <base>/cmd and the replies on <base>/reply (docs/mqtt.md). Pure.
//
//   {"poll":"408000158215"}                  poll one inverter now
//   {"poll":"all"}                           poll every inverter now
//   {"poll":0} / {"poll":99}                 the seed's form: index in the list / 99 = all
//   {"limit_w":300,"serial":"408000158215"}  set the inverter's power limit (watts)
//   {"reboot":"408000158215"}                restart the inverter
//   any of them may carry "id" (string or number), echoed in the reply
//
// Replies: {"id":7,"command":"poll","serial":"408000158215","ok":true,"result":"…"} or
//          {"id":7,"command":"poll","ok":false,"error":"…"}

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "apsecu/aps/ids.hpp"
#include "apsecu/engine/engine.hpp"
#include "apsecu/mqtt/format.hpp"
#include "apsecu/util/result.hpp"

namespace apsecu::mqtt {

struct PollCommand {
  std::optional<aps::Serial> serial;  // nullopt: all
};
struct LimitCommand {
  aps::Serial serial;
  double limit_w = 0;
};
struct RebootCommand {
  aps::Serial serial;
};

struct Command {
  std::variant<PollCommand, LimitCommand, RebootCommand> action;
  std::string id_json;  // the "id" value as JSON text; empty when absent
};

// `inverters` resolves the seed's indexes and rejects serials apsecu does not know; when it
// is empty, serials pass through to the engine, which has the final word.
[[nodiscard]] util::Result<Command> parse_command(std::string_view payload, const std::vector<InverterInfo>& inverters);

[[nodiscard]] engine::Job to_job(const Command& c);
[[nodiscard]] std::string_view command_name(const Command& c) noexcept;

// The reply to a command that was understood: its job's outcome.
[[nodiscard]] std::string reply_payload(const Command& c, const util::Result<std::string>& outcome);
// The reply to a payload that was not understood; echoes its "id" when it has one.
[[nodiscard]] std::string reply_rejected(std::string_view payload, const util::Error& error);

}  // namespace apsecu::mqtt
