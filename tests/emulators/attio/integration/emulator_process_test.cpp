// Drives the real attio-emulator executable over the network on an ephemeral port.

#include <catch2/catch.hpp>

#include <chrono>

#include <rapidjson/document.h>

#include "core/retry_after.hpp"
#include "http_client.hpp"

using namespace attio_test;
using namespace std::chrono;

namespace {

rapidjson::Document parse(const std::string& s) {
    rapidjson::Document d;
    d.Parse(s.c_str());
    return d;
}

const std::string person = R"({"data":{"values":{"email_addresses":["jane@example.com"],"name":"Doe, Jane"}}})";

}  // namespace

TEST_CASE("the executable prints its real port and serves documented requests") {
    emulator_process emu({"--listen", "127.0.0.1:0", "--rate-limit", "off"});
    CHECK(emu.port() != 0);
    CHECK(emu.banner() == "attio-emulator listening on 127.0.0.1:" + std::to_string(emu.port()));
    test_client c("127.0.0.1", emu.port());

    auto self = c.send("GET", "/v2/self");
    REQUIRE(self.status == 200);
    CHECK(self.headers["content-type"] == "application/json; charset=utf-8");
    CHECK_FALSE(self.headers["x-attio-execution-id"].empty());
    CHECK(parse(self.body)["active"].IsTrue());

    auto created = c.send("POST", "/v2/objects/people/records", person);
    REQUIRE(created.status == 200);
    auto doc = parse(created.body);
    const std::string id = doc["data"]["id"]["record_id"].GetString();
    CHECK(std::string(doc["data"]["values"]["email_addresses"][0]["email_address"].GetString()) == "jane@example.com");

    auto dup = c.send("POST", "/v2/objects/people/records", person);
    CHECK(dup.status == 400);
    CHECK(std::string(parse(dup.body)["code"].GetString()) == "uniqueness_conflict");

    auto found = c.send("POST", "/v2/objects/people/records/query", R"({"filter":{"email_addresses":"JANE@example.com"}})");
    REQUIRE(found.status == 200);
    auto hits = parse(found.body);
    REQUIRE(hits["data"].Size() == 1);
    CHECK(std::string(hits["data"][0]["id"]["record_id"].GetString()) == id);

    auto unknown = c.send("GET", "/v2/objects/people/records");
    CHECK(unknown.status == 404);
    CHECK(std::string(parse(unknown.body)["message"].GetString()) == "Could not find endpoint \"GET /v2/objects/people/records\".");
    CHECK(c.send("GET", "/v2/self", "", "").status == 401);
    CHECK(c.send("GET", "/v2/self", "", "Bearer wrong").status == 401);

    CHECK(c.send("POST", "/__emulator/reset", "", "").status == 200);
    CHECK(parse(c.send("GET", "/__emulator/people", "", "").body)["data"].Size() == 0);

    CHECK(emu.stop() == 0);  // SIGTERM: a clean exit
}

TEST_CASE("the published write limit answers 429 with an HTTP-date Retry-After") {
    emulator_process emu({"--listen", "127.0.0.1:0", "--api-key", "k1"});
    test_client c("127.0.0.1", emu.port());
    // 60 writes in well under a second span at most two windows: at most 50 admitted.
    int ok = 0;
    int limited = 0;
    http_reply last_429;
    for (int i = 0; i < 60; ++i) {
        auto r = c.send("POST", "/v2/objects/people/records", R"({"data":{"values":{}}})", "Bearer k1");
        if (r.status == 200) ++ok;
        if (r.status == 429) {
            ++limited;
            last_429 = r;
        }
    }
    CHECK(ok <= 50);
    CHECK(ok >= 25);
    CHECK(limited == 60 - ok);
    REQUIRE(limited > 0);
    CHECK(std::string(parse(last_429.body)["type"].GetString()) == "rate_limit_error");
    const auto when = las::parse_http_date(last_429.headers["retry-after"]);
    REQUIRE(when);
    CHECK(*when > system_clock::now() - seconds(2));
    CHECK(*when < system_clock::now() + seconds(3));
    auto stats = parse(c.send("GET", "/__emulator/stats", "", "").body);
    CHECK(stats["rate_limited"].GetUint() == static_cast<unsigned>(limited));
    CHECK(stats["writes_accepted"].GetUint() == static_cast<unsigned>(ok));
    CHECK(stats["records"]["people"].GetUint() == static_cast<unsigned>(ok));
}

TEST_CASE("fault flags: a share of 5xx, and added latency") {
    SECTION("5xx share") {
        emulator_process emu({"--listen", "127.0.0.1:0", "--rate-limit", "off", "--fault-5xx", "0.3", "--seed", "5"});
        test_client c("127.0.0.1", emu.port());
        int errors = 0;
        const int n = 400;
        for (int i = 0; i < n; ++i) {
            const auto r = c.send("GET", "/v2/objects");
            REQUIRE((r.status == 200 || (r.status >= 500 && r.status <= 503)));
            errors += r.status >= 500;
        }
        CHECK(errors > n * 0.2);
        CHECK(errors < n * 0.4);
        // Control routes are never faulted.
        for (int i = 0; i < 50; ++i) REQUIRE(c.send("GET", "/__emulator/health", "", "").status == 200);
    }
    SECTION("latency") {
        emulator_process emu({"--listen", "127.0.0.1:0", "--fault-latency", "150"});
        test_client c("127.0.0.1", emu.port());
        const auto t0 = steady_clock::now();
        REQUIRE(c.send("GET", "/v2/objects").status == 200);
        CHECK(steady_clock::now() - t0 >= milliseconds(150));  // a lower bound only
    }
}

TEST_CASE("faults set over the control route - a dropped connection is reported as such") {
    emulator_process emu({"--listen", "127.0.0.1:0", "--rate-limit", "off"});
    test_client c("127.0.0.1", emu.port());
    REQUIRE(c.send("POST", "/__emulator/faults", R"({"drop_share":1.0})", "").status == 200);
    auto r = c.send("POST", "/v2/objects/people/records", person);
    // Until las::http::server lets a handler abort the connection, a drop is a 502 with an
    // empty body, Connection: close and a marker header.
    CHECK(r.status == 502);
    CHECK(r.body.empty());
    CHECK(r.headers["x-emulator-fault"] == "dropped-connection");
    CHECK(c.send("DELETE", "/__emulator/faults", "", "").status == 200);
    CHECK(parse(c.send("GET", "/__emulator/people", "", "").body)["data"].Size() == 0);  // not processed
    auto bad = c.send("POST", "/__emulator/faults", R"({"error_5xx_share":2})", "");
    CHECK(bad.status == 400);
}
