#pragma once
// What one Lemlist event writes to Attio: the `entry_values` of its `lemlist_events` entry,
// the event facts the Person's state merges, and the operator's custom mappings
// (CONFIG_FILE `[[mappings]]`) for the entry or the Person.

#include <span>
#include <string>

#include "core/settings.hpp"
#include "lemlist/event.hpp"
#include "sync/person_state.hpp"

namespace las::sync {

// The event time: `createdAt`, else when the gateway received it (enrichment bodies carry no
// time; the event cannot have happened later than its delivery).
event_time event_time_of(const lemlist::event& ev, event_time received_at);

// `entry_values` object (compact JSON) for the event's entry, with the entry mappings.
std::string entry_values_json(const lemlist::event& ev, event_time occurred_at,
                              std::span<const attribute_mapping> mappings);

// The facts person_state::merge needs.
event_facts facts_of(const lemlist::event& ev, event_time occurred_at);

// Person mappings present in this event, as a `values` object fragment (compact JSON,
// "{}" when none): written with the state patch.
std::string person_mapping_values(const lemlist::event& ev, std::span<const attribute_mapping> mappings);

}  // namespace las::sync
