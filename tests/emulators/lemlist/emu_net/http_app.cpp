#include "emu_net/http_app.hpp"

#include "core/async_sleep.hpp"

namespace las::lemlist_emu {

awaitable<http::response> http_app::operator()(http::request& req, const http::request_info&) {
    api_request ar;
    ar.method = std::string(req.method_string());
    ar.target = std::string(req.target());
    ar.authorization = std::string(req[http_proto::field::authorization]);
    ar.body = std::move(req.body());
    api_outcome out = emu_.handle(ar);

    if (out.job) dispatcher_.start(out.job);
    if (out.response.delay.count() > 0) co_await async_sleep(out.response.delay);
    if (out.job && out.wait) {
        // Poll the job's progress: cheap, and needs no completion plumbing.
        const auto deadline = std::chrono::steady_clock::now() + *out.wait;
        while (!out.job->progress->done() && std::chrono::steady_clock::now() < deadline) {
            co_await async_sleep(std::chrono::milliseconds(20));
        }
        out.response.body = out.job->progress->to_json();
    }

    http::response res{static_cast<http_proto::status>(out.response.status), req.version()};
    res.set(http_proto::field::content_type, out.response.content_type);
    for (const auto& [name, value] : out.response.headers) res.set(name, value);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(out.response.body);
    res.prepare_payload();
    co_return res;
}

http::handler http_app::handler() {
    return [this](http::request& req, const http::request_info& info) { return (*this)(req, info); };
}

}  // namespace las::lemlist_emu
