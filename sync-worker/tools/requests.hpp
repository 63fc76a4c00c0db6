#pragma once
// The worker's side of `sync.requests` (amqp/sync_request.hpp): the Attio app's queries and
// commands, relayed by the gateway, answered over direct reply-to with {status, body}:
//
//   campaigns           every page of Lemlist's GET /api/campaigns?version=v2
//                       → 200 {"campaigns":[{"id","name","status"}]}; 502 lemlist_refused
//   enrollment_job      the job store (state/job_store.hpp)
//                       → 200 {"job_id","state","results":[…]}; 404 not_found
//   subscriptions_sync  tools::sync_subscriptions with the request's categories in place of
//                       the TOML [events].categories ([events].types and mode kept)
//                       → 200 {"mode","target_url","created","deleted","kept","refused",
//                       "skipped"}; 502 lemlist_refused when listing the hooks failed
//
// A request is acked once answered (or unreadable); its expiration (the gateway's wait)
// drops it unanswered when no worker took it in time. Shapes: tests/fixtures/attio-app/contract.json.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "amqp/consumer.hpp"
#include "amqp/publisher.hpp"
#include "amqp/sync_request.hpp"
#include "outbound/lemlist_answers.hpp"
#include "state/job_store.hpp"
#include "tools/runtime.hpp"
#include "tools/subscriptions.hpp"

namespace las::tools {

// The pure mappings (unit-tested against the fixture's example answers).
amqp::sync_reply campaigns_reply(const std::vector<outbound::lemlist_campaign>& campaigns);
amqp::sync_reply lemlist_refused_reply(const outbound::call_error& error);
amqp::sync_reply job_reply(std::string_view job_id, const std::optional<state::job_progress>& progress);
amqp::sync_reply subscriptions_reply(const subscription_report& report, hook_mode mode, std::string_view target_url);
amqp::sync_reply error_reply(unsigned status, std::string_view code, std::string_view message,
                             std::string_view field = {});

class request_consumer {
public:
    // Starts consuming at once. Without LEMLIST_API_KEY, campaigns and subscriptions_sync are
    // answered 503 (job status still works).
    request_consumer(runtime& rt, const amqp::connection_settings& broker, amqp::publisher& publisher);
    ~request_consumer();
    request_consumer(const request_consumer&) = delete;
    request_consumer& operator=(const request_consumer&) = delete;

    void stop(std::chrono::milliseconds drain);
    bool ready() const;

private:
    awaitable<void> handle(amqp::delivery delivery);
    awaitable<amqp::sync_reply> answer(const amqp::sync_request& request);
    awaitable<amqp::sync_reply> sync_hooks(const std::vector<std::string>& categories);

    runtime& rt_;
    amqp::publisher& publisher_;
    outbound::lemlist_client* lemlist_ = nullptr;
    std::unique_ptr<amqp::consumer> consumer_;
};

}  // namespace las::tools
