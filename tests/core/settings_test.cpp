#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "core/settings.hpp"

using namespace las;

namespace {
template <class F>
std::string config_error_of(F&& f) {
    try {
        f();
    } catch (const config_error& e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST_CASE("gateway settings have the contract's defaults") {
    const auto s = gateway_settings::from_env(map_environment({}));
    CHECK(s.listen.host == "0.0.0.0");
    CHECK(s.listen.port == 8080);
    CHECK(s.amqp_url == "amqp://guest:guest@127.0.0.1:5672/");
    CHECK(s.max_body_bytes == 262144);
    CHECK_FALSE(s.lemlist_webhook_secret);
    CHECK(s.log.format == log::format::text);
}

TEST_CASE("gateway settings read the environment") {
    const auto s = gateway_settings::from_env(map_environment({{"GATEWAY_LISTEN", "127.0.0.1:0"},
                                                               {"LEMLIST_WEBHOOK_SECRET", "shh"},
                                                               {"GATEWAY_MAX_BODY_BYTES", "4096"},
                                                               {"LOG_FORMAT", "json"},
                                                               {"LOG_LEVEL", "debug"}}));
    CHECK(s.listen.to_string() == "127.0.0.1:0");
    CHECK(s.lemlist_webhook_secret == "shh");
    CHECK(s.max_body_bytes == 4096);
    CHECK(s.log.format == log::format::json);
    CHECK(s.log.level == log::level::debug);
    CHECK(s.describe().find("shh") == std::string::npos);
    CHECK(s.describe().find("lemlist_secret=set") != std::string::npos);
}

TEST_CASE("a bad setting names itself in one line") {
    CHECK(config_error_of([] { gateway_settings::from_env(map_environment({{"GATEWAY_LISTEN", "8080"}})); })
              .starts_with("GATEWAY_LISTEN:"));
    CHECK(config_error_of([] { gateway_settings::from_env(map_environment({{"GATEWAY_MAX_BODY_BYTES", "12x"}})); })
              .starts_with("GATEWAY_MAX_BODY_BYTES: expected a whole number"));
    CHECK(config_error_of([] { gateway_settings::from_env(map_environment({{"GATEWAY_MAX_BODY_BYTES", "10"}})); })
              .starts_with("GATEWAY_MAX_BODY_BYTES: must be between"));
    CHECK(config_error_of([] { gateway_settings::from_env(map_environment({{"AMQP_URL", "http://x"}})); })
              .starts_with("AMQP_URL:"));
    CHECK(config_error_of([] { worker_settings::from_env(map_environment({{"AUTO_CREATE_PEOPLE", "maybe"}})); })
              .starts_with("AUTO_CREATE_PEOPLE: expected true or false"));
    CHECK(config_error_of([] { worker_settings::from_env(map_environment({{"LOG_FORMAT", "xml"}})); })
              .starts_with("LOG_FORMAT:"));
    CHECK(config_error_of([] { worker_settings::from_env(map_environment({{"REDIS_URL", "localhost:6379"}})); })
              .starts_with("REDIS_URL:"));
    CHECK(config_error_of([] { worker_settings::from_env(map_environment({{"CONFIG_FILE", "/nonexistent/las.toml"}})); })
              .starts_with("CONFIG_FILE: cannot read"));
}

TEST_CASE("the error line never echoes a secret") {
    const auto msg = config_error_of([] { worker_settings::from_env(map_environment({{"AMQP_URL", "amqq://u:hunter2@h/"}})); });
    CHECK(msg.starts_with("AMQP_URL:"));
    CHECK(msg.find("hunter2") == std::string::npos);
}

TEST_CASE("worker settings defaults and requirements") {
    const auto s = worker_settings::from_env(map_environment({}));
    CHECK(s.idempotency_ttl == std::chrono::seconds(86400));
    CHECK(s.auto_create_people);
    CHECK(s.max_attempts == 8);
    CHECK(s.attio_base_url == "https://api.attio.com");
    CHECK(s.lemlist_base_url == "https://api.lemlist.com");
    CHECK(config_error_of([&] { s.require_attio("run"); }) == "ATTIO_API_KEY: required by `sync-worker run`");
    const auto strict = worker_settings::from_env(map_environment({{"AUTO_CREATE_PEOPLE", "false"}, {"ATTIO_API_KEY", "k"}}));
    CHECK_FALSE(strict.auto_create_people);
    CHECK_NOTHROW(strict.require_attio("run"));
}

TEST_CASE("listen addresses") {
    CHECK(parse_listen_address("0.0.0.0:8080")->port == 8080);
    CHECK(parse_listen_address(":9090")->host == "0.0.0.0");
    CHECK(parse_listen_address("[::1]:80")->host == "::1");
    CHECK(parse_listen_address("[::1]:80")->to_string() == "[::1]:80");
    CHECK_FALSE(parse_listen_address("::1:80"));
    CHECK_FALSE(parse_listen_address("host"));
    CHECK_FALSE(parse_listen_address("host:70000"));
    CHECK_FALSE(parse_listen_address("host:"));
}

TEST_CASE("the TOML file holds categories, enrollment defaults and mappings") {
    const auto f = file_settings::from_toml_string(R"(
[events]
categories = ["contacted", "warmed"]
types = ["linkedinInviteAccepted"]

[enrollment]
list = "outbound_enroll"
findEmail = true
deduplicate = false

[[mappings]]
from = "occupation"
to = "job_title"
on = "person"

[[mappings]]
from = "Gender"
to = "lemlist_gender"
on = "entry"
)");
    CHECK(f.enabled_categories == std::vector<std::string>{"contacted", "warmed"});
    CHECK(f.enabled_types == std::vector<std::string>{"linkedinInviteAccepted"});
    CHECK(f.enrollment_list == "outbound_enroll");
    CHECK(f.enrollment.find_email);
    CHECK_FALSE(f.enrollment.deduplicate);
    REQUIRE(f.mappings.size() == 2);
    CHECK(f.mappings[1].lemlist_field == "Gender");
    CHECK(f.mappings[1].on == attribute_mapping::target::entry);
}

TEST_CASE("an empty TOML file enables nothing") {
    const auto f = file_settings::from_toml_string("");
    CHECK(f.enabled_categories.empty());
    CHECK(f.enabled_types.empty());
    CHECK(f.mappings.empty());
    CHECK(f.enrollment.deduplicate);
}

TEST_CASE("TOML errors name the key") {
    CHECK(config_error_of([] { file_settings::from_toml_string("[events]\ncategories = \"contacted\"\n"); })
              .starts_with("CONFIG_FILE: events.categories"));
    CHECK(config_error_of([] { file_settings::from_toml_string("[[mappings]]\nfrom = \"a\"\nto = \"Bad Slug\"\n"); })
              .starts_with("CONFIG_FILE: mappings[0].to"));
    CHECK(config_error_of([] { file_settings::from_toml_string("[[mappings]]\nfrom = \"a\"\nto = \"b\"\non = \"x\"\n"); })
              .starts_with("CONFIG_FILE: mappings[0].on"));
    CHECK(config_error_of([] { file_settings::from_toml_string("events = [1,"); }).find("invalid TOML") != std::string::npos);
}

TEST_CASE("CONFIG_FILE is read from disk") {
    const std::string path = std::string(LAS_BINARY_DIR) + "/settings_test.toml";
    {
        std::ofstream out(path);
        out << "[events]\ncategories = [\"bounced\"]\n";
    }
    const auto s = worker_settings::from_env(map_environment({{"CONFIG_FILE", path}}));
    CHECK(s.file.enabled_categories == std::vector<std::string>{"bounced"});
    std::remove(path.c_str());
}
