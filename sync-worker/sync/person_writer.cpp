#include "sync/person_writer.hpp"

#include <algorithm>
#include <map>

#include "core/async_sleep.hpp"
#include "core/backoff.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "sync/attio_schema.hpp"
#include "sync/offload.hpp"
#include "sync/person_values.hpp"

namespace las::sync {

namespace {

bool has_email(const rapidjson::Value& values, std::string_view email) {
    const auto* arr = json::find(values, "email_addresses");
    if (arr == nullptr || !arr->IsArray()) return false;
    for (const auto& v : arr->GetArray()) {
        const auto stored = json::get_string(v, "email_address");
        // Attio matches addresses case-insensitively: so must we, on both sides.
        if (stored && stored->size() == email.size() &&
            std::equal(stored->begin(), stored->end(), email.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
            return true;
    }
    return false;
}

bool has_value(const rapidjson::Value& values, std::string_view slug) {
    const auto* arr = json::find(values, slug);
    return arr != nullptr && arr->IsArray() && !arr->Empty();
}

// Appends the members of a JSON object text to `out` (an object being built, "{…").
void append_members(std::string& out, std::string_view object_json) {
    if (object_json.size() <= 2) return;
    out += out.size() > 1 ? "," : "";
    out.append(object_json.substr(1, object_json.size() - 2));
}

// Person mappings follow event time like the state: a value from an event older than the
// Person's latest event does not overwrite what a newer one mapped.
std::string mapping_members(const person_state& before, const pending_state& pending) {
    std::string out = "{";
    for (const auto& [slug, v] : pending.mappings) {
        if (before.last_event_at && v.at < *before.last_event_at) continue;
        out += out.size() > 1 ? "," : "";
        json::append_quoted(out, slug);
        out += ':';
        out += v.value;
    }
    return out + "}";
}

}  // namespace

person_writer::person_writer(attio::client& attio, state::lock_store* locks, asio::thread_pool& blocking,
                             person_writer_options options)
    : attio_(attio), locks_(locks), blocking_(blocking), options_(options) {}

std::string person_writer::patch_for(const rapidjson::Value& values, const std::vector<person_update>& updates,
                                     event_time now) {
    pending_state pending;
    for (const auto& u : updates) absorb(pending, pending_of(u));
    return patch_for(values, pending, now);
}

std::string person_writer::creation_state_values(const pending_state& pending, event_time now) {
    std::string out = person_patch_values(person_state{}, pending.state, now);
    if (out.empty()) out = "{}";
    out.pop_back();
    append_members(out, mapping_members(person_state{}, pending));
    return out + "}";
}

std::string person_writer::patch_for(const rapidjson::Value& values, const pending_state& pending, event_time now) {
    const auto before = person_state_from_values(values);
    const auto after = join(before, pending.state);
    std::string state_patch = person_patch_values(before, after, now);

    std::string extra = "{";
    append_members(extra, mapping_members(before, pending));
    std::vector<std::string> emails;
    for (const auto& e : pending.emails)
        if (!has_email(values, e)) emails.push_back(e);
    if (!emails.empty()) {
        // PATCH appends to the multiselect email_addresses.
        std::string list = "[";
        for (const auto& e : emails) list += (list.size() > 1 ? "," : "") + json::quoted(e);
        append_members(extra, "{\"email_addresses\":" + list + "]}");
    }
    const auto& linkedin = pending.linkedin_url;
    const bool adds_linkedin = linkedin && !has_value(values, person_attr::linkedin_url);
    if (adds_linkedin) {
        append_members(extra, "{" + json::quoted(person_attr::linkedin_url) + ":" + json::quoted(*linkedin) + "}");
        if (!has_value(values, "linkedin")) append_members(extra, "{\"linkedin\":" + json::quoted(*linkedin) + "}");
    }
    extra += '}';
    // Mapped values are written only alongside a state change or an identity addition: a
    // mapping that never changes must not cost a write.
    if (state_patch.empty() && emails.empty() && !adds_linkedin) return {};
    if (state_patch.empty()) return extra;
    std::string out = state_patch.substr(0, state_patch.size() - 1);
    append_members(out, extra);
    out += '}';
    return out;
}

awaitable<result<std::optional<std::string>, outbound::call_error>> person_writer::lock(const std::string& record_id) {
    using token = std::optional<std::string>;
    if (locks_ == nullptr) co_return token();
    const std::string name = "person:" + record_id;
    const auto deadline = std::chrono::steady_clock::now() + options_.lock_wait;
    const backoff_policy pauses{std::chrono::milliseconds(10), std::chrono::milliseconds(200)};
    for (unsigned attempt = 0;; ++attempt) {
        auto got = co_await offload(blocking_, [this, &name] { return locks_->try_lock(name, options_.lock_lease); });
        if (!got) co_return fail(outbound::call_error{outbound::failure::transient, 0, "state_store", got.error().message, {}});
        if (*got) co_return token(**got);
        if (std::chrono::steady_clock::now() >= deadline) {
            co_return fail(outbound::call_error{outbound::failure::transient, 0, "person_locked",
                                                "another worker held the Person's lock for too long", {}});
        }
        co_await async_sleep(backoff_delay(pauses, attempt, 1.0));
    }
}

awaitable<void> person_writer::unlock(const std::string& record_id, std::string token) {
    const std::string name = "person:" + record_id;
    auto done = co_await offload(blocking_, [this, &name, &token] { return locks_->unlock(name, token); });
    if (!done) log::warn("person.unlock_failed", {{"record_id", record_id}, {"error", done.error().message}});
}

awaitable<result<person_write_result, outbound::call_error>> person_writer::write(const std::string& record_id,
                                                                                  pending_state pending) {
    result<person_write_result, outbound::call_error> outcome = person_write_result{};
    auto person = co_await attio_.get_record(std::string(people_object), record_id);
    if (!person) {
        outcome = fail(person.error());
    } else {
        const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
        const auto after = join(person_state_from_values(person->values), pending.state);
        auto patch = patch_for(person->values, pending, now);
        if (patch.empty()) {
            outcome = person_write_result{false, after};
        } else {
            auto patched = co_await attio_.patch_record(std::string(people_object), record_id, patch);
            if (!patched && attio::is_uniqueness_conflict(patched.error())) {
                // An email or LinkedIn key we tried to add belongs to another Person: keep the
                // state, drop the identity additions.
                pending.emails.clear();
                pending.linkedin_url.reset();
                patch = patch_for(person->values, pending, now);
                if (!patch.empty()) patched = co_await attio_.patch_record(std::string(people_object), record_id, patch);
            }
            if (!patched) outcome = fail(patched.error());
            else outcome = person_write_result{true, after};
        }
    }
    co_return outcome;
}

}  // namespace las::sync
