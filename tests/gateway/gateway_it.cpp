// The real ingest-gateway binary against a real RabbitMQ (LAS_TEST_AMQP_URL): what lands
// on the queues, with which properties, and what every bad input class is answered.
#include <signal.h>

#include <mutex>
#include <set>

#include <catch2/catch.hpp>

#include "amqp/sync_channel.hpp"
#include "amqp/topology.hpp"
#include "broker_test_support.hpp"
#include "core/crypto.hpp"
#include "core/time.hpp"
#include "gateway_process.hpp"
#include "test_support.hpp"

using namespace las;
using namespace las::gateway::test;
using namespace std::chrono_literals;

namespace {

const std::string lemlist_secret = "it-lemlist-secret";
const std::string attio_secret = "it-attio-secret";
const std::string admin_token = "it-admin-token";

// A broker channel with the contract topology declared and the contract queues purged.
amqp::sync_channel clean_broker() {
    auto ch = amqp::sync_channel::open(amqp::test::broker_settings(), "gateway-it");
    if (!ch) FAIL("broker: " << ch.error().message);
    if (auto d = amqp::declare_topology(ch->conn()); !d) FAIL("declare: " << d.error().message);
    for (const auto& q : {amqp::lemlist_events().queue(), amqp::attio_enrollments().queue()})
        if (auto p = ch->purge(q); !p) FAIL("purge " << q << ": " << p.error().message);
    return std::move(*ch);
}

// Takes every ready message of `queue` (acked), waiting up to `timeout` for at least `min`.
std::vector<amqp::delivery> drain(amqp::sync_channel& ch, const std::string& queue, std::size_t min,
                                  std::chrono::milliseconds timeout = 10s) {
    std::vector<amqp::delivery> out;
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto got = ch.get(queue);
        if (!got) FAIL("get " << queue << ": " << got.error().message);
        if (*got) {
            REQUIRE(ch.ack(**got));
            out.push_back(std::move(**got));
            continue;
        }
        if (out.size() >= min || std::chrono::steady_clock::now() > until) return out;
        std::this_thread::sleep_for(20ms);
    }
}

struct gateway_fixture {
    temp_dir spool;
    amqp::sync_channel broker = clean_broker();
    gateway_process gw{{{"AMQP_URL", test_amqp_url()},
                        {"SPOOL_DIR", spool.path().string()},
                        {"LEMLIST_WEBHOOK_SECRET", lemlist_secret},
                        {"ATTIO_WEBHOOK_SECRET", attio_secret},
                        {"ADMIN_API_TOKEN", admin_token},
                        {"GATEWAY_MAX_BODY_BYTES", "4096"},
                        {"GATEWAY_IO_THREADS", "2"}}};
    http_client client{gw.port()};

    gateway_fixture() {
        // Ready = broker connected (the spool would also make it ready; wait for the broker).
        const bool connected = amqp::test::eventually(
            [&] { return client.get("/readyz").body.find("\"broker_connected\":true") != std::string::npos; }, 15s);
        if (!connected) FAIL("gateway never connected to the broker: " << gw.log());
    }
};

}  // namespace

TEST_CASE("integration: a valid event is on lemlist.events with the contract's properties and without secret") {
    gateway_fixture f;
    const auto reply = f.client.post_json("/webhooks/lemlist", lemlist_event("act_it_valid_1", lemlist_secret));
    REQUIRE(reply.status == 200);
    const auto answer = parse_json(reply.body);
    CHECK(std::string(answer["message_id"].GetString()) == "act_it_valid_1");
    CHECK(std::string(answer["stored"].GetString()) == "broker");

    const auto got = drain(f.broker, "lemlist.events", 1);
    REQUIRE(got.size() == 1);
    const auto& d = got[0];
    CHECK(d.message_id == "act_it_valid_1");
    CHECK(d.persistent);
    CHECK(d.content_type == "application/json");
    CHECK(d.exchange == "lemlist.events");
    CHECK(d.routing_key == "lemlist.events");
    CHECK(amqp::header_string(d.headers, "x-source") == "webhook");
    CHECK(amqp::header_int(d.headers, "x-attempts") == 0);
    const auto received = amqp::header_string(d.headers, "x-received-at");
    REQUIRE(received);
    CHECK(parse_iso8601(*received).has_value());
    CHECK(received->ends_with("Z"));
    CHECK(d.body.find("secret") == std::string::npos);
    CHECK(d.body.find(lemlist_secret) == std::string::npos);
    const auto body = parse_json(d.body);
    CHECK(std::string(body["leadEmail"].GetString()) == "lead-act_it_valid_1@example.com");
    CHECK(std::string(body["_id"].GetString()) == "act_it_valid_1");
}

TEST_CASE("integration: each bad-input class gets its status and nothing is published") {
    gateway_fixture f;
    const std::string good = lemlist_event("act_it_bad", lemlist_secret);
    CHECK(f.client.post_json("/webhooks/lemlist", "{not json").status == 400);
    CHECK(f.client.post_json("/webhooks/lemlist", R"({"_id":"x","secret":")" + lemlist_secret + "\"}").status == 400);
    CHECK(f.client.post_json("/webhooks/lemlist", lemlist_event("act_it_bad", "wrong")).status == 401);
    CHECK(f.client.post_json("/webhooks/lemlist", lemlist_event("act_it_bad")).status == 401);
    const auto too_big = f.client.post_json("/webhooks/lemlist", std::string(5000, ' ') + good);
    CHECK(too_big.status == 413);
    CHECK(f.client.request(http_proto::verb::post, "/webhooks/lemlist", good, {{"Content-Type", "text/plain"}}).status ==
          415);
    CHECK(f.client.post_json("/webhooks/nope", good).status == 404);
    const auto wrong_method = f.client.get("/webhooks/lemlist");
    CHECK(wrong_method.status == 405);
    CHECK(wrong_method.headers.at("allow") == "POST");
    CHECK(f.client.post_json("/webhooks/attio", R"({"events":[]})", {{"Attio-Signature", "00"}}).status == 401);
    CHECK(f.client.post_json("/v1/enrollments", R"({"campaign_id":"cam_1","record_ids":["r"]})").status == 401);
    std::string many = R"({"campaign_id":"cam_1","record_ids":[)";
    for (int i = 0; i < 251; ++i) many += (i ? ",\"r" : "\"r") + std::to_string(i) + "\"";
    many += "]}";
    CHECK(f.client.post_json("/v1/enrollments", many, {{"Authorization", "Bearer " + admin_token}}).status == 422);
    CHECK(f.client.post_json("/v1/enrollments", R"({"campaign_id":"x","record_ids":["r"]})",
                             {{"Authorization", "Bearer " + admin_token}})
              .status == 400);

    // A fence: the queues are in publish order, so once this event is there, nothing before it is coming.
    REQUIRE(f.client.post_json("/webhooks/lemlist", lemlist_event("act_it_fence", lemlist_secret)).status == 200);
    const auto got = drain(f.broker, "lemlist.events", 1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].message_id == "act_it_fence");
    CHECK(drain(f.broker, "attio.enrollments", 0, 0ms).empty());
}

TEST_CASE("integration: duplicate deliveries are both accepted with the same message_id") {
    gateway_fixture f;
    const std::string ev = lemlist_event("act_it_dup", lemlist_secret);
    CHECK(f.client.post_json("/webhooks/lemlist", ev).status == 200);
    CHECK(f.client.post_json("/webhooks/lemlist", ev).status == 200);
    const auto got = drain(f.broker, "lemlist.events", 2);
    REQUIRE(got.size() == 2);
    CHECK(got[0].message_id == "act_it_dup");
    CHECK(got[1].message_id == "act_it_dup");
}

TEST_CASE("integration: Attio webhooks and enrollment jobs land on attio.enrollments") {
    gateway_fixture f;
    const std::string attio_body = R"({"webhook_id":"wh_1","events":[{"event_type":"list-entry.created"}]})";
    const auto a = f.client.post_json("/webhooks/attio", attio_body,
                                      {{"Attio-Signature", crypto::hmac_sha256_hex(attio_secret, attio_body)},
                                       {"Idempotency-Key", "idem-it-1"}});
    REQUIRE(a.status == 200);
    const auto job = f.client.post_json("/v1/enrollments",
                                        R"({"campaign_id":"cam_it","record_ids":["rec_a","rec_b"],"options":{"findEmail":true}})",
                                        {{"Authorization", "Bearer " + admin_token}});
    REQUIRE(job.status == 202);
    const std::string job_id = parse_json(job.body)["job_id"].GetString();

    const auto got = drain(f.broker, "attio.enrollments", 2);
    REQUIRE(got.size() == 2);
    CHECK(got[0].message_id == "idem-it-1");
    CHECK(got[0].body == attio_body);
    CHECK(amqp::header_string(got[0].headers, "x-source") == "attio_webhook");
    CHECK(got[0].persistent);
    CHECK(got[1].message_id == job_id);
    CHECK(amqp::header_string(got[1].headers, "x-source") == "api");
    const auto body = parse_json(got[1].body);
    CHECK(std::string(body["job_id"].GetString()) == job_id);
    CHECK(std::string(body["campaign_id"].GetString()) == "cam_it");
    CHECK(body["record_ids"].Size() == 2);
    CHECK(body["options"]["findEmail"].GetBool());
}

TEST_CASE("integration: ?wait=true returns the worker's reply through direct reply-to") {
    gateway_fixture f;
    // A stand-in worker: takes the job, answers to its reply_to with the same correlation_id.
    std::atomic<bool> replied{false};
    std::thread worker([&] {
        auto ch = amqp::sync_channel::open(amqp::test::broker_settings(), "gateway-it-worker");
        if (!ch) return;
        const auto until = std::chrono::steady_clock::now() + 15s;
        while (std::chrono::steady_clock::now() < until) {
            auto got = ch->get("attio.enrollments");
            if (!got || !*got) {
                std::this_thread::sleep_for(20ms);
                continue;
            }
            const auto& d = **got;
            amqp::publish_request reply;
            reply.exchange = "";
            reply.routing_key = d.reply_to;
            reply.correlation_id = d.correlation_id;
            reply.mandatory = false;
            reply.persistent = false;
            reply.message_id = d.message_id + ":reply";
            reply.body = R"({"job_id":")" + d.message_id + R"(","results":[{"record_id":"rec_w","status":"enrolled","lead_id":"lea_9"}]})";
            replied = ch->publish_confirmed(reply) == amqp::publish_outcome::confirmed;
            (void)ch->ack(d);
            return;
        }
    });
    const auto r = f.client.post_json("/v1/enrollments?wait=true", R"({"campaign_id":"cam_it","record_ids":["rec_w"]})",
                                      {{"Authorization", "Bearer " + admin_token}});
    worker.join();
    CHECK(replied);
    REQUIRE(r.status == 200);
    const auto body = parse_json(r.body);
    REQUIRE(body.HasMember("result"));
    CHECK(std::string(body["result"]["results"][0]["status"].GetString()) == "enrolled");
    CHECK(std::string(body["result"]["results"][0]["lead_id"].GetString()) == "lea_9");
}

TEST_CASE("integration: probes and metrics") {
    gateway_fixture f;
    CHECK(f.client.get("/healthz").status == 200);
    const auto ready = f.client.get("/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.body.find("\"broker_connected\":true") != std::string::npos);
    REQUIRE(f.client.post_json("/webhooks/lemlist", lemlist_event("act_it_metrics", lemlist_secret)).status == 200);
    CHECK(f.client.post_json("/webhooks/lemlist", "{").status == 400);
    const auto m = f.client.get("/metrics");
    REQUIRE(m.status == 200);
    CHECK(m.headers.at("content-type").starts_with("text/plain"));
    for (const char* needle : {"gateway_requests_total{route=\"/webhooks/lemlist\",status=\"200\"} 1",
                               "gateway_requests_total{route=\"/webhooks/lemlist\",status=\"400\"} 1",
                               "gateway_publish_duration_seconds_count 1", "gateway_confirms_outstanding 0",
                               "gateway_broker_connected 1", "gateway_spool_events 0", "gateway_spool_bytes 0",
                               "gateway_stored_total{store=\"broker\"} 1"}) {
        INFO(needle);
        CHECK(m.body.find(needle) != std::string::npos);
    }
    // The access log: one line per request, no bodies, no secrets.
    const std::string log = f.gw.log();
    CHECK(log.find("http.access") != std::string::npos);
    CHECK(log.find("/webhooks/lemlist") != std::string::npos);
    CHECK(log.find(lemlist_secret) == std::string::npos);
    CHECK(log.find("leadEmail") == std::string::npos);
}

TEST_CASE("integration: SIGTERM finishes in-flight work and exits 0") {
    gateway_fixture f;
    REQUIRE(f.client.post_json("/webhooks/lemlist", lemlist_event("act_it_term", lemlist_secret)).status == 200);
    CHECK(f.gw.stop(SIGTERM) == 0);
    CHECK(f.gw.log().find("gateway.stopped") != std::string::npos);
}

TEST_CASE("integration: --help and bad settings") {
    const auto help = run_gateway({"--help"}, {});
    CHECK(help.exit_code == 0);
    for (const char* var : {"GATEWAY_LISTEN", "AMQP_URL", "SPOOL_DIR", "SPOOL_MAX_BYTES", "LEMLIST_WEBHOOK_SECRET",
                            "GATEWAY_MAX_BODY_BYTES", "GATEWAY_IO_THREADS"})
        CHECK(help.out.find(var) != std::string::npos);

    for (const env_list& env : {env_list{{"GATEWAY_LISTEN", "nonsense"}}, env_list{{"AMQP_URL", "http://x/"}},
                                env_list{{"GATEWAY_MAX_BODY_BYTES", "lots"}}}) {
        const auto bad = run_gateway({}, env);
        CHECK(bad.exit_code == 2);
        INFO(bad.err);
        CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
        CHECK(bad.err.find(env[0].first) != std::string::npos);
    }
}

TEST_CASE("integration: the gateway declares the topology itself on an empty broker") {
    {
        auto ch = amqp::sync_channel::open(amqp::test::broker_settings(), "gateway-it-teardown");
        if (!ch) FAIL("broker: " << ch.error().message);
        // Harmless when they do not exist; the gateway must bring them back.
        (void)ch->delete_queue("lemlist.events");
        (void)ch->delete_exchange("lemlist.events");
        const auto gone = ch->queue_depth("lemlist.events");
        REQUIRE_FALSE(gone);  // 404: really gone
    }
    temp_dir spool;
    gateway_process gw{{{"AMQP_URL", test_amqp_url()}, {"SPOOL_DIR", spool.path().string()}}};
    http_client client(gw.port());
    REQUIRE(amqp::test::eventually(
        [&] { return client.get("/readyz").body.find("\"broker_connected\":true") != std::string::npos; }, 15s));
    const auto r = client.post_json("/webhooks/lemlist", lemlist_event("act_it_fresh"));
    REQUIRE(r.status == 200);
    CHECK(std::string(parse_json(r.body)["stored"].GetString()) == "broker");
    auto ch = amqp::sync_channel::open(amqp::test::broker_settings(), "gateway-it-check");
    REQUIRE(ch);
    const auto got = drain(*ch, "lemlist.events", 1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].message_id == "act_it_fresh");
}

TEST_CASE("integration: with no broker reachable events go to the spool and a full spool answers 503") {
    temp_dir spool;
    // Port 1 on loopback: nothing listens, so the publisher never connects.
    gateway_process gw{{{"AMQP_URL", "amqp://guest:guest@127.0.0.1:1/"},
                        {"SPOOL_DIR", spool.path().string()},
                        {"SPOOL_MAX_BYTES", "1048576"}}};
    http_client client(gw.port());
    const auto ready = client.get("/readyz");
    CHECK(ready.status == 200);  // the spool can take events
    CHECK(ready.body.find("\"broker_connected\":false") != std::string::npos);

    const std::string pad(200'000, 'x');
    int stored = 0, refused = 0;
    for (int i = 0; i < 8; ++i) {
        std::string ev = lemlist_event("act_it_full_" + std::to_string(i));
        ev.insert(ev.size() - 1, ",\"pad\":\"" + pad + "\"");
        const auto r = client.post_json("/webhooks/lemlist", ev);
        if (r.status == 200) {
            ++stored;
            CHECK(std::string(parse_json(r.body)["stored"].GetString()) == "spool");
            CHECK(refused == 0);  // once full, it stays full: nothing drains
        } else {
            CHECK(r.status == 503);
            CHECK(r.headers.count("retry-after") == 1);
            ++refused;
        }
    }
    CHECK(stored == 5);  // 5 x ~200 KB fit in 1 MiB, the 6th does not
    CHECK(refused == 3);
    const auto m = client.get("/metrics").body;
    CHECK(m.find("gateway_spool_events 5") != std::string::npos);
    CHECK(m.find("gateway_broker_connected 0") != std::string::npos);
    CHECK(m.find("gateway_unavailable_total 3") != std::string::npos);
    // ~48 KB are left: a 200 KB event does not fit, an ordinary one does.
    CHECK(client.post_json("/webhooks/lemlist", lemlist_event("act_it_small")).status == 200);
    CHECK(client.get("/readyz").status == 200);
}

TEST_CASE("integration: a restart with a non-empty spool drains it to the queue") {
    auto broker = clean_broker();
    temp_dir spool;
    {
        gateway_process offline{{{"AMQP_URL", "amqp://guest:guest@127.0.0.1:1/"}, {"SPOOL_DIR", spool.path().string()}}};
        http_client client(offline.port());
        for (int i = 0; i < 20; ++i)
            REQUIRE(client.post_json("/webhooks/lemlist", lemlist_event("act_it_restart_" + std::to_string(i))).status ==
                    200);
        CHECK(offline.stop(SIGTERM) == 0);  // the spool stays on disk
    }
    gateway_process online{{{"AMQP_URL", test_amqp_url()}, {"SPOOL_DIR", spool.path().string()}}};
    const auto got = drain(broker, "lemlist.events", 20, 15s);
    REQUIRE(got.size() == 20);
    for (int i = 0; i < 20; ++i) CHECK(got[static_cast<std::size_t>(i)].message_id == "act_it_restart_" + std::to_string(i));
    http_client client(online.port());
    CHECK(eventually([&] { return client.get("/metrics").body.find("gateway_spool_events 0") != std::string::npos; }));
}

TEST_CASE("integration: connections beyond GATEWAY_MAX_CONNECTIONS are closed at once") {
    temp_dir spool;
    gateway_process gw{{{"AMQP_URL", test_amqp_url()}, {"SPOOL_DIR", spool.path().string()},
                        {"GATEWAY_MAX_CONNECTIONS", "2"}}};
    http_client a(gw.port()), b(gw.port()), c(gw.port(), 3s);
    REQUIRE(a.get("/healthz").status == 200);  // two keep-alive connections held open
    REQUIRE(b.get("/healthz").status == 200);
    const auto refused = c.get("/healthz");
    CHECK(refused.status == 0);  // accepted and closed without an answer
    CHECK(a.get("/healthz").status == 200);  // the held ones still work
}

TEST_CASE("integration: SIGTERM under load - every event answered 200 is on the queue and the exit is 0") {
    gateway_fixture f;
    std::mutex mutex;
    std::vector<std::string> ok_ids;
    std::atomic<int> other_statuses{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
        clients.emplace_back([&, t] {
            http_client c(f.gw.port(), 10s);
            for (int i = 0;; ++i) {
                const std::string id = "act_it_sigterm_" + std::to_string(t) + "_" + std::to_string(i);
                const auto r = c.post_json("/webhooks/lemlist", lemlist_event(id, lemlist_secret));
                if (r.status == 0) return;  // the gateway stopped accepting
                std::lock_guard lock(mutex);
                if (r.status == 200) ok_ids.push_back(id);
                else ++other_statuses;
            }
        });
    }
    std::this_thread::sleep_for(300ms);
    const int code = f.gw.stop(SIGTERM);
    for (auto& c : clients) c.join();
    CHECK(code == 0);
    CHECK(other_statuses == 0);
    REQUIRE_FALSE(ok_ids.empty());
    const auto got = drain(f.broker, "lemlist.events", ok_ids.size());
    std::set<std::string> on_queue;
    for (const auto& d : got) on_queue.insert(d.message_id);
    std::size_t missing = 0;
    for (const auto& id : ok_ids) missing += on_queue.count(id) ? 0 : 1;
    INFO(ok_ids.size() << " answered 200, " << got.size() << " on the queue");
    CHECK(missing == 0);
}
