// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SHA-256 over streamed bytes (libsodium's crypto_hash_sha256): every file in an archive is
// hashed while it is written and again while it is extracted, so a flipped bit anywhere is
// caught before the restored data is used.

#include <sodium.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "apsecu/util/result.hpp"

namespace apsecu::backup::detail {

class Sha256 {
 public:
  Sha256();
  void update(std::span<const std::uint8_t> bytes);
  void update(std::string_view text);
  // Lower-case hex; the object is spent afterwards.
  [[nodiscard]] std::string finish();

 private:
  crypto_hash_sha256_state state_{};
};

[[nodiscard]] std::string sha256_hex(std::string_view text);

}  // namespace apsecu::backup::detail
