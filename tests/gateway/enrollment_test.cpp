// /v1/enrollments bodies: limits at their edges and the exact job message.
#include <catch2/catch.hpp>

#include "gateway/enrollment.hpp"

using namespace las;
using namespace las::gateway;

namespace {
std::string records(int n) {
    std::string out = R"({"campaign_id":"cam_x","record_ids":[)";
    for (int i = 0; i < n; ++i) out += (i ? ",\"" : "\"") + std::string("rec_") + std::to_string(i) + "\"";
    return out + "]}";
}
}  // namespace

TEST_CASE("enrollment: 1 and 250 record ids pass - 251 is 422 - 0 is 400") {
    CHECK(parse_enrollment(records(1)));
    const auto full = parse_enrollment(records(250));
    REQUIRE(full);
    CHECK(full->record_ids.size() == 250);
    CHECK(full->record_ids.back() == "rec_249");
    const auto over = parse_enrollment(records(251));
    REQUIRE_FALSE(over);
    CHECK(over.error().status == 422);
    const auto none = parse_enrollment(records(0));
    REQUIRE_FALSE(none);
    CHECK(none.error().status == 400);
}

TEST_CASE("enrollment: every option name is accepted once - booleans only") {
    const auto r = parse_enrollment(
        R"({"campaign_id":"cam_x","record_ids":["a"],"options":{"findEmail":true,"verifyEmail":false,"findPhone":true,"linkedinEnrichment":false,"deduplicate":true}})");
    REQUIRE(r);
    CHECK(r->options.size() == 5);
    const auto twice = parse_enrollment(R"({"campaign_id":"cam_x","record_ids":["a"],"options":{"findPhone":true,"findPhone":false}})");
    REQUIRE_FALSE(twice);
    CHECK(twice.error().field == "options.findPhone");
}

TEST_CASE("enrollment: the job body - exactly") {
    enrollment_request req;
    req.campaign_id = "cam_1";
    req.record_ids = {"r1", "r\"2"};
    req.options = {{"findEmail", true}, {"deduplicate", false}};
    req.icebreaker = "hé";
    const sys_ms at{std::chrono::milliseconds{0}};
    CHECK(job_body(req, "job_ab", at) ==
          R"({"job_id":"job_ab","source":"api","campaign_id":"cam_1","record_ids":["r1","r\"2"],)"
          R"("options":{"findEmail":true,"deduplicate":false},"icebreaker":"hé","requested_at":"1970-01-01T00:00:00.000Z"})");
    req.icebreaker.reset();
    req.options.clear();
    CHECK(job_body(req, "job_ab", at) ==
          R"({"job_id":"job_ab","source":"api","campaign_id":"cam_1","record_ids":["r1","r\"2"],"options":{},)"
          R"("requested_at":"1970-01-01T00:00:00.000Z"})");
}
