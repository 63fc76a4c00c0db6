// The Person writer against scripted Attio answers: it reads the Person fresh and PATCHes
// what moved; an email that belongs to another Person is dropped and the state written
// alone; a Person gone (404) or a failing PATCH is the caller's to handle, with nothing
// half-written.
#include <catch2/catch.hpp>

#include <deque>

#include <boost/asio/thread_pool.hpp>

#include "attio/client.hpp"
#include "core/json.hpp"
#include "state/local_rate_gate.hpp"
#include "support.hpp"
#include "sync/person_writer.hpp"

using namespace las;
using namespace std::chrono_literals;
using verb = http_proto::verb;
using lemlist::event_category;

namespace {

constexpr const char* ada = "a0000000-0000-4000-8000-000000000001";
constexpr const char* ada_path = "/v2/objects/people/records/a0000000-0000-4000-8000-000000000001";

// Ada as Attio holds her: contacted, one email.
const std::string ada_record = tools_test::attio_record(
    ada, R"({"lemlist_status":[{"attribute_type":"select","option":{"id":{},"title":"contacted","is_archived":false}}],
             "email_addresses":[{"attribute_type":"email-address","email_address":"ada@example.com"}]})");

sync::pending_state clicked(std::optional<std::string> email = std::nullopt) {
    sync::person_update u;
    u.facts = {"emailsClicked", event_category::attracted,
               sync::event_time(std::chrono::sys_days(std::chrono::year(2026) / 11 / 23)), "lea_1", "Q4"};
    u.email = std::move(email);
    return sync::pending_of(u);
}

struct fixture {
    asio::io_context ctx;
    asio::thread_pool blocking{1};
    state::local_rate_gate reads{"attio_reads", 1000, 1s}, writes{"attio_writes", 1000, 1s};
    tools_test::fake_transport wire;
    attio::client attio{wire.as_transport(), attio::gates{reads, writes}, attio::client_options{.api_key = "k"}};
    sync::person_writer writer{attio, nullptr, blocking};
    unsigned get_status = 200;
    std::deque<unsigned> patch_statuses;  // empty: 200

    fixture() {
        wire.respond = [this](const http::client_request& r) -> tools_test::fake_transport::reply {
            if (r.method == verb::get) {
                if (get_status != 200) return tools_test::answer(get_status, error_body(get_status));
                return tools_test::answer(200, ada_record);
            }
            const unsigned status = patch_statuses.empty() ? 200 : patch_statuses.front();
            if (!patch_statuses.empty()) patch_statuses.pop_front();
            if (status == 409) {
                return tools_test::answer(409, R"({"status_code":409,"type":"invalid_request_error",)"
                                               R"("code":"uniqueness_conflict","message":"taken"})");
            }
            if (status != 200) return tools_test::answer(status, error_body(status));
            return tools_test::answer(200, ada_record);
        };
    }
    static std::string error_body(unsigned status) {
        return R"({"status_code":)" + std::to_string(status) + R"(,"type":"x","code":"x","message":"scripted"})";
    }
    result<sync::person_write_result, outbound::call_error> write(sync::pending_state p) {
        return tools_test::run_sync(ctx, writer.write(ada, std::move(p)));
    }
    std::vector<std::string> patches() const {
        std::vector<std::string> out;
        for (const auto& r : wire.sent())
            if (r.method == verb::patch && r.target == ada_path) out.push_back(r.body);
        return out;
    }
    ~fixture() { blocking.join(); }
};

}  // namespace

TEST_CASE("person writer: what moved is PATCHed once, after a fresh read", "[writer]") {
    fixture fx;
    auto written = fx.write(clicked());
    REQUIRE(written.ok());
    CHECK(written->written);
    CHECK(written->after.status == "attracted");
    CHECK(fx.wire.count(verb::get, ada_path) == 1);
    REQUIRE(fx.patches().size() == 1);
    const auto body = json::parse(fx.patches().front());
    REQUIRE(body.ok());
    const auto& values = body.value()["data"]["values"];
    CHECK(values.HasMember("lemlist_status"));
    CHECK_FALSE(values.HasMember("email_addresses"));  // no identity change asked for
}

TEST_CASE("person writer: an email another Person holds is dropped, the state still lands", "[writer]") {
    fixture fx;
    fx.patch_statuses = {409};
    auto written = fx.write(clicked("ada.other@example.com"));
    REQUIRE(written.ok());
    CHECK(written->written);
    const auto sent = fx.patches();
    REQUIRE(sent.size() == 2);
    CHECK(sent[0].find("ada.other@example.com") != std::string::npos);
    CHECK(sent[1].find("ada.other@example.com") == std::string::npos);
    CHECK(sent[1].find("lemlist_status") != std::string::npos);
}

TEST_CASE("person writer: a Person gone or a failing PATCH is an error for the caller", "[writer]") {
    SECTION("gone: 404 on the read, nothing written") {
        fixture fx;
        fx.get_status = 404;
        auto gone = fx.write(clicked());
        REQUIRE_FALSE(gone.ok());
        CHECK(attio::is_not_found(gone.error()));
        CHECK(fx.patches().empty());
    }
    SECTION("a 503 on the PATCH: transient, so the flusher keeps the updates pending") {
        fixture fx;
        fx.patch_statuses = {503};
        auto failed = fx.write(clicked());
        REQUIRE_FALSE(failed.ok());
        CHECK(failed.error().status == 503);
        CHECK(outbound::is_retryable(failed.error().kind));
    }
}
