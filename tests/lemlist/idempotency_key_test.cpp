#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "lemlist/idempotency_key.hpp"
#include "sample.hpp"

using namespace las::lemlist;
using las::test::parse_or_throw;

namespace {

std::string key_of(std::string_view json_text) {
    const auto doc = parse_or_throw(json_text);
    const auto type = las::json::get_string(doc, "type").value_or("");
    return derive_idempotency_key(doc, type);
}

bool is_hex_sha256(std::string_view s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

void check_safe_message_id(const std::string& key) {
    INFO(key);
    CHECK(!key.empty());
    CHECK(key.size() <= max_idempotency_key_bytes);
    for (const char c : key) CHECK((c > 0x20 && c < 0x7F));
}

}  // namespace

TEST_CASE("the activity _id is the key, verbatim") {
    CHECK(key_of(R"({"_id":"act_JMapFaFqB9dMLZpLL","type":"linkedinInviteAccepted","campaignId":"c","leadId":"l",
                    "createdAt":"2025-02-27T14:58:05.000Z"})") == "act_JMapFaFqB9dMLZpLL");
    // The same activity through a webhook and through GET /activities: different shapes, one key.
    CHECK(key_of(R"({"_id":"act_1","type":"emailsOpened","secret":"s"})") ==
          key_of(R"({"type":"emailsOpened","_id":"act_1","lead":{"_id":"lea_1","variables":{}},"bot":false})"));
}

TEST_CASE("an _id that cannot travel verbatim is hashed under its own scheme") {
    for (const std::string_view body :
         {R"({"_id":"act 1","type":"x"})", R"({"_id":"f1:x|c|l|t","type":"x"})", R"({"_id":"act\u0000","type":"x"})",
          R"({"_id":"act\u00e9","type":"x"})"}) {
        INFO(body);
        const auto key = key_of(body);
        REQUIRE(key.starts_with("i1:"));
        CHECK(is_hex_sha256(key.substr(3)));
    }
    const auto long_id = key_of(R"({"_id":")" + std::string(300, 'a') + R"(","type":"x"})");
    CHECK(long_id.starts_with("i1:"));
    // An _id that looks like a scheme cannot take another event's key.
    CHECK(key_of(R"({"_id":"f1:x|c|l|t","type":"x"})") != key_of(R"({"type":"x","campaignId":"c","leadId":"l","createdAt":"t"})"));
    // Empty or non-string _id: as if absent.
    CHECK(key_of(R"({"_id":"","type":"x","campaignId":"c","leadId":"l","createdAt":"t"})") == "f1:x|c|l|t");
    CHECK(key_of(R"({"_id":5,"type":"x","campaignId":"c","leadId":"l","createdAt":"t"})") == "f1:x|c|l|t");
}

TEST_CASE("without _id: type, campaignId, leadId and createdAt, joined unambiguously") {
    CHECK(key_of(R"({"type":"emailsOpened","campaignId":"cam_1","leadId":"lea_1","createdAt":"2025-10-27T20:20:59.696Z"})") ==
          "f1:emailsOpened|cam_1|lea_1|2025-10-27T20:20:59.696Z");
    // Moving the separator across a field boundary changes the key.
    const auto a = key_of(R"({"type":"x","campaignId":"a|b","leadId":"c","createdAt":"t"})");
    const auto b = key_of(R"({"type":"x","campaignId":"a","leadId":"b|c","createdAt":"t"})");
    const auto c = key_of(R"({"type":"x","campaignId":"a\\","leadId":"|c","createdAt":"t"})");
    const auto d = key_of(R"({"type":"x","campaignId":"a\\|","leadId":"c","createdAt":"t"})");
    CHECK(a == R"(f1:x|a\|b|c|t)");
    CHECK(std::set<std::string>{a, b, c, d}.size() == 4);
    // An empty type (derive_idempotency_key is public) keeps every separator.
    const auto body = parse_or_throw(R"({"campaignId":"c","leadId":"l","createdAt":"t"})");
    CHECK(derive_idempotency_key(body, "") == "f1:|c|l|t");
    // Each field matters.
    const auto base = key_of(R"({"type":"x","campaignId":"c","leadId":"l","createdAt":"t"})");
    CHECK(base != key_of(R"({"type":"y","campaignId":"c","leadId":"l","createdAt":"t"})"));
    CHECK(base != key_of(R"({"type":"x","campaignId":"c2","leadId":"l","createdAt":"t"})"));
    CHECK(base != key_of(R"({"type":"x","campaignId":"c","leadId":"l2","createdAt":"t"})"));
    CHECK(base != key_of(R"({"type":"x","campaignId":"c","leadId":"l","createdAt":"t2"})"));
}

TEST_CASE("a fallback key too long or not plain ASCII is hashed whole") {
    const auto long_key = key_of(R"({"type":"x","campaignId":")" + std::string(300, 'c') +
                                 R"(","leadId":"l","createdAt":"t"})");
    REQUIRE(long_key.starts_with("k1:"));
    CHECK(is_hex_sha256(long_key.substr(3)));
    const auto other_long = key_of(R"({"type":"x","campaignId":")" + std::string(299, 'c') +
                                   R"(","leadId":"cl","createdAt":"t"})");
    CHECK(long_key != other_long);
    CHECK(key_of(R"({"type":"x","campaignId":"c a","leadId":"l","createdAt":"t"})").starts_with("k1:"));
}

TEST_CASE("enrichment bodies are keyed by their enrichment ids") {
    CHECK(key_of(R"({"type":"enrichmentDone","data":[{"id":"enr_9gf5NKQCaFHJCPyDh","data":{}}]})") ==
          "enr:enrichmentDone:enr_9gf5NKQCaFHJCPyDh");
    // Sorted and distinct: item order does not matter.
    CHECK(key_of(R"({"type":"enrichmentDone","data":[{"id":"enr_b"},{"id":"enr_a"},{"id":"enr_b"}]})") ==
          "enr:enrichmentDone:enr_a,enr_b");
    CHECK(key_of(R"({"type":"enrichmentDone","data":[{"id":"enr_a"},{"id":"enr_b"}]})") ==
          "enr:enrichmentDone:enr_a,enr_b");
    CHECK(key_of(R"({"type":"enrichmentError","data":[{"id":"enr_a"}]})") == "enr:enrichmentError:enr_a");
    // An item without a plain id leaves the whole body to the hash (ids must not be joinable ambiguously).
    for (const std::string_view body :
         {R"({"type":"enrichmentDone","data":[{"id":"enr_a"},{"x":1}]})",
          R"({"type":"enrichmentDone","data":[{"id":"enr_a,enr_b"}]})", R"({"type":"enrichmentDone","data":[]})",
          R"({"type":"enrichmentDone","data":[{"id":7}]})", R"({"type":"enrichmentDone"})",
          R"({"type":"emailsOpened","data":[{"id":"enr_a"}]})"}) {
        INFO(body);
        CHECK(key_of(body).starts_with("h1:"));
    }
}

TEST_CASE("the body hash ignores key order, whitespace, secret and number spelling") {
    const auto base = key_of(R"({"type":"emailsReplied","isThirdPartyReply":true,"leadEmail":"a@b.co",
                                "createdAt":"2025-01-01T00:00:00.000Z","meta":{"x":1,"y":[1,{"b":2,"a":1}]}})");
    REQUIRE(base.starts_with("h1:"));
    CHECK(is_hex_sha256(base.substr(3)));
    CHECK(base == key_of(R"({ "meta" : { "y" : [ 1.0 , { "a" : 1e0 , "b" : 20e-1 } ] , "x" : 1 } ,
                              "createdAt":"2025-01-01T00:00:00.000Z","secret":"s3cr3t",
                              "leadEmail":"a@b.co","isThirdPartyReply":true,"type":"emailsReplied" })"));
    CHECK(base == key_of(R"({"secret":"other","type":"emailsReplied","isThirdPartyReply":true,"leadEmail":"a@b.co",
                             "createdAt":"2025-01-01T00:00:00.000Z","meta":{"x":1,"y":[1,{"b":2,"a":1}]}})"));
    // Any difference in content is a different event.
    CHECK(base != key_of(R"({"type":"emailsReplied","isThirdPartyReply":true,"leadEmail":"a@b.co",
                             "createdAt":"2025-01-01T00:00:01.000Z","meta":{"x":1,"y":[1,{"b":2,"a":1}]}})"));
    CHECK(base != key_of(R"({"type":"emailsReplied","isThirdPartyReply":true,"leadEmail":"a@b.co",
                             "createdAt":"2025-01-01T00:00:00.000Z","meta":{"x":1,"y":[{"b":2,"a":1},1]}})"));
    // A nested `secret` is content, not the hook secret.
    CHECK(key_of(R"({"type":"x","m":{"secret":"a"}})") != key_of(R"({"type":"x","m":{"secret":"b"}})"));
}

TEST_CASE("canonical_json is stable and distinguishes what differs") {
    const auto canon = [](std::string_view text) { return canonical_json(parse_or_throw(text)); };
    CHECK(canon(R"({"b":1,"a":[true,false,null,"\u00e9",-0.0,1.5,12345678901234567890],"secret":"x"})") ==
          R"({"a":[true,false,null,"é",0,1.5,12345678901234567890],"b":1})");
    CHECK(canon(R"({"s":"\u00e9"})") == canon(R"({"s":"é"})"));
    CHECK(canon(R"({"n":0.1})") == R"({"n":0.10000000000000001})");
    CHECK(canon(R"({"n":1e300})") == canon(R"({"n":1E+300})"));
    CHECK(canon(R"({"a":"1"})") != canon(R"({"a":1})"));
    CHECK(canon(R"({"a":{"b":1}})") != canon(R"({"a.b":1})"));
    CHECK(canon(R"({"a":["x","y"]})") != canon(R"({"a":["x,y"]})"));
    // A repeated key is ordered by value too, so the result does not depend on input order.
    CHECK(canon(R"({"k":2,"k":1})") == canon(R"({"k":1,"k":2})"));
    CHECK(canon(R"(["b","a"])") == R"(["b","a"])");  // arrays keep their order
}

TEST_CASE("distinct events get distinct keys, all safe as AMQP message ids") {
    const std::string_view bodies[] = {
        R"({"_id":"act_1","type":"emailsOpened"})",
        R"({"_id":"act_2","type":"emailsOpened"})",
        R"({"type":"emailsOpened","campaignId":"c","leadId":"l","createdAt":"2025-01-01T00:00:00.000Z"})",
        R"({"type":"emailsClicked","campaignId":"c","leadId":"l","createdAt":"2025-01-01T00:00:00.000Z"})",
        R"({"type":"emailsReplied","isThirdPartyReply":true})",
        R"({"type":"emailsReplied","isThirdPartyReply":true,"emailId":"eml_1"})",
        R"({"type":"emailsReplied","isThirdPartyReply":true,"emailId":"eml_2"})",
        R"({"type":"enrichmentDone","data":[{"id":"enr_1"}]})",
        R"({"type":"enrichmentDone","data":[{"id":"enr_2"}]})",
        R"({"type":"enrichmentDone","data":[{"id":"enr_1"},{"id":"enr_2"}]})",
        R"({"type":"annotated","note":"a"})",
        R"({"type":"annotated","note":"b"})",
    };
    std::set<std::string> keys;
    for (const auto body : bodies) {
        const auto key = key_of(body);
        check_safe_message_id(key);
        CHECK(keys.insert(key).second);
    }
}
