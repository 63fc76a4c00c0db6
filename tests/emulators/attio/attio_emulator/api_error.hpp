#pragma once
// Attio's error body, `{"status_code","type","code","message"}` on every non-2xx answer, plus
// `validation_errors` for `validation_type`. Factories name the codes the reference lists.

#include <string>
#include <string_view>
#include <vector>

namespace las::attio_emulator {

struct validation_issue {
    std::string code;               // "invalid_type", "unrecognized_keys", …
    std::vector<std::string> path;  // e.g. {"data", "api_slug"}
    std::string message;            // "Required"
    std::string expected;           // optional: "string"
    std::string received;           // optional: "undefined"
};

struct api_error {
    unsigned status = 400;
    std::string type = "invalid_request_error";  // invalid_request_error | auth_error | rate_limit_error | …
    std::string code;
    std::string message;
    std::vector<validation_issue> validation_errors;

    std::string to_json() const;
};


api_error not_found(std::string message);
api_error validation_error(std::string message, std::vector<validation_issue> issues = {});
api_error value_not_found(std::string message);
api_error missing_value(std::string message);
api_error filter_error(std::string message);
api_error slug_conflict(std::string message);
api_error uniqueness_conflict(std::string_view attribute_slug);
api_error immutable_value(std::string message);
api_error multiple_match_results(std::string message);
api_error system_edit_unauthorized(std::string message);
api_error unauthorized(std::string message);
api_error endpoint_not_found(std::string_view method, std::string_view path);
api_error rate_limit_exceeded();

// The body-shape issue Attio reports for a missing required member.
validation_issue required_issue(std::vector<std::string> path, std::string expected);
// A member of the wrong JSON type.
validation_issue type_issue(std::vector<std::string> path, std::string expected, std::string received);

}  // namespace las::attio_emulator
