#include <catch2/catch.hpp>

#include <amqp.h>

#include "amqp/frame_encoder.hpp"
#include "amqp/message_codec.hpp"

using namespace las::amqp;

namespace {

struct frame {
    int type;
    int channel;
    std::string payload;
};

std::uint64_t get(const std::string& s, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
    return v;
}

// Splits a byte stream into frames, checking sizes and frame-end octets.
std::vector<frame> parse(const std::string& wire) {
    std::vector<frame> frames;
    std::size_t at = 0;
    while (at < wire.size()) {
        REQUIRE(wire.size() - at >= 8);
        const auto size = static_cast<std::size_t>(get(wire, at + 3, 4));
        REQUIRE(at + 7 + size < wire.size());
        CHECK(static_cast<unsigned char>(wire[at + 7 + size]) == AMQP_FRAME_END);
        frames.push_back({static_cast<int>(wire[at]), static_cast<int>(get(wire, at + 1, 2)), wire.substr(at + 7, size)});
        at += 8 + size;
    }
    return frames;
}

struct pool_guard {
    amqp_pool_t pool;
    pool_guard() { init_amqp_pool(&pool, 4096); }
    ~pool_guard() { empty_amqp_pool(&pool); }
};

}  // namespace

TEST_CASE("frame encoder: method, header and body frames decode back to the request") {
    publish_request r;
    r.exchange = "lemlist.events";
    r.routing_key = "lemlist.events";
    r.message_id = "act_42";
    r.body = R"({"type":"emailsOpened"})";
    r.headers = {{"x-source", std::string("webhook")}, {"x-attempts", std::int64_t{2}}};
    std::string wire = "prefix";  // appends, never overwrites
    std::vector<amqp_table_entry_t> scratch;
    REQUIRE(append_publish_frames(wire, 3, 131072, r, scratch) == AMQP_STATUS_OK);
    REQUIRE(wire.rfind("prefix", 0) == 0);
    const auto frames = parse(wire.substr(6));
    REQUIRE(frames.size() == 3);
    for (const auto& f : frames) CHECK(f.channel == 3);

    CHECK(frames[0].type == AMQP_FRAME_METHOD);
    CHECK(get(frames[0].payload, 0, 4) == AMQP_BASIC_PUBLISH_METHOD);
    pool_guard pool;
    void* decoded = nullptr;
    std::string args = frames[0].payload.substr(4);
    REQUIRE(amqp_decode_method(AMQP_BASIC_PUBLISH_METHOD, &pool.pool, as_bytes(args), &decoded) == AMQP_STATUS_OK);
    const auto* m = static_cast<amqp_basic_publish_t*>(decoded);
    CHECK(to_string(m->exchange) == "lemlist.events");
    CHECK(to_string(m->routing_key) == "lemlist.events");
    CHECK(m->mandatory == 1);

    CHECK(frames[1].type == AMQP_FRAME_HEADER);
    CHECK(get(frames[1].payload, 0, 2) == AMQP_BASIC_CLASS);
    CHECK(get(frames[1].payload, 4, 8) == r.body.size());
    std::string props = frames[1].payload.substr(12);
    REQUIRE(amqp_decode_properties(AMQP_BASIC_CLASS, &pool.pool, as_bytes(props), &decoded) == AMQP_STATUS_OK);
    delivery d;
    decode_properties(*static_cast<amqp_basic_properties_t*>(decoded), d);
    CHECK(d.message_id == "act_42");
    CHECK(d.persistent);
    CHECK(d.content_type == "application/json");
    CHECK(header_string(d.headers, "x-source") == std::optional<std::string_view>("webhook"));
    CHECK(header_int(d.headers, "x-attempts") == std::optional<std::int64_t>(2));

    CHECK(frames[2].type == AMQP_FRAME_BODY);
    CHECK(frames[2].payload == r.body);
}

TEST_CASE("frame encoder: a body larger than frame_max is split, an empty body has no body frame") {
    publish_request r;
    r.routing_key = "q";
    r.body = std::string(10000, 'a') + std::string(5000, 'b');
    std::string wire;
    std::vector<amqp_table_entry_t> scratch;
    REQUIRE(append_publish_frames(wire, 1, 4096, r, scratch) == AMQP_STATUS_OK);
    const auto frames = parse(wire);
    REQUIRE(frames.size() == 2 + 4);  // ceil(15000 / 4088)
    std::string body;
    for (std::size_t i = 2; i < frames.size(); ++i) {
        CHECK(frames[i].type == AMQP_FRAME_BODY);
        CHECK(frames[i].payload.size() + 8 <= 4096);
        body += frames[i].payload;
    }
    CHECK(body == r.body);

    publish_request empty;
    empty.routing_key = "q";
    std::string wire2;
    REQUIRE(append_publish_frames(wire2, 1, 4096, empty, scratch) == AMQP_STATUS_OK);
    CHECK(parse(wire2).size() == 2);
}

TEST_CASE("frame encoder: an unencodable request is refused and leaves the buffer unchanged") {
    publish_request r;
    r.routing_key = std::string(300, 'k');  // shortstr holds at most 255 bytes
    std::string wire = "keep";
    std::vector<amqp_table_entry_t> scratch;
    CHECK(append_publish_frames(wire, 1, 131072, r, scratch) < 0);
    CHECK(wire == "keep");
}
