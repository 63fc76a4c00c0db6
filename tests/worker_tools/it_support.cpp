#include "it_support.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <thread>

#include "core/json.hpp"
#include "outbound/gated_caller.hpp"
#include "outbound/lemlist_client.hpp"

namespace las::tools_test {

test_broker::test_broker() {
    const char* url = std::getenv("LAS_TEST_AMQP_URL");
    if (url == nullptr || *url == '\0')
        FAIL("LAS_TEST_AMQP_URL is not set: integration tests need a RabbitMQ (deploy/test.sh sets it)");
    url_ = url;
    auto parsed = amqp::parse_url(url_);
    if (!parsed) FAIL("LAS_TEST_AMQP_URL: " << parsed.error());
    settings_ = *parsed;
    auto ch = amqp::sync_channel::open(settings_, "worker-tools-test");
    if (!ch) FAIL("cannot connect to LAS_TEST_AMQP_URL: " << ch.error().message);
    channel_ = std::make_unique<amqp::sync_channel>(std::move(*ch));
    declare_topology();
}

void test_broker::declare_topology() {
    auto st = amqp::declare_topology(channel_->conn());
    if (!st) FAIL("declare topology: " << st.error().message);
}

void test_broker::purge(const std::string& queue) {
    auto n = channel_->purge(queue);
    if (!n) FAIL("purge " << queue << ": " << n.error().message);
}

std::uint32_t test_broker::depth(const std::string& queue) {
    auto n = channel_->queue_depth(queue);
    if (!n) FAIL("depth of " << queue << ": " << n.error().message);
    return *n;
}

void test_broker::put(const std::string& queue, amqp::publish_request request) {
    request.exchange = "";
    request.routing_key = queue;
    const auto outcome = channel_->publish_confirmed(request);
    if (outcome != amqp::publish_outcome::confirmed) FAIL("put into " << queue << ": " << amqp::to_string(outcome));
}

std::vector<amqp::delivery> test_broker::take_all(const std::string& queue) {
    std::vector<amqp::delivery> out;
    while (true) {
        auto got = channel_->get(queue);
        if (!got) FAIL("get " << queue << ": " << got.error().message);
        if (!*got) break;
        auto st = channel_->ack(**got);
        if (!st) FAIL("ack: " << st.error().message);
        out.push_back(std::move(**got));
    }
    return out;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (done()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return done();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

attio_side::attio_side(const std::string& base_url)
    : http_(ctx_.get_executor(), base_url),
      client_(outbound::http_transport(http_), attio::gates{reads_, writes_}, attio::client_options{.api_key = api_key}) {}

std::string attio_side::create_person(const std::string& values_json) {
    auto r = run_in(ctx_, client_.create_record("people", values_json));
    if (!r) FAIL("create person: " << r.error().describe());
    return r->record_id;
}

std::string attio_side::enrollment_status(const std::string& record_id) {
    auto r = run_in(ctx_, client_.get_record("people", record_id));
    if (!r) FAIL("get person: " << r.error().describe());
    const auto* values = json::find(r->values, "lemlist_enrollment_status");
    if (!values || !values->IsArray() || values->Empty()) return {};
    const auto* option = json::find((*values)[0], "option");
    if (!option) return {};
    return std::string(json::get_string(*option, "title").value_or(""));
}

std::string attio_side::lead_id(const std::string& record_id) {
    auto r = run_in(ctx_, client_.get_record("people", record_id));
    if (!r) FAIL("get person: " << r.error().describe());
    const auto* values = json::find(r->values, "lemlist_lead_id");
    if (!values || !values->IsArray() || values->Empty()) return {};
    return std::string(json::get_string((*values)[0], "value").value_or(""));
}

std::string attio_side::enrollment_reason(const std::string& record_id) {
    auto r = run_in(ctx_, client_.get_record("people", record_id));
    if (!r) FAIL("get person: " << r.error().describe());
    const auto* values = json::find(r->values, "lemlist_enrollment_reason");
    if (!values || !values->IsArray() || values->Empty()) return {};
    return std::string(json::get_string((*values)[0], "value").value_or(""));
}

void attio_side::patch_entry(const std::string& list, const std::string& entry_id, const std::string& values_json) {
    auto r = run_in(ctx_, client_.patch_entry(list, entry_id, values_json));
    if (!r) FAIL("patch entry: " << r.error().describe());
}

attio::entry attio_side::entry(const std::string& list, const std::string& entry_id) {
    auto r = run_in(ctx_, client_.get_entry(list, entry_id));
    if (!r) FAIL("get entry: " << r.error().describe());
    return std::move(r).value();
}

std::vector<attio::webhook_info> attio_side::webhooks() {
    auto r = run_in(ctx_, client_.list_webhooks(100, 0));
    if (!r) FAIL("list webhooks: " << r.error().describe());
    return std::move(r).value();
}

void attio_side::update_webhook(const std::string& id, std::vector<attio::webhook_subscription> subscriptions) {
    auto r = run_in(ctx_, client_.update_webhook(id, std::move(subscriptions)));
    if (!r) FAIL("update webhook: " << r.error().describe());
}

attio::entry attio_side::create_entry(const std::string& list, const std::string& record_id,
                                      const std::string& values_json) {
    auto r = run_in(ctx_, client_.create_entry(list, "people", record_id, values_json));
    if (!r) FAIL("create entry: " << r.error().describe());
    return std::move(r).value();
}

attio::list_info attio_side::list(const std::string& slug) {
    auto r = run_in(ctx_, client_.get_list(slug));
    if (!r) FAIL("get list: " << r.error().describe());
    return std::move(r).value();
}

lemlist_side::lemlist_side(const std::string& base_url) : http_(ctx_.get_executor(), base_url) {}

std::pair<unsigned, std::string> lemlist_side::send(http_proto::verb method, const std::string& target,
                                                    std::string body, bool authenticated) {
    http::client_request r;
    r.method = method;
    r.target = target;
    r.body = std::move(body);
    if (authenticated) r.headers.emplace_back("Authorization", outbound::lemlist_authorization(api_key));
    auto answer = run_in(ctx_, http_.send(std::move(r)));
    if (!answer) FAIL("lemlist emulator " << target << ": " << answer.error().message);
    return {answer->status, answer->body};
}

std::size_t lemlist_side::leads_with_email(const std::string& email) {
    const auto [status, body] = send(http_proto::verb::get, "/__emulator/leads");
    REQUIRE(status == 200);
    auto doc = json::parse(body);
    REQUIRE(doc.ok());
    const rapidjson::Value* leads = &*doc;
    if (doc->IsObject()) leads = json::find(*doc, "leads");
    REQUIRE(leads);
    REQUIRE(leads->IsArray());
    std::size_t n = 0;
    for (const auto& lead : leads->GetArray()) {
        std::string found(json::get_string(lead, "email").value_or(""));
        if (found.empty()) {
            if (const auto* vars = json::find(lead, "variables"); vars && vars->IsObject())
                found = std::string(json::get_string(*vars, "email").value_or(""));
        }
        n += found == email ? 1 : 0;
    }
    return n;
}

env_list worker_env(const test_broker& broker, const temp_dir& state, const std::string& attio_url,
                    const std::string& lemlist_url) {
    env_list env{{"AMQP_URL", broker.url()},
                 {"STATE_DIR", state.path().string()},
                 {"LOG_LEVEL", "info"},
                 {"LOG_FORMAT", "text"},
                 {"REDIS_URL", ""},
                 {"CONFIG_FILE", ""}};
    if (!attio_url.empty()) {
        env.emplace_back("ATTIO_BASE_URL", attio_url);
        env.emplace_back("ATTIO_API_KEY", attio_side::api_key);
    }
    if (!lemlist_url.empty()) {
        env.emplace_back("LEMLIST_BASE_URL", lemlist_url);
        env.emplace_back("LEMLIST_API_KEY", lemlist_side::api_key);
    }
    return env;
}

std::string worker_binary() { return binary("sync-worker").string(); }

}  // namespace las::tools_test
