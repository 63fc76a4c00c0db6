#pragma once
// POST /v1/enrollments: the request body's validation and the one job message it becomes.
//
//   {"campaign_id":"cam_…","record_ids":["…", …1..250],
//    "options":{"findEmail":bool,"verifyEmail":bool,"findPhone":bool,
//               "linkedinEnrichment":bool,"deduplicate":bool},   (optional, each optional)
//    "icebreaker":"…"}                                            (optional)
// →
//   {"job_id":"job_<hex>","source":"api","campaign_id":…,"record_ids":[…],"options":{…},
//    "icebreaker":…,"requested_at":"<ISO>"}

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace las::gateway {

inline constexpr std::size_t max_record_ids = 250;
inline constexpr std::size_t max_record_id_bytes = 128;
inline constexpr std::size_t max_icebreaker_bytes = 10'000;

// The option names Lemlist's add-lead endpoint takes as query flags.
inline constexpr std::array<std::string_view, 5> enrollment_option_names{
    "findEmail", "verifyEmail", "findPhone", "linkedinEnrichment", "deduplicate"};

struct enrollment_request {
    std::string campaign_id;
    std::vector<std::string> record_ids;
    std::vector<std::pair<std::string, bool>> options;  // only the options given, in request order
    std::optional<std::string> icebreaker;
};

struct enrollment_error {
    unsigned status = 400;  // 400 malformed, 422 too many record ids
    std::string code;       // invalid_json | invalid_field | missing_field | unknown_field | too_many_records
    std::string field;      // which field ("record_ids[3]", "options.findEmail")
    std::string message;
};

result<enrollment_request, enrollment_error> parse_enrollment(std::string_view body);

// The job message body (compact JSON).
std::string job_body(const enrollment_request& req, std::string_view job_id, sys_ms requested_at);

}  // namespace las::gateway
