#pragma once
// Integration helpers of the worker_tools tests: the test broker (LAS_TEST_AMQP_URL, the
// contract topology declared, queues purged before each test), the emulators' APIs as seen
// from the test, and the environment the sync-worker child gets.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "amqp/sync_channel.hpp"
#include "amqp/topology.hpp"
#include "amqp/url.hpp"
#include "attio/client.hpp"
#include "http/client.hpp"
#include "state/local_rate_gate.hpp"
#include "support.hpp"
#include "support/child_process.hpp"

namespace las::tools_test {

using test::binary;
using test::child;
using test::emulator;
using test::env_list;
using test::run;
using test::run_result;

// The broker of the test run; FAILs the test when LAS_TEST_AMQP_URL is unset or unusable.
class test_broker {
public:
    test_broker();
    const std::string& url() const { return url_; }
    amqp::sync_channel& channel() { return *channel_; }

    void declare_topology();
    void purge(const std::string& queue);
    std::uint32_t depth(const std::string& queue);
    // Publishes (confirmed) a message straight into `queue` (default exchange).
    void put(const std::string& queue, amqp::publish_request request);
    // Takes (and acks) every message of `queue`.
    std::vector<amqp::delivery> take_all(const std::string& queue);

private:
    std::string url_;
    amqp::connection_settings settings_;
    std::unique_ptr<amqp::sync_channel> channel_;
};

// Polls `done` every 50 ms until true or `timeout`.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// The Attio emulator through the worker's own client (for setup and for reading results).
class attio_side {
public:
    explicit attio_side(const std::string& base_url);
    std::string create_person(const std::string& values_json);
    // The Person's lemlist_enrollment_status option title ("" when unset).
    std::string enrollment_status(const std::string& record_id);
    std::string lead_id(const std::string& record_id);
    // The Person's lemlist_enrollment_reason ("" when unset).
    std::string enrollment_reason(const std::string& record_id);
    attio::entry create_entry(const std::string& list, const std::string& record_id, const std::string& values_json);
    // PATCH an entry's values, as a rep editing it in Attio would.
    void patch_entry(const std::string& list, const std::string& entry_id, const std::string& values_json);
    attio::entry entry(const std::string& list, const std::string& entry_id);
    // Every webhook of the workspace (GET /v2/webhooks, one page of 100), and a PATCH of one.
    std::vector<attio::webhook_info> webhooks();
    void update_webhook(const std::string& id, std::vector<attio::webhook_subscription> subscriptions);
    attio::list_info list(const std::string& slug);

    static constexpr const char* api_key = "attio-sandbox-key";

private:
    asio::io_context ctx_;
    http::client http_;
    state::local_rate_gate reads_{"r", 1000, std::chrono::seconds(1)}, writes_{"w", 1000, std::chrono::seconds(1)};
    attio::client client_;
};

// The Lemlist emulator's API and control routes.
class lemlist_side {
public:
    explicit lemlist_side(const std::string& base_url);
    // A request; the answer's status and body.
    std::pair<unsigned, std::string> send(http_proto::verb method, const std::string& target, std::string body = {},
                                          bool authenticated = false);
    // Leads of the emulator (GET /__emulator/leads) whose email is `email`.
    std::size_t leads_with_email(const std::string& email);

    static constexpr const char* api_key = "lemlist-sandbox-key";

private:
    asio::io_context ctx_;
    http::client http_;
};

// AMQP_URL, STATE_DIR and a quiet log for the sync-worker child, plus the providers' when given.
env_list worker_env(const test_broker& broker, const temp_dir& state, const std::string& attio_url = {},
                    const std::string& lemlist_url = {});

// The sync-worker binary.
std::string worker_binary();

}  // namespace las::tools_test
