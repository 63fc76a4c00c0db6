// Integration tests: the real lemlist-emulator binary on an ephemeral port, driven over
// HTTP, delivering webhooks to a local receiver.

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "core/json.hpp"
#include "emu/text_util.hpp"
#include "http_support.hpp"

using namespace lemlist_emu_it;

namespace {

const std::string sandbox_key = "lemlist-sandbox-key";

std::vector<std::pair<std::string, std::string>> auth(const std::string& key = sandbox_key) {
    return {{"Authorization", "Basic " + las::lemlist_emu::base64_encode(":" + key)}};
}

std::vector<std::pair<std::string, std::string>> auth_json(const std::string& key = sandbox_key) {
    auto h = auth(key);
    h.emplace_back("Content-Type", "application/json");
    return h;
}

rapidjson::Document parse(const std::string& text) {
    auto d = las::json::parse(text);
    INFO(text.substr(0, 400));
    REQUIRE(d.ok());
    return std::move(d.value());
}

std::string str(const rapidjson::Value& v, const char* key) {
    const auto s = las::json::get_string(v, key);
    return s ? std::string(*s) : std::string("<absent>");
}

// The body without its "secret" member, re-serialised, to compare with the ground truth.
std::string without_secret(const std::string& body) {
    auto d = parse(body);
    d.RemoveMember("secret");
    return las::json::to_string(d);
}

}  // namespace

TEST_CASE("the binary serves the documented routes with the documented answers", "[http]") {
    emulator_process emu;
    io_thread io;
    blocking_client c(io, emu.base_url());

    const auto campaigns = c.get("/api/campaigns?version=v2", auth());
    REQUIRE(campaigns.status == 200);
    CHECK(campaigns.header("Content-Type").rfind("application/json", 0) == 0);
    const auto list = parse(campaigns.body);
    REQUIRE(list.IsArray());
    CHECK(list.Size() == 4);

    const auto lead = c.post("/api/campaigns/cam_SandboxOutreach01/leads/?findEmail=true",
                             R"({"email":"http.lead@acme.example","firstName":"Http","industry":"Tests"})", auth_json());
    REQUIRE(lead.status == 200);
    const auto l = parse(lead.body);
    CHECK(std::regex_match(str(l, "_id"), std::regex("lea_[A-Za-z0-9]{17}")));
    CHECK(str(l, "campaignName") == "Sales Outreach 2025");
    CHECK(str(l, "industry") == "Tests");

    const auto dup = c.post("/api/campaigns/cam_SandboxOutreach01/leads/", R"({"email":"http.lead@acme.example"})", auth_json());
    CHECK(dup.status == 400);
    CHECK(dup.body == "Lead already in the campaign");
    CHECK(dup.header("Content-Type").rfind("text/plain", 0) == 0);
    const auto other = c.post("/api/campaigns/cam_SandboxLinkedIn02/leads/?deduplicate=true",
                              R"({"email":"http.lead@acme.example"})", auth_json());
    CHECK(other.status == 409);
    CHECK(other.body == "Lead already in other campaign");
    const auto nf = c.post("/api/campaigns/cam_NotThere0000000000/leads/", "{}", auth_json());
    CHECK(nf.status == 404);
    CHECK(nf.body == "Campaign not found");

    const auto by_email = c.get("/api/leads/http.lead%40acme.example?version=v2", auth());
    REQUIRE(by_email.status == 200);
    CHECK(str(parse(by_email.body)[0]["campaign"], "id") == "cam_SandboxOutreach01");

    const auto missing = c.get("/api/hooks");
    CHECK(missing.status == 400);
    CHECK(missing.body == "No API key provided");
    CHECK(missing.header("Content-Type").rfind("text/plain", 0) == 0);
    const auto wrong = c.get("/api/hooks", auth("nope"));
    CHECK(wrong.status == 401);
    CHECK(wrong.body == "The authentication you supplied is incorrect");
    CHECK(c.get("/api/hooks?access_token=" + sandbox_key).status == 200);

    const auto spa = c.get("/api/notARoute", auth());
    CHECK(spa.status == 200);
    CHECK(spa.header("Content-Type").rfind("text/html", 0) == 0);

    const auto no_version = c.get("/api/activities", auth());
    CHECK(no_version.status == 400);
    CHECK(no_version.header("Content-Type").rfind("text/plain", 0) == 0);

    CHECK(emu.stop() == 0);  // SIGTERM drains and exits cleanly
}

TEST_CASE("21 fast requests: the 21st is a 429 with Retry-After", "[http][rate]") {
    emulator_process emu;
    io_thread io;
    blocking_client c(io, emu.base_url());
    std::vector<reply> replies;
    for (int i = 0; i < 21; ++i) replies.push_back(c.get("/api/hooks", auth()));
    for (int i = 0; i < 20; ++i) {
        INFO("request " << i + 1);
        CHECK(replies[static_cast<std::size_t>(i)].status == 200);
        CHECK(replies[static_cast<std::size_t>(i)].header("X-RateLimit-Limit") == "20");
        CHECK(replies[static_cast<std::size_t>(i)].header("X-RateLimit-Remaining") == std::to_string(19 - i));
        CHECK_FALSE(replies[static_cast<std::size_t>(i)].header("X-RateLimit-Reset").empty());
    }
    const auto& limited = replies[20];
    CHECK(limited.status == 429);
    const int retry_after = std::stoi(limited.header("Retry-After"));
    CHECK(retry_after >= 1);
    CHECK(retry_after <= 2);
    CHECK(limited.header("X-RateLimit-Remaining") == "0");
    CHECK(limited.header("X-RateLimit-Reset").find("GMT") != std::string::npos);
    const auto stats = parse(c.get("/__emulator/stats").body);
    CHECK(stats["rate_limited"].GetUint64() == 1);

    emulator_process off({"--rate-limit", "off"});
    blocking_client c2(io, off.base_url());
    for (int i = 0; i < 30; ++i) REQUIRE(c2.get("/api/hooks", auth()).status == 200);
}

TEST_CASE("hooks over HTTP: create, list without the secret, delete", "[http][hooks]") {
    emulator_process emu({"--rate-limit", "off"});
    io_thread io;
    blocking_client c(io, emu.base_url());
    const auto created = c.post("/api/hooks", R"({"targetUrl":"http://127.0.0.1:9/x","type":"emailsOpened","secret":"top-secret"})", auth_json());
    REQUIRE(created.status == 200);
    CHECK(created.body.find("top-secret") == std::string::npos);
    const auto id = str(parse(created.body), "_id");
    const auto listed = c.get("/api/hooks", auth());
    CHECK(parse(listed.body).Size() == 1);
    CHECK(listed.body.find("top-secret") == std::string::npos);
    CHECK(c.get("/__emulator/hooks").body.find("top-secret") != std::string::npos);
    const auto deleted = c.del("/api/hooks/" + id, auth());
    CHECK(deleted.status == 200);
    CHECK(str(parse(deleted.body), "type") == "emailsOpened");
    const auto again = c.del("/api/hooks/" + id, auth());
    CHECK(again.status == 404);
    CHECK(again.body == "Webhook not found");

    emulator_process gated({"--plan-gated-hooks"});
    blocking_client g(io, gated.base_url());
    const auto refused = g.post("/api/hooks", R"({"targetUrl":"http://127.0.0.1:9/x"})", auth_json());
    CHECK(refused.status == 402);
    CHECK(refused.body == "route is available starting emailPro plan");
}

TEST_CASE("a play delivers every event with the hook's secret, with duplicates and out-of-order", "[http][play]") {
    emulator_process emu({"--rate-limit", "off"});
    io_thread io;
    receiver all(io);
    receiver replies_only(io);
    blocking_client c(io, emu.base_url());
    REQUIRE(c.post("/api/hooks", R"({"targetUrl":")" + all.url() + R"(","secret":"whsec_123"})", auth_json()).status == 200);
    REQUIRE(c.post("/api/hooks", R"({"targetUrl":")" + replies_only.url() + R"(","type":"emailsReplied"})", auth_json()).status == 200);

    const auto started = c.post("/__emulator/play?wait=120",
                                R"({"leads":40,"events_per_lead":5,"seed":9,"duplicate_share":0.1,"out_of_order_share":0.3,)"
                                R"("linkedin_only_share":0.3,"concurrency":1})");
    REQUIRE(started.status == 200);
    const auto summary = parse(started.body);
    REQUIRE(str(summary, "state") == "done");
    CHECK(summary["generated"].GetUint64() == 200);
    CHECK(summary["failed"].GetUint64() == 0);
    CHECK(summary["delivered"].GetUint64() == summary["planned"].GetUint64());
    CHECK(summary["duplicates_sent"].GetUint64() == summary["duplicates_planned"].GetUint64());
    CHECK(summary["duplicates_sent"].GetUint64() > 0);

    const auto bodies = all.bodies();
    const auto reply_bodies = replies_only.bodies();
    CHECK(bodies.size() + reply_bodies.size() == summary["planned"].GetUint64());

    // Ground truth: every distinct event arrived at the catch-all hook, with its secret.
    const auto truth = parse(c.get("/__emulator/events").body);
    REQUIRE(truth["total"].GetUint64() == 200);
    std::set<std::string> expected;
    for (const auto& e : truth["events"].GetArray()) expected.insert(las::json::to_string(e["body"]));
    std::map<std::string, int> received;
    std::map<std::string, std::vector<std::string>> lead_order;  // leadId → createdAt in arrival order
    bool linkedin_only_seen = false;
    for (const auto& b : bodies) {
        const auto d = parse(b);
        CHECK(str(d, "secret") == "whsec_123");
        ++received[without_secret(b)];
        if (d.HasMember("leadId")) {
            lead_order[str(d, "leadId")].push_back(str(d, "createdAt"));
            if (!d.HasMember("leadEmail")) linkedin_only_seen = true;
        }
    }
    CHECK(received.size() == expected.size());
    for (const auto& e : expected) CHECK(received.count(e) == 1);
    std::size_t twice = 0;
    for (const auto& [b, n] : received) twice += n > 1 ? 1 : 0;
    CHECK(twice > 0);
    std::size_t inverted = 0;
    for (const auto& [lead, times] : lead_order)
        for (std::size_t i = 1; i < times.size(); ++i) inverted += times[i] < times[i - 1] ? 1 : 0;
    CHECK(inverted > 0);
    CHECK(linkedin_only_seen);

    for (const auto& b : reply_bodies) {
        const auto d = parse(b);
        CHECK(str(d, "type") == "emailsReplied");
        CHECK_FALSE(d.HasMember("secret"));
    }

    // The same events are listed by GET /activities, newest first, with the nested lead.
    const auto acts = parse(c.get("/api/activities?version=v2&limit=100", auth()).body);
    REQUIRE(acts.Size() == 100);
    for (rapidjson::SizeType i = 1; i < acts.Size(); ++i) CHECK(str(acts[i - 1], "createdAt") >= str(acts[i], "createdAt"));

    const auto status = parse(c.get("/__emulator/play/" + str(summary, "id")).body);
    CHECK(str(status, "state") == "done");
    const auto deliveries = parse(c.get("/__emulator/deliveries").body);
    CHECK(deliveries["totals"]["delivered"].GetUint64() == summary["delivered"].GetUint64());
}

TEST_CASE("failed deliveries are retried with backoff and counted", "[http][play]") {
    emulator_process emu({"--rate-limit", "off"});
    io_thread io;
    receiver flaky(io, 3);  // the first three requests get 503
    blocking_client c(io, emu.base_url());
    REQUIRE(c.post("/api/hooks", R"({"targetUrl":")" + flaky.url() + R"("})", auth_json()).status == 200);
    const auto r = c.post("/__emulator/play?wait=60",
                          R"({"leads":3,"events_per_lead":2,"seed":1,"duplicate_share":0,"out_of_order_share":0,)"
                          R"("concurrency":1,"retry_base_ms":10})");
    const auto s = parse(r.body);
    CHECK(s["delivered"].GetUint64() == 6);
    CHECK(s["failed"].GetUint64() == 0);
    CHECK(s["retries"].GetUint64() == 3);
    CHECK(s["statuses"]["503"].GetUint64() == 3);
    CHECK(flaky.bodies().size() == 6);
    CHECK(flaky.requests() == 9);

    // A target that never answers 2xx exhausts the attempts and is counted failed.
    receiver down(io, 1000);
    REQUIRE(c.post("/__emulator/reset", "").status == 200);
    REQUIRE(c.post("/api/hooks", R"({"targetUrl":")" + down.url() + R"("})", auth_json()).status == 200);
    const auto f = parse(c.post("/__emulator/play?wait=60",
                                R"({"leads":1,"events_per_lead":2,"seed":1,"duplicate_share":0,"max_attempts":3,"retry_base_ms":5})").body);
    CHECK(f["failed"].GetUint64() == 2);
    CHECK(f["delivered"].GetUint64() == 0);
    CHECK(down.requests() == 6);
}

TEST_CASE("inserted activities can be delivered; faults are injected on request", "[http]") {
    emulator_process emu({"--rate-limit", "off"});
    io_thread io;
    receiver sink(io);
    blocking_client c(io, emu.base_url());
    REQUIRE(c.post("/api/hooks", R"({"targetUrl":")" + sink.url() + R"(","secret":"s"})", auth_json()).status == 200);
    std::ifstream sample(std::string(LAS_SAMPLES_DIR) + "/linkedinInviteAccepted.json");
    std::stringstream ss;
    ss << sample.rdbuf();
    REQUIRE_FALSE(ss.str().empty());
    const auto ins = c.post("/__emulator/activities?deliver=true&wait=true", ss.str());
    REQUIRE(ins.status == 200);
    REQUIRE(sink.bodies().size() == 1);
    const auto got = parse(sink.bodies()[0]);
    CHECK(str(got, "_id") == "act_JMapFaFqB9dMLZpLL");
    CHECK(str(got, "secret") == "s");
    CHECK_FALSE(got.HasMember("leadEmail"));
    const auto acts = parse(c.get("/api/activities?version=v2&type=linkedinInviteAccepted", auth()).body);
    CHECK(acts.Size() == 1);

    REQUIRE(c.post("/__emulator/faults", R"({"status":500,"count":1,"path_prefix":"/api/campaigns"})").status == 200);
    const auto boom = c.get("/api/campaigns?version=v2", auth());
    CHECK(boom.status == 500);
    CHECK(boom.body == "Internal server error");
    CHECK(c.get("/api/campaigns?version=v2", auth()).status == 200);
}

TEST_CASE("the play subcommand drives a target without a server", "[http][cli]") {
    io_thread io;
    receiver sink(io);
    const std::string events_file = std::string(LAS_BINARY_DIR) + "/lemlist-emulator-play-events.json";
    std::remove(events_file.c_str());
    const auto played = las::test::run({LEMLIST_EMULATOR_BIN, "play", "--target", sink.url(), "--leads", "6",
                                        "--events-per-lead", "3", "--secret", "cli-secret", "--play-seed", "4",
                                        "--duplicate-share", "0", "--quiet", "--events-out", events_file},
                                       las::test::env_list{}, 60s);
    CHECK(played.exit_code == 0);
    const std::string& out = played.out;
    const auto summary = parse(out.substr(0, out.find('\n')));
    CHECK(summary["delivered"].GetUint64() == 18);
    CHECK(sink.bodies().size() == 18);
    for (const auto& b : sink.bodies()) CHECK(str(parse(b), "secret") == "cli-secret");
    std::ifstream f(events_file);
    std::stringstream ss;
    ss << f.rdbuf();
    CHECK(parse(ss.str())["total"].GetUint64() == 18);
}
