// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "apsecu/util/bytes.hpp"

namespace apsecu::util {

// Upper-case hex without separators, the way captures are written ("FE0164010064").
[[nodiscard]] std::string to_hex(ByteView data);

// Accepts upper/lower case, ignores whitespace, ':' and '-' separators and a leading "0x".
// nullopt for an odd number of digits or any other character.
[[nodiscard]] std::optional<Bytes> from_hex(std::string_view text);

}  // namespace apsecu::util
