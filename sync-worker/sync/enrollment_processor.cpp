#include "sync/enrollment_processor.hpp"

#include "core/json.hpp"
#include "core/log.hpp"
#include "sync/attio_schema.hpp"
#include "sync/enrollment_entry.hpp"
#include "sync/offload.hpp"

namespace las::sync {
namespace {

constexpr std::string_view step_lead = "lead";
constexpr std::string_view step_person = "person";
constexpr std::string_view step_entry = "entry";

record_outcome outcome(record_outcome::kind k, const std::string& record_id, std::string reason, std::string message) {
    record_outcome o;
    o.what = k;
    o.record_id = record_id;
    o.reason = std::move(reason);
    o.message = std::move(message);
    return o;
}

// A failed Attio call: retry what may pass later, dead-letter what will not.
record_outcome attio_failure(const outbound::call_error& e, const std::string& record_id, std::string_view doing) {
    auto message = "Attio " + std::string(doing) + ": " + e.describe();
    if (e.kind == outbound::failure::permanent) {
        auto o = outcome(record_outcome::kind::dead_letter, record_id,
                         attio::is_not_found(e) ? "person_not_found" : "attio_rejected", std::move(message));
        o.status = enrollment_status::failed;
        return o;
    }
    auto o = outcome(record_outcome::kind::retry, record_id, std::string(outbound::to_string(e.kind)), std::move(message));
    o.retry_after = e.retry_after;
    return o;
}

// The select's option title in Attio's output form.
std::optional<std::string> select_title(const rapidjson::Value& values, std::string_view slug) {
    if (!values.IsObject()) return std::nullopt;
    const auto* list = json::find(values, slug);
    if (!list || !list->IsArray() || list->Empty() || !(*list)[0].IsObject()) return std::nullopt;
    const auto* option = json::find((*list)[0], "option");
    if (!option || !option->IsObject()) return std::nullopt;
    if (auto t = json::get_nonempty_string(*option, "title")) return std::string(*t);
    return std::nullopt;
}

std::optional<std::string> text_value(const rapidjson::Value& values, std::string_view slug) {
    if (!values.IsObject()) return std::nullopt;
    const auto* list = json::find(values, slug);
    if (!list || !list->IsArray() || list->Empty() || !(*list)[0].IsObject()) return std::nullopt;
    if (auto t = json::get_nonempty_string((*list)[0], "value")) return std::string(*t);
    return std::nullopt;
}

}  // namespace

struct enrollment_processor::person_read {
    person_contact contact;
    std::optional<std::string> company_name;
};

std::string enrollment_key(std::string_view job_id, std::string_view record_id) {
    std::string key = "enroll:";
    key += job_id;
    key += ':';
    key += record_id;
    return key;
}

std::string entry_enrollment_key(std::string_view entry_id, std::string_view campaign_id) {
    std::string key = "enroll-entry:";
    key += entry_id;
    key += ':';
    key += campaign_id;
    return key;
}

std::string enrollment_key(const record_request& r) {
    if (r.entry) return entry_enrollment_key(r.entry->entry_id, r.campaign_id);
    return enrollment_key(r.job_id, r.record_id);
}

enrollment_processor::enrollment_processor(attio::client& attio, outbound::lemlist_client& lemlist,
                                           state::idempotency_store& store, asio::thread_pool& blocking,
                                           enrollment_processor_settings settings)
    : attio_(attio), lemlist_(lemlist), store_(store), blocking_(blocking), settings_(settings) {}

awaitable<record_outcome> enrollment_processor::process(record_request r) {
    auto result = co_await process_request(r);
    result.campaign_id = r.campaign_id;
    result.entry = r.entry;
    co_return result;
}

awaitable<record_outcome> enrollment_processor::process_request(const record_request& r) {
    const auto key = enrollment_key(r);
    auto claim = co_await offload(blocking_, [&] { return store_.claim(key, settings_.lease); });
    if (!claim)
        co_return outcome(record_outcome::kind::retry, r.record_id, "state_store_unavailable", claim.error().message);
    switch (claim->status) {
        case state::claim_status::already_done: co_return co_await already_done(r);
        case state::claim_status::held_elsewhere:
            co_return outcome(record_outcome::kind::deferred, r.record_id, "held_elsewhere",
                              "another worker holds this record for another " +
                                  std::to_string(claim->lease_remaining.count()) + " ms");
        case state::claim_status::claimed: break;
    }
    auto result = co_await process_claimed(r, claim.value());
    if (result.what == record_outcome::kind::done) {
        auto completed = co_await offload(blocking_, [&] { return store_.complete(key, claim->token); });
        if (!completed) {
            // Everything landed and is recorded: the retry finds the steps and only completes.
            co_return outcome(record_outcome::kind::retry, r.record_id, "state_store_unavailable",
                              completed.error().message);
        }
        if (!*completed)
            co_return outcome(record_outcome::kind::deferred, r.record_id, "lease_lost", "another worker took it over");
    } else if (result.what != record_outcome::kind::deferred) {
        // The steps stay recorded; the lease goes so a retry (or a DLQ replay) claims at once.
        auto released = co_await offload(blocking_, [&] { return store_.release(key, claim->token); });
        if (!released) log::warn("idempotency.release_failed", {{"key", key}, {"error", released.error().message}});
    }
    co_return result;
}

awaitable<bool> enrollment_processor::record(const std::string& key, const std::string& token, std::string_view step,
                                             std::string value) {
    auto recorded = co_await offload(blocking_, [&] { return store_.record_step(key, token, step, value); });
    if (!recorded) {
        // Landed but not recorded: a retry redoes the write-back (idempotent), and a second
        // create is answered "already in the campaign" (reported as duplicate).
        log::warn("idempotency.record_failed", {{"key", key}, {"step", step}, {"error", recorded.error().message}});
        co_return true;
    }
    co_return *recorded;
}

awaitable<result<enrollment_processor::person_read, record_outcome>> enrollment_processor::read_person(
    const std::string& record_id) {
    auto person = co_await attio_.get_record(std::string(people_object), record_id);
    if (!person) co_return fail(attio_failure(person.error(), record_id, "read Person"));
    person_read read;
    read.contact = contact_of(person->values);
    if (read.contact.company_record_id) {
        auto company = co_await attio_.get_record("companies", *read.contact.company_record_id);
        if (company) {
            read.company_name = company_name_of(company->values);
        } else if (is_retryable(company.error().kind)) {
            co_return fail(attio_failure(company.error(), record_id, "read Company"));
        } else {
            // A dangling or unreadable reference: enroll without the company name.
            log::warn("enrollment.company_unreadable",
                      {{"record_id", record_id}, {"error", company.error().describe()}});
        }
    }
    co_return read;
}

awaitable<record_outcome> enrollment_processor::process_claimed(const record_request& r,
                                                                const state::claim_result& claim) {
    const auto key = enrollment_key(r);
    std::optional<record_outcome> verdict;
    if (const auto it = claim.steps.find(std::string(step_lead)); it != claim.steps.end()) verdict = decode_verdict(it->second);

    if (!verdict) {
        auto person = co_await read_person(r.record_id);
        if (!person) co_return std::move(person.error());  // nothing to write the failure on, or retry
        const auto& p = person.value();
        if (auto why = unenrollable_reason(p.contact, p.company_name.has_value(), r.flags)) {
            record_outcome o;
            o.what = record_outcome::kind::done;
            o.status = enrollment_status::rejected;
            o.message = "not sent to Lemlist: " + *why;
            verdict = std::move(o);
        } else {
            auto lead = lead_of(p.contact, p.company_name, r.icebreaker, r.record_id);
            auto answer = co_await lemlist_.enroll_lead(r.campaign_id, std::move(lead), r.flags);
            verdict = lemlist_verdict(answer, claim.claims > 1);
        }
        verdict->record_id = r.record_id;
        if (verdict->what == record_outcome::kind::retry) co_return std::move(*verdict);
        if (verdict->what == record_outcome::kind::done) {
            // Named, not inside the condition: g++ 12 mishandles co_await in `&&` with temporaries.
            const bool kept = co_await record(key, claim.token, step_lead, encode_verdict(*verdict));
            if (!kept)
                co_return outcome(record_outcome::kind::deferred, r.record_id, "lease_lost", "another worker took it over");
        }
    }
    verdict->record_id = r.record_id;
    const enrollment_status status = verdict->status.value_or(enrollment_status::failed);

    // Attio refuses a write-back (the Person is gone, an attribute is not provisioned): keep
    // Lemlist's verdict in the report, and have an operator look.
    auto refused = [&](record_outcome failure) {
        verdict->what = record_outcome::kind::dead_letter;
        verdict->reason = failure.reason;
        verdict->message = verdict->message.empty() ? failure.message : verdict->message + "; " + failure.message;
        verdict->written_back = false;
        return std::move(*verdict);
    };
    if (!claim.steps.contains(std::string(step_person))) {
        auto written = co_await attio_.patch_record(
            std::string(people_object), r.record_id,
            writeback_values(status, verdict->lead_id, reason_text(*verdict, r.campaign_id)));
        if (!written) {
            auto failure = attio_failure(written.error(), r.record_id, "write the enrollment status");
            if (failure.what == record_outcome::kind::retry) co_return failure;
            co_return refused(std::move(failure));
        }
        if (verdict->what == record_outcome::kind::done) {
            const bool kept = co_await record(key, claim.token, step_person, std::string(to_string(status)));
            if (!kept)
                co_return outcome(record_outcome::kind::deferred, r.record_id, "lease_lost", "another worker took it over");
        }
    }
    if (r.entry && !claim.steps.contains(std::string(step_entry))) {
        auto refusal = co_await answer_entry(*r.entry, status, reason_text(*verdict), r.campaign_id);
        if (refusal) {
            auto failure = attio_failure(*refusal, r.record_id, "write the answer on entry " + r.entry->entry_id);
            if (failure.what == record_outcome::kind::retry) co_return failure;
            failure.reason = "attio_rejected";  // the entry exists (a gone entry is no refusal)
            co_return refused(std::move(failure));
        }
        if (verdict->what == record_outcome::kind::done) {
            const bool kept = co_await record(key, claim.token, step_entry, std::string(to_string(status)));
            if (!kept)
                co_return outcome(record_outcome::kind::deferred, r.record_id, "lease_lost", "another worker took it over");
        }
    }
    verdict->written_back = true;
    co_return std::move(*verdict);
}

awaitable<std::optional<outbound::call_error>> enrollment_processor::answer_entry(entry_ref entry,
                                                                                  enrollment_status status,
                                                                                  std::string reason,
                                                                                  std::string campaign_id) {
    auto written = co_await attio_.patch_entry(entry.list, entry.entry_id,
                                               entry_answer_values(status, reason, campaign_id));
    if (written) co_return std::nullopt;
    if (attio::is_not_found(written.error())) {
        // Removed from the list since: the Person holds the answer.
        log::info("enrollment.entry_gone", {{"entry_id", entry.entry_id}, {"list", entry.list}});
        co_return std::nullopt;
    }
    co_return std::move(written.error());
}

awaitable<record_outcome> enrollment_processor::already_done(const record_request& r) {
    // Completed by an earlier delivery of this job (or an earlier event of this entry, for
    // this campaign): report the answer written then, from the entry or the Person.
    record_outcome o;
    o.what = record_outcome::kind::done;
    o.record_id = r.record_id;
    o.written_back = true;
    o.message = r.entry ? "already enrolled from this entry into this campaign"
                        : "already processed by an earlier delivery of this job";
    if (r.entry) {
        auto entry = co_await attio_.get_entry(r.entry->list, r.entry->entry_id);
        if (entry) {
            const auto answer = answer_on(entry->values);
            if (answer.campaign == r.campaign_id) o.status = answer.status;
        }
    } else {
        auto person = co_await attio_.get_record(std::string(people_object), r.record_id);
        if (person) {
            for (auto s : {enrollment_status::enrolled, enrollment_status::duplicate, enrollment_status::rejected,
                           enrollment_status::failed}) {
                if (select_title(person->values, person_attr::enrollment_status) == to_string(s)) o.status = s;
            }
            if (o.status == enrollment_status::enrolled) o.lead_id = text_value(person->values, person_attr::lead_id);
        }
    }
    if (!o.status) o.status = enrollment_status::duplicate;
    co_return o;
}

awaitable<bool> enrollment_processor::mark_failed(record_outcome gave_up) {
    gave_up.status = enrollment_status::failed;
    auto written = co_await attio_.patch_record(
        std::string(people_object), gave_up.record_id,
        writeback_values(enrollment_status::failed, std::nullopt, reason_text(gave_up, gave_up.campaign_id)));
    bool landed = true;
    if (!written) {
        log::warn("enrollment.mark_failed_failed",
                  {{"record_id", gave_up.record_id}, {"error", written.error().describe()}});
        landed = false;
    }
    if (gave_up.entry) {
        auto refusal = co_await answer_entry(*gave_up.entry, enrollment_status::failed, reason_text(gave_up),
                                             gave_up.campaign_id);
        if (refusal) {
            log::warn("enrollment.mark_failed_failed",
                      {{"entry_id", gave_up.entry->entry_id}, {"error", refusal->describe()}});
            landed = false;
        }
    }
    co_return landed;
}

awaitable<lead_preview> enrollment_processor::preview(std::string record_id, outbound::enrollment_flags flags) {
    lead_preview p;
    p.record_id = record_id;
    auto person = co_await read_person(record_id);
    if (!person) {
        p.problem = person.error().message;
        co_return p;
    }
    p.readable = true;
    p.contact = person->contact;
    p.company_name = person->company_name;
    p.problem = unenrollable_reason(p.contact, p.company_name.has_value(), flags);
    co_return p;
}

}  // namespace las::sync
