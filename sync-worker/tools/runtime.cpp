#include "tools/runtime.hpp"

namespace las::tools {

namespace {
// The providers count requests in their own windows, on their own clocks, when they arrive;
// a request granted at the edge of our window may reach them a little later. The margin
// keeps those stragglers out of the provider's next window (it costs ~2% of the budget).
constexpr auto arrival_margin = std::chrono::milliseconds(25);
}  // namespace

runtime::runtime(worker_settings settings)
    : settings_(std::move(settings)), state_(state::make_worker_state(settings_)) {
    attio_reads_ = state_.make_gate("attio_reads", settings_.attio_reads_per_second,
                                    std::chrono::seconds(1) + arrival_margin);
    attio_writes_ = state_.make_gate("attio_writes", settings_.attio_writes_per_second,
                                     std::chrono::seconds(1) + arrival_margin);
    lemlist_gate_ = state_.make_gate("lemlist", settings_.lemlist_requests_per_2s,
                                     std::chrono::seconds(2) + arrival_margin);
}

http::client_options runtime::client_options() const {
    http::client_options options;
    options.request_timeout = settings_.http_timeout;
    options.max_connections = 32;
    return options;
}

runtime::~runtime() {
    blocking_.join();
}

attio::client& runtime::attio(std::string_view command) {
    if (!attio_) {
        settings_.require_attio(command);
        attio_http_ = std::make_unique<http::client>(io_.get_executor(), settings_.attio_base_url, client_options());
        attio_metrics_ = std::make_unique<outbound::call_metrics>(registry_, "attio");
        attio::client_options options;
        options.api_key = *settings_.attio_api_key;
        attio_ = std::make_unique<attio::client>(outbound::http_transport(*attio_http_),
                                                 attio::gates{*attio_reads_, *attio_writes_}, options,
                                                 attio_metrics_.get());
    }
    return *attio_;
}

outbound::lemlist_client& runtime::lemlist(std::string_view command) {
    if (!lemlist_) {
        settings_.require_lemlist(command);
        lemlist_http_ = std::make_unique<http::client>(io_.get_executor(), settings_.lemlist_base_url, client_options());
        lemlist_metrics_ = std::make_unique<outbound::call_metrics>(registry_, "lemlist");
        outbound::lemlist_options options;
        options.api_key = *settings_.lemlist_api_key;
        lemlist_ = std::make_unique<outbound::lemlist_client>(outbound::http_transport(*lemlist_http_), *lemlist_gate_,
                                                              options, lemlist_metrics_.get());
    }
    return *lemlist_;
}

}  // namespace las::tools
