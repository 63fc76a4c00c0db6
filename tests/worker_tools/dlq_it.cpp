// `sync-worker dlq …` against the real broker: the binary is run as a child process on
// dead letters put into `lemlist.events.dlq` (and `attio.enrollments.dlq`).
#include <catch2/catch.hpp>

#include <set>

#include "core/json.hpp"
#include "core/time.hpp"
#include "it_support.hpp"

using namespace las;
using namespace las::tools_test;
using namespace std::chrono_literals;

namespace {

const std::string events_queue = "lemlist.events";
const std::string events_dlq = "lemlist.events.dlq";

amqp::publish_request dead_letter(const std::string& id, const std::string& type, const std::string& reason,
                                  const std::string& failed_at = "2025-03-10T12:00:00.000Z") {
    amqp::publish_request r;
    r.message_id = id;
    r.body = R"({"_id":")" + id + R"(","type":")" + type + R"(","leadEmail":"x@example.com"})";
    r.headers = {{"x-received-at", std::string("2025-03-10T11:59:00.000Z")},
                 {"x-source", std::string("webhook")},
                 {"x-attempts", std::int64_t{3}},
                 {"x-dlq-reason", reason},
                 {"x-last-error", std::string("no Person matches x@example.com")},
                 {"x-failed-at", failed_at}};
    return r;
}

struct dlq_fixture {
    test_broker broker;
    temp_dir state;

    dlq_fixture() {
        for (const auto& q : {events_queue, events_dlq, std::string("attio.enrollments"), std::string("attio.enrollments.dlq")})
            broker.purge(q);
    }

    run_result dlq(std::vector<std::string> args) {
        std::vector<std::string> argv{worker_binary(), "dlq"};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(std::move(argv), worker_env(broker, state), 60s);
    }

    std::set<std::string> ids_in(const std::string& queue) {
        std::set<std::string> ids;
        for (const auto& d : broker.take_all(queue)) ids.insert(d.message_id);
        return ids;
    }
};

}  // namespace

TEST_CASE("dlq list shows every dead letter and removes none; show prints one", "[dlq][integration]") {
    dlq_fixture f;
    f.broker.put(events_dlq, dead_letter("act_list1", "emailsOpened", "unmatched"));
    f.broker.put(events_dlq, dead_letter("act_list2", "emailsOpened", "unmatched"));
    f.broker.put(events_dlq, dead_letter("act_list3", "emailsClicked", "retries_exhausted"));

    auto listed = f.dlq({"list"});
    INFO(listed.out << listed.err);
    REQUIRE(listed.exit_code == 0);
    for (const char* id : {"act_list1", "act_list2", "act_list3"}) CHECK(listed.out.find(id) != std::string::npos);
    CHECK(listed.out.find("3 dead letters in lemlist.events.dlq (retries_exhausted=1, unmatched=2)") != std::string::npos);
    CHECK(listed.out.find("no Person matches") != std::string::npos);
    CHECK(eventually([&] { return f.broker.depth(events_dlq) == 3; }, 5s));

    auto limited = f.dlq({"list", "--limit", "1"});
    REQUIRE(limited.exit_code == 0);
    CHECK(limited.out.find("1 dead letter in") != std::string::npos);
    int rows = 0;
    for (const char* id : {"act_list1", "act_list2", "act_list3"}) rows += limited.out.find(id) != std::string::npos;
    CHECK(rows == 1);

    auto shown = f.dlq({"show", "act_list2"});
    INFO(shown.out << shown.err);
    REQUIRE(shown.exit_code == 0);
    CHECK(shown.out.find("message_id: act_list2") != std::string::npos);
    CHECK(shown.out.find("x-dlq-reason: unmatched") != std::string::npos);
    CHECK(shown.out.find("x-failed-at: 2025-03-10T12:00:00.000Z") != std::string::npos);
    CHECK(shown.out.find("\"type\": \"emailsOpened\"") != std::string::npos);

    auto missing = f.dlq({"show", "act_nope"});
    CHECK(missing.exit_code == 1);
    CHECK(missing.err.find("no dead letter with message id \"act_nope\"") != std::string::npos);

    CHECK(eventually([&] { return f.broker.depth(events_dlq) == 3; }, 5s));
    CHECK(f.broker.depth(events_queue) == 0);
    CHECK(f.ids_in(events_dlq) == std::set<std::string>{"act_list1", "act_list2", "act_list3"});
}

TEST_CASE("dlq replay moves exactly the selected dead letters to lemlist.events", "[dlq][integration]") {
    dlq_fixture f;
    f.broker.put(events_dlq, dead_letter("act_r1", "emailsOpened", "unmatched"));
    f.broker.put(events_dlq, dead_letter("act_r2", "emailsOpened", "unmatched"));
    f.broker.put(events_dlq, dead_letter("act_r3", "emailsClicked", "retries_exhausted"));

    auto one = f.dlq({"replay", "--id", "act_r2"});
    INFO(one.out << one.err);
    REQUIRE(one.exit_code == 0);
    CHECK(one.out.find("replayed act_r2") != std::string::npos);
    CHECK(eventually([&] { return f.broker.depth(events_dlq) == 2; }, 5s));
    REQUIRE(f.broker.depth(events_queue) == 1);
    auto moved = f.broker.take_all(events_queue);
    REQUIRE(moved.size() == 1);
    const auto& m = moved[0];
    CHECK(m.message_id == "act_r2");
    CHECK(m.body == dead_letter("act_r2", "emailsOpened", "unmatched").body);
    CHECK(m.persistent);
    CHECK(amqp::header_string(m.headers, "x-source") == "replay");
    CHECK(amqp::header_int(m.headers, "x-attempts") == 0);
    CHECK(amqp::header_string(m.headers, "x-received-at") == "2025-03-10T11:59:00.000Z");
    CHECK_FALSE(m.headers.contains("x-dlq-reason"));
    CHECK_FALSE(m.headers.contains("x-last-error"));
    CHECK_FALSE(m.headers.contains("x-failed-at"));

    auto by_type = f.dlq({"replay", "--type", "emailsClicked"});
    REQUIRE(by_type.exit_code == 0);
    CHECK(f.ids_in(events_queue) == std::set<std::string>{"act_r3"});
    CHECK(eventually([&] { return f.broker.depth(events_dlq) == 1; }, 5s));

    auto not_there = f.dlq({"replay", "--id", "act_missing"});
    CHECK(not_there.exit_code == 1);
    CHECK(not_there.out.find("not found: act_missing") != std::string::npos);

    auto all = f.dlq({"replay", "--all"});
    REQUIRE(all.exit_code == 0);
    CHECK(f.ids_in(events_queue) == std::set<std::string>{"act_r1"});
    CHECK(f.broker.depth(events_dlq) == 0);
}

TEST_CASE("dlq replay of the enrollment DLQ goes to attio.enrollments", "[dlq][integration]") {
    dlq_fixture f;
    amqp::publish_request job;
    job.message_id = "job_dead1";
    job.body = R"({"job_id":"job_dead1","campaign_id":"cam_1","record_ids":["r"]})";
    job.headers = {{"x-dlq-reason", std::string("person_not_found")}, {"x-attempts", std::int64_t{1}}};
    f.broker.put("attio.enrollments.dlq", job);
    auto listed = f.dlq({"list", "--queue", "enrollments"});
    REQUIRE(listed.exit_code == 0);
    CHECK(listed.out.find("job_dead1") != std::string::npos);
    CHECK(listed.out.find("job ") != std::string::npos);
    auto replayed = f.dlq({"--queue", "enrollments", "replay", "--all"});
    REQUIRE(replayed.exit_code == 0);
    CHECK(f.ids_in("attio.enrollments") == std::set<std::string>{"job_dead1"});
    CHECK(f.broker.depth("attio.enrollments.dlq") == 0);
}

TEST_CASE("a replay whose publish cannot be confirmed leaves the dead letters in the DLQ", "[dlq][integration]") {
    dlq_fixture f;
    f.broker.put(events_dlq, dead_letter("act_f1", "emailsOpened", "unmatched"));
    f.broker.put(events_dlq, dead_letter("act_f2", "emailsOpened", "unmatched"));
    // No exchange to publish to: the broker closes the channel instead of confirming.
    REQUIRE(f.broker.channel().delete_exchange(events_queue).ok());
    auto failed = f.dlq({"replay", "--all"});
    INFO(failed.out << failed.err);
    f.broker.declare_topology();  // restore before any assertion can stop the test
    CHECK(failed.exit_code == 1);
    CHECK(failed.out.find("NOT replayed act_f1") != std::string::npos);
    CHECK(eventually([&] { return f.broker.depth(events_dlq) == 2; }, 5s));
    CHECK(f.broker.depth(events_queue) == 0);

    // Once the exchange is back, the same command moves both.
    auto again = f.dlq({"replay", "--all"});
    INFO(again.out << again.err);
    REQUIRE(again.exit_code == 0);
    CHECK(f.ids_in(events_queue) == std::set<std::string>{"act_f1", "act_f2"});
    CHECK(f.broker.depth(events_dlq) == 0);
}

TEST_CASE("dlq purge removes exactly the named dead letters", "[dlq][integration]") {
    dlq_fixture f;
    f.broker.put(events_dlq, dead_letter("act_p1", "emailsOpened", "unmatched"));
    f.broker.put(events_dlq, dead_letter("act_p2", "emailsOpened", "unmatched"));
    f.broker.put(events_dlq, dead_letter("act_p3", "emailsOpened", "unmatched"));
    auto purged = f.dlq({"purge", "--id", "act_p2", "--id", "act_p3"});
    INFO(purged.out << purged.err);
    REQUIRE(purged.exit_code == 0);
    CHECK(purged.out.find("purged act_p2") != std::string::npos);
    CHECK(purged.out.find("purged act_p3") != std::string::npos);
    CHECK(eventually([&] { return f.broker.depth(events_dlq) == 1; }, 5s));

    auto partly = f.dlq({"purge", "--id", "act_nope"});
    CHECK(partly.exit_code == 1);
    CHECK(partly.out.find("not found: act_nope") != std::string::npos);

    auto refused = f.dlq({"purge"});  // never everything
    CHECK(refused.exit_code != 0);
    CHECK(f.ids_in(events_dlq) == std::set<std::string>{"act_p1"});
    CHECK(f.broker.depth(events_queue) == 0);
}

TEST_CASE("dlq replay --since and --reason take only the matching dead letters", "[dlq][integration]") {
    dlq_fixture f;
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    const auto recent = format_iso8601(now - std::chrono::hours(1));
    const auto old = format_iso8601(now - std::chrono::hours(24 * 10));
    f.broker.put(events_dlq, dead_letter("act_s1", "emailsOpened", "unmatched", recent));
    f.broker.put(events_dlq, dead_letter("act_s2", "emailsOpened", "unmatched", old));
    f.broker.put(events_dlq, dead_letter("act_s3", "emailsClicked", "retries_exhausted", recent));
    f.broker.put(events_dlq, dead_letter("act_s4", "emailsOpened", "retries_exhausted", old));

    auto since = f.dlq({"replay", "--since", "7d", "--reason", "unmatched"});
    INFO(since.out << since.err);
    REQUIRE(since.exit_code == 0);
    CHECK(since.out.find("replayed act_s1") != std::string::npos);
    CHECK(f.ids_in(events_queue) == std::set<std::string>{"act_s1"});
    CHECK(eventually([&] { return f.broker.depth(events_dlq) == 3; }, 5s));

    auto reason_and_type = f.dlq({"replay", "--reason", "retries_exhausted", "--type", "emailsOpened"});
    INFO(reason_and_type.out << reason_and_type.err);
    REQUIRE(reason_and_type.exit_code == 0);
    CHECK(f.ids_in(events_queue) == std::set<std::string>{"act_s4"});

    auto iso = f.dlq({"replay", "--since", format_iso8601(now - std::chrono::hours(2))});
    INFO(iso.out << iso.err);
    REQUIRE(iso.exit_code == 0);
    CHECK(f.ids_in(events_queue) == std::set<std::string>{"act_s3"});
    CHECK(f.ids_in(events_dlq) == std::set<std::string>{"act_s2"});

    auto bad = f.dlq({"replay", "--since", "last week"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--since") != std::string::npos);
}

TEST_CASE("dlq purge --reason removes every dead letter of that reason and says which", "[dlq][integration]") {
    dlq_fixture f;
    f.broker.put(events_dlq, dead_letter("act_q1", "emailsOpened", "unmatched"));
    f.broker.put(events_dlq, dead_letter("act_q2", "emailsClicked", "unmatched"));
    f.broker.put(events_dlq, dead_letter("act_q3", "emailsOpened", "retries_exhausted"));

    auto dry = f.dlq({"purge", "--reason", "unmatched", "--dry-run"});
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(dry.out.find("would purge act_q1 (emailsOpened, unmatched") != std::string::npos);
    CHECK(dry.out.find("would purge act_q2") != std::string::npos);
    CHECK(dry.out.find("act_q3") == std::string::npos);
    CHECK(eventually([&] { return f.broker.depth(events_dlq) == 3; }, 5s));

    auto purged = f.dlq({"purge", "--reason", "unmatched"});
    INFO(purged.out << purged.err);
    REQUIRE(purged.exit_code == 0);
    CHECK(purged.out.find("purged act_q1 (emailsOpened, unmatched, failed at 2025-03-10T12:00:00.000Z)") !=
          std::string::npos);
    CHECK(purged.out.find("purged act_q2") != std::string::npos);
    CHECK(purged.out.find("purged=2") != std::string::npos);
    CHECK(f.ids_in(events_dlq) == std::set<std::string>{"act_q3"});
    CHECK(f.broker.depth(events_queue) == 0);
}
