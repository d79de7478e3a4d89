// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test helpers: wrap APS payloads into the ZNP frames the captures show, and unwrap
// AF_INCOMING_MSG frames back to their APS data. Kept here because the znp layer is not
// a dependency of aps.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "apsecu/unpi/decoder.hpp"
#include "apsecu/unpi/frame.hpp"
#include "apsecu/util/bytes.hpp"
#include "apsecu/util/hex.hpp"

namespace apsecu::aps::test {

inline util::Bytes hex(std::string_view text) {
  auto bytes = util::from_hex(text);
  EXPECT_TRUE(bytes.has_value()) << "bad hex in test: " << text;
  return bytes.value_or(util::Bytes{});
}

inline std::string frame_hex(std::uint8_t cmd0, std::uint8_t cmd1, const util::Bytes& data) {
  auto wire = unpi::encode(unpi::make_frame(cmd0, cmd1, data));
  EXPECT_TRUE(wire.ok());
  return wire ? util::to_hex(*wire) : std::string{};
}

// AF_DATA_REQUEST (24 01): dst LE, dst EP, src EP, cluster LE, trans id, options 00,
// radius 0F, length, data.
inline std::string af_data_request(std::uint16_t dst, std::uint16_t cluster, std::uint8_t trans_id,
                                   util::ByteView data) {
  util::ByteWriter w;
  w.u16le(dst).u8(0x14).u8(0x14).u16le(cluster).u8(trans_id).u8(0x00).u8(0x0F);
  w.u8(static_cast<std::uint8_t>(data.size())).bytes(data);
  return frame_hex(0x24, 0x01, w.data());
}

// AF_DATA_REQUEST_EXT (24 02), inter-PAN broadcast: mode 0F, dst FF x8, dst EP, dst PAN
// FFFF, src EP, cluster LE, trans id, options 00, radius 0F, length LE 2, data.
inline std::string af_data_request_ext(std::uint16_t cluster, std::uint8_t trans_id, util::ByteView data) {
  util::ByteWriter w;
  w.u8(0x0F).fill(8, 0xFF).u8(0x14).u16le(0xFFFF).u8(0x14).u16le(cluster).u8(trans_id).u8(0x00).u8(0x0F);
  w.u16le(static_cast<std::uint16_t>(data.size())).bytes(data);
  return frame_hex(0x24, 0x02, w.data());
}

inline std::vector<unpi::Frame> frames_of(std::string_view read_hex) {
  unpi::Decoder d;
  d.feed(hex(read_hex));
  std::vector<unpi::Frame> out;
  while (auto f = d.next()) out.push_back(*f);
  return out;
}

// AF_INCOMING_MSG (44 81) data: GroupId(2) ClusterId(2) SrcAddr(2) SrcEP DstEP WasBroadcast
// LinkQuality SecurityUse TimeStamp(4) TransSeq DataLen | Data | MacSrcAddr(2) Radius
struct AfIncoming {
  std::uint16_t cluster = 0;
  std::uint16_t src_addr = 0;
  util::Bytes data;
};
inline constexpr std::size_t kAfIncomingHeader = 17;
inline constexpr std::size_t kAfIncomingDataLenAt = 16;

inline std::optional<AfIncoming> af_incoming(const unpi::Frame& f) {
  if (f.cmd0() != 0x44 || f.command != 0x81 || f.data.size() < kAfIncomingHeader) return std::nullopt;
  util::ByteReader r(f.data);
  r.skip(2);
  AfIncoming in;
  in.cluster = r.u16le();
  in.src_addr = r.u16le();
  const std::size_t len = f.data[kAfIncomingDataLenAt];
  if (f.data.size() < kAfIncomingHeader + len) return std::nullopt;
  const auto begin = f.data.begin() + static_cast<std::ptrdiff_t>(kAfIncomingHeader);
  in.data.assign(begin, begin + static_cast<std::ptrdiff_t>(len));
  return in;
}

// The first AF_INCOMING_MSG in a captured read.
inline AfIncoming incoming_in(std::string_view read_hex) {
  for (const auto& f : frames_of(read_hex)) {
    if (auto in = af_incoming(f)) return *in;
  }
  ADD_FAILURE() << "no AF_INCOMING_MSG in " << read_hex;
  return {};
}

// Protocol §6.1: a complete YC600 poll read (ESP-ECU test vector).
inline constexpr std::string_view kYc600PollRead =
    "FE0164010064FE034480001401D2FE0345C43A1000A8FE724481000006013A101414007100B57CFA00005E408000158215FBFB51B103"
    "D40F4117000074CF00000076706A73D06B0496000000000000000172072D88017862E8201F00030555073F03030301000001000000"
    "00000000000000000000000000000000000000000000000000000000FEFE3A100E76";

// QS1 poll read from the ESP-ECU test vectors (test.ino, "test qs1 johan"), FCS valid.
inline constexpr std::string_view kQs1PollRead =
    "FE0164010064FE034480001401D2FE72448100000601C0051414005E00905D5B00005E801000085070FBFB51B103EB0F419300CAF0"
    "69D9F068C7C068C1206804B868E0000006A80001BB38134D01CCE90E0A01FD1E052201D967D0641F00030554000000000000000000"
    "00000000000000000000000000000000002B2A0000FEFEC0050E55";

// Protocol §6.5: DS3 payload from npeter's trace (only the payload; its checksum 3896
// belongs to an earlier edit of the values and does not match them).
inline constexpr std::string_view kDs3Payload =
    "703000021300FBFB5CBBBB2000FC0001FFFF000000000000000006E506EE00E200EA036E13882D5F01480026FFFF052508430049F8C4"
    "0048C77C00FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF3896FEFE";

// DE parameter replies from the ESP32-ECU test vectors (FCS valid): 300 W YC600, 600 W DS3.
inline constexpr std::string_view kYc600ParametersRead =
    "FE6E4481000006013A101414006900C3B77000005A408000158215FBFB4DDE041105440FE5020F32B003CF05440FE5020F32B00666"
    "04CC0EA3A804D70214050C100FD80ED07A0F32B0056A054F019000641F3FE480068ACE8ACE000130103030190604001D21DB3B66"
    "00000000FEFE3A100E00";
inline constexpr std::string_view kDs3ParametersRead =
    "FE7D448100000601A2F61414008000CC73F7000069704000202594FBFB5CDDDE010426E20013BA14B413EC000A03200050000"
    "3DD03A403200003E80000000000640003DD03A503350304012C060D03FF045F0E93140E3204890258001374136F125C001403200"
    "7D023A6031401BF03D9FFFFFFFFFFFF23A6C8FF1C01FEFEA2F6734E";

}  // namespace apsecu::aps::test
