#include "attio_emulator/http_frontend.hpp"

#include <string>

#include "core/async_sleep.hpp"

namespace las::attio_emulator {

namespace {

awaitable<http::response> answer(service& svc, http::request& req) {
    api_response out = svc.handle(api_request{req.method_string(), req.target(),
                                                    req[http_proto::field::authorization], req.body()});
    if (out.delay.count() > 0) co_await async_sleep(out.delay);
    if (out.drop) {
        // las::http::server has no way for a handler to abort the connection yet, so a
        // "dropped" request gets the closest stand-in: 502, empty body, Connection: close.
        http::response res{http_proto::status::bad_gateway, req.version()};
        res.set("x-emulator-fault", "dropped-connection");
        res.keep_alive(false);
        res.prepare_payload();
        co_return res;
    }
    http::response res{static_cast<http_proto::status>(out.status), req.version()};
    res.set(http_proto::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) res.set(name, value);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(out.body);
    res.prepare_payload();
    co_return res;
}

}  // namespace

http::handler make_http_handler(service& svc) {
    return [&svc](http::request& req, const http::request_info&) { return answer(svc, req); };
}

}  // namespace las::attio_emulator
