// Pure parts of las_http: base URL parsing, the loopback rule, response helpers.

#include <catch2/catch.hpp>

#include <stdexcept>

#include "core/json.hpp"
#include "http/client.hpp"
#include "http/server.hpp"

using namespace las;
using namespace las::http;

TEST_CASE("parse_base_url accepts well-formed base URLs", "[http][url]") {
    struct row {
        const char* url;
        const char* scheme;
        const char* host;
        const char* port;
        const char* path;
    };
    const row rows[] = {
        {"https://api.attio.com", "https", "api.attio.com", "443", ""},
        {"https://api.attio.com/", "https", "api.attio.com", "443", ""},
        {"https://api.lemlist.com/api", "https", "api.lemlist.com", "443", "/api"},
        {"https://api.lemlist.com/api///", "https", "api.lemlist.com", "443", "/api"},
        {"http://127.0.0.1:8080", "http", "127.0.0.1", "8080", ""},
        {"http://localhost:9000/v2/base", "http", "localhost", "9000", "/v2/base"},
        {"HTTPS://API.Example.COM:8443/X", "https", "api.example.com", "8443", "/X"},
        {"http://[::1]:8081/", "http", "::1", "8081", ""},
        {"https://[2001:db8::1]", "https", "2001:db8::1", "443", ""},
        {"http://example.com", "http", "example.com", "80", ""},
        {"http://example.com:080", "http", "example.com", "80", ""},
    };
    for (const auto& r : rows) {
        INFO(r.url);
        auto parsed = parse_base_url(r.url);
        REQUIRE(parsed.ok());
        CHECK(parsed->scheme == r.scheme);
        CHECK(parsed->host == r.host);
        CHECK(parsed->port == r.port);
        CHECK(parsed->path == r.path);
    }
}

TEST_CASE("parse_base_url rejects malformed base URLs with a reason", "[http][url]") {
    struct row {
        const char* url;
        const char* mentions;  // a word the error message must contain
    };
    const row rows[] = {
        {"", "scheme"},
        {"api.attio.com", "scheme"},
        {"ftp://example.com", "scheme"},
        {"https://", "host"},
        {"https://:443", "host"},
        {"https://example.com:", "port"},
        {"https://example.com:0", "port"},
        {"https://example.com:65536", "port"},
        {"https://example.com:12ab", "port"},
        {"https://example.com:-1", "port"},
        {"https://user:pass@example.com", "credentials"},
        {"https://example.com/api?x=1", "query"},
        {"https://example.com#frag", "fragment"},
        {"https://exa mple.com", "whitespace"},
        {"https://example.com/a\r\nb", "control"},
        {"https://[::1", "IPv6"},
        {"https://[zz::1]:80", "IPv6"},
        {"https://[::1]x", "IPv6"},
        {"https://exa%mple.com", "host"},
    };
    for (const auto& r : rows) {
        INFO(r.url);
        auto parsed = parse_base_url(r.url);
        REQUIRE_FALSE(parsed.ok());
        CHECK_THAT(parsed.error(), Catch::Contains(r.mentions));
    }
}

TEST_CASE("is_loopback_host knows 127.0.0.0/8, ::1 and localhost only", "[http][url]") {
    for (const char* h : {"localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.1.2.3", "127.255.255.254", "::1",
                          "[::1]", "::ffff:127.0.0.1"}) {
        INFO(h);
        CHECK(is_loopback_host(h));
    }
    for (const char* h : {"", "example.com", "localhost.example.com", "mylocalhost", "128.0.0.1", "10.0.0.1",
                          "0.0.0.0", "::", "::2", "::ffff:10.0.0.1", "127.0.0.1.nip.io", "1.127.0.0"}) {
        INFO(h);
        CHECK_FALSE(is_loopback_host(h));
    }
}

TEST_CASE("client refuses plain http to a non-loopback host and malformed URLs", "[http][client]") {
    boost::asio::io_context ioc;
    CHECK_THROWS_AS(client(ioc.get_executor(), "http://api.attio.com"), std::invalid_argument);
    CHECK_THROWS_AS(client(ioc.get_executor(), "http://10.0.0.5:8080"), std::invalid_argument);
    CHECK_THROWS_AS(client(ioc.get_executor(), "not a url"), std::invalid_argument);
    client_options zero;
    zero.max_connections = 0;
    CHECK_THROWS_AS(client(ioc.get_executor(), "http://127.0.0.1:1", zero), std::invalid_argument);
    CHECK_NOTHROW(client(ioc.get_executor(), "http://127.0.0.1:1"));
    CHECK_NOTHROW(client(ioc.get_executor(), "http://localhost:1/base"));
    CHECK_NOTHROW(client(ioc.get_executor(), "https://api.attio.com"));
    client c(ioc.get_executor(), "https://api.lemlist.com/api/");
    CHECK(c.base().path == "/api");
}

TEST_CASE("make_response and make_error build complete responses", "[http][server]") {
    request req{http_proto::verb::post, "/x", 11};
    auto res = make_response(req, http_proto::status::accepted, "{\"a\":1}");
    CHECK(res.result_int() == 202);
    CHECK(res[http_proto::field::content_type] == "application/json");
    CHECK(res[http_proto::field::content_length] == "7");
    CHECK(res.keep_alive());

    request old{http_proto::verb::get, "/", 10};
    CHECK_FALSE(make_response(old, http_proto::status::ok, "").keep_alive());

    auto err = make_error(req, http_proto::status::bad_request, "bad_json", "line 1: \"quote\" and \\ and \n");
    CHECK(err.result_int() == 400);
    auto doc = las::json::parse(err.body());
    REQUIRE(doc.ok());
    CHECK(las::json::get_string(*doc, "error") == std::optional<std::string_view>("bad_json"));
    CHECK(las::json::get_string(*doc, "message") ==
          std::optional<std::string_view>("line 1: \"quote\" and \\ and \n"));
}

TEST_CASE("http_date_now is an IMF-fixdate", "[http][server]") {
    const std::string date(http_date_now());
    REQUIRE(date.size() == 29);  // "Sun, 06 Nov 1994 08:49:37 GMT"
    CHECK(date.substr(3, 2) == ", ");
    CHECK(date.substr(26) == "GMT");
}

TEST_CASE("transport error kinds have stable names", "[http][client]") {
    CHECK(to_string(transport_error_kind::timeout) == "timeout");
    CHECK(to_string(transport_error_kind::connection_closed) == "connection_closed");
    CHECK(to_string(transport_error_kind::response_too_large) == "response_too_large");
    CHECK(to_string(transport_error_kind::tls_handshake_failed) == "tls_handshake_failed");
    CHECK(to_string(transport_error_kind::connect_timeout) == "connect_timeout");
}
