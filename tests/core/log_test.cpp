#include <catch2/catch.hpp>

#include "core/json.hpp"
#include "core/log.hpp"

using namespace las;

TEST_CASE("text log lines are event then key=value") {
    const auto line = log::format_line(log::level::info, log::format::text, "event.acked",
                                       {{"key", "act_1"}, {"attempt", 2}, {"ok", true}, {"note", "two words"}}, false);
    CHECK(line == R"(INFO event.acked key=act_1 attempt=2 ok=true note="two words")");
}

TEST_CASE("json log lines are valid JSON with typed fields") {
    const auto line = log::format_line(log::level::warn, log::format::json, "publish.nacked",
                                       {{"key", "a\"b"}, {"attempt", 3}, {"latency_ms", 1.5}}, true);
    auto doc = json::parse(line);
    REQUIRE(doc.ok());
    CHECK(json::get_string(doc.value(), "level") == std::optional<std::string_view>("warn"));
    CHECK(json::get_string(doc.value(), "event") == std::optional<std::string_view>("publish.nacked"));
    CHECK(json::get_string(doc.value(), "key") == std::optional<std::string_view>("a\"b"));
    CHECK(json::get_int(doc.value(), "attempt") == 3);
    CHECK(json::get_number(doc.value(), "latency_ms") == 1.5);
    CHECK(json::get_string(doc.value(), "ts").has_value());
}

TEST_CASE("secrets never reach a log line") {
    for (auto fmt : {log::format::text, log::format::json}) {
        const auto line = log::format_line(
            log::level::info, fmt, "config",
            {{"secret", "s3cr3t"}, {"ATTIO_API_KEY", "k3y"}, {"authorization", "Bearer t0k"},
             {"amqp", "amqp://guest:hunter2@127.0.0.1:5672/"}, {"admin_token", "adm1n"}},
            false);
        INFO(line);
        for (const char* leaked : {"s3cr3t", "k3y", "t0k", "hunter2", "adm1n"}) CHECK(line.find(leaked) == std::string::npos);
        CHECK(line.find("amqp://guest:***@127.0.0.1:5672/") != std::string::npos);
    }
}

TEST_CASE("URL credential masking leaves other text alone") {
    CHECK(log::mask_url_credentials("redis://:pw@h:6379/0") == "redis://:***@h:6379/0");
    CHECK(log::mask_url_credentials("https://api.attio.com/v2/x") == "https://api.attio.com/v2/x");
    CHECK(log::mask_url_credentials("user@example.com") == "user@example.com");
    CHECK(log::mask_url_credentials("a amqp://u:p@h/ b amqp://v:q@i/") == "a amqp://u:***@h/ b amqp://v:***@i/");
}

TEST_CASE("log level filtering") {
    log::configure(log::level::warn, log::format::text);
    CHECK_FALSE(log::enabled(log::level::info));
    CHECK(log::enabled(log::level::error));
    log::configure(log::level::info, log::format::text);
    CHECK(log::enabled(log::level::info));
}
