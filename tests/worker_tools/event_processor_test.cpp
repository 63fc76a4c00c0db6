// One event start to finish against scripted Attio answers and real SQLite stores: a new
// lead is created by one assert and gets its entry, its state left pending for the flusher;
// a redelivery is a duplicate; an entry create whose answer was lost is looked up before it
// is sent again; an event naming no lead is dead-lettered without a call.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "attio/client.hpp"
#include "core/metrics.hpp"
#include "core/time.hpp"
#include "lemlist/event.hpp"
#include "state/local_rate_gate.hpp"
#include "state/sqlite_pending_state.hpp"
#include "state/sqlite_store.hpp"
#include "support.hpp"
#include "sync/event_processor.hpp"

using namespace las;
using namespace std::chrono_literals;
using verb = http_proto::verb;
using kind = sync::processing_outcome::kind;

namespace {

constexpr const char* ada_id = "a0000000-0000-4000-8000-000000000001";
constexpr const char* entries_path = "/v2/lists/lemlist_events/entries";

std::string entry(const std::string& id) {
    return R"({"id":{"workspace_id":"w","list_id":"l","entry_id":")" + id + R"("},"parent_record_id":")" +
           std::string(ada_id) + R"(","parent_object":"people","entry_values":{}})";
}

// An event of a minute ago: inside the idempotency window, so a first claim needs no lookup.
lemlist::event event(const std::string& id, const std::string& body_fields) {
    const auto minute_ago = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now() - 1min);
    auto ev = lemlist::parse_event(R"({"_id":")" + id + R"(","campaignId":"cam_1","campaignName":"Q4","createdAt":")" +
                                   format_iso8601(minute_ago) + R"(",)" + body_fields + "}");
    REQUIRE(ev.ok());
    return std::move(*ev);
}

struct fixture {
    asio::io_context ctx;
    asio::thread_pool blocking{1};
    tools_test::temp_dir dir;
    state::sqlite_store store{state::sqlite_store_options{.directory = dir.path()}};
    state::sqlite_pending_state pending{state::sqlite_pending_options{.directory = dir.path()}};
    state::local_rate_gate reads{"attio_reads", 1000, 1s}, writes{"attio_writes", 1000, 1s};
    tools_test::fake_transport wire;
    attio::client attio{wire.as_transport(), attio::gates{reads, writes}, attio::client_options{.api_key = "k"}};
    sync::match_cache cache{100, 1h};
    sync::person_matcher matcher{attio, cache, true};
    sync::person_writer writer{attio, nullptr, blocking};
    sync::write_demand demand;
    metrics::registry registry;
    sync::person_flusher flusher{ctx, pending, writer, demand, blocking, registry, sync::flusher_settings{}};
    sync::event_processor processor{attio, store, matcher, flusher, demand, blocking, settings()};

    // What Attio holds: the entries it created (with their activity id), whether or not
    // their answer reached us.
    struct landed_entry {
        std::string id, activity_id;
    };
    std::vector<landed_entry> landed;
    unsigned lose_next_entry_answers = 0;

    fixture() {
        wire.respond = [this](const http::client_request& r) -> tools_test::fake_transport::reply {
            if (r.method == verb::put) return tools_test::answer(200, tools_test::attio_record(ada_id));
            if (r.method == verb::post && r.target == entries_path) {
                landed.push_back({"ent_" + std::to_string(landed.size() + 1), activity_in(r.body)});
                if (lose_next_entry_answers > 0) {
                    --lose_next_entry_answers;
                    return tools_test::answer(502, R"({"status_code":502,"type":"x","code":"x","message":"lost"})");
                }
                return tools_test::answer(200, R"({"data":)" + entry(landed.back().id) + "}");
            }
            if (r.method == verb::post && r.target == std::string(entries_path) + "/query") {
                std::string list;
                for (const auto& e : landed)
                    if (e.activity_id == activity_in(r.body)) list += (list.empty() ? "" : ",") + entry(e.id);
                return tools_test::answer(200, R"({"data":[)" + list + "]}");
            }
            return tools_test::answer(200, R"({"data":[]})");  // Person queries: nobody yet
        };
    }

    // The event id ("act_…") a request names, in an entry's values or a lookup's filter.
    static std::string activity_in(const std::string& body) {
        const auto at = body.find("\"act_");
        return at == std::string::npos ? std::string() : body.substr(at + 1, body.find('"', at + 1) - at - 1);
    }

    static sync::processor_settings settings() {
        sync::processor_settings s;
        s.quick_backoff = 1ms;
        return s;
    }

    sync::processing_outcome process(const lemlist::event& ev) {
        return tools_test::run_sync(ctx, processor.process(ev, std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now())));
    }
    std::size_t pending_people() {
        return pending.pending_people(state::pending_priority::rep).value() +
               pending.pending_people(state::pending_priority::background).value();
    }
    ~fixture() { blocking.join(); }
};

}  // namespace

TEST_CASE("event processor: a new lead's first event is one assert and one entry, its state pending",
          "[processor]") {
    fixture fx;
    const auto ev = event("act_1", R"("type":"emailsReplied","leadEmail":"ada@example.com","leadFirstName":"Ada")");
    auto done = fx.process(ev);
    CHECK(done.what == kind::done);
    CHECK(done.person_created);
    CHECK(done.record_id == ada_id);
    CHECK(done.entry_id == "ent_1");
    CHECK(fx.wire.count(verb::put, "/v2/objects/people/records") == 1);
    CHECK(fx.wire.count(verb::patch, "/") == 0);  // the state went in with the assert; the rest is pending
    CHECK(fx.wire.count(verb::post, entries_path) == 1);
    std::string assert_body;
    for (const auto& r : fx.wire.sent())
        if (r.method == verb::put) assert_body = r.body;
    CHECK(assert_body.find("lemlist_status") != std::string::npos);
    auto waiting = fx.pending.load(ada_id);
    REQUIRE(waiting.ok());
    CHECK(waiting->updates.size() == 1);
    CHECK(fx.pending_people() == 1);

    // The broker delivers it again: nothing more reaches Attio.
    const auto sent = fx.wire.sent().size();
    CHECK(fx.process(ev).what == kind::duplicate);
    CHECK(fx.wire.sent().size() == sent);
    CHECK(fx.pending.load(ada_id)->updates.size() == 1);
}

TEST_CASE("event processor: an entry whose answer was lost is found, not written twice", "[processor]") {
    fixture fx;
    fx.lose_next_entry_answers = 1;  // Attio creates it, the answer never arrives
    auto done = fx.process(event("act_2", R"("type":"emailsOpened","leadEmail":"ada@example.com")"));
    CHECK(done.what == kind::done);
    CHECK(fx.landed.size() == 1);
    CHECK(done.entry_id == fx.landed.front().id);
    CHECK(fx.wire.count(verb::post, std::string(entries_path) + "/query") >= 1);
    CHECK(fx.pending_people() == 1);
}

TEST_CASE("event processor: a second lead event of a known Person reuses the match and writes one entry",
          "[processor]") {
    fixture fx;
    REQUIRE(fx.process(event("act_3", R"("type":"emailsSent","leadEmail":"ada@example.com")")).what == kind::done);
    const auto puts = fx.wire.count(verb::put, "/");
    const auto queries = fx.wire.count(verb::post, "/v2/objects/people/records/query");
    auto second = fx.process(event("act_4", R"("type":"emailsClicked","leadEmail":"ada@example.com")"));
    CHECK(second.what == kind::done);
    CHECK_FALSE(second.person_created);
    CHECK(fx.wire.count(verb::put, "/") == puts);
    CHECK(fx.wire.count(verb::post, "/v2/objects/people/records/query") == queries);  // the match cache
    CHECK(fx.landed.size() == 2);
    CHECK(fx.pending.load(ada_id)->updates.size() == 2);  // both wait for one flush
}

TEST_CASE("event processor: an event naming no lead is dead-lettered without a call", "[processor]") {
    fixture fx;
    auto out = fx.process(event("act_5", R"("type":"emailsOpened")"));
    CHECK(out.what == kind::dead_letter);
    CHECK(out.reason == "no_lead_identity");
    CHECK(fx.wire.sent().empty());
    CHECK(fx.pending_people() == 0);
}
