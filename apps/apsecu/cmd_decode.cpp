// SPDX-License-Identifier: GPL-3.0-or-later
// `apsecu decode HEX...`: reads everything the module says in raw serial bytes (frames, with
// any junk) or in a bare APS payload, and prints one JSON object per message, each with a
// "kind":
//
//   telemetry       a poll reply (cluster 0x0106, L2 B1 / BB)
//   parameters      a DE parameter page: the power limit in watts per panel (protocol §4.7)
//   set_ack         a DS3's answer to a set command, DE accepted / DF refused (#34)
//   pairing_answer  an inverter's answer to pairing: cluster 0x0101, unicast, FF FF / FF 1A +
//                   serial; its source is the short address (protocol §4.4)
//   echo            one of the host's own pairing broadcasts heard back, relayed by a router:
//                   not an answer, even though it carries the serial
//
// No capture shows what an inverter answers to on/off; an acknowledgement in the DE / DF form
// prints as set_ack.

#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "apsecu/aps/replies.hpp"
#include "apsecu/aps/requests.hpp"
#include "apsecu/aps/telemetry.hpp"
#include "apsecu/engine/radio.hpp"
#include "apsecu/unpi/decoder.hpp"
#include "apsecu/util/hex.hpp"
#include "apsecu/znp/msg_af.hpp"
#include "commands.hpp"
#include "telemetry_json.hpp"

namespace apsecu::app {
namespace {

using Json = nlohmann::ordered_json;

struct DecodeArgs {
  std::vector<std::string> hex;
  std::string energy_scale = "community";
  std::string model;
  double calibration = 1.0;
};

constexpr std::size_t kSerialSize = 6;
constexpr std::uint16_t kNoAddress = 0x0000;
constexpr std::uint16_t kBroadcastAddress = 0xFFFF;

std::string hex4(std::uint16_t v) { return fmt::format("{:04X}", v); }

Json kind(const char* k) {
  Json j;
  j["kind"] = k;
  return j;
}

Json telemetry_line(const aps::Telemetry& t, std::optional<double> link_quality_pct) {
  auto j = kind("telemetry");
  const auto fields = telemetry_json(t, link_quality_pct);
  for (const auto& [key, value] : fields.items()) j[key] = value;
  return j;
}

double one_decimal(double v) { return std::round(v * 10.0) / 10.0; }

// An APS payload on the reply cluster: telemetry, a parameter page or a set acknowledgement.
std::optional<Json> payload_line(util::ByteView data, const aps::DecodeOptions& options,
                                 std::optional<double> link_quality_pct, std::string& reason) {
  auto telemetry = aps::decode_telemetry(data, options);
  if (telemetry) return telemetry_line(*telemetry, link_quality_pct);
  if (auto page = aps::decode_parameters(data, options.model)) {
    auto j = kind("parameters");
    j["serial"] = page->serial.str();
    j["model"] = aps::info(page->model).name;
    j["power_limit_per_panel_w"] = one_decimal(page->limit_per_panel_w);
    return j;
  }
  auto reply = aps::decode_set_reply(data);
  if (reply && !reply->limit_per_panel_w) {
    auto j = kind("set_ack");
    j["serial"] = reply->serial.str();
    j["accepted"] = reply->accepted;
    j["status"] = util::to_hex(reply->status);
    return j;
  }
  reason = "APS payload is neither telemetry, a parameter page nor a set acknowledgement: " +
           telemetry.error().describe();
  return std::nullopt;
}

// Pairing traffic (protocol §4.4): the inverter's answer, or our own broadcast heard back.
std::optional<Json> pairing_line(const znp::AfIncomingMsg& msg) {
  if (auto step = aps::pairing_echo_step(msg.cluster_id, msg.data)) {
    auto j = kind("echo");
    j["step"] = *step;
    if (msg.data.size() >= kSerialSize && *step != 4) {  // step 4 carries our ECU id instead
      j["serial"] = aps::Serial::from_bytes(util::ByteView(msg.data).first(kSerialSize)).str();
    }
    if (msg.mac_src_addr) j["relayed_by"] = hex4(*msg.mac_src_addr);
    return j;
  }
  if (msg.cluster_id != aps::kPairAnswerCluster) return std::nullopt;
  const auto serial = aps::pairing_answer_serial(msg.data);
  if (!serial || msg.was_broadcast != 0 || msg.src_addr == kNoAddress || msg.src_addr == kBroadcastAddress) {
    return std::nullopt;
  }
  auto j = kind("pairing_answer");
  j["serial"] = serial->str();
  j["short_address"] = hex4(msg.src_addr);
  return j;
}

// Messages carried in UNPI frames (AF_INCOMING_MSG).
int decode_frames(const util::Bytes& bytes, const aps::DecodeOptions& options, std::string& reason) {
  unpi::Decoder decoder;
  decoder.feed(bytes);
  decoder.on_idle();  // the input is complete: a dangling partial frame is junk
  int frames = 0;
  int found = 0;
  while (auto frame = decoder.next()) {
    ++frames;
    const auto msg = znp::AfIncomingMsg::decode(*frame);
    if (!msg) continue;
    std::optional<Json> line = pairing_line(*msg);
    if (!line) {
      std::string why;
      line = payload_line(msg->data, options, msg->link_quality_pct(), why);
      if (!line) reason = "AF_INCOMING_MSG from " + engine::address_text(msg->src_addr) + ": " + why;
    }
    if (!line) continue;
    std::cout << line->dump() << '\n';
    ++found;
  }
  if (found == 0 && reason.empty()) {
    reason = frames == 0 ? "no valid UNPI frame in the input"
                         : std::to_string(frames) + " frame(s) found but none carries an inverter's message";
  }
  return found;
}

// A bare payload: serial(6) + FB FB ... FE FE, possibly with bytes around it.
int decode_payload(const util::Bytes& bytes, const aps::DecodeOptions& options, std::string& reason) {
  for (std::size_t at = kSerialSize; at + 1 < bytes.size(); ++at) {
    if (bytes[at] != 0xFB || bytes[at + 1] != 0xFB) continue;
    const auto from = util::ByteView(bytes).subspan(at - kSerialSize);
    // The payload ends at its FE FE: cut what follows, so that a page or an acknowledgement
    // with bytes after it is still recognised.
    if (from.size() > kSerialSize + 2) {
      const std::size_t total = kSerialSize + from[kSerialSize + 2] + 7;
      if (total <= from.size()) {
        if (auto line = payload_line(from.first(total), options, std::nullopt, reason)) {
          std::cout << line->dump() << '\n';
          return 1;
        }
      }
    }
  }
  return 0;
}

}  // namespace

Runner add_decode_command(CLI::App& root) {
  auto args = std::make_shared<DecodeArgs>();
  auto* cmd = root.add_subcommand(
      "decode", "Decode what the module says (telemetry, parameter pages, set acknowledgements, pairing answers) "
                "from serial bytes or an APS payload");
  cmd->add_option("hex", args->hex, "Hex bytes (spaces allowed): UNPI frames with any junk, or serial+FBFB..FEFE")
      ->required();
  cmd->add_option("--energy-scale", args->energy_scale, "community or openaps (protocol open question)")
      ->check(CLI::IsMember({"community", "openaps"}))
      ->capture_default_str();
  cmd->add_option("--model", args->model, "Force the model (YC600, QS1, DS3) instead of detecting it");
  cmd->add_option("--calibration", args->calibration, "Energy calibration multiplier")->capture_default_str();

  return [args] {
    std::string text;
    for (const auto& part : args->hex) text += part;
    const auto bytes = util::from_hex(text);
    if (!bytes || bytes->empty()) {
      std::cerr << "decode: input is not hex (digits 0-9 and A-F, an even number of them)\n";
      return 2;
    }
    aps::DecodeOptions options;
    options.energy_scale = args->energy_scale == "openaps" ? aps::EnergyScale::OpenAps : aps::EnergyScale::Community;
    options.energy_calibration = args->calibration;
    if (!args->model.empty()) {
      options.model = aps::model_from_name(args->model);
      if (!options.model) {
        std::cerr << "decode: unknown model " << args->model << " (YC600, QS1 or DS3)\n";
        return 2;
      }
    }
    std::string frame_reason;
    if (decode_frames(*bytes, options, frame_reason) > 0) return 0;
    std::string payload_reason;
    if (decode_payload(*bytes, options, payload_reason) > 0) return 0;
    std::cerr << "decode: " << (payload_reason.empty() ? frame_reason : payload_reason) << '\n';
    return 2;
  };
}

}  // namespace apsecu::app
