#pragma once
// Attio's error answers: every non-2xx body is `{status_code, type, code, message}` (plus
// `validation_errors` on validation_type). The `code` decides what callers do, so it is kept
// in call_error::code and the ones we react to have names here:
//   uniqueness_conflict  a unique value (email, our lemlist_linkedin_url) is on another record:
//                        the pipeline re-reads and matches instead of creating
//   slug_conflict (409)  the list / attribute / option exists already: provisioning re-reads
//   not_found (404)      unknown record / list / attribute
// Any other 409 is a concurrent write conflict: transient.

#include <optional>
#include <string>
#include <string_view>

#include "outbound/call_error.hpp"

namespace las::attio {

using outbound::call_error;
using outbound::call_result;
using outbound::failure;

namespace code {
inline constexpr std::string_view uniqueness_conflict = "uniqueness_conflict";
inline constexpr std::string_view slug_conflict = "slug_conflict";
inline constexpr std::string_view not_found = "not_found";
inline constexpr std::string_view value_not_found = "value_not_found";
inline constexpr std::string_view validation_type = "validation_type";
inline constexpr std::string_view rate_limit_exceeded = "rate_limit_exceeded";
inline constexpr std::string_view multiple_match_results = "multiple_match_results";
}  // namespace code

struct error_body {
    unsigned status_code = 0;
    std::string type;     // invalid_request_error | auth_error | rate_limit_error
    std::string code;
    std::string message;
};

// nullopt when the body is not Attio's JSON error (a proxy's HTML page, an empty body).
std::optional<error_body> parse_error_body(std::string_view body);

// 409 slug_conflict → permanent; any other 409 → transient (concurrent write); otherwise the
// generic rules of outbound::classify_status.
failure classify(unsigned status, std::string_view code, bool replay_safe);

// A non-2xx answer as a call_error: classified, with Attio's code and (shortened) message.
call_error error_from_answer(unsigned status, std::string_view body, bool replay_safe);

// A 2xx answer whose body is not the documented shape.
call_error unexpected_answer(unsigned status, std::string_view what);

bool is_uniqueness_conflict(const call_error& e);
bool is_slug_conflict(const call_error& e);
bool is_not_found(const call_error& e);  // 404 (any code)

}  // namespace las::attio
