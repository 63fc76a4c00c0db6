// The Attio client and provisioning against the real attio-emulator (a child process).
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "attio/client.hpp"
#include "core/json.hpp"
#include "core/metrics.hpp"
#include "core/time.hpp"
#include "lemlist/event.hpp"
#include "lemlist/event_type.hpp"
#include "state/local_rate_gate.hpp"
#include "support/child_process.hpp"
#include "sync/match_cache.hpp"
#include "sync/person_matcher.hpp"
#include "sync/person_writer.hpp"
#include "test_support.hpp"
#include "tools/provision.hpp"

using namespace las;
using namespace std::chrono_literals;
using tools::provision_step;

namespace {

constexpr std::string_view api_key = "attio-sandbox-key";

// One emulator and a client on it. `writes_per_second` above Attio's 25 lets the emulator's
// own limit answer 429s.
struct attio_env {
    explicit attio_env(std::size_t writes_per_second = attio::default_writes_per_second)
        : writes("attio.writes", writes_per_second, 1s) {}

    test::emulator emulator{"attio-emulator"};
    asio::io_context ctx;
    http::client http{ctx.get_executor(), emulator.base_url()};
    state::local_rate_gate reads{"attio.reads", attio::default_reads_per_second, 1s};
    state::local_rate_gate writes;
    metrics::registry registry;
    outbound::call_metrics metrics{registry, "attio"};
    attio::client client{outbound::http_transport(http), {reads, writes}, {.api_key = std::string(api_key)}, &metrics};

    template <class T>
    T run(awaitable<T> task) {
        return test::run_in(ctx, std::move(task));
    }
    tools::provision_report provision(bool dry_run) {
        return run(tools::provision(client, {dry_run, tools::enrollment_list_spec{"lemlist_enrollments", "lemlist_campaign_id"}}));
    }
    std::string metric_line(std::string_view prefix) {
        const auto text = registry.render();
        const auto at = text.find(prefix);
        if (at == std::string::npos) return {};
        return text.substr(at, text.find('\n', at) - at);
    }
};

bool has_line(const std::vector<std::string>& lines, std::string_view needle) {
    return std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return l.find(needle) != std::string::npos; });
}

std::string describe(const tools::provision_report& r) {
    std::string out;
    for (const auto& l : r.lines(true)) out += l + "\n";
    return out;
}

}  // namespace

TEST_CASE("provision against the emulator: creates everything, a second run changes nothing") {
    attio_env env;
    const auto first = env.provision(false);
    INFO(describe(first));
    REQUIRE(first.exit_code() == 0);
    CHECK(first.count(provision_step::create_list) == 2);
    CHECK(first.count(provision_step::create_attribute) >= sync::person_attributes().size());
    CHECK(first.count(provision_step::create_option) > 0);

    const auto second = env.provision(false);
    INFO(describe(second));
    CHECK(second.exit_code() == 0);
    CHECK(second.changes() == 0);
    CHECK(has_line(second.lines(), "nothing to change: the workspace is already provisioned"));

    const auto problem = env.run(tools::check_provisioned(env.client, tools::enrollment_list_spec{"lemlist_enrollments", "lemlist_campaign_id"})).problem;
    CHECK_FALSE(problem.has_value());

    // What landed, read back through the API.
    auto attributes = env.run(env.client.list_attributes(attio::target::objects, "people"));
    REQUIRE(attributes.ok());
    const auto it = std::find_if(attributes->begin(), attributes->end(),
                                 [](const auto& a) { return a.api_slug == sync::person_attr::linkedin_url; });
    REQUIRE(it != attributes->end());
    CHECK(it->is_unique);
    CHECK(it->type == "text");
    auto options = env.run(env.client.list_options(attio::target::lists, "lemlist_events", "event_category"));
    REQUIRE(options.ok());
    CHECK(options->size() == lemlist::all_categories().size());

    // The enrollment list: the rep's campaign and options, and the answer written back.
    auto enrollment = env.run(env.client.list_attributes(attio::target::lists, "lemlist_enrollments"));
    REQUIRE(enrollment.ok());
    auto type_of = [&](std::string_view slug) {
        const auto a = std::find_if(enrollment->begin(), enrollment->end(), [&](const auto& x) { return x.api_slug == slug; });
        return a == enrollment->end() ? std::string("missing") : a->type;
    };
    CHECK(type_of("lemlist_campaign_id") == "text");
    CHECK(type_of("lemlist_find_email") == "checkbox");
    CHECK(type_of("lemlist_deduplicate") == "checkbox");
    CHECK(type_of("lemlist_icebreaker") == "text");
    CHECK(type_of("lemlist_enrollment_status") == "select");
    CHECK(type_of("lemlist_enrollment_reason") == "text");
    CHECK(type_of("lemlist_enrollment_campaign_id") == "text");
    auto statuses = env.run(env.client.list_options(attio::target::lists, "lemlist_enrollments", "lemlist_enrollment_status"));
    REQUIRE(statuses.ok());
    CHECK(statuses->size() == 4);
    const auto reason = std::find_if(attributes->begin(), attributes->end(),
                                     [](const auto& a) { return a.api_slug == sync::person_attr::enrollment_reason; });
    REQUIRE(reason != attributes->end());
    CHECK(reason->type == "text");
}

TEST_CASE("provision --dry-run against the emulator writes nothing") {
    attio_env env;
    const auto plan = env.provision(true);
    INFO(describe(plan));
    CHECK(plan.exit_code() == 0);
    CHECK(plan.changes() > 0);
    auto list = env.run(env.client.get_list("lemlist_events"));
    REQUIRE_FALSE(list.ok());
    CHECK(attio::is_not_found(list.error()));
    auto attributes = env.run(env.client.list_attributes(attio::target::objects, "people"));
    REQUIRE(attributes.ok());
    CHECK(std::none_of(attributes->begin(), attributes->end(), [](const auto& a) { return a.api_slug.starts_with("lemlist_"); }));
    const auto problem = env.run(tools::check_provisioned(env.client, std::nullopt)).problem;
    REQUIRE(problem.has_value());
    CHECK(problem->find("sync-worker provision") != std::string::npos);
}

TEST_CASE("provision against the emulator reports drift and leaves it alone") {
    attio_env env;
    attio::attribute_definition wrong{"lemlist_status", "Lemlist status", "", "text"};
    REQUIRE(env.run(env.client.create_attribute(attio::target::objects, "people", wrong)).ok());
    const auto report = env.provision(false);
    INFO(describe(report));
    CHECK(report.exit_code() == 1);
    CHECK(has_line(report.lines(), "DRIFT attribute people.lemlist_status: type is text, expected select"));
    auto attributes = env.run(env.client.list_attributes(attio::target::objects, "people"));
    REQUIRE(attributes.ok());
    const auto it = std::find_if(attributes->begin(), attributes->end(), [](const auto& a) { return a.api_slug == "lemlist_status"; });
    REQUIRE(it != attributes->end());
    CHECK(it->type == "text");
}

TEST_CASE("the Attio client against the emulator: records, uniqueness, entries, lookups") {
    attio_env env;
    REQUIRE(env.provision(false).exit_code() == 0);

    auto created = env.run(env.client.create_record(
        "people", R"({"email_addresses":["jane@example.com"],"lemlist_linkedin_url":"https://linkedin.com/in/jane","linkedin":"https://www.linkedin.com/in/Jane/"})"));
    REQUIRE(created.ok());
    const auto record_id = created->record_id;
    CHECK_FALSE(record_id.empty());

    auto by_email = env.run(env.client.find_people_by_email("jane@example.com"));
    REQUIRE(by_email.ok());
    REQUIRE(by_email->size() == 1);
    CHECK(by_email->at(0).record_id == record_id);
    auto by_key = env.run(env.client.find_people_by_linkedin_key("https://linkedin.com/in/jane"));
    REQUIRE(by_key.ok());
    REQUIRE(by_key->size() == 1);
    CHECK(by_key->at(0).record_id == record_id);
    auto by_standard = env.run(env.client.find_people_by_linkedin("https://www.linkedin.com/in/Jane/"));
    REQUIRE(by_standard.ok());
    CHECK(by_standard->size() == 1);
    auto nobody = env.run(env.client.find_people_by_email("nobody@example.com"));
    REQUIRE(nobody.ok());
    CHECK(nobody->empty());

    // The same email on another record: a uniqueness conflict, told apart from the rest.
    auto twin = env.run(env.client.create_record("people", R"({"email_addresses":["jane@example.com"]})"));
    REQUIRE_FALSE(twin.ok());
    CHECK(attio::is_uniqueness_conflict(twin.error()));
    CHECK(twin.error().kind == outbound::failure::permanent);

    // Assert on our unique attribute updates the same Person.
    auto asserted = env.run(env.client.assert_record("people", "lemlist_linkedin_url",
                                                     R"({"lemlist_linkedin_url":"https://linkedin.com/in/jane","lemlist_last_event_type":"emailsOpened"})"));
    REQUIRE(asserted.ok());
    CHECK(asserted->record_id == record_id);

    auto patched = env.run(env.client.patch_record("people", record_id, R"({"lemlist_paused":true,"lemlist_status":"hooked"})"));
    REQUIRE(patched.ok());
    auto fetched = env.run(env.client.get_record("people", record_id));
    REQUIRE(fetched.ok());
    REQUIRE(fetched->values.HasMember("lemlist_paused"));
    REQUIRE(fetched->values["lemlist_paused"].IsArray());
    REQUIRE(fetched->values["lemlist_paused"].Size() == 1);
    CHECK(fetched->values["lemlist_paused"][0]["value"].IsTrue());
    CHECK(fetched->values["lemlist_status"][0]["option"]["title"] == "hooked");
    CHECK(fetched->values["lemlist_last_event_type"][0]["value"] == "emailsOpened");

    auto missing = env.run(env.client.get_record("people", "00000000-0000-4000-8000-000000000000"));
    REQUIRE_FALSE(missing.ok());
    CHECK(attio::is_not_found(missing.error()));

    auto entry = env.run(env.client.create_entry("lemlist_events", "people", record_id,
                                                 R"({"activity_id":"act_1","event_type":"emailsOpened","event_category":"hooked","channel":"email","occurred_at":"2025-02-27T14:58:05.000Z","sequence_step":1})"));
    REQUIRE(entry.ok());
    CHECK(entry->parent_record_id == record_id);
    auto found = env.run(env.client.find_entries_by_activity_id("lemlist_events", "act_1"));
    REQUIRE(found.ok());
    REQUIRE(found->size() == 1);
    CHECK(found->at(0).entry_id == entry->entry_id);
    auto none = env.run(env.client.find_entries_by_activity_id("lemlist_events", "act_2"));
    REQUIRE(none.ok());
    CHECK(none->empty());

    auto again = env.run(env.client.create_list({"lemlist_events", "Lemlist events", "people", "full-access"}));
    REQUIRE_FALSE(again.ok());
    CHECK(attio::is_slug_conflict(again.error()));
}

TEST_CASE("60 writes past the emulator's 25 writes/s: every 429 honoured, no call lost") {
    attio_env env(1000);  // our gate lets everything through: the emulator has to say 429
    REQUIRE(env.provision(false).exit_code() == 0);
    auto person = env.run(env.client.create_record("people", R"({"email_addresses":["burst@example.com"]})"));
    REQUIRE(person.ok());
    const auto record_id = person->record_id;
    // Let the provisioning's writes leave the current one-second window.
    std::this_thread::sleep_for(1100ms);

    constexpr int total = 60;
    int ok = 0;
    std::vector<std::string> failures;
    for (int i = 0; i < total; ++i) {
        asio::co_spawn(
            env.ctx,
            [&, i]() -> awaitable<void> {
                std::string values = R"({"activity_id":"burst_)" + std::to_string(i) + R"("})";
                auto r = co_await env.client.create_entry("lemlist_events", "people", record_id, std::move(values));
                if (r) {
                    ++ok;
                } else {
                    failures.push_back(r.error().describe());
                }
            },
            asio::detached);
    }
    while (ok + static_cast<int>(failures.size()) < total) env.ctx.run_one();
    INFO((failures.empty() ? std::string() : failures.front()));
    CHECK(ok == total);
    const auto limited = env.metric_line(R"(attio_api_rate_limited_total{operation="create_entry"})");
    INFO(limited);
    REQUIRE_FALSE(limited.empty());  // the emulator did answer 429s
    CHECK(std::stoul(limited.substr(limited.rfind(' ') + 1)) > 0);

    // Count the burst entries through the activity_id lookups (one per activity: none lost, none doubled).
    int landed = 0;
    for (int i = 0; i < total; ++i) {
        auto found = env.run(env.client.find_entries_by_activity_id("lemlist_events", "burst_" + std::to_string(i)));
        REQUIRE(found.ok());
        CHECK(found->size() == 1);
        landed += static_cast<int>(found->size());
    }
    CHECK(landed == total);
}

namespace {

lemlist::lead_identity lead_of(std::string_view body) {
    auto ev = lemlist::parse_event(body);
    REQUIRE(ev.ok());
    return ev->lead;
}

}  // namespace

TEST_CASE("emails with capitals: matched, stored and compared lower-case - never appended twice") {
    attio_env env;
    REQUIRE(env.provision(false).exit_code() == 0);
    // Entered by hand in Attio with capitals, and sent by Lemlist with capitals.
    auto human = env.run(env.client.create_record("people", R"({"email_addresses":["Lead.3@Example.com"]})"));
    REQUIRE(human.ok());
    const auto lead = lead_of(R"({"type":"emailsOpened","_id":"act_c1","leadEmail":"Lead.3@Example.COM"})");
    sync::match_cache cache(100, 10min);
    sync::person_matcher matcher(env.client, cache, true);
    auto matched = env.run(matcher.match(lead));
    REQUIRE(matched.ok());
    CHECK(matched->record_id == human->record_id);
    CHECK_FALSE(matched->created);

    asio::thread_pool blocking(1);
    sync::person_writer writer(env.client, nullptr, blocking);
    auto update = [&](const char* at) {
        sync::person_update u;
        u.facts.type = "emailsOpened";
        u.facts.category = lemlist::event_category::hooked;
        u.facts.occurred_at = *parse_iso8601(at);
        u.email = lead.email;
        return u;
    };
    auto first = env.run(writer.write(matched->record_id, sync::pending_of(update("2025-11-18T10:00:00Z"))));
    REQUIRE(first.ok());
    CHECK(first->written);  // the state moved
    auto second = env.run(writer.write(matched->record_id, sync::pending_of(update("2025-11-18T10:00:00Z"))));
    REQUIRE(second.ok());
    CHECK_FALSE(second->written);  // nothing moved: no write, the email is already there

    auto person = env.run(env.client.get_record("people", matched->record_id));
    REQUIRE(person.ok());
    REQUIRE(person->values["email_addresses"].Size() == 1);
    CHECK(person->values["email_addresses"][0]["email_address"] == "lead.3@example.com");
    blocking.join();
}
