#pragma once
// Idempotency for at-least-once delivery: a claim is a lease, not a flag.
//
// RabbitMQ may deliver one event twice, to two workers at once, or again after a worker died
// mid-event. Per event the pipeline does:
//
//   auto c = store.claim(key, lease);          // error → transient: retry later, don't ack
//   switch (c->status) {
//   case already_done:   ack; done.
//   case held_elsewhere: another worker holds it: retry after c->lease_remaining, don't ack.
//   case claimed:        for each step of the pair ("entry", "person") not in c->steps:
//                          write it to Attio, then record_step(key, c->token, step, id);
//                          a false answer means another worker took the event over: stop.
//                        complete(key, c->token); ack.
//                        On a failure: release(key, c->token), then retry/dead-letter.
//   }
//
// A worker that dies mid-event leaves a lease that expires; the redelivered event is claimed
// again (a new token, the steps kept) and skips the steps that already landed. Tokens fence:
// once a lease is taken over, the old token can no longer record, extend, complete or release.
//
// Every call answers a store_error instead of throwing when the store cannot be reached.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "state/store_error.hpp"

namespace las::state {

enum class claim_status {
    claimed,         // this caller holds the lease now (the key was new, released, or its lease expired)
    already_done,    // completed within the idempotency window: ack without doing anything
    held_elsewhere,  // another worker's lease is live: try again after lease_remaining
};

std::string_view to_string(claim_status s);

struct claim_result {
    claim_status status = claim_status::claimed;
    std::string token;                         // fencing token of this claim (only when claimed)
    std::map<std::string, std::string> steps;  // what earlier attempts recorded, e.g. {"entry": "<entry_id>"}
    std::chrono::milliseconds lease_remaining{0};  // when held_elsewhere
    unsigned claims = 0;                       // how many times the key was claimed so far (this one included)
};

class idempotency_store {
public:
    virtual ~idempotency_store() = default;

    // Takes the lease on `key` for `lease` when the key is new, was released, or its lease
    // expired (then with a new token, the recorded steps kept and claims + 1). A key past its
    // TTL is new again (claims 1, no steps). `lease` must be positive (else invalid_argument: a bug).
    virtual result<claim_result, store_error> claim(std::string_view key, std::chrono::milliseconds lease) = 0;

    // Records that `step` of the event landed (value: e.g. the Attio id written). False when
    // `token` no longer holds the key (taken over, completed or released): the caller must stop.
    virtual result<bool, store_error> record_step(std::string_view key, std::string_view token, std::string_view step,
                                                  std::string_view value) = 0;

    // Heartbeat for a long event: the lease runs `lease` from now. False as for record_step.
    virtual result<bool, store_error> extend(std::string_view key, std::string_view token,
                                             std::chrono::milliseconds lease) = 0;

    // Marks the key done for the idempotency TTL (the steps are dropped). True also when the
    // same token already completed it (a retried call whose first answer was lost).
    virtual result<bool, store_error> complete(std::string_view key, std::string_view token) = 0;

    // Drops the lease so the next delivery can claim at once; the steps are KEPT so that attempt
    // skips what already landed. False when the token no longer holds the key.
    virtual result<bool, store_error> release(std::string_view key, std::string_view token) = 0;

    // Readiness: the store answers (and, for Redis, its scripts are loaded).
    virtual result<bool, store_error> check() = 0;
};

// Named locks with leases: two workers must not create two Attio People for the same
// LinkedIn-only lead, so creation runs under try_lock("person:<normalised url>").
// The lease bounds how long a dead holder blocks the name.
class lock_store {
public:
    virtual ~lock_store() = default;

    // The lock's token when it was free (or its lease expired); nullopt when someone holds it.
    virtual result<std::optional<std::string>, store_error> try_lock(std::string_view name,
                                                                     std::chrono::milliseconds lease) = 0;

    // Frees the lock when `token` still holds it; false when it had expired and been taken.
    virtual result<bool, store_error> unlock(std::string_view name, std::string_view token) = 0;
};

inline std::string_view to_string(claim_status s) {
    switch (s) {
    case claim_status::claimed: return "claimed";
    case claim_status::already_done: return "already_done";
    case claim_status::held_elsewhere: return "held_elsewhere";
    }
    return "unknown";
}

}  // namespace las::state
