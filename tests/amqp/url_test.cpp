#include <catch2/catch.hpp>

#include "amqp/url.hpp"

using namespace las::amqp;
using namespace std::chrono_literals;

TEST_CASE("parse_url: the documented default URL") {
    const auto s = parse_url("amqp://guest:guest@127.0.0.1:5672/");
    REQUIRE(s.ok());
    CHECK(s->host == "127.0.0.1");
    CHECK(s->port == 5672);
    CHECK(s->user == "guest");
    CHECK(s->password == "guest");
    CHECK(s->vhost == "/");
    CHECK(s->heartbeat == 10s);
    CHECK(s->frame_max == 131072u);
}

TEST_CASE("parse_url: defaults for absent parts") {
    const auto s = parse_url("amqp://broker.internal");
    REQUIRE(s.ok());
    CHECK(s->host == "broker.internal");
    CHECK(s->port == 5672);
    CHECK(s->user == "guest");
    CHECK(s->password == "guest");
    CHECK(s->vhost == "/");
}

TEST_CASE("parse_url: vhost forms") {
    CHECK(parse_url("amqp://h/%2f")->vhost == "/");
    CHECK(parse_url("amqp://h/%2F")->vhost == "/");
    CHECK(parse_url("amqp://h/")->vhost == "/");
    CHECK(parse_url("amqp://h/production")->vhost == "production");
    CHECK(parse_url("amqp://h/team%2fprod")->vhost == "team/prod");
    CHECK_FALSE(parse_url("amqp://h/a/b").ok());
}

TEST_CASE("parse_url: percent-decoding of credentials") {
    const auto s = parse_url("amqp://us%40er:p%3As%2Fs%25@h:1234/v");
    REQUIRE(s.ok());
    CHECK(s->user == "us@er");
    CHECK(s->password == "p:s/s%");
    CHECK(s->port == 1234);
    CHECK(s->vhost == "v");
}

TEST_CASE("parse_url: user without password, IPv6 host") {
    const auto s = parse_url("amqp://bob@[::1]:5673/");
    REQUIRE(s.ok());
    CHECK(s->user == "bob");
    CHECK(s->password.empty());
    CHECK(s->host == "::1");
    CHECK(s->port == 5673);
}

TEST_CASE("parse_url: query parameters") {
    const auto s = parse_url("amqp://h/?heartbeat=3&connection_timeout=2500&frame_max=65536");
    REQUIRE(s.ok());
    CHECK(s->heartbeat == 3s);
    CHECK(s->connect_timeout == 2500ms);
    CHECK(s->frame_max == 65536u);
    CHECK_FALSE(parse_url("amqp://h/?heartbeet=3").ok());
    CHECK_FALSE(parse_url("amqp://h/?heartbeat=x").ok());
    CHECK_FALSE(parse_url("amqp://h/?frame_max=100").ok());
    CHECK_FALSE(parse_url("amqp://h/?heartbeat").ok());
}

TEST_CASE("parse_url: rejects what it cannot honour") {
    for (const char* bad : {"", "http://h/", "amqps://h/", "amqp://", "amqp://h:/", "amqp://h:0/", "amqp://h:65536/",
                            "amqp://h:12ab/", "amqp://[::1/", "amqp://u:p@/", "amqp://%zz@h/", "amqp://h/%4",
                            "amqp://:p@h/"}) {
        INFO(bad);
        CHECK_FALSE(parse_url(bad).ok());
    }
}

TEST_CASE("parse_url: the password never appears in an error") {
    for (const char* bad : {"amqp://user:s3cr3t@h:99999/", "amqp://user:s3cr3t@h/a/b", "amqps://user:s3cr3t@h/",
                            "amqp://user:s3cr3t%zz@h/", "amqp://user:s3cr3t@h/?x=1", "amqp://user:s3cr3t@[::1/",
                            "user:s3cr3t@h/"}) {
        INFO(bad);
        const auto r = parse_url(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().find("s3cr3t") == std::string::npos);
        CHECK_FALSE(r.error().empty());
    }
}

TEST_CASE("describe: no password, readable vhost") {
    const auto s = parse_url("amqp://app:hunter2@10.0.0.5:5672/team%2fprod");
    REQUIRE(s.ok());
    const auto d = describe(*s);
    CHECK(d.find("hunter2") == std::string::npos);
    CHECK(d == "amqp://app@10.0.0.5:5672/team%2fprod");
    CHECK(describe(*parse_url("amqp://h/")) == "amqp://guest@h:5672/");
}
