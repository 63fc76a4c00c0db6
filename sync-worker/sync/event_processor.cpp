#include "sync/event_processor.hpp"

#include "core/async_sleep.hpp"
#include "core/backoff.hpp"
#include "core/log.hpp"
#include "sync/attio_schema.hpp"
#include "sync/entry_values.hpp"
#include "sync/offload.hpp"

namespace las::sync {
namespace {

constexpr std::string_view step_entry = "entry";
constexpr std::string_view step_person = "person";

processing_outcome make(processing_outcome::kind k, std::string reason = {}, std::string detail = {}) {
    processing_outcome o;
    o.what = k;
    o.reason = std::move(reason);
    o.detail = std::move(detail);
    return o;
}

}  // namespace

std::string_view to_string(processing_outcome::kind k) {
    switch (k) {
        case processing_outcome::kind::done: return "done";
        case processing_outcome::kind::duplicate: return "duplicate";
        case processing_outcome::kind::deferred: return "deferred";
        case processing_outcome::kind::retry: return "retry";
        case processing_outcome::kind::dead_letter: return "dead_letter";
        case processing_outcome::kind::filtered: return "filtered";
    }
    return "unknown";
}

processing_outcome outcome_of(const outbound::call_error& error) {
    using outbound::failure;
    switch (error.kind) {
        case failure::permanent: return make(processing_outcome::kind::dead_letter, "attio_rejected", error.describe());
        case failure::rate_limited: {
            auto o = make(processing_outcome::kind::retry, "rate_limited", error.describe());
            o.retry_after = error.retry_after;
            return o;
        }
        case failure::unknown_fate: return make(processing_outcome::kind::retry, "unknown_fate", error.describe());
        case failure::transient: break;
    }
    return make(processing_outcome::kind::retry, "transient", error.describe());
}

event_processor::event_processor(attio::client& attio, state::idempotency_store& store, person_matcher& matcher,
                                 person_flusher& flusher, write_demand& demand, asio::thread_pool& blocking,
                                 processor_settings settings)
    : attio_(attio), store_(store), matcher_(matcher), flusher_(flusher), demand_(demand), blocking_(blocking),
      settings_(std::move(settings)) {}

bool may_predate_store(std::string_view source, event_time occurred_at, event_time now, std::chrono::seconds ttl) {
    return source == source_reconcile || source == source_replay || now - occurred_at >= ttl;
}

awaitable<processing_outcome> event_processor::process(const lemlist::event& ev, event_time received_at,
                                                       std::string_view source) {
    if (!settings_.filter.wanted(ev.type)) co_return make(processing_outcome::kind::filtered, "category_disabled");
    // From its claim to its ack an event's entry is still to land: while any is, Person
    // flushes take only their share of the write budget.
    const auto demand = demand_.event_in_hand();
    const std::string& key = ev.idempotency_key;
    auto claim = co_await offload(blocking_, [&] { return store_.claim(key, settings_.lease); });
    if (!claim) co_return make(processing_outcome::kind::retry, "state_store_unavailable", claim.error().message);
    switch (claim->status) {
        case state::claim_status::already_done: co_return make(processing_outcome::kind::duplicate);
        case state::claim_status::held_elsewhere:
            co_return make(processing_outcome::kind::deferred, "held_elsewhere",
                           "lease held for another " + std::to_string(claim->lease_remaining.count()) + " ms");
        case state::claim_status::claimed: break;
    }
    auto outcome = co_await process_claimed(ev, received_at, claim.value(), source);
    if (outcome.what == processing_outcome::kind::done) {
        auto completed = co_await offload(blocking_, [&] { return store_.complete(key, claim->token); });
        if (!completed) {
            // Both writes landed and are recorded: the retry will find them and only complete.
            co_return make(processing_outcome::kind::retry, "state_store_unavailable", completed.error().message);
        }
        if (!*completed) co_return make(processing_outcome::kind::deferred, "lease_lost", "another worker took the event over");
    } else if (outcome.what != processing_outcome::kind::deferred) {
        // Drop the lease so the retry (or a replay from the DLQ) can claim at once; the
        // recorded steps stay.
        auto released = co_await offload(blocking_, [&] { return store_.release(key, claim->token); });
        if (!released) log::warn("idempotency.release_failed", {{"key", key}, {"error", released.error().message}});
    }
    co_return outcome;
}

awaitable<bool> event_processor::record(const std::string& key, const std::string& token, std::string_view step,
                                        std::string value) {
    auto recorded = co_await offload(blocking_, [&] { return store_.record_step(key, token, step, value); });
    if (!recorded) {
        // The write landed but could not be recorded: the next attempt finds the entry by
        // activity_id (claims > 1) and the Person merge is idempotent, so nothing doubles.
        log::warn("idempotency.record_failed", {{"key", key}, {"step", step}, {"error", recorded.error().message}});
        co_return true;
    }
    co_return *recorded;
}

awaitable<bool> event_processor::renew(const std::string& key, const std::string& token) {
    auto extended = co_await offload(blocking_, [&] { return store_.extend(key, token, settings_.lease); });
    if (!extended) {
        log::warn("idempotency.extend_failed", {{"key", key}, {"error", extended.error().message}});
        co_return true;  // the lease still runs; fencing catches a takeover at record time
    }
    co_return *extended;
}

awaitable<bool> event_processor::retry_in_place(const outbound::call_error& error, unsigned n) {
    using outbound::failure;
    // Rate limits were already waited out by the client; permanent errors will not change.
    if (n > settings_.quick_retries || (error.kind != failure::transient && error.kind != failure::unknown_fate))
        co_return false;
    const backoff_policy steps{settings_.quick_backoff, settings_.quick_backoff * 100, 3};
    co_await async_sleep(backoff_delay(steps, n - 1, 1.0));
    co_return true;
}

awaitable<result<std::string, outbound::call_error>> event_processor::write_entry(const lemlist::event& ev,
                                                                                  event_time occurred_at,
                                                                                  const std::string& record_id,
                                                                                  bool may_have_landed) {
    if (may_have_landed) {
        auto existing = co_await attio_.find_entries_by_activity_id(settings_.list, ev.idempotency_key);
        if (!existing) co_return fail(existing.error());
        if (!existing->empty()) co_return existing->front().entry_id;
    }
    auto created = co_await attio_.create_entry(settings_.list, std::string(people_object), record_id,
                                                entry_values_json(ev, occurred_at, settings_.mappings));
    if (!created) co_return fail(created.error());
    co_return created->entry_id;
}

awaitable<processing_outcome> event_processor::process_claimed(const lemlist::event& ev, event_time received_at,
                                                               const state::claim_result& claim,
                                                               std::string_view source) {
    const std::string& key = ev.idempotency_key;
    const auto occurred_at = event_time_of(ev, received_at);
    person_update update;
    update.facts = facts_of(ev, occurred_at);
    update.mapping_values = person_mapping_values(ev, settings_.mappings);
    update.email = ev.lead.email;
    update.linkedin_url = ev.lead.linkedin_url;
    const auto first_state = pending_of(update);
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    const std::string initial_values = person_writer::creation_state_values(first_state, now);

    auto matched = co_await matcher_.match(ev.lead, initial_values);
    for (unsigned n = 1; !matched; ++n) {
        if (const auto* u = std::get_if<unmatched>(&matched.error()))
            co_return make(processing_outcome::kind::dead_letter, u->reason, u->detail);
        const auto& error = std::get<outbound::call_error>(matched.error());
        if (!co_await retry_in_place(error, n)) co_return outcome_of(error);
        matched = co_await matcher_.match(ev.lead, initial_values);
    }
    const std::string& record_id = matched->record_id;
    processing_outcome done = make(processing_outcome::kind::done);
    done.person_created = matched->created;
    done.record_id = record_id;
    if (matched->created) flusher_.created(record_id, first_state.state);
    if (const auto it = claim.steps.find(std::string(step_entry)); it != claim.steps.end()) done.entry_id = it->second;

    if (!claim.steps.contains(std::string(step_entry))) {
        if (!co_await renew(key, claim.token))
            co_return make(processing_outcome::kind::deferred, "lease_lost", "another worker took the event over");
        // A second claim means an earlier attempt may have created the entry and died (or
        // lost the answer) before recording it: look before writing again. A first claim of
        // an old or re-sent event proves nothing either: the window that remembered it may
        // have passed.
        bool may_have_landed = claim.claims > 1 || may_predate_store(source, occurred_at, now, settings_.idempotency_ttl);
        auto entry = co_await write_entry(ev, occurred_at, record_id, may_have_landed);
        for (unsigned n = 1; !entry; ++n) {
            if (attio::is_not_found(entry.error())) matcher_.forget(record_id);
            if (!co_await retry_in_place(entry.error(), n)) co_return outcome_of(entry.error());
            may_have_landed = may_have_landed || entry.error().kind == outbound::failure::unknown_fate;
            entry = co_await write_entry(ev, occurred_at, record_id, may_have_landed);
        }
        if (!co_await record(key, claim.token, step_entry, *entry))
            co_return make(processing_outcome::kind::deferred, "lease_lost", "another worker took the event over");
        done.entry_id = *entry;
    }

    if (!claim.steps.contains(std::string(step_person))) {
        // Pending is as good as written for the ack: the update survives a crash, and the
        // flusher writes it with every other pending update of the Person.
        auto pending = co_await flusher_.add(record_id, update);
        if (!pending) co_return make(processing_outcome::kind::retry, "state_store_unavailable", pending.error().message);
        if (!co_await record(key, claim.token, step_person, record_id))
            co_return make(processing_outcome::kind::deferred, "lease_lost", "another worker took the event over");
    }
    co_return done;
}

}  // namespace las::sync
