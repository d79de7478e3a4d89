// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/aps/model.hpp"

#include <algorithm>

namespace apsecu::aps {
namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  return std::ranges::equal(a, b, [](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

const ModelInfo& info(Model m) noexcept {
  for (const auto& entry : kModels) {
    if (entry.model == m) return entry;
  }
  // Every enumerator has a row; a value cast from garbage still gets a defined answer.
  return kModels.front();
}

std::optional<Model> model_from_name(std::string_view name) noexcept {
  for (const auto& entry : kModels) {
    if (equal_ignoring_case(entry.name, name)) return entry.model;
  }
  return std::nullopt;
}

}  // namespace apsecu::aps
