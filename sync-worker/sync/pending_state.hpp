#pragma once
// What the flusher owes one Person: the join of the updates of its events not yet written
// (write-behind, state/pending_state_store.hpp). Like person_state itself, every part is a
// register that only moves forward in event time (mapped values keep the newest event's
// value, identities are sets), so absorbing is commutative, associative and idempotent:
// folding the same updates in any order, twice, or on top of the state written last, gives
// one answer. That is what lets a crash, a redelivery or two workers re-add an update freely.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sync/person_state.hpp"

namespace las::sync {

struct person_update;

struct mapped_at {
    event_time at;
    std::string value;  // the attribute's value as JSON text
    bool operator==(const mapped_at&) const = default;
};

struct pending_state {
    person_state state;                                  // merged from an empty state
    std::map<std::string, mapped_at, std::less<>> mappings;  // custom Person mappings by slug
    std::vector<std::string> emails;                     // to add when the Person lacks them
    std::optional<std::string> linkedin_url;             // normalised; set when the Person has none
    bool operator==(const pending_state&) const = default;
};

// One event's contribution.
pending_state pending_of(const person_update& update);

// `into` ⊔ `from`.
void absorb(pending_state& into, const pending_state& from);

// person_state ⊔ person_state, register by register (merge() is this with one event).
person_state join(person_state a, const person_state& b);

// Whether `after` differs from `before` in what a rep acts on: status, interest, paused,
// unsubscribed, bounced. Timestamps of ordinary activity are not.
bool moves_rep_state(const person_state& before, const person_state& after);

// Compact JSON for the pending store, and back (nullopt for text that is not ours).
std::string to_json(const pending_state& p);
std::optional<pending_state> pending_state_from_json(std::string_view text);

}  // namespace las::sync
