#include "attio/errors.hpp"

#include "core/json.hpp"

namespace las::attio {

std::optional<error_body> parse_error_body(std::string_view body) {
    auto doc = json::parse(body);
    if (!doc || !doc->IsObject()) return std::nullopt;
    error_body out;
    if (auto s = json::get_int(*doc, "status_code"); s && *s > 0 && *s < 1000) out.status_code = static_cast<unsigned>(*s);
    if (auto t = json::get_string(*doc, "type")) out.type = std::string(*t);
    if (auto c = json::get_string(*doc, "code")) out.code = std::string(*c);
    if (auto m = json::get_string(*doc, "message")) out.message = std::string(*m);
    if (out.code.empty() && out.message.empty()) return std::nullopt;
    return out;
}

failure classify(unsigned status, std::string_view code, bool replay_safe) {
    if (status == 409) return code == code::slug_conflict ? failure::permanent : failure::transient;
    return outbound::classify_status(status, replay_safe);
}

call_error error_from_answer(unsigned status, std::string_view body, bool replay_safe) {
    call_error e;
    e.status = status;
    if (auto parsed = parse_error_body(body)) {
        e.code = std::move(parsed->code);
        e.message = outbound::short_text(parsed->message);
    }
    if (e.message.empty()) e.message = "HTTP " + std::to_string(status);
    e.kind = classify(status, e.code, replay_safe);
    return e;
}

call_error unexpected_answer(unsigned status, std::string_view what) {
    call_error e;
    e.kind = failure::permanent;
    e.status = status;
    e.code = "unexpected_answer";
    e.message = outbound::short_text(what);
    return e;
}

bool is_uniqueness_conflict(const call_error& e) { return e.code == code::uniqueness_conflict; }
bool is_slug_conflict(const call_error& e) { return e.code == code::slug_conflict; }
bool is_not_found(const call_error& e) { return e.status == 404; }

}  // namespace las::attio
