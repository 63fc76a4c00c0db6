// `sync-worker attio-webhook sync` against the Attio emulator, then the whole path it sets up:
// Attio's signed list-entry delivery → ingest-gateway (ATTIO_WEBHOOK_SECRET = the printed
// secret) → attio.enrollments → `sync-worker run` → Lemlist, the answer back on the entry.
#include <catch2/catch.hpp>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "it_support.hpp"
#include "sync/enrollment_entry.hpp"
#include "tools/attio_webhook.hpp"

using namespace las;
using namespace las::tools_test;
using namespace std::chrono_literals;

namespace {

constexpr const char* campaign = "cam_SandboxOutreach01";
constexpr const char* public_url = "https://sync.example.test/webhooks/lemlist";
constexpr const char* attio_url = "https://sync.example.test/webhooks/attio";

std::string line_with(const std::string& text, const std::string& prefix) {
    const auto at = text.find(prefix);
    if (at == std::string::npos) return {};
    return text.substr(at + prefix.size(), text.find('\n', at) - at - prefix.size());
}

// ingest-gateway as a child process on an ephemeral port.
struct gateway {
    child process;
    std::uint16_t port = 0;

    gateway(const test_broker& broker, const temp_dir& dir, const std::string& attio_secret)
        : process({binary("ingest-gateway").string()},
                  env_list{{"GATEWAY_LISTEN", "127.0.0.1:0"}, {"AMQP_URL", broker.url()},
                           {"SPOOL_DIR", (dir.path() / "spool").string()}, {"ATTIO_WEBHOOK_SECRET", attio_secret},
                           {"LOG_LEVEL", "info"}}) {
        port = process.announced_port("ingest-gateway listening on ", 20s);
    }

    // POST /webhooks/attio as Attio delivers: Attio-Signature = hex HMAC-SHA256(secret, body).
    unsigned post(const std::string& body, const std::string& secret, const std::string& idempotency_key) {
        asio::io_context ctx;
        http::client client(ctx.get_executor(), "http://127.0.0.1:" + std::to_string(port));
        http::client_request r;
        r.method = http_proto::verb::post;
        r.target = "/webhooks/attio";
        r.body = body;
        r.headers.emplace_back("Content-Type", "application/json");
        r.headers.emplace_back("Attio-Signature", crypto::hmac_sha256_hex(secret, body));
        r.headers.emplace_back("Idempotency-Key", idempotency_key);
        auto answer = run_in(ctx, client.send(std::move(r)));
        if (!answer) FAIL("gateway: " << answer.error().message);
        return answer->status;
    }
};

}  // namespace

TEST_CASE("attio-webhook sync: created once with its secret, updated when it drifts, then a no-op",
          "[attio_webhook][integration]") {
    test_broker broker;
    temp_dir state;
    emulator attio_emu{"attio-emulator"};
    attio_side attio{attio_emu.base_url()};
    auto env = worker_env(broker, state, attio_emu.base_url());
    env.emplace_back("PUBLIC_WEBHOOK_URL", public_url);
    auto sync = [&](std::vector<std::string> extra = {}) {
        std::vector<std::string> args{worker_binary(), "attio-webhook", "sync"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(std::move(args), env);
    };

    auto unprovisioned = sync();
    INFO(unprovisioned.out << unprovisioned.err);
    CHECK(unprovisioned.exit_code == 2);
    CHECK(unprovisioned.out.find("run `sync-worker provision` first") != std::string::npos);

    REQUIRE(run({worker_binary(), "provision"}, env).exit_code == 0);
    const auto list_id = attio.list("lemlist_enrollments").list_id;

    auto dry = sync({"--dry-run"});
    INFO(dry.out << dry.err);
    CHECK(dry.exit_code == 0);
    CHECK(dry.out.find(std::string("would create a webhook → ") + attio_url) != std::string::npos);
    CHECK(attio.webhooks().empty());

    auto created = sync();
    INFO(created.out << created.err);
    REQUIRE(created.exit_code == 0);
    const auto secret = line_with(created.out, "secret: ");
    CHECK(secret.size() == 64);
    CHECK(created.out.find("set ATTIO_WEBHOOK_SECRET=" + secret) != std::string::npos);
    auto hooks = attio.webhooks();
    REQUIRE(hooks.size() == 1);
    CHECK(hooks[0].target_url == attio_url);
    CHECK(attio::same_subscriptions(hooks[0].subscriptions, tools::enrollment_subscriptions(list_id)));
    CHECK(created.err.find(secret) == std::string::npos);  // never in the logs

    auto again = sync();
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    CHECK(again.out.find("nothing to change") != std::string::npos);
    CHECK(again.out.find("secret: ") == std::string::npos);
    CHECK(attio.webhooks().size() == 1);

    // Someone narrowed it in Attio: put back, same webhook, same secret.
    attio.update_webhook(hooks[0].webhook_id, {{"list-entry.created", std::nullopt}});
    auto repaired = sync();
    INFO(repaired.out << repaired.err);
    CHECK(repaired.exit_code == 0);
    CHECK(repaired.out.find("updated webhook " + hooks[0].webhook_id) != std::string::npos);
    hooks = attio.webhooks();
    REQUIRE(hooks.size() == 1);
    CHECK(attio::same_subscriptions(hooks[0].subscriptions, tools::enrollment_subscriptions(list_id)));

    // Attio takes https targets only: a plain-http public URL stops with one line.
    auto plain = env;
    plain.emplace_back("PUBLIC_WEBHOOK_URL", "http://127.0.0.1:8080/webhooks/lemlist");
    auto refused = run({worker_binary(), "attio-webhook", "sync"}, plain);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("Attio only delivers webhooks to https://") != std::string::npos);
}

TEST_CASE("what Attio signs with the printed secret passes the gateway and enrolls the entry's Person",
          "[attio_webhook][integration]") {
    test_broker broker;
    for (const auto& q : {"attio.enrollments", "attio.enrollments.dlq"}) broker.purge(q);
    temp_dir state;
    emulator attio_emu{"attio-emulator"};
    emulator lemlist_emu{"lemlist-emulator"};
    attio_side attio{attio_emu.base_url()};
    lemlist_side lemlist{lemlist_emu.base_url()};
    auto env = worker_env(broker, state, attio_emu.base_url(), lemlist_emu.base_url());
    env.emplace_back("PUBLIC_ATTIO_WEBHOOK_URL", attio_url);
    REQUIRE(run({worker_binary(), "provision"}, env).exit_code == 0);
    auto created = run({worker_binary(), "attio-webhook", "sync"}, env);
    INFO(created.out << created.err);
    REQUIRE(created.exit_code == 0);
    const auto secret = line_with(created.out, "secret: ");
    REQUIRE_FALSE(secret.empty());

    gateway gw(broker, state, secret);
    child worker({worker_binary(), "run"}, env);
    REQUIRE(worker.wait_for_output("queue=attio.enrollments", 30s));

    const auto gus = attio.create_person(R"({"name":[{"first_name":"Gus","last_name":"Test","full_name":"Gus Test"}],)"
                                         R"("email_addresses":["gus@example.com"]})");
    const auto list_id = attio.list("lemlist_enrollments").list_id;
    const auto entry = attio.create_entry("lemlist_enrollments", gus,
                                          std::string(R"({"lemlist_campaign_id":")") + campaign + "\"}");
    const std::string body =
        R"({"webhook_id":"wh","events":[{"event_type":"list-entry.created","id":{"workspace_id":"w","list_id":")" + list_id +
        R"(","entry_id":")" + entry.entry_id + R"("},"parent_object_id":"p","parent_record_id":")" + gus +
        R"(","actor":{"type":"workspace-member","id":"m"}}]})";
    CHECK(gw.post(body, "not-the-secret", "attio-delivery-0") == 401);
    REQUIRE(gw.post(body, secret, "attio-delivery-1") == 200);
    INFO(worker.err());
    CHECK(eventually([&] {
        return sync::answer_on(attio.entry("lemlist_enrollments", entry.entry_id).values).status ==
               sync::enrollment_status::enrolled;
    }, 20s));
    CHECK(attio.enrollment_status(gus) == "enrolled");
    CHECK(lemlist.leads_with_email("gus@example.com") == 1);

    CHECK(worker.terminate(30s) == 0);
    CHECK(gw.process.terminate(30s) == 0);
}
