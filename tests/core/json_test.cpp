#include <catch2/catch.hpp>

#include <string>

#include "core/json.hpp"

using namespace las;

TEST_CASE("json::parse accepts an object and exposes members safely") {
    auto doc = json::parse(R"({"type":"emailsSent","n":3,"f":1.5,"b":true,"blank":"  ","nested":{"a":1}})");
    REQUIRE(doc.ok());
    const auto& v = doc.value();
    CHECK(json::get_string(v, "type") == std::optional<std::string_view>("emailsSent"));
    CHECK(json::get_int(v, "n") == 3);
    CHECK(json::get_number(v, "f") == 1.5);
    CHECK(json::get_bool(v, "b") == true);
    CHECK_FALSE(json::get_string(v, "n"));      // wrong type
    CHECK_FALSE(json::get_string(v, "absent"));
    CHECK_FALSE(json::get_nonempty_string(v, "blank"));
    CHECK(json::find(v, "nested") != nullptr);
    CHECK(json::find(*json::find(v, "nested"), "a") != nullptr);
    CHECK_FALSE(json::get_string(*json::find(v, "nested"), "zz"));
}

TEST_CASE("json::parse rejects malformed text with an offset") {
    for (const char* bad : {"", "{", "{\"a\":}", "[1,2", "{\"a\":1} trailing", "nul", "{'a':1}"}) {
        INFO(bad);
        auto r = json::parse(bad);
        REQUIRE_FALSE(r.ok());
        CHECK_FALSE(r.error().message.empty());
    }
}

TEST_CASE("json::parse rejects invalid UTF-8") {
    const std::string bad = std::string("{\"a\":\"") + '\xC3' + '\x28' + "\"}";
    auto r = json::parse(bad);
    REQUIRE_FALSE(r.ok());
}

TEST_CASE("json::parse refuses nesting bombs before building them") {
    std::string bomb(100'000, '[');
    bomb += std::string(100'000, ']');
    auto r = json::parse(bomb, {.max_depth = 64});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("nested") != std::string::npos);

    std::string ok_depth(64, '[');
    ok_depth += std::string(64, ']');
    CHECK(json::parse(ok_depth, {.max_depth = 64}).ok());
    std::string one_more(65, '[');
    one_more += std::string(65, ']');
    CHECK_FALSE(json::parse(one_more, {.max_depth = 64}).ok());
}

TEST_CASE("json::nesting_depth ignores brackets inside strings") {
    CHECK(json::nesting_depth(R"({"a":"[[[[{{{{"})") == 1);
    CHECK(json::nesting_depth(R"({"a":"\"[[[","b":[[1]]})") == 3);
    CHECK(json::nesting_depth("42") == 0);
}

TEST_CASE("json::quoted escapes what JSON requires") {
    CHECK(json::quoted("plain") == "\"plain\"");
    CHECK(json::quoted("a\"b\\c\nd") == R"("a\"b\\c\nd")");
    CHECK(json::quoted(std::string("\x01", 1)) == R"("\u0001")");
    auto round = json::parse("{\"k\":" + json::quoted("x\"\t\x02y") + "}");
    REQUIRE(round.ok());
    CHECK(json::get_string(round.value(), "k") == std::optional<std::string_view>("x\"\t\x02y"));
}
