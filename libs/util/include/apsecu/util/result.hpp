// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Result<T>: a value or an Error. Expected failures (timeouts, bad status, malformed
// bytes) travel as values; exceptions are kept for start-up and programmer errors.

#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace apsecu::util {

struct Error {
  std::error_code code;
  std::string message;  // for a person: names what was attempted and what went wrong

  [[nodiscard]] std::string describe() const {
    return message.empty() ? code.message() : message;
  }
};

template <class Enum>
  requires std::is_error_code_enum_v<Enum>
[[nodiscard]] Error make_error(Enum e, std::string message) {
  return Error{make_error_code(e), std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  [[nodiscard]] const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace apsecu::util
