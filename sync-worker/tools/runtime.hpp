#pragma once
// What every sync-worker command shares, built once from the settings: the I/O context
// (one thread: every coroutine of the worker runs on it), a small pool for blocking state
// calls, the state backends, the rate gates, and the Attio and Lemlist clients.

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>

#include <boost/asio/thread_pool.hpp>

#include "attio/client.hpp"
#include "core/metrics.hpp"
#include "core/settings.hpp"
#include "http/client.hpp"
#include "outbound/call_metrics.hpp"
#include "outbound/lemlist_client.hpp"
#include "state/store_factory.hpp"

namespace las::tools {

class runtime {
public:
    explicit runtime(worker_settings settings);
    ~runtime();

    const worker_settings& settings() const { return settings_; }
    asio::io_context& io() { return io_; }
    asio::thread_pool& blocking() { return blocking_; }
    metrics::registry& registry() { return registry_; }
    state::worker_state& state() { return state_; }

    // Built on first use; throw config_error when the key is missing.
    attio::client& attio(std::string_view command);
    outbound::lemlist_client& lemlist(std::string_view command);

    // Runs `work` on the I/O thread (this thread) until it completes; for CLI commands.
    template <class T>
    T run(awaitable<T> work);

private:
    http::client_options client_options() const;

    worker_settings settings_;
    asio::io_context io_;
    asio::thread_pool blocking_{2};
    metrics::registry registry_;
    state::worker_state state_;
    std::shared_ptr<state::rate_gate> attio_reads_, attio_writes_, lemlist_gate_;
    std::unique_ptr<http::client> attio_http_, lemlist_http_;
    std::unique_ptr<outbound::call_metrics> attio_metrics_, lemlist_metrics_;
    std::unique_ptr<attio::client> attio_;
    std::unique_ptr<outbound::lemlist_client> lemlist_;
};

template <class T>
T runtime::run(awaitable<T> work) {
    std::optional<T> out;
    std::exception_ptr error;
    // Asio needs a default-constructible result type; results here rarely are.
    auto store = [](awaitable<T> w, std::optional<T>& into) -> awaitable<void> { into.emplace(co_await std::move(w)); };
    asio::co_spawn(io_, store(std::move(work), out), [&](std::exception_ptr e) { error = e; });
    io_.restart();
    io_.run();
    if (error) std::rethrow_exception(error);
    return std::move(*out);
}

}  // namespace las::tools
