#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "core/json.hpp"
#include "lemlist/event.hpp"
#include "lemlist/idempotency_key.hpp"
#include "sample.hpp"

using namespace las;
using namespace las::lemlist;

namespace {

std::string code_of(std::string_view raw, parse_options options = {}) {
    const auto r = parse_event(raw, options);
    return r ? std::string("ok") : r.error().code;
}

}  // namespace

TEST_CASE("parse_event extracts the common fields") {
    const auto ev = parse_event(R"({"_id":"act_1","type":"emailsSent","teamId":"tea_1","createdAt":"2025-02-27T14:58:05.000Z",
        "campaignId":"cam_1","campaignName":"Spring","name":"ignored","sequenceId":"seq_1","sequenceStep":2,
        "leadId":"lea_1","leadEmail":"A@B.co","subject":"Hello","sendUserEmail":"sender@example.com","secret":"hush"})");
    REQUIRE(ev);
    CHECK(ev->type == "emailsSent");
    CHECK(ev->idempotency_key == "act_1");
    CHECK(ev->cls == classify("emailsSent"));
    CHECK(ev->activity_id == "act_1");
    CHECK(ev->team_id == "tea_1");
    CHECK(ev->campaign_id == "cam_1");
    CHECK(ev->campaign_name == "Spring");
    CHECK(ev->sequence_id == "seq_1");
    CHECK(ev->sequence_step == 2.0);
    CHECK(ev->lead_id == "lea_1");
    CHECK(ev->subject == "Hello");
    CHECK(ev->sender_email == "sender@example.com");
    CHECK(ev->created_at == "2025-02-27T14:58:05.000Z");
    REQUIRE(ev->occurred_at);
    CHECK(format_iso8601(*ev->occurred_at) == "2025-02-27T14:58:05.000Z");
    CHECK(ev->lead.email == "a@b.co");
    REQUIRE(ev->body);
    CHECK(json::find(*ev->body, "secret") == nullptr);
}

TEST_CASE("optional fields: fallbacks and tolerance") {
    auto ev = parse_event(R"({"type":"paused","name":"Campaign by name","sequenceStep":"3","lead":{"_id":"lea_9"}})");
    REQUIRE(ev);
    CHECK(ev->campaign_name == "Campaign by name");
    CHECK(ev->sequence_step == 3.0);
    CHECK(ev->lead_id == "lea_9");
    CHECK_FALSE(ev->activity_id);
    CHECK_FALSE(ev->created_at);
    CHECK_FALSE(ev->occurred_at);

    ev = parse_event(R"({"type":"paused","sequenceStep":"two","createdAt":"yesterday","campaignName":"  ",
                         "leadId":7,"subject":null,"_id":{"a":1},"lead":[]})");
    REQUIRE(ev);
    CHECK_FALSE(ev->sequence_step);
    CHECK(ev->created_at == "yesterday");
    CHECK_FALSE(ev->occurred_at);  // kept raw, not parsed
    CHECK_FALSE(ev->campaign_name);
    CHECK_FALSE(ev->lead_id);
    CHECK_FALSE(ev->subject);
    CHECK_FALSE(ev->activity_id);
    ev = parse_event(R"({"type":"paused","sequenceStep":" 4 "})");  // string fields are trimmed
    REQUIRE(ev);
    CHECK(ev->sequence_step == 4.0);
    for (const std::string_view step : {R"("-1")", R"("1.5")", R"("")", R"("1234567890")", R"("1 2")", R"("0x1")"}) {
        INFO(step);
        const auto e = parse_event(std::string(R"({"type":"x","sequenceStep":)") + std::string(step) + "}");
        REQUIRE(e);
        CHECK_FALSE(e->sequence_step);
    }
}

TEST_CASE("unknown and removed types are valid events") {
    auto ev = parse_event(R"({"type":"linkedinPokeDone","_id":"act_2"})");
    REQUIRE(ev);
    CHECK_FALSE(ev->cls.documented);
    CHECK(ev->cls.chan == channel::linkedin);
    ev = parse_event(R"({"type":"emailsSendFailed","_id":"act_3"})");
    REQUIRE(ev);
    CHECK(ev->cls.removed);
    CHECK(ev->cls.category == event_category::other);
}

TEST_CASE("secret: read before stripping, every copy stripped, the rest untouched and in order") {
    const std::string raw = R"({"z":1,"secret":"one","type":"x","secret":"two","a":{"secret":"nested"},"m":2})";
    const auto doc = test::parse_or_throw(raw);
    CHECK(secret_of(doc) == std::optional<std::string_view>("one"));
    CHECK_FALSE(secret_of(test::parse_or_throw(R"({"type":"x","secret":5})")));
    CHECK_FALSE(secret_of(test::parse_or_throw(R"({"type":"x"})")));
    CHECK_FALSE(secret_of(test::parse_or_throw(R"(["secret"])")));

    const auto ev = parse_event(raw);
    REQUIRE(ev);
    CHECK(serialize_body(*ev) == R"({"z":1,"type":"x","a":{"secret":"nested"},"m":2})");
    CHECK_FALSE(secret_of(*ev->body));
}

TEST_CASE("the gateway's flow: parse_body, check secret_of, then event_from_document") {
    auto doc = parse_body(R"({"type":"emailsOpened","_id":"act_7","secret":"hush"})");
    REQUIRE(doc);
    CHECK(secret_of(*doc) == std::optional<std::string_view>("hush"));
    const auto ev = event_from_document(std::move(doc).value());
    REQUIRE(ev);
    CHECK(ev->idempotency_key == "act_7");
    CHECK_FALSE(secret_of(*ev->body));

    // parse_body judges only encoding, depth and syntax; the shape is event_from_document's.
    CHECK(parse_body("[1]"));
    CHECK(parse_body("{").error().code == validation_code::invalid_json);
    CHECK(parse_body("[[1]]", {.max_depth = 1}).error().code == validation_code::too_deep);
    CHECK(parse_body("\"\xFF\"").error().code == validation_code::invalid_utf8);
}

TEST_CASE("serialize_body round-trips to an equal event") {
    const auto first = parse_event(R"({"type":"emailsReplied","isThirdPartyReply":true,"secret":"s","text":"a\u0000b"})");
    REQUIRE(first);
    const auto body = serialize_body(*first);
    CHECK(body.find("secret") == std::string::npos);
    const auto second = parse_event(body);
    REQUIRE(second);
    CHECK(second->idempotency_key == first->idempotency_key);  // the worker recomputes the same key
    CHECK(serialize_body(*second) == body);
}

TEST_CASE("event_from_document takes already parsed records") {
    auto ev = event_from_document(test::parse_or_throw(R"({"_id":"act_5","type":"emailsOpened"})"));
    REQUIRE(ev);
    CHECK(ev->idempotency_key == "act_5");
    CHECK(event_from_document(rapidjson::Document()).error().code == validation_code::not_an_object);
    CHECK(event_from_document(test::parse_or_throw("[]")).error().code == validation_code::not_an_object);
}

TEST_CASE("hostile input is rejected with a code") {
    CHECK(code_of("") == validation_code::invalid_json);
    CHECK(code_of("not json") == validation_code::invalid_json);
    CHECK(code_of(R"({"type":"x")") == validation_code::invalid_json);
    CHECK(code_of(R"({"type":"x"} {"type":"y"})") == validation_code::invalid_json);
    CHECK(code_of(R"({"type":"x",})") == validation_code::invalid_json);
    CHECK(code_of(R"({"type":"\ud800"})") == validation_code::invalid_json);  // lone surrogate escape
    CHECK(code_of("[]") == validation_code::not_an_object);
    CHECK(code_of(R"([{"type":"x"}])") == validation_code::not_an_object);
    CHECK(code_of(R"("type")") == validation_code::not_an_object);
    CHECK(code_of("null") == validation_code::not_an_object);
    CHECK(code_of("42") == validation_code::not_an_object);
    CHECK(code_of("{}") == validation_code::missing_type);
    CHECK(code_of(R"({"Type":"x"})") == validation_code::missing_type);
    CHECK(code_of(R"({"type":7})") == validation_code::type_not_string);
    CHECK(code_of(R"({"type":null})") == validation_code::type_not_string);
    CHECK(code_of(R"({"type":["x"]})") == validation_code::type_not_string);
    CHECK(code_of(R"({"type":""})") == validation_code::empty_type);
    CHECK(code_of(R"({"type":"   "})") == validation_code::empty_type);
    CHECK(code_of(R"({"type":"emails Sent"})") == validation_code::invalid_type);
    CHECK(code_of(R"({"type":"x\u0000y"})") == validation_code::invalid_type);
    CHECK(code_of(R"({"type":"x\ny"})") == validation_code::invalid_type);
    CHECK(code_of(R"({"type":"caf\u00e9"})") == validation_code::invalid_type);
    CHECK(code_of(R"({"type":")" + std::string(129, 'a') + R"("})") == validation_code::invalid_type);
    CHECK(code_of(R"({"type":")" + std::string(128, 'a') + R"("})") == "ok");
}

TEST_CASE("invalid UTF-8 is refused, anywhere in the body") {
    for (const std::string& bad : {std::string("{\"type\":\"x\",\"a\":\"\xC3\x28\"}"), std::string("{\"type\":\"\xFF\"}"),
                                  std::string("{\"type\":\"x\",\"a\":\"\xED\xA0\x80\"}"),   // encoded surrogate
                                  std::string("{\"type\":\"x\",\"a\":\"\xC0\xAF\"}"),       // overlong '/'
                                  std::string("{\"type\":\"x\",\"a\":\"\xF4\x90\x80\x80\"}"),  // past U+10FFFF
                                  std::string("{\"type\":\"x\",\"a\":\"\xE2\x82\"}"),       // truncated
                                  std::string("{\"type\":\"x\"}\x80")}) {
        INFO(bad);
        CHECK(code_of(bad) == validation_code::invalid_utf8);
    }
    CHECK(code_of("{\"type\":\"x\",\"a\":\"\xF0\x9F\x98\x80 \xE2\x9C\x8C\xEF\xB8\x8F\"}") == "ok");
}

TEST_CASE("nesting bombs are refused before anything is built") {
    std::string bomb = R"({"type":"x","a":)";
    bomb += std::string(100'000, '[');
    bomb += std::string(100'000, ']');
    bomb += '}';
    CHECK(code_of(bomb) == validation_code::too_deep);
    CHECK(code_of(std::string(100'000, '[')) == validation_code::too_deep);  // unterminated as well
    CHECK(code_of(std::string(100'000, '{')) == validation_code::too_deep);

    // The limit is the option: 32 levels pass by default, 33 do not.
    const auto nested = [](int levels) {
        std::string s = R"({"type":"x","a":)";
        s += std::string(levels - 1, '[') + std::string(levels - 1, ']') + "}";
        return s;
    };
    CHECK(code_of(nested(32)) == "ok");
    CHECK(code_of(nested(33)) == validation_code::too_deep);
    CHECK(code_of(nested(33), {.max_depth = 33}) == "ok");
    CHECK(code_of(nested(3), {.max_depth = 2}) == validation_code::too_deep);
}

TEST_CASE("huge strings and NULs inside strings are carried, not mangled") {
    const std::string big(1'000'000, 'x');
    auto ev = parse_event(R"({"type":"emailsReplied","_id":"act_big","text":")" + big + R"("})");
    REQUIRE(ev);
    CHECK(json::get_string(*ev->body, "text")->size() == big.size());

    ev = parse_event(R"({"type":"emailsReplied","leadEmail":"a\u0000@b.co","subject":"a\u0000b","secret":"s\u0000"})");
    REQUIRE(ev);
    CHECK_FALSE(ev->lead.email);  // an address with a NUL is junk
    CHECK(ev->subject == std::string("a\0b", 3));
    CHECK(serialize_body(*ev).find("\\u0000") != std::string::npos);  // re-escaped on the way out
    CHECK(serialize_body(*ev).find("secret") == std::string::npos);

    // A huge _id and huge fallback fields still give a bounded key.
    ev = parse_event(R"({"type":"x","_id":")" + big + R"("})");
    REQUIRE(ev);
    CHECK(ev->idempotency_key.size() <= max_idempotency_key_bytes);
}
