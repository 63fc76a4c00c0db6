// The emulator's HTTP front end on las::http::server, in this process, on an ephemeral port.

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include <rapidjson/document.h>

#include "attio_emulator/http_frontend.hpp"
#include "http_client.hpp"

using namespace attio_test;
using namespace las;
using namespace las::attio_emulator;

namespace {

struct running_server {
    service svc;
    asio::io_context ioc{2};
    http::server server;
    std::vector<std::thread> threads;

    explicit running_server(service_config cfg)
        : svc(std::move(cfg)),
          server(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), http::server_limits{}, make_http_handler(svc)) {
        server.start();
        for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
    }
    ~running_server() {
        server.stop();
        ioc.stop();
        for (auto& t : threads) t.join();
    }
    unsigned short port() const { return server.local_endpoint().port(); }
};

service_config no_limits() {
    service_config cfg;
    cfg.rate_limits.enabled = false;
    return cfg;
}

}  // namespace

TEST_CASE("concurrent clients on keep-alive connections: every write lands once") {
    running_server s(no_limits());
    std::atomic<int> failures{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
        clients.emplace_back([&, t] {
            test_client c("127.0.0.1", s.port());
            for (int i = 0; i < 100; ++i) {
                const auto email = "p" + std::to_string(t) + "-" + std::to_string(i) + "@example.com";
                const auto r = c.send("PUT", "/v2/objects/people/records?matching_attribute=email_addresses",
                                      R"({"data":{"values":{"email_addresses":[")" + email + R"("]}}})");
                if (r.status != 200) ++failures;
            }
        });
    }
    for (auto& c : clients) c.join();
    CHECK(failures == 0);
    test_client c("127.0.0.1", s.port());
    rapidjson::Document stats;
    stats.Parse(c.send("GET", "/__emulator/stats", "", "").body.c_str());
    CHECK(stats["records"]["people"].GetUint() == 400);
    CHECK(stats["by_route"]["PUT /v2/objects/{object}/records"]["200"].GetUint() == 400);
}

TEST_CASE("a list of events with many entries per person, over HTTP") {
    running_server s(no_limits());
    test_client c("127.0.0.1", s.port());
    REQUIRE(c.send("POST", "/v2/lists",
                   R"({"data":{"name":"Lemlist events","api_slug":"lemlist_events","parent_object":"people",)"
                   R"("workspace_access":"full-access","workspace_member_access":[]}})")
                .status == 200);
    REQUIRE(c.send("POST", "/v2/lists/lemlist_events/attributes",
                   R"({"data":{"title":"Activity","description":null,"api_slug":"activity_id","type":"text",)"
                   R"("is_required":false,"is_unique":false,"is_multiselect":false,"config":{}}})")
                .status == 200);
    rapidjson::Document p;
    p.Parse(c.send("POST", "/v2/objects/people/records", R"({"data":{"values":{"email_addresses":["a@b.co"]}}})").body.c_str());
    const std::string id = p["data"]["id"]["record_id"].GetString();
    for (int i = 0; i < 5; ++i) {
        const auto r = c.send("POST", "/v2/lists/lemlist_events/entries",
                              R"({"data":{"parent_record_id":")" + id + R"(","parent_object":"people","entry_values":{"activity_id":"a)" +
                                  std::to_string(i) + R"("}}})");
        REQUIRE(r.status == 200);
    }
    rapidjson::Document q;
    q.Parse(c.send("POST", "/v2/lists/lemlist_events/entries/query", R"({"filter":{"activity_id":"a3"}})").body.c_str());
    REQUIRE(q["data"].Size() == 1);
    CHECK(std::string(q["data"][0]["parent_record_id"].GetString()) == id);
    rapidjson::Document dump;
    dump.Parse(c.send("GET", "/__emulator/entries?list=lemlist_events", "", "").body.c_str());
    CHECK(dump["data"].Size() == 5);
}
