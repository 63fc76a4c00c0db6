#include "sync/mapped_value.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "core/json.hpp"
#include "core/time.hpp"
#include "lemlist/lead_identity.hpp"
#include "lemlist/text.hpp"
#include "sync/person_matcher.hpp"

namespace las::sync {
namespace {

std::optional<double> number_of(const rapidjson::Value& v) {
    if (v.IsNumber()) return v.GetDouble();
    if (!v.IsString()) return std::nullopt;
    const auto s = lemlist::text::trim(std::string_view(v.GetString(), v.GetStringLength()));
    double out = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(out)) return std::nullopt;
    return out;
}

std::optional<bool> bool_of(const rapidjson::Value& v) {
    if (v.IsBool()) return v.GetBool();
    if (v.IsNumber()) {
        if (v.GetDouble() == 0) return false;
        if (v.GetDouble() == 1) return true;
        return std::nullopt;
    }
    if (!v.IsString()) return std::nullopt;
    const auto s = lemlist::text::to_lower_ascii(lemlist::text::trim(std::string_view(v.GetString(), v.GetStringLength())));
    if (s == "true" || s == "yes" || s == "1") return true;
    if (s == "false" || s == "no" || s == "0") return false;
    return std::nullopt;
}

std::optional<sys_ms> time_of(const rapidjson::Value& v) {
    if (v.IsString()) {
        const auto s = lemlist::text::trim(std::string_view(v.GetString(), v.GetStringLength()));
        // A bare date ("2025-11-18") is midnight UTC.
        if (s.size() == 10 && s[4] == '-' && s[7] == '-') return parse_iso8601(std::string(s) + "T00:00:00Z");
        return parse_iso8601(s);
    }
    if (!v.IsNumber() || !std::isfinite(v.GetDouble()) || v.GetDouble() < 0) return std::nullopt;
    // Unix time: seconds, or milliseconds when that large (past the year 5138 in seconds).
    const double n = v.GetDouble();
    const double ms = n < 1e11 ? n * 1000.0 : n;
    if (ms > 253'402'300'799'000.0) return std::nullopt;  // 9999-12-31T23:59:59Z
    return sys_ms(std::chrono::milliseconds(static_cast<long long>(ms)));
}

std::optional<std::string> text_of(const rapidjson::Value& v) {
    if (v.IsString()) {
        if (v.GetStringLength() == 0) return std::nullopt;
        return std::string(v.GetString(), v.GetStringLength());
    }
    if (v.IsNumber() || v.IsBool()) return json::to_string(v);
    return std::nullopt;
}

std::string number_json(double n) {
    rapidjson::Value v(n);
    if (n == std::floor(n) && std::fabs(n) < 9e15) v.SetInt64(static_cast<long long>(n));
    return json::to_string(v);
}

std::optional<std::string> scalar(const rapidjson::Value& v, const attribute_mapping& m) {
    const std::string_view type = m.attio_type;
    if (type.empty()) {
        if (v.IsString() && v.GetStringLength() == 0) return std::nullopt;
        if (v.IsString() || v.IsNumber() || v.IsBool()) return json::to_string(v);
        return std::nullopt;
    }
    if (type == "number") {
        const auto n = number_of(v);
        return n ? std::optional(number_json(*n)) : std::nullopt;
    }
    if (type == "currency") {
        const auto n = number_of(v);
        return n ? std::optional("{\"currency_value\":" + number_json(*n) + "}") : std::nullopt;
    }
    if (type == "rating") {
        const auto n = number_of(v);
        if (!n || *n < 0 || *n > 5 || *n != std::floor(*n)) return std::nullopt;
        return number_json(*n);
    }
    if (type == "checkbox") {
        const auto b = bool_of(v);
        return b ? std::optional(std::string(*b ? "true" : "false")) : std::nullopt;
    }
    if (type == "timestamp" || type == "date") {
        const auto t = time_of(v);
        if (!t) return std::nullopt;
        const auto iso = format_iso8601(*t);
        return json::quoted(type == "date" ? iso.substr(0, 10) : iso);
    }
    auto text = text_of(v);
    if (!text) return std::nullopt;
    if (type == "text" || type == "domain") return json::quoted(*text);
    if (type == "email-address") {
        const auto email = lemlist::normalize_email(*text);
        return email ? std::optional(json::quoted(*email)) : std::nullopt;
    }
    if (type == "phone-number") {
        const auto phone = e164_phone(*text);
        return phone ? std::optional(json::quoted(*phone)) : std::nullopt;
    }
    if (type == "select") {
        // Attio refuses an unknown title (it never creates options): only live ones are written.
        const auto it = std::find(m.option_titles.begin(), m.option_titles.end(), *text);
        return it == m.option_titles.end() ? std::nullopt : std::optional(json::quoted(*text));
    }
    return std::nullopt;
}

}  // namespace

const rapidjson::Value* find_mapped_field(const rapidjson::Value& body, std::string_view field) {
    if (const auto* top = json::find(body, field)) return top;
    const auto* lead = json::find(body, "lead");
    const auto* variables = lead != nullptr ? json::find(*lead, "variables") : nullptr;
    return variables != nullptr ? json::find(*variables, field) : nullptr;
}

bool can_map_onto(std::string_view attio_type) {
    constexpr std::array<std::string_view, 11> scalar_types{"text",   "number", "checkbox",      "timestamp",
                                                            "date",   "select", "rating",        "currency",
                                                            "domain", "email-address", "phone-number"};
    return std::find(scalar_types.begin(), scalar_types.end(), attio_type) != scalar_types.end();
}

std::optional<std::string> coerce_mapped_value(const rapidjson::Value& value, const attribute_mapping& mapping) {
    auto out = scalar(value, mapping);
    if (out && mapping.multiselect) return "[" + *out + "]";
    return out;
}

}  // namespace las::sync
