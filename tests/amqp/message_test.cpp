#include <catch2/catch.hpp>

#include "amqp/message.hpp"
#include "amqp/message_codec.hpp"

using namespace las::amqp;

TEST_CASE("message codec: properties round-trip") {
    publish_request r;
    r.message_id = "evt_123";
    r.headers = {{"x-received-at", std::string("2024-01-01T00:00:00Z")}, {"x-attempts", std::int64_t{3}},
                 {"x-source", std::string("webhook")}};
    r.expiration = "60000";
    r.reply_to = "amq.rabbitmq.reply-to";
    r.correlation_id = "c-1";
    std::vector<amqp_table_entry_t> scratch;
    const auto props = encode_properties(r, scratch);
    CHECK(props.delivery_mode == 2);

    delivery d;
    decode_properties(props, d);
    CHECK(d.message_id == "evt_123");
    CHECK(d.content_type == "application/json");
    CHECK(d.persistent);
    CHECK(d.expiration == "60000");
    CHECK(d.reply_to == "amq.rabbitmq.reply-to");
    CHECK(d.correlation_id == "c-1");
    CHECK(header_string(d.headers, "x-received-at") == std::optional<std::string_view>("2024-01-01T00:00:00Z"));
    CHECK(header_int(d.headers, "x-attempts") == std::optional<std::int64_t>(3));
    CHECK(header_string(d.headers, "x-source") == std::optional<std::string_view>("webhook"));
    CHECK_FALSE(header_int(d.headers, "x-source").has_value());
    CHECK_FALSE(header_string(d.headers, "missing").has_value());
}

TEST_CASE("message codec: optional properties stay absent") {
    publish_request r;
    r.persistent = false;
    r.content_type.clear();
    std::vector<amqp_table_entry_t> scratch;
    const auto props = encode_properties(r, scratch);
    CHECK(props.delivery_mode == 1);
    CHECK_FALSE(props._flags & AMQP_BASIC_HEADERS_FLAG);
    CHECK_FALSE(props._flags & AMQP_BASIC_MESSAGE_ID_FLAG);
    CHECK_FALSE(props._flags & AMQP_BASIC_CONTENT_TYPE_FLAG);
    CHECK_FALSE(props._flags & AMQP_BASIC_EXPIRATION_FLAG);
}

TEST_CASE("message codec: other field kinds are folded or skipped") {
    amqp_table_entry_t entries[6]{};
    entries[0].key = amqp_cstring_bytes("flag");
    entries[0].value.kind = AMQP_FIELD_KIND_BOOLEAN;
    entries[0].value.value.boolean = 1;
    entries[1].key = amqp_cstring_bytes("small");
    entries[1].value.kind = AMQP_FIELD_KIND_I32;
    entries[1].value.value.i32 = -7;
    entries[2].key = amqp_cstring_bytes("ratio");
    entries[2].value.kind = AMQP_FIELD_KIND_F64;
    entries[2].value.value.f64 = 0.5;
    entries[3].key = amqp_cstring_bytes("x-death");
    entries[3].value.kind = AMQP_FIELD_KIND_ARRAY;
    entries[3].value.value.array = amqp_array_t{0, nullptr};
    entries[4].key = amqp_cstring_bytes("price");
    entries[4].value.kind = AMQP_FIELD_KIND_DECIMAL;
    entries[4].value.value.decimal = amqp_decimal_t{2, 1234};
    entries[5].key = amqp_cstring_bytes("raw");
    entries[5].value.kind = AMQP_FIELD_KIND_BYTES;
    entries[5].value.value.bytes = amqp_cstring_bytes("xyz");
    const auto headers = decode_table(amqp_table_t{6, entries});
    CHECK(header_int(headers, "flag") == std::optional<std::int64_t>(1));
    CHECK(header_int(headers, "small") == std::optional<std::int64_t>(-7));
    CHECK(header_string(headers, "ratio") == std::optional<std::string_view>("0.5"));
    CHECK(header_string(headers, "price") == std::optional<std::string_view>("12.34"));
    CHECK(header_string(headers, "raw") == std::optional<std::string_view>("xyz"));
    CHECK(headers.count("x-death") == 0);
}

TEST_CASE("a reply goes back over direct reply-to, correlated, transient and not mandatory") {
    delivery request;
    request.reply_to = "amq.rabbitmq.reply-to.g1h2AA==";
    request.correlation_id = "corr-7";
    request.message_id = "job_abc";
    const auto r = reply_message(request, R"({"ok":true})");
    CHECK(r.exchange.empty());
    CHECK(r.routing_key == request.reply_to);
    CHECK(r.correlation_id == "corr-7");
    CHECK(r.message_id == "job_abc");
    CHECK(r.body == R"({"ok":true})");
    CHECK_FALSE(r.persistent);
    CHECK_FALSE(r.mandatory);
}
