#pragma once
// What became of one event, for the operator at 3 a.m. (`sync-worker trace ACTIVITY_ID`): the
// event pipeline appends one line (compact JSON) per settled delivery of a key — when, from
// where, which attempt, the outcome, the error, the Person and the entry — and the log keeps
// them as long as the idempotency window remembers the key, at most `max_trace_lines`.
//
// Best effort by design: a trace that cannot be written is logged and the event goes on.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "state/store_error.hpp"

namespace las::state {

inline constexpr std::size_t max_trace_lines = 50;

class trace_log {
public:
    virtual ~trace_log() = default;
    virtual result<bool, store_error> append(std::string_view key, std::string_view line) = 0;
    // Oldest first; empty when the key is unknown or past the window.
    virtual result<std::vector<std::string>, store_error> lines(std::string_view key) = 0;
};

}  // namespace las::state
