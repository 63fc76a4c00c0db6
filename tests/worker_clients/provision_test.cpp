// Provisioning: the pure comparison, then whole runs against an in-memory Attio (the
// emulator runs are in provision_it.cpp).
#include <catch2/catch.hpp>

#include <algorithm>

#include "attio/client.hpp"
#include "fake_attio.hpp"
#include "lemlist/event_type.hpp"
#include "tools/provision.hpp"

using namespace las;
using tools::provision_step;

namespace {

struct fixture {
    test::fake_attio attio_state;
    test::recording_gate reads, writes;
    attio::client client{attio_state.transport(), {reads, writes}, {.api_key = "k"}};

    tools::provision_report run(bool dry_run, std::optional<tools::enrollment_list_spec> enrollment = std::nullopt) {
        return test::run_sync(tools::provision(client, {dry_run, std::move(enrollment)}));
    }
};

bool has_line(const std::vector<std::string>& lines, std::string_view needle) {
    return std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return l.find(needle) != std::string::npos; });
}

const sync::attribute_spec& person_spec(std::string_view slug) {
    const auto& specs = sync::person_attributes();
    return *std::find_if(specs.begin(), specs.end(), [&](const auto& s) { return s.slug == slug; });
}

}  // namespace

TEST_CASE("check_attribute: missing, matching, and every kind of drift") {
    const auto& linkedin = person_spec(sync::person_attr::linkedin_url);
    REQUIRE(linkedin.unique);
    CHECK(tools::check_attribute(linkedin, nullptr).status == tools::attribute_check::state::missing);

    attio::attribute_info have;
    have.api_slug = linkedin.slug;
    have.type = "text";
    have.is_unique = true;
    CHECK(tools::check_attribute(linkedin, &have).status == tools::attribute_check::state::matches);

    have.is_unique = false;
    auto c = tools::check_attribute(linkedin, &have);
    CHECK(c.status == tools::attribute_check::state::drift);
    CHECK(c.detail.find("not unique, expected unique") != std::string::npos);

    have.is_unique = true;
    have.type = "number";
    c = tools::check_attribute(linkedin, &have);
    CHECK(c.status == tools::attribute_check::state::drift);
    CHECK(c.detail.find("type is number, expected text") != std::string::npos);

    have.type = "text";
    have.is_archived = true;
    CHECK(tools::check_attribute(linkedin, &have).status == tools::attribute_check::state::drift);
}

TEST_CASE("check_options: missing and archived titles") {
    const auto& status = person_spec(sync::person_attr::status);
    std::vector<attio::select_option> have{{"1", "contacted", false}, {"2", "hooked", true}, {"3", "extra", false}};
    const auto c = tools::check_options(status, have);
    CHECK(c.missing == std::vector<std::string>{"attracted", "warmed"});
    CHECK(c.archived == std::vector<std::string>{"hooked"});
}

TEST_CASE("the desired schema is the table of sync/attio_schema plus the enrollment list") {
    const auto s = tools::desired_schema(tools::enrollment_list_spec{"lemlist_enrollments", "lemlist_campaign_id"});
    REQUIRE(s.lists.size() == 2);
    CHECK(s.lists[0].slug == "lemlist_events");
    CHECK(s.lists[0].name == "Lemlist events");
    CHECK(s.lists[0].parent_object == "people");
    CHECK(s.lists[0].attributes.size() == sync::entry_attributes().size());
    CHECK(s.lists[1].slug == "lemlist_enrollments");
    CHECK(s.lists[1].name == "Lemlist enrollments");
    REQUIRE(s.lists[1].attributes.size() == sync::enrollment_entry_attributes("lemlist_campaign_id").size());
    CHECK(s.lists[1].attributes[0].slug == "lemlist_campaign_id");
    CHECK(s.lists[1].attributes[0].type == sync::attribute_type::text);
    // What the rep fills in per entry, and the answer written back on it.
    auto enrollment_spec = [&](std::string_view slug) {
        const auto& a = s.lists[1].attributes;
        const auto it = std::find_if(a.begin(), a.end(), [&](const auto& x) { return x.slug == slug; });
        REQUIRE(it != a.end());
        return *it;
    };
    CHECK(enrollment_spec("lemlist_find_email").type == sync::attribute_type::checkbox);
    CHECK(enrollment_spec("lemlist_deduplicate").type == sync::attribute_type::checkbox);
    CHECK(enrollment_spec("lemlist_icebreaker").type == sync::attribute_type::text);
    CHECK(enrollment_spec("lemlist_enrollment_status").options ==
          std::vector<std::string>{"enrolled", "duplicate", "rejected", "failed"});
    CHECK(enrollment_spec("lemlist_enrollment_reason").type == sync::attribute_type::text);
    CHECK(enrollment_spec("lemlist_enrollment_campaign_id").type == sync::attribute_type::text);
    CHECK(person_spec(sync::person_attr::enrollment_reason).type == sync::attribute_type::text);
    CHECK(s.person_attributes.size() == sync::person_attributes().size());
    CHECK(tools::desired_schema(std::nullopt).lists.size() == 1);

    file_settings settings;
    settings.enrollment_list.clear();
    CHECK_FALSE(tools::enrollment_list_from(settings).has_value());
}

TEST_CASE("provision creates everything once - the second run changes nothing and says so") {
    fixture f;
    const tools::enrollment_list_spec enrollment{"lemlist_enrollments", "lemlist_campaign_id"};

    const auto first = f.run(false, enrollment);
    INFO(first.lines(true).back());
    CHECK(first.exit_code() == 0);
    CHECK(first.count(provision_step::create_list) == 2);
    CHECK(first.count(provision_step::create_attribute) ==
          sync::entry_attributes().size() + sync::enrollment_entry_attributes("lemlist_campaign_id").size() +
              sync::person_attributes().size());
    CHECK(first.count(provision_step::create_option) > 0);
    CHECK(f.attio_state.has_list("lemlist_events"));
    CHECK(f.attio_state.has_list("lemlist_enrollments"));
    const auto* unique = f.attio_state.find_attribute("people", "lemlist_linkedin_url");
    REQUIRE(unique);
    CHECK(unique->unique);
    CHECK(unique->type == "text");
    const auto channel_options = f.attio_state.options_of("lemlist_events.channel");
    CHECK(channel_options.size() == lemlist::all_channels().size());
    CHECK(f.attio_state.find_attribute("lemlist_enrollments", "lemlist_campaign_id"));
    CHECK(f.attio_state.find_attribute("lemlist_enrollments", "lemlist_enrollment_reason"));
    CHECK(f.attio_state.options_of("lemlist_enrollments.lemlist_enrollment_status").size() == 4);

    const auto writes_before = f.attio_state.writes;
    const auto second = f.run(false, enrollment);
    CHECK(second.exit_code() == 0);
    CHECK(second.changes() == 0);
    CHECK(f.attio_state.writes == writes_before);
    CHECK(has_line(second.lines(), "nothing to change: the workspace is already provisioned"));

    CHECK_FALSE(test::run_sync(tools::check_provisioned(f.client, enrollment)).problem.has_value());
}

TEST_CASE("a dry run plans without writing") {
    fixture f;
    const auto plan = f.run(true);
    CHECK(f.attio_state.writes == 0);
    CHECK(plan.exit_code() == 0);
    CHECK(plan.count(provision_step::create_list) == 1);
    CHECK(plan.count(provision_step::create_attribute) == sync::entry_attributes().size() + sync::person_attributes().size());
    const auto lines = plan.lines();
    CHECK(has_line(lines, "would create list lemlist_events"));
    CHECK(has_line(lines, "would create option lemlist_events.channel = email"));
    CHECK(has_line(lines, "dry run: "));
    CHECK_FALSE(f.attio_state.has_list("lemlist_events"));

    const auto problem = test::run_sync(tools::check_provisioned(f.client, std::nullopt)).problem;
    REQUIRE(problem.has_value());
    CHECK(problem->find("run `sync-worker provision`") != std::string::npos);
}

TEST_CASE("drift is reported, not fixed, and makes the exit code non-zero") {
    fixture f;
    f.attio_state.add_attribute("people", {"lemlist_status", "text", false, false});        // should be a select
    f.attio_state.add_attribute("people", {"lemlist_linkedin_url", "text", false, false});  // should be unique

    const auto report = f.run(false);
    CHECK(report.exit_code() == 1);
    CHECK(report.count(provision_step::drift) == 2);
    const auto lines = report.lines();
    CHECK(has_line(lines, "DRIFT attribute people.lemlist_status: type is text, expected select"));
    CHECK(has_line(lines, "DRIFT attribute people.lemlist_linkedin_url: not unique, expected unique"));
    // Left as it was: no options were added to the drifted attribute.
    CHECK(f.attio_state.find_attribute("people", "lemlist_status")->type == "text");
    CHECK(f.attio_state.options_of("people.lemlist_status").empty());
    // The rest was provisioned.
    CHECK(f.attio_state.find_attribute("people", "lemlist_paused"));

    const auto problem = test::run_sync(tools::check_provisioned(f.client, std::nullopt)).problem;
    REQUIRE(problem.has_value());
    CHECK(problem->find("differs") != std::string::npos);
}

TEST_CASE("a list with another parent is drift - an archived option is drift") {
    fixture f;
    f.attio_state.add_list("lemlist_events", "companies");
    f.attio_state.add_attribute("people", {"lemlist_interest", "select", false, false});
    f.attio_state.add_option("people.lemlist_interest", {"interested", true});
    const auto report = f.run(false);
    CHECK(report.exit_code() == 1);
    const auto lines = report.lines();
    CHECK(has_line(lines, "DRIFT list lemlist_events: parent object is companies, expected people"));
    CHECK(has_line(lines, "DRIFT option people.lemlist_interest = interested"));
    CHECK(has_line(lines, "created option people.lemlist_interest = not_interested"));
}

TEST_CASE("an API error stops the run with exit code 2 and says why") {
    fixture f;
    f.attio_state.force_status = 401;
    const auto report = f.run(false);
    CHECK(report.exit_code() == 2);
    CHECK(report.changes() == 0);
    CHECK(has_line(report.lines(), "ERROR list lemlist_events: permanent (401 unauthorized)"));
    const auto problem = test::run_sync(tools::check_provisioned(f.client, std::nullopt)).problem;
    REQUIRE(problem.has_value());
    CHECK(problem->find("cannot check") != std::string::npos);
}

TEST_CASE("transient Attio failures are waited out - lost answers to creates included - and each wait is said") {
    fixture f;
    f.attio_state.fail_every = 3;  // a third of all calls answer 503
    f.attio_state.fail_after_acting = GENERATE(false, true);
    const tools::enrollment_list_spec enrollment{"lemlist_enrollments", "lemlist_campaign_id"};
    std::vector<std::string> waits;
    tools::provision_options options;
    options.enrollment = enrollment;
    options.retry_backoff = {std::chrono::milliseconds(1), std::chrono::milliseconds(4)};
    options.on_wait = [&](const std::string& line) { waits.push_back(line); };

    const auto report = test::run_sync(tools::provision(f.client, options));
    INFO(report.lines(true).back());
    CHECK(report.exit_code() == 0);
    CHECK(f.attio_state.failures > 10);
    CHECK(waits.size() == f.attio_state.failures);
    REQUIRE_FALSE(waits.empty());
    CHECK(waits.front().starts_with("waiting 0.0 s before retrying "));
    CHECK(waits.front().find("503") != std::string::npos);
    CHECK(waits.front().find("giving up in") != std::string::npos);

    // Everything landed once: a clean run afterwards has nothing to do.
    f.attio_state.fail_every = 0;
    const auto again = f.run(false, enrollment);
    CHECK(again.changes() == 0);
    CHECK(again.exit_code() == 0);
}

TEST_CASE("an Attio that stays down ends the run once the retry budget is spent") {
    fixture f;
    f.attio_state.fail_every = 1;
    tools::provision_options options;
    options.retry_backoff = {std::chrono::milliseconds(20), std::chrono::milliseconds(20)};
    options.retry_budget = std::chrono::milliseconds(100);
    std::size_t waits = 0;
    options.on_wait = [&](const std::string&) { ++waits; };
    const auto started = std::chrono::steady_clock::now();
    const auto report = test::run_sync(tools::provision(f.client, options));
    CHECK(report.exit_code() == 2);
    CHECK(has_line(report.lines(), "the retry budget is spent"));
    CHECK(waits >= 3);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("mappings: each target must exist with a type that can hold the value - resolved for the worker") {
    fixture f;
    REQUIRE(f.run(false).exit_code() == 0);
    f.attio_state.add_attribute("people", {"lemlist_tier", "number"});
    f.attio_state.add_attribute("people", {"lemlist_plan", "select"});
    f.attio_state.add_option("people.lemlist_plan", {"Gold"});
    f.attio_state.add_option("people.lemlist_plan", {"Old", true});
    f.attio_state.add_attribute("people", {"account", "record-reference"});
    f.attio_state.add_attribute("lemlist_events", {"lemlist_gender", "text"});
    using on = attribute_mapping::target;
    const std::vector<attribute_mapping> good{{"tier", "lemlist_tier", on::person},
                                              {"plan", "lemlist_plan", on::person},
                                              {"Gender", "lemlist_gender", on::entry}};

    auto check = test::run_sync(tools::check_provisioned(f.client, std::nullopt, good));
    INFO(check.problem.value_or(""));
    CHECK_FALSE(check.problem);
    REQUIRE(check.mappings.size() == 3);
    CHECK(check.mappings[0].attio_type == "number");
    CHECK(check.mappings[1].attio_type == "select");
    CHECK(check.mappings[1].option_titles == std::vector<std::string>{"Gold"});  // archived options left out
    CHECK(check.mappings[2].attio_type == "text");

    SECTION("a wrong slug stops start-up with one line naming it") {
        auto bad = good;
        bad.push_back({"tier", "lemlist_teir", on::person});
        const auto c = test::run_sync(tools::check_provisioned(f.client, std::nullopt, bad));
        REQUIRE(c.problem);
        CHECK(c.problem->starts_with("CONFIG_FILE mappings[3] (tier -> people.lemlist_teir)"));
        CHECK(c.problem->find("no attribute `lemlist_teir`") != std::string::npos);
        tools::provision_options options;
        options.mappings = bad;
        const auto report = test::run_sync(tools::provision(f.client, options));
        CHECK(report.exit_code() == 2);
        CHECK(has_line(report.lines(), "ERROR CONFIG_FILE mappings[3]"));
    }
    SECTION("a type that cannot hold a Lemlist value") {
        const auto c = test::run_sync(tools::check_provisioned(f.client, std::nullopt, {{"acct", "account", on::person}}));
        REQUIRE(c.problem);
        CHECK(c.problem->find("is of type record-reference") != std::string::npos);
    }
    SECTION("one of the product's own attributes") {
        const auto c = test::run_sync(tools::check_provisioned(f.client, std::nullopt, {{"x", "lemlist_status", on::person}}));
        REQUIRE(c.problem);
        CHECK(c.problem->find("written by lemlist-attio-sync itself") != std::string::npos);
    }
}
