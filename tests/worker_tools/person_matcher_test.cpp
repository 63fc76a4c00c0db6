// Person matching against scripted Attio answers: email first, then the LinkedIn key, then
// Attio's standard LinkedIn attribute, then an assert carrying the event's state; the match
// cache spares the reads of a lead seen before; strict mode and identity-less leads never
// create anything.
#include <catch2/catch.hpp>

#include <string>

#include "attio/client.hpp"
#include "core/json.hpp"
#include "state/local_rate_gate.hpp"
#include "support.hpp"
#include "sync/person_matcher.hpp"

using namespace las;
using namespace std::chrono_literals;
using verb = http_proto::verb;

namespace {

constexpr const char* ada_id = "a0000000-0000-4000-8000-000000000001";
constexpr const char* key_holder_id = "a0000000-0000-4000-8000-000000000002";
constexpr const char* query_path = "/v2/objects/people/records/query";
constexpr const char* assert_path = "/v2/objects/people/records?matching_attribute=";

std::string one(const std::string& id) { return R"({"data":[)" + tools_test::attio_record_object(id) + "]}"; }
constexpr const char* none = R"({"data":[]})";

lemlist::lead_identity lead(std::optional<std::string> email, std::optional<std::string> linkedin) {
    lemlist::lead_identity l;
    l.email = std::move(email);
    l.linkedin_url = linkedin;
    l.linkedin_raw = std::move(linkedin);
    l.first_name = "Ada";
    l.last_name = "Lovelace";
    l.full_name = "Ada Lovelace";
    return l;
}

// Which query a request is: the attribute its filter names.
bool filters_on(const http::client_request& r, std::string_view attribute) {
    return r.method == verb::post && r.target == query_path &&
           r.body.find("\"" + std::string(attribute) + "\"") != std::string::npos;
}

struct fixture {
    asio::io_context ctx;
    state::local_rate_gate reads{"attio_reads", 1000, 1s}, writes{"attio_writes", 1000, 1s};
    tools_test::fake_transport wire;
    attio::client attio{wire.as_transport(), attio::gates{reads, writes}, attio::client_options{.api_key = "k"}};
    sync::match_cache cache{100, 1h};

    result<sync::person_match, sync::match_failure> match(sync::person_matcher& m, const lemlist::lead_identity& l,
                                                          std::string_view initial = "{}") {
        return tools_test::run_sync(ctx, m.match(l, initial));
    }
    std::size_t writes_sent() const {
        return wire.count(verb::put, "/v2/") + wire.count(verb::patch, "/v2/") +
               (wire.count(verb::post, "/v2/") - wire.count(verb::post, query_path));
    }
};

}  // namespace

TEST_CASE("matcher: an email match is found once, then served from the cache", "[matcher]") {
    fixture fx;
    fx.wire.respond = [](const http::client_request& r) {
        return tools_test::answer(200, filters_on(r, "email_addresses") ? one(ada_id) : none);
    };
    sync::person_matcher matcher(fx.attio, fx.cache, true);
    auto first = fx.match(matcher, lead("ada@example.com", "https://www.linkedin.com/in/ada"));
    REQUIRE(first.ok());
    CHECK(first->record_id == ada_id);
    CHECK_FALSE(first->created);
    CHECK_FALSE(first->from_cache);
    CHECK(fx.wire.sent().size() == 1);  // the email answered: no LinkedIn lookups

    // The same lead by its LinkedIn URL alone: the cache knows it, Attio is not asked.
    auto again = fx.match(matcher, lead(std::nullopt, "https://www.linkedin.com/in/ada"));
    REQUIRE(again.ok());
    CHECK(again->record_id == ada_id);
    CHECK(again->from_cache);
    CHECK(fx.wire.sent().size() == 1);
}

TEST_CASE("matcher: a LinkedIn-only lead matches the key, then the standard attribute", "[matcher]") {
    fixture fx;
    fx.wire.respond = [](const http::client_request& r) {
        return tools_test::answer(200, filters_on(r, "linkedin") ? one(ada_id) : none);
    };
    sync::person_matcher matcher(fx.attio, fx.cache, true);
    auto found = fx.match(matcher, lead(std::nullopt, "https://www.linkedin.com/in/ada"));
    REQUIRE(found.ok());
    CHECK(found->record_id == ada_id);
    CHECK_FALSE(found->created);
    REQUIRE(fx.wire.sent().size() == 2);
    CHECK(filters_on(fx.wire.sent()[0], "lemlist_linkedin_url"));
    CHECK(filters_on(fx.wire.sent()[1], "linkedin"));
    CHECK(fx.writes_sent() == 0);
}

TEST_CASE("matcher: a new lead is created by one assert that carries the event's state", "[matcher]") {
    fixture fx;
    fx.wire.respond = [](const http::client_request& r) {
        return tools_test::answer(200, r.method == verb::put ? tools_test::attio_record(ada_id) : none);
    };
    sync::person_matcher matcher(fx.attio, fx.cache, true);
    // The event's state, with an email of its own that must not replace the lead's.
    const std::string initial = R"({"lemlist_status":"interested","email_addresses":["other@example.com"]})";
    auto created = fx.match(matcher, lead("ada@example.com", std::nullopt), initial);
    REQUIRE(created.ok());
    CHECK(created->record_id == ada_id);
    CHECK(created->created);
    CHECK(fx.writes_sent() == 1);  // the assert: no create-then-PATCH
    REQUIRE(fx.wire.count(verb::put, std::string(assert_path) + "email_addresses") == 1);
    const auto& body = fx.wire.sent().back().body;
    auto doc = json::parse(body);
    REQUIRE(doc);
    const auto& values = (*doc)["data"]["values"];
    CHECK(std::string(values["lemlist_status"].GetString()) == "interested");
    CHECK(std::string(values["email_addresses"][0].GetString()) == "ada@example.com");
    CHECK(values.HasMember("name"));

    // Its next event finds it in the cache.
    auto next = fx.match(matcher, lead("ada@example.com", std::nullopt));
    REQUIRE(next.ok());
    CHECK(next->from_cache);
    CHECK_FALSE(next->created);
}

TEST_CASE("matcher: a LinkedIn-only lead is asserted on our unique LinkedIn key", "[matcher]") {
    fixture fx;
    fx.wire.respond = [](const http::client_request& r) {
        return tools_test::answer(200, r.method == verb::put ? tools_test::attio_record(ada_id) : none);
    };
    sync::person_matcher matcher(fx.attio, fx.cache, true);
    auto created = fx.match(matcher, lead(std::nullopt, "https://www.linkedin.com/in/ada"));
    REQUIRE(created.ok());
    CHECK(created->created);
    CHECK(fx.wire.count(verb::put, std::string(assert_path) + "lemlist_linkedin_url") == 1);
}

TEST_CASE("matcher: an email assert colliding with the LinkedIn key's holder gives that Person the email",
          "[matcher]") {
    fixture fx;
    int key_lookups = 0;
    fx.wire.respond = [&key_lookups](const http::client_request& r) {
        if (r.method == verb::put) {
            return tools_test::answer(409, R"({"status_code":409,"type":"invalid_request_error",)"
                                           R"("code":"uniqueness_conflict","message":"taken"})");
        }
        if (r.method == verb::patch) return tools_test::answer(200, tools_test::attio_record(key_holder_id));
        // The holder appears only once the race was lost: the first lookups found nobody.
        if (filters_on(r, "lemlist_linkedin_url") && ++key_lookups > 1) {
            return tools_test::answer(200, one(key_holder_id));
        }
        return tools_test::answer(200, none);
    };
    sync::person_matcher matcher(fx.attio, fx.cache, true);
    auto adopted = fx.match(matcher, lead("ada@example.com", "https://www.linkedin.com/in/ada"));
    REQUIRE(adopted.ok());
    CHECK(adopted->record_id == key_holder_id);
    CHECK_FALSE(adopted->created);
    REQUIRE(fx.wire.count(verb::patch, std::string("/v2/objects/people/records/") + key_holder_id) == 1);
    for (const auto& r : fx.wire.sent()) {
        if (r.method == verb::patch) CHECK(r.body.find("ada@example.com") != std::string::npos);
    }
}

TEST_CASE("matcher: strict mode and identity-less leads create nothing", "[matcher]") {
    fixture fx;
    fx.wire.respond = [](const http::client_request&) { return tools_test::answer(200, none); };
    sync::person_matcher strict(fx.attio, fx.cache, false);
    auto unmatched = fx.match(strict, lead("ada@example.com", std::nullopt));
    REQUIRE_FALSE(unmatched.ok());
    REQUIRE(std::holds_alternative<sync::unmatched>(unmatched.error()));
    CHECK(std::get<sync::unmatched>(unmatched.error()).reason == "unmatched");
    CHECK(fx.writes_sent() == 0);

    const auto before = fx.wire.sent().size();
    auto anonymous = fx.match(strict, lead(std::nullopt, std::nullopt));
    REQUIRE_FALSE(anonymous.ok());
    CHECK(std::get<sync::unmatched>(anonymous.error()).reason == "no_lead_identity");
    CHECK(fx.wire.sent().size() == before);
}

TEST_CASE("matcher: an Attio failure is the caller's to retry, and nothing is cached", "[matcher]") {
    fixture fx;
    bool down = true;
    fx.wire.respond = [&down](const http::client_request& r) {
        if (down) return tools_test::answer(503, R"({"status_code":503,"type":"x","code":"x","message":"down"})");
        return tools_test::answer(200, filters_on(r, "email_addresses") ? one(ada_id) : none);
    };
    sync::person_matcher matcher(fx.attio, fx.cache, true);
    auto failed = fx.match(matcher, lead("ada@example.com", std::nullopt));
    REQUIRE_FALSE(failed.ok());
    REQUIRE(std::holds_alternative<outbound::call_error>(failed.error()));
    CHECK(std::get<outbound::call_error>(failed.error()).status == 503);
    CHECK(fx.writes_sent() == 0);
    down = false;
    auto found = fx.match(matcher, lead("ada@example.com", std::nullopt));
    REQUIRE(found.ok());
    CHECK_FALSE(found->from_cache);
}
