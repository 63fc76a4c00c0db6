// The write-behind flusher against scripted Attio answers and a real SQLite pending store:
// one write per Person for all its pending updates, rep state first and only a share of the
// budget while entries wait, a failed write kept pending and tried again, a Person gone in
// Attio dropped rather than retried forever.
#include <catch2/catch.hpp>

#include <deque>
#include <map>

#include <boost/asio/thread_pool.hpp>

#include "attio/client.hpp"
#include "core/metrics.hpp"
#include "state/local_rate_gate.hpp"
#include "state/sqlite_pending_state.hpp"
#include "support.hpp"
#include "sync/person_flusher.hpp"

using namespace las;
using namespace std::chrono_literals;
using verb = http_proto::verb;
using lemlist::event_category;
using state::pending_priority;

namespace {

constexpr const char* ada = "a0000000-0000-4000-8000-000000000001";
constexpr const char* bob = "a0000000-0000-4000-8000-000000000002";

sync::person_update update(const char* type, event_category c, int minute) {
    sync::person_update u;
    u.facts = {type, c, sync::event_time(std::chrono::sys_days(std::chrono::year(2026) / 11 / 23)) + std::chrono::minutes(minute),
               "lea_1", "Q4"};
    return u;
}

struct fixture {
    asio::io_context ctx;
    asio::thread_pool blocking{1};
    tools_test::temp_dir dir;
    state::sqlite_pending_state store{state::sqlite_pending_options{.directory = dir.path()}};
    state::local_rate_gate reads{"attio_reads", 1000, 1s}, writes{"attio_writes", 1000, 1s};
    tools_test::fake_transport wire;
    attio::client attio{wire.as_transport(), attio::gates{reads, writes}, attio::client_options{.api_key = "k"}};
    sync::person_writer writer{attio, nullptr, blocking};
    sync::write_demand demand;
    metrics::registry registry;
    std::map<std::string, unsigned> patches, gets;
    std::deque<unsigned> patch_statuses;  // empty: 200

    fixture() {
        wire.respond = [this](const http::client_request& r) -> tools_test::fake_transport::reply {
            const std::string prefix = "/v2/objects/people/records/";
            const auto id = r.target.substr(prefix.size());
            if (r.method == verb::get) ++gets[id];
            if (r.method == verb::patch) {
                ++patches[id];
                if (!patch_statuses.empty()) {
                    const auto status = patch_statuses.front();
                    patch_statuses.pop_front();
                    if (status != 200) return tools_test::answer(status, R"({"status_code":)" + std::to_string(status) +
                                                                            R"(,"type":"x","code":"x","message":"scripted"})");
                }
            }
            return tools_test::answer(200, tools_test::attio_record(id));
        };
    }

    sync::flusher_settings settings() {
        sync::flusher_settings s;
        s.settle_delay = 50ms;
        s.max_lag = 200ms;
        s.poll = 10ms;
        s.retry_delay = 100ms;
        s.writes_per_second = 25;
        s.contended_share = 0.1;  // 2.5 flushes/s while entries wait
        return s;
    }

    void add(sync::person_flusher& f, const char* id, sync::person_update u) {
        auto added = tools_test::run_sync(ctx, f.add(id, u));
        REQUIRE(added.ok());
    }
    // Once the flusher runs, the context never runs out of work: add, then run for a while.
    void add_and_run(sync::person_flusher& f, const char* id, sync::person_update u, std::chrono::milliseconds d) {
        bool added = false;
        asio::co_spawn(ctx, [&]() -> awaitable<void> { added = (co_await f.add(id, u)).ok(); }, asio::detached);
        ctx.restart();
        ctx.run_for(d);
        REQUIRE(added);
    }
    std::size_t pending(pending_priority p) { return store.pending_people(p).value(); }
    ~fixture() { blocking.join(); }
};

}  // namespace

TEST_CASE("flusher: with spare budget, every pending update of a Person lands in one write") {
    fixture fx;
    sync::person_flusher flusher(fx.ctx, fx.store, fx.writer, fx.demand, fx.blocking, fx.registry, fx.settings());
    fx.add(flusher, ada, update("emailsSent", event_category::contacted, 0));
    fx.add(flusher, ada, update("emailsOpened", event_category::hooked, 1));
    fx.add(flusher, ada, update("emailsClicked", event_category::attracted, 2));
    CHECK(fx.pending(pending_priority::rep) == 1);
    flusher.start();
    fx.ctx.restart();
    fx.ctx.run_for(400ms);
    CHECK(fx.patches[ada] == 1);
    CHECK(fx.gets[ada] == 1);
    CHECK(fx.pending(pending_priority::rep) == 0);
    CHECK(fx.pending(pending_priority::background) == 0);
    auto loaded = fx.store.load(ada);
    REQUIRE(loaded.ok());
    CHECK(loaded->updates.empty());
    REQUIRE(loaded->written.has_value());  // kept, so the next flush writes it again if Attio lost it
    CHECK(sync::pending_state_from_json(*loaded->written)->state.status == "attracted");
}

TEST_CASE("flusher: while entries wait, rep state takes the share and timestamp-only changes wait") {
    fixture fx;
    sync::person_flusher flusher(fx.ctx, fx.store, fx.writer, fx.demand, fx.blocking, fx.registry, fx.settings());
    // Known to the flusher (created with this state): a second email sent is timestamps only.
    flusher.created(bob, sync::merge({}, update("emailsSent", event_category::contacted, 0).facts));
    fx.add(flusher, bob, update("emailsSent", event_category::contacted, 5));
    fx.add(flusher, ada, update("emailsInterested", event_category::interested, 5));
    CHECK(fx.pending(pending_priority::background) == 1);
    CHECK(fx.pending(pending_priority::rep) == 1);

    std::optional<sync::write_demand::hold> entries(fx.demand.event_in_hand());
    flusher.start();
    fx.ctx.restart();
    fx.ctx.run_for(600ms);
    CHECK(fx.patches[ada] == 1);   // rep state: within its share
    CHECK(fx.patches[bob] == 0);   // background: waits for spare budget
    CHECK(fx.pending(pending_priority::background) == 1);

    entries.reset();  // the backlog is gone
    fx.ctx.restart();
    fx.ctx.run_for(300ms);
    CHECK(fx.patches[bob] == 1);
    CHECK(fx.pending(pending_priority::background) == 0);
}

TEST_CASE("flusher: the share bounds flushes while entries wait") {
    fixture fx;
    auto s = fx.settings();
    s.max_lag = 60s;  // no Person overdue: the base share only
    sync::person_flusher flusher(fx.ctx, fx.store, fx.writer, fx.demand, fx.blocking, fx.registry, s);
    for (int i = 0; i < 20; ++i) {
        const std::string id = "a0000000-0000-4000-8000-0000000001" + std::to_string(10 + i);
        auto added = tools_test::run_sync(fx.ctx, flusher.add(id, update("emailsInterested", event_category::interested, i)));
        REQUIRE(added.ok());
    }
    const auto hold = fx.demand.event_in_hand();
    flusher.start();
    fx.ctx.restart();
    fx.ctx.run_for(1100ms);
    unsigned total = 0;
    for (const auto& [id, n] : fx.patches) total += n;
    // 2.5 flushes/s, a burst of one: 1 at once, then about one every 400 ms.
    CHECK(total >= 2);
    CHECK(total <= 4);
}

TEST_CASE("flusher: a failed write stays pending and is tried again; a Person gone is dropped") {
    fixture fx;
    sync::person_flusher flusher(fx.ctx, fx.store, fx.writer, fx.demand, fx.blocking, fx.registry, fx.settings());
    fx.patch_statuses = {503, 200, 404};
    fx.add(flusher, ada, update("emailsOpened", event_category::hooked, 1));
    flusher.start();
    fx.ctx.restart();
    fx.ctx.run_for(60ms + 30ms);
    fx.ctx.restart();
    fx.ctx.run_for(400ms);
    CHECK(fx.patches[ada] == 2);  // the 503, then the retry that landed
    CHECK(fx.pending(pending_priority::rep) == 0);

    fx.add_and_run(flusher, bob, update("emailsBounced", event_category::bounced, 2), 400ms);
    CHECK(fx.patches[bob] == 1);  // 404: not retried
    CHECK(fx.pending(pending_priority::rep) == 0);
    CHECK(fx.registry.render().find("worker_person_writes_total{result=\"dropped\"} 1") != std::string::npos);
}
