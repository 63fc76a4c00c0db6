#pragma once
// A small result type for expected outcomes (a validation failure, a 429, a duplicate):
// either a value or an error, never both. Exceptions stay for start-up failures and bugs.

#include <cassert>
#include <utility>
#include <variant>

namespace las {

template <class E>
struct error_value {
    E error;
};

// Wraps an error so `return fail(x);` converts into any result<T, E>.
template <class E>
error_value<std::decay_t<E>> fail(E&& e) {
    return {std::forward<E>(e)};
}

template <class T, class E>
class result {
public:
    result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    template <class F>
    result(error_value<F> e) : state_(std::in_place_index<1>, E(std::move(e.error))) {}

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(state_); }
    const T& value() const& { assert(ok()); return std::get<0>(state_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    E& error() & { assert(!ok()); return std::get<1>(state_); }
    const E& error() const& { assert(!ok()); return std::get<1>(state_); }

private:
    std::variant<T, E> state_;
};

}  // namespace las
