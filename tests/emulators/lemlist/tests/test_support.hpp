#pragma once
// Helpers shared by the emulator's unit tests: requests with credentials, a manual clock,
// JSON parsing with assertions.

#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "core/json.hpp"
#include "emu/emulator.hpp"
#include "emu/text_util.hpp"

namespace lemlist_emu_test {

using namespace las::lemlist_emu;

inline const std::string default_key = "lemlist-sandbox-key";

inline std::string basic(std::string_view user_pass) { return "Basic " + base64_encode(user_pass); }

inline api_request req(std::string method, std::string target, std::string body = {},
                       std::string auth = basic(":" + default_key)) {
    return api_request{std::move(method), std::move(target), std::move(auth), std::move(body)};
}

inline rapidjson::Document parse_json(const std::string& text) {
    auto d = las::json::parse(text);
    INFO(text);
    REQUIRE(d.ok());
    return std::move(d.value());
}

inline std::string str(const rapidjson::Value& v, const char* key) {
    const auto s = las::json::get_string(v, key);
    return s ? std::string(*s) : std::string("<absent>");
}

inline std::string header(const api_response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return {};
}

struct manual_clock {
    sys_ms now = *parse_iso8601("2026-03-02T10:00:00Z");
    clock_fn fn() {
        return [this] { return now; };
    }
};

}  // namespace lemlist_emu_test
