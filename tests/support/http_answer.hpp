#pragma once
// A provider's HTTP answer built by hand, for fake transports.

#include <string>
#include <utility>
#include <vector>

#include "http/client.hpp"

namespace las::test {

inline http::client_response answer(unsigned status, std::string body,
                                    std::string content_type = "application/json; charset=utf-8",
                                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::client_response r;
    r.status = status;
    r.body = std::move(body);
    if (!content_type.empty()) r.headers.set(http_proto::field::content_type, content_type);
    for (auto& [k, v] : headers) r.headers.set(k, v);
    return r;
}

}  // namespace las::test
