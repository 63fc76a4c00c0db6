#pragma once
// The emulator as a pure function from request to response: authentication, the published
// rate limits, fault injection, the Attio v2 route table and the `/__emulator/` control and
// inspection routes. No sockets: the HTTP front end only adapts requests and honours
// `delay` and `drop`. Safe to call from several threads at once (one lock over the store).

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "attio_emulator/faults.hpp"
#include "attio_emulator/rate_limiter.hpp"
#include "attio_emulator/stats.hpp"
#include "attio_emulator/store.hpp"
#include "attio_emulator/webhooks.hpp"

namespace las::attio_emulator {

struct api_request {
    std::string_view method;         // "GET"
    std::string_view target;         // "/v2/objects/people/records/query?x=1"
    std::string_view authorization;  // the Authorization header, empty when absent
    std::string_view body;
};

struct api_response {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json; charset=utf-8";
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds delay{0};  // injected latency: wait this long before answering
    bool drop = false;                   // injected: close the connection without an answer
};

struct service_config {
    std::string api_key = "attio-sandbox-key";
    rate_limit_settings rate_limits;
    fault_plan faults;
    std::uint64_t seed = 0;  // ids and fault draws; 0 seeds from the OS
    workspace_identity identity = default_identity();
};

class service {
public:
    using clock = std::function<std::chrono::system_clock::time_point()>;

    explicit service(service_config config, clock now = {});

    api_response handle(const api_request& req);

    rate_limiter& limiter() { return limiter_; }
    fault_injector& faults() { return faults_; }
    const stats& counters() const { return stats_; }
    const service_config& config() const { return config_; }

    struct route;
    struct call;
    // The Attio route table (method + path template → handler), built once.
    static const std::vector<route>& route_table();

private:
    api_response handle_api(const api_request& req, std::string_view path, std::string_view query,
                            std::chrono::system_clock::time_point now);
    api_response handle_control(const api_request& req, std::string_view path, std::string_view query,
                                std::chrono::system_clock::time_point now);
    api_response dispatch(const route& r, call& c);

    // Attio routes (each runs under store_mutex_).
    api_response get_self(call& c);
    api_response list_objects(call& c);
    api_response get_object(call& c);
    api_response list_attributes(call& c);
    api_response create_attribute(call& c);
    api_response get_attribute(call& c);
    api_response update_attribute(call& c);
    api_response list_options(call& c);
    api_response create_option(call& c);
    api_response update_option(call& c);
    api_response query_records(call& c);
    api_response create_record(call& c);
    api_response assert_record(call& c);
    api_response get_record(call& c);
    api_response patch_record(call& c);
    api_response put_record(call& c);
    api_response delete_record(call& c);
    api_response record_values(call& c);
    api_response record_entries(call& c);
    api_response list_lists(call& c);
    api_response create_list(call& c);
    api_response get_list(call& c);
    api_response update_list(call& c);
    api_response query_entries(call& c);
    api_response create_entry(call& c);
    api_response assert_entry(call& c);
    api_response get_entry(call& c);
    api_response patch_entry(call& c);
    api_response put_entry(call& c);
    api_response delete_entry(call& c);
    api_response entry_values(call& c);
    api_response list_webhooks(call& c);
    api_response create_webhook(call& c);
    api_response get_webhook(call& c);
    api_response update_webhook(call& c);
    api_response delete_webhook(call& c);
    api_response list_members(call& c);
    api_response get_member(call& c);
    api_response not_implemented(call& c);

    api_response update_record_with(call& c, write_mode mode);
    api_response update_entry_with(call& c, write_mode mode);

    service_config config_;
    clock now_;
    std::chrono::system_clock::time_point started_;
    std::mutex store_mutex_;
    workspace store_;
    webhook_registry webhooks_;  // under store_mutex_ too
    rate_limiter limiter_;
    fault_injector faults_;
    stats stats_;
};

}  // namespace las::attio_emulator
