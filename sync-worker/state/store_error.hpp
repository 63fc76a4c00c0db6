#pragma once
// The one error type of the worker's state layer (idempotency stores, named locks, the shared
// rate limiter). Every such error is transient for the pipeline: the store could not answer,
// so nothing was decided; retry the event later and do not ack it.

#include <string>
#include <string_view>

namespace las::state {

struct store_error {
    enum class kind {
        unreachable,  // no connection, I/O error, timeout (Redis down, network, disk)
        busy,         // the store is locked by someone else past the busy timeout (SQLite)
        failed,       // the store answered with an error or something unexpected (a bug or a full disk)
    };

    kind what = kind::failed;
    std::string message;

    std::string to_string() const {
        std::string_view name = what == kind::unreachable ? "unreachable" : what == kind::busy ? "busy" : "failed";
        return std::string(name) + ": " + message;
    }
};

}  // namespace las::state
