// abrplay/core/expected.h: a small value-or-error type, shared by every module.
//
// C++20 has no std::expected, and the library is built with C++20 so that Clang 14 and GCC 12 both
// compile it. This is the subset the project uses. Errors are values: no exception crosses a module
// boundary, a thread or a C callback.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

namespace abrplay {

// Wraps an error so that Expected<E, E> stays unambiguous: `return Unexpected{err};`.
template <typename E>
struct Unexpected {
  E error;
};
template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename T, typename E>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}            // NOLINT: implicit by design
  Expected(Unexpected<E> e) : v_(std::in_place_index<1>, std::move(e.error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const {
    assert(!has_value());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, E> v_;
};

}  // namespace abrplay
