// SPDX-License-Identifier: GPL-3.0-or-later
#include "sha256.hpp"

#include <array>

namespace apsecu::backup::detail {

Sha256::Sha256() {
  // Idempotent and thread-safe; needed once before any other libsodium call. It can only
  // fail to seed the random generator, which hashing does not use.
  [[maybe_unused]] const int rc = sodium_init();
  crypto_hash_sha256_init(&state_);
}

void Sha256::update(std::span<const std::uint8_t> bytes) {
  crypto_hash_sha256_update(&state_, bytes.data(), bytes.size());
}

void Sha256::update(std::string_view text) {
  update(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string Sha256::finish() {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state_, digest.data());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

std::string sha256_hex(std::string_view text) {
  Sha256 h;
  h.update(text);
  return h.finish();
}

}  // namespace apsecu::backup::detail
