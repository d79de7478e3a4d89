// SPDX-License-Identifier: GPL-3.0-or-later
// Frame decoder throughput on a realistic byte stream (poll reads with route reports and
// line noise), side by side with the approach of the seed's hosts: turn the read into hex
// text and search it for known substrings ("FE01640100", "4481", ...).

#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "apsecu/unpi/decoder.hpp"
#include "apsecu/util/hex.hpp"

namespace {
using namespace apsecu;

constexpr const char* kPollRead =
    "FE0164010064FE034480001401D2FE0345C43A1000A8FE724481000006013A101414007100B57CFA00005E408000158215FBFB51B103"
    "D40F4117000074CF00000076706A73D06B0496000000000000000172072D88017862E8201F00030555073F03030301000001000000"
    "00000000000000000000000000000000000000000000000000000000FEFE3A100E76";

util::Bytes make_stream(std::size_t reads) {
  const auto read = *util::from_hex(kPollRead);
  std::mt19937 rng(7);
  util::Bytes out;
  for (std::size_t i = 0; i < reads; ++i) {
    out.insert(out.end(), read.begin(), read.end());
    if (i % 4 == 0) {
      for (int n = 0; n < 6; ++n) out.push_back(static_cast<std::uint8_t>(rng() % 0xFE));  // noise
    }
  }
  return out;
}

void BM_UnpiDecoder(benchmark::State& state) {
  const auto stream = make_stream(1000);
  const auto chunk = static_cast<std::size_t>(state.range(0));
  std::size_t frames = 0;
  for (auto _ : state) {
    unpi::Decoder d;
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
      d.feed(util::ByteView(stream).subspan(pos, std::min(chunk, stream.size() - pos)));
      while (auto f = d.next()) {
        benchmark::DoNotOptimize(f->data.data());
        ++frames;
      }
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
  state.counters["frames"] = benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_UnpiDecoder)->Arg(16)->Arg(256)->Arg(4096);

// The seed's method: hex text per read, substring checks, split at "44810000". It does not
// validate FCS and cannot resynchronise, so it does less work than the decoder.
void BM_SeedHexSearch(benchmark::State& state) {
  const auto read = *util::from_hex(kPollRead);
  const std::size_t reads = 1000;
  for (auto _ : state) {
    std::size_t found = 0;
    for (std::size_t i = 0; i < reads; ++i) {
      const std::string text = util::to_hex(read);
      if (text.find("FE01640100") != std::string::npos && text.find("FE03448000") != std::string::npos &&
          text.size() >= 223) {
        const auto at = text.find("44810000");
        if (at != std::string::npos) found += text.substr(at + 30).size();
      }
    }
    benchmark::DoNotOptimize(found);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(reads * read.size()));
}
BENCHMARK(BM_SeedHexSearch);

}  // namespace

BENCHMARK_MAIN();
