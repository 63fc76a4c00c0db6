#pragma once
// Person state waiting to be written to Attio (write-behind): the durable half of the
// Person side of the pair. The event pipeline adds each event's update here and acks once
// the add returns; the flusher later folds every pending update of a Person into one Attio
// write and settles them. A crash between the two loses nothing: the updates stay here
// until a write carrying them has landed.
//
//   add(person, update, priority, now)    one event's update (opaque text), durably
//   oldest(priority, limit)               Persons with pending updates of that priority,
//                                         the longest-waiting first
//   load(person)                          what a flush writes: the state written last (kept
//                                         for the window) and the pending updates, with the
//                                         position that settle() consumes up to
//   settle(person, upto, written)         the write carrying the updates up to `upto` landed:
//                                         they go, `written` replaces the written state; the
//                                         Person leaves the queues unless newer updates came;
//                                         false when a later flush already settled past it
//   pending_people(priority)              how many Persons wait (the metrics gauge)
//
// The state written last is kept because Attio may lose it (a creation race's assert, a
// rep's edit): the next flush writes it again from here, so the Person converges on the
// merge of every event of the window. Every call answers a store_error instead of throwing.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "state/store_error.hpp"

namespace las::state {

// rep: moves what reps act on (status, interest, paused, unsubscribed, bounced), flushed
// within PERSON_STATE_MAX_LAG_SECONDS when the budget allows; background: timestamps only,
// written with spare budget.
enum class pending_priority { rep, background };
std::string_view to_string(pending_priority p);

struct waiting_person {
    std::string record_id;
    std::chrono::system_clock::time_point since;  // its oldest pending update of that priority
};

struct pending_person {
    std::optional<std::string> written;  // the state the last landed write carried
    std::vector<std::string> updates;    // oldest first
    std::int64_t upto = 0;               // pass to settle(): consumes exactly these updates
};

class pending_state_store {
public:
    virtual ~pending_state_store() = default;

    virtual result<bool, store_error> add(std::string_view record_id, std::string_view update,
                                          pending_priority priority, std::chrono::system_clock::time_point now) = 0;
    virtual result<std::vector<waiting_person>, store_error> oldest(pending_priority priority, std::size_t limit) = 0;
    virtual result<pending_person, store_error> load(std::string_view record_id) = 0;
    virtual result<bool, store_error> settle(std::string_view record_id, std::int64_t upto, std::string_view written,
                                             std::chrono::system_clock::time_point now) = 0;
    virtual result<std::size_t, store_error> pending_people(pending_priority priority) = 0;
};

inline std::string_view to_string(pending_priority p) { return p == pending_priority::rep ? "rep" : "background"; }

}  // namespace las::state
