// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Commands received on <base>/cmd and the replies on <base>/reply (docs/mqtt.md). Pure.
//
//   {"poll":"408000158215"}                  poll one inverter now
//   {"poll":"all"}                           poll every inverter now
//   {"poll":0} / {"poll":99}                 the seed's form: index in the list / 99 = all
//   {"limit_per_panel_w":300,"serial":"408000158215"}  power limit in watts PER PANEL, 20–500
//   {"output":"off","serial":"408000158215"}           grid output "on" or "off"
//   {"reboot":"408000158215"}                          the frame known as "reboot": turn-on (C1)
//   {"limit_w":…} (an inverter total, as before) is refused with a message: taken per panel
//   it would let a YC600/DS3 feed twice and a QS1 four times what was meant.
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
  double limit_per_panel_w = 0;
};
struct OutputCommand {
  aps::Serial serial;
  bool on = true;
};
struct RebootCommand {
  aps::Serial serial;
};

struct Command {
  std::variant<PollCommand, LimitCommand, RebootCommand, OutputCommand> action;
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
