// SPDX-License-Identifier: GPL-3.0-or-later
// `apsecu decode HEX...`: finds every telemetry reply in raw serial bytes (frames, with any
// junk) or in a bare APS payload, and prints one JSON object per reply.

#include <iostream>
#include <string>
#include <vector>

#include "apsecu/aps/telemetry.hpp"
#include "apsecu/engine/radio.hpp"
#include "apsecu/unpi/decoder.hpp"
#include "apsecu/util/hex.hpp"
#include "apsecu/znp/msg_af.hpp"
#include "commands.hpp"
#include "telemetry_json.hpp"

namespace apsecu::app {
namespace {

struct DecodeArgs {
  std::vector<std::string> hex;
  std::string energy_scale = "community";
  std::string model;
  double calibration = 1.0;
};

// Telemetry carried in UNPI frames (AF_INCOMING_MSG on the reply cluster).
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
    auto telemetry = aps::decode_telemetry(msg->data, options);
    if (!telemetry) {
      reason = "AF_INCOMING_MSG from " + engine::address_text(msg->src_addr) +
               " is not telemetry: " + telemetry.error().describe();
      continue;
    }
    std::cout << telemetry_json(*telemetry, msg->link_quality_pct()).dump() << '\n';
    ++found;
  }
  if (found == 0 && reason.empty()) {
    reason = frames == 0 ? "no valid UNPI frame in the input"
                         : std::to_string(frames) + " frame(s) found but none carries inverter telemetry";
  }
  return found;
}

// A bare payload: serial(6) + FB FB ... FE FE, possibly with bytes around it.
int decode_payload(const util::Bytes& bytes, const aps::DecodeOptions& options, std::string& reason) {
  for (std::size_t at = 6; at + 1 < bytes.size(); ++at) {
    if (bytes[at] != 0xFB || bytes[at + 1] != 0xFB) continue;
    auto telemetry = aps::decode_telemetry(util::ByteView(bytes).subspan(at - 6), options);
    if (telemetry) {
      std::cout << telemetry_json(*telemetry, std::nullopt).dump() << '\n';
      return 1;
    }
    reason = "APS payload is not telemetry: " + telemetry.error().describe();
  }
  return 0;
}

}  // namespace

Runner add_decode_command(CLI::App& root) {
  auto args = std::make_shared<DecodeArgs>();
  auto* cmd = root.add_subcommand("decode", "Decode inverter telemetry from serial bytes or an APS payload");
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
