#pragma once
// The cumulative Lemlist state of one Attio Person, and how an event moves it.
//
// Events arrive late, out of order and twice, so every attribute is a register that only
// moves forward in event time: each is the maximum, over the events seen, of a total order
// (event time first, then the values themselves to break ties). Merging is therefore
// commutative, associative and idempotent: any delivery order, with any duplicates, ends
// in the same state. A `resumed` at 10:00 delivered after a `paused` at 10:05 leaves the
// Person paused.

#include <chrono>
#include <optional>
#include <string>

#include "lemlist/event_type.hpp"

namespace las::sync {

using event_time = std::chrono::sys_time<std::chrono::milliseconds>;

struct person_state {
    std::optional<std::string> status;  // furthest lead-state group: contacted < hooked < attracted < warmed
    std::optional<std::string> interest;  // interested | not_interested, the latest by event time
    std::optional<event_time> interest_at;
    std::optional<event_time> last_paused_at;
    std::optional<event_time> last_resumed_at;
    std::optional<event_time> unsubscribed_at;  // the latest unsubscription
    std::optional<event_time> bounced_at;       // the latest bounce
    std::optional<event_time> last_event_at;
    std::optional<std::string> last_event_type;
    std::optional<event_time> last_campaign_at;  // time of the latest event that named a campaign or lead
    std::optional<std::string> last_campaign;    // its campaign name (or id when unnamed)
    std::optional<std::string> lead_id;          // its Lemlist lead id

    // Paused when the latest pause is not older than the latest resume (a tie stays paused:
    // the safe reading for a sales team).
    bool paused() const;
    bool operator==(const person_state&) const = default;
};

// What of an event the state depends on.
struct event_facts {
    std::string type;
    lemlist::event_category category = lemlist::event_category::other;
    event_time occurred_at;
    std::optional<std::string> lead_id;
    std::optional<std::string> campaign;  // name, else id
};

person_state merge(person_state state, const event_facts& event);

// Where a status stands in the lead-state order (contacted < hooked < attracted < warmed);
// -1 for none or a value we do not know.
int status_rank(const std::optional<std::string>& status);

}  // namespace las::sync
