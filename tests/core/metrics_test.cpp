#include <catch2/catch.hpp>

#include "core/metrics.hpp"

using namespace las;

TEST_CASE("counters, gauges and histograms render in Prometheus text format") {
    metrics::registry r;
    auto& requests = r.counter_family("gateway_requests_total", "Requests", {"route", "status"});
    requests.with({"/webhooks/lemlist", "200"}).inc(3);
    requests.with({"/webhooks/lemlist", "400"}).inc();
    r.add_gauge("broker_connected", "1 when connected").set(1);
    auto& latency = r.add_histogram("publish_seconds", "Publish latency", {0.001, 0.01});
    latency.observe(0.0005);
    latency.observe(0.005);
    latency.observe(5);
    r.add_callback_gauge("spool_depth", "Events in the spool", [] { return 7.0; });

    const auto text = r.render();
    INFO(text);
    CHECK(text.find("# TYPE gateway_requests_total counter") != std::string::npos);
    CHECK(text.find("gateway_requests_total{route=\"/webhooks/lemlist\",status=\"200\"} 3\n") != std::string::npos);
    CHECK(text.find("gateway_requests_total{route=\"/webhooks/lemlist\",status=\"400\"} 1\n") != std::string::npos);
    CHECK(text.find("broker_connected 1\n") != std::string::npos);
    CHECK(text.find("publish_seconds_bucket{le=\"0.001\"} 1\n") != std::string::npos);
    CHECK(text.find("publish_seconds_bucket{le=\"0.01\"} 2\n") != std::string::npos);
    CHECK(text.find("publish_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
    CHECK(text.find("publish_seconds_count 3\n") != std::string::npos);
    CHECK(text.find("spool_depth 7\n") != std::string::npos);
}

TEST_CASE("label values are escaped") {
    metrics::registry r;
    r.counter_family("x_total", "x", {"v"}).with({"a\"b\\c\nd"}).inc();
    CHECK(r.render().find(R"(x_total{v="a\"b\\c\nd"} 1)") != std::string::npos);
}

TEST_CASE("gauge add and children are stable references") {
    metrics::registry r;
    auto& fam = r.gauge_family("in_flight", "x", {"queue"});
    auto& g = fam.with({"a"});
    g.inc();
    g.inc();
    g.dec();
    CHECK(&fam.with({"a"}) == &g);
    CHECK(g.value() == 1.0);
}
