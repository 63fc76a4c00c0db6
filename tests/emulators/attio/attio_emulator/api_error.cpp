#include "attio_emulator/api_error.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace las::attio_emulator {

std::string api_error::to_json() const {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("status_code");
    w.Uint(status);
    w.Key("type");
    w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
    w.Key("code");
    w.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
    w.Key("message");
    w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
    if (!validation_errors.empty()) {
        w.Key("validation_errors");
        w.StartArray();
        for (const auto& v : validation_errors) {
            w.StartObject();
            w.Key("code");
            w.String(v.code.data(), static_cast<rapidjson::SizeType>(v.code.size()));
            w.Key("path");
            w.StartArray();
            for (const auto& p : v.path) w.String(p.data(), static_cast<rapidjson::SizeType>(p.size()));
            w.EndArray();
            w.Key("message");
            w.String(v.message.data(), static_cast<rapidjson::SizeType>(v.message.size()));
            if (!v.expected.empty()) {
                w.Key("expected");
                w.String(v.expected.data(), static_cast<rapidjson::SizeType>(v.expected.size()));
            }
            if (!v.received.empty()) {
                w.Key("received");
                w.String(v.received.data(), static_cast<rapidjson::SizeType>(v.received.size()));
            }
            w.EndObject();
        }
        w.EndArray();
    }
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

namespace {
api_error make(unsigned status, std::string type, std::string code, std::string message) {
    api_error e;
    e.status = status;
    e.type = std::move(type);
    e.code = std::move(code);
    e.message = std::move(message);
    return e;
}
}  // namespace

api_error not_found(std::string message) { return make(404, "invalid_request_error", "not_found", std::move(message)); }

api_error validation_error(std::string message, std::vector<validation_issue> issues) {
    auto e = make(400, "invalid_request_error", "validation_type", std::move(message));
    e.validation_errors = std::move(issues);
    return e;
}

api_error value_not_found(std::string message) {
    return make(400, "invalid_request_error", "value_not_found", std::move(message));
}
api_error missing_value(std::string message) {
    return make(400, "invalid_request_error", "missing_value", std::move(message));
}
api_error filter_error(std::string message) {
    return make(400, "invalid_request_error", "filter_error", std::move(message));
}
api_error slug_conflict(std::string message) {
    return make(409, "invalid_request_error", "slug_conflict", std::move(message));
}
api_error uniqueness_conflict(std::string_view attribute_slug) {
    // Message as measured against the live API (reference §2.3); the spec does not list it.
    return make(400, "invalid_request_error", "uniqueness_conflict",
                "A value provided for attribute with slug \"" + std::string(attribute_slug) +
                    "\" conflicts with one already in the system. This attribute has a uniqueness constraint. "
                    "Please ensure all values for this attribute do not exist on another record.");
}
api_error immutable_value(std::string message) {
    return make(400, "invalid_request_error", "immutable_value", std::move(message));
}
api_error multiple_match_results(std::string message) {
    return make(400, "invalid_request_error", "multiple_match_results", std::move(message));
}
api_error system_edit_unauthorized(std::string message) {
    return make(400, "invalid_request_error", "system_edit_unauthorized", std::move(message));
}
api_error unauthorized(std::string message) { return make(401, "auth_error", "unauthorized", std::move(message)); }

api_error endpoint_not_found(std::string_view method, std::string_view path) {
    return not_found("Could not find endpoint \"" + std::string(method) + " " + std::string(path) + "\".");
}

api_error rate_limit_exceeded() {
    return make(429, "rate_limit_error", "rate_limit_exceeded", "Rate limit exceeded, please try again later");
}

validation_issue required_issue(std::vector<std::string> path, std::string expected) {
    return {"invalid_type", std::move(path), "Required", std::move(expected), "undefined"};
}

validation_issue type_issue(std::vector<std::string> path, std::string expected, std::string received) {
    std::string msg = "Expected " + expected + ", received " + received;
    return {"invalid_type", std::move(path), std::move(msg), std::move(expected), std::move(received)};
}

}  // namespace las::attio_emulator
