#include <catch2/catch.hpp>

#include "state/redis_connection.hpp"

using namespace las::state;

TEST_CASE("redis url: host, port and database") {
    auto ep = parse_redis_url("redis://10.1.2.3:6391/2");
    REQUIRE(ep.ok());
    CHECK(ep->host == "10.1.2.3");
    CHECK(ep->port == 6391);
    CHECK(ep->db == 2);
    CHECK_FALSE(ep->user.has_value());
    CHECK_FALSE(ep->password.has_value());

    auto defaults = parse_redis_url("redis://cache");
    REQUIRE(defaults.ok());
    CHECK(defaults->host == "cache");
    CHECK(defaults->port == 6379);
    CHECK(defaults->db == 0);

    auto trailing = parse_redis_url("redis://127.0.0.1:6391/");
    REQUIRE(trailing.ok());
    CHECK(trailing->port == 6391);
    CHECK(trailing->db == 0);
}

TEST_CASE("redis url: password, ACL user and percent-encoding") {
    auto pw = parse_redis_url("redis://:s3cr%40t@redis.internal:6380/0");
    REQUIRE(pw.ok());
    CHECK_FALSE(pw->user.has_value());
    CHECK(pw->password == "s3cr@t");
    CHECK(pw->host == "redis.internal");

    auto acl = parse_redis_url("redis://worker:pa:ss@h");
    REQUIRE(acl.ok());
    CHECK(acl->user == "worker");
    CHECK(acl->password == "pa:ss");
}

TEST_CASE("redis url: IPv6 literals") {
    auto ep = parse_redis_url("redis://[::1]:7000");
    REQUIRE(ep.ok());
    CHECK(ep->host == "::1");
    CHECK(ep->port == 7000);
}

TEST_CASE("redis url: malformed URLs are refused without echoing the password") {
    for (const char* bad : {"http://h:1", "rediss://h:1", "redis://", "redis://h:0", "redis://h:70000",
                            "redis://h:port", "redis://h/db", "redis://[::1", "redis://:p%zz@h"}) {
        INFO(bad);
        auto r = parse_redis_url(bad);
        REQUIRE_FALSE(r.ok());
        CHECK_FALSE(r.error().empty());
    }
    auto r = parse_redis_url("redis://:hunter2@h:99999");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("hunter2") == std::string::npos);
}

TEST_CASE("redis script: the SHA1 Redis will know it by is computed locally") {
    // SHA1("return 1"), as SCRIPT LOAD answers it.
    CHECK(redis_script("return 1").sha1() == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}
