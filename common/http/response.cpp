// Response helpers for handlers, and the cached Date header the server adds.

#include <ctime>

#include "core/json.hpp"
#include "http/server.hpp"

namespace las::http {

response make_response(const request& req, http_proto::status status, std::string body,
                       std::string_view content_type) {
    response res{status, req.version()};
    if (!content_type.empty()) res.set(http_proto::field::content_type, content_type);
    res.body() = std::move(body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

response make_error(const request& req, http_proto::status status, std::string_view code, std::string_view message) {
    std::string body;
    body.reserve(32 + code.size() + message.size());
    body += "{\"error\":";
    json::append_quoted(body, code);
    body += ",\"message\":";
    json::append_quoted(body, message);
    body += '}';
    return make_response(req, status, std::move(body));
}

std::string_view http_date_now() {
    // Formatting a date per response would cost more than the rest of a tiny response; the
    // text only changes once a second, so each thread keeps its own copy.
    struct cache {
        std::time_t second = -1;
        char text[40] = {};
        std::size_t size = 0;
    };
    thread_local cache c;
    const std::time_t now = std::time(nullptr);
    if (now != c.second) {
        std::tm tm{};
        gmtime_r(&now, &tm);
        c.size = std::strftime(c.text, sizeof c.text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        c.second = now;
    }
    return {c.text, c.size};
}

}  // namespace las::http
