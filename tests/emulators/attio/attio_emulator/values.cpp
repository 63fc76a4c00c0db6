#include "attio_emulator/values.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>

#include "attio_emulator/ids.hpp"
#include "attio_emulator/time_format.hpp"
#include "core/json.hpp"

namespace las::attio_emulator {

namespace {

using rapidjson::Value;

std::string_view sv(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

std::string json_type(const Value& v) {
    if (v.IsNull()) return "null";
    if (v.IsBool()) return "boolean";
    if (v.IsNumber()) return "number";
    if (v.IsString()) return "string";
    if (v.IsArray()) return "array";
    return "object";
}

// The error for a value of the wrong shape. Message as observed on the wire (reference §2.1).
api_error invalid_value(const attribute& attr, std::vector<validation_issue> issues) {
    return validation_error("An invalid value was passed to attribute with slug \"" + attr.api_slug + "\".",
                            std::move(issues));
}

api_error invalid_value(const attribute& attr, std::string expected, const Value& got) {
    return invalid_value(attr, {type_issue({attr.api_slug}, std::move(expected), json_type(got))});
}

api_error invalid_value(const attribute& attr, std::string message) {
    return invalid_value(attr, {validation_issue{"custom", {attr.api_slug}, std::move(message), "", ""}});
}

// An object whose members are all in `allowed`.
bool only_members(const Value& v, std::initializer_list<std::string_view> allowed) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        const std::string_view k = sv(it->name);
        if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) return false;
    }
    return true;
}

// `{"<key>": x}` (and nothing else) → x; otherwise the value itself.
const Value* unwrap(const Value& v, std::string_view key) {
    if (!v.IsObject()) return &v;
    const auto it = v.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
    if (it == v.MemberEnd() || v.MemberCount() != 1) return nullptr;
    return &it->value;
}

using coerced = result<value_data, api_error>;

std::string format_number(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
}

// --- per-type coercion -------------------------------------------------------------------

coerced coerce_text(const attribute& attr, const Value& in) {
    const Value* v = unwrap(in, "value");
    if (!v || !v->IsString()) return fail(invalid_value(attr, "string", v ? *v : in));
    return value_data{text_data{std::string(sv(*v))}};
}

coerced coerce_number(const attribute& attr, const Value& in) {
    const Value* v = unwrap(in, "value");
    if (!v || !v->IsNumber()) return fail(invalid_value(attr, "number", v ? *v : in));
    const double d = v->GetDouble();
    if (!std::isfinite(d)) return fail(invalid_value(attr, "a finite number"));
    return value_data{number_data{d}};
}

coerced coerce_rating(const attribute& attr, const Value& in) {
    const Value* v = unwrap(in, "value");
    if (!v || !v->IsNumber()) return fail(invalid_value(attr, "number", v ? *v : in));
    const double d = v->GetDouble();
    if (d < 0 || d > 5 || std::floor(d) != d) return fail(invalid_value(attr, "Rating must be an integer from 0 to 5"));
    return value_data{number_data{d}};
}

coerced coerce_checkbox(const attribute& attr, const Value& in) {
    const Value* v = unwrap(in, "value");
    if (v && v->IsBool()) return value_data{bool_data{v->GetBool()}};
    if (v && v->IsString()) {
        if (sv(*v) == "true") return value_data{bool_data{true}};
        if (sv(*v) == "false") return value_data{bool_data{false}};
    }
    return fail(invalid_value(attr, "boolean", v ? *v : in));
}

coerced coerce_currency(const attribute& attr, const Value& in) {
    if (!in.IsObject()) return fail(invalid_value(attr, "object", in));
    const auto it = in.FindMember("currency_value");
    if (it == in.MemberEnd()) return fail(invalid_value(attr, {required_issue({attr.api_slug, "currency_value"}, "number")}));
    if (!it->value.IsNumber() || !only_members(in, {"currency_value"})) {
        return fail(invalid_value(attr, "number", it->value));
    }
    currency_data c;
    c.value = it->value.GetDouble();
    c.code = attr.currency_code;
    return value_data{std::move(c)};
}

coerced coerce_timestamp(const attribute& attr, const Value& in) {
    const Value* v = unwrap(in, "value");
    if (!v || !v->IsString()) return fail(invalid_value(attr, "string", v ? *v : in));
    const auto t = parse_timestamp_input(sv(*v));
    if (!t) return fail(invalid_value(attr, "Invalid timestamp \"" + std::string(sv(*v)) + "\""));
    return value_data{text_data{format_timestamp(*t)}};
}

coerced coerce_date(const attribute& attr, const Value& in) {
    const Value* v = unwrap(in, "value");
    if (!v || !v->IsString()) return fail(invalid_value(attr, "string", v ? *v : in));
    auto d = parse_date_input(sv(*v));
    if (!d) return fail(invalid_value(attr, "Invalid date \"" + std::string(sv(*v)) + "\""));
    return value_data{text_data{std::move(*d)}};
}

coerced coerce_option(const attribute& attr, const Value& in) {
    const bool status = attr.type == attribute_type::status;
    const Value* v = unwrap(in, status ? "status" : "option");
    if (!v || !v->IsString() || v->GetStringLength() == 0) return fail(invalid_value(attr, "string", v ? *v : in));
    const auto* option = attr.find_option(sv(*v));
    if (!option || option->is_archived) {
        // Messages from the spec's examples (create record 400; status analogue).
        const bool by_id = looks_like_uuid(sv(*v));
        return fail(value_not_found(
            std::string(status ? "Cannot find status attribute with status " : "Cannot find select attribute with select option ") +
            (by_id ? "ID" : "title") + " \"" + std::string(sv(*v)) + "\"."));
    }
    return value_data{option_data{option->id}};
}

coerced coerce_email(const attribute& attr, const Value& in) {
    const Value* v = unwrap(in, "email_address");
    if (in.IsObject() && !v) {
        const auto it = in.FindMember("email_address");
        if (it == in.MemberEnd()) return fail(invalid_value(attr, {required_issue({attr.api_slug, "email_address"}, "string")}));
        v = &it->value;
    }
    if (!v || !v->IsString()) return fail(invalid_value(attr, "string", v ? *v : in));
    const std::string_view raw = trim(sv(*v));
    const auto at = raw.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= raw.size() || raw.find('@', at + 1) != std::string_view::npos ||
        raw.find(' ') != std::string_view::npos) {
        return fail(invalid_value(attr, "Invalid email address \"" + std::string(raw) + "\""));
    }
    const std::string domain = lower(raw.substr(at + 1));
    if (domain.find('.') == std::string::npos || domain.front() == '.' || domain.back() == '.') {
        return fail(invalid_value(attr, "Invalid email address \"" + std::string(raw) + "\""));
    }
    email_data e;
    e.original = std::string(raw);
    e.address = lower(raw);
    e.domain = domain;
    e.root_domain = root_domain_of(domain);
    const std::string local = lower(raw.substr(0, at));
    e.local_specifier = local.substr(0, local.find('+'));
    return value_data{std::move(e)};
}

coerced coerce_domain(const attribute& attr, const Value& in) {
    const Value* v = unwrap(in, "domain");
    if (!v || !v->IsString()) return fail(invalid_value(attr, "string", v ? *v : in));
    auto d = normalise_domain(sv(*v));
    if (!d) return fail(invalid_value(attr, "Invalid domain \"" + std::string(sv(*v)) + "\""));
    domain_data out;
    out.root_domain = root_domain_of(*d);
    out.domain = std::move(*d);
    return value_data{std::move(out)};
}

coerced coerce_phone(const attribute& attr, const Value& in) {
    std::string_view original;
    std::optional<std::string> country;
    if (in.IsString()) {
        original = sv(in);
        // The string form carries no country: the number must start with '+' (reference §2.1).
        if (trim(original).empty() || trim(original).front() != '+') {
            return fail(invalid_value(attr, "Phone numbers given as a string must start with \"+\""));
        }
    } else if (in.IsObject()) {
        const auto it = in.FindMember("original_phone_number");
        if (it == in.MemberEnd()) {
            return fail(invalid_value(attr, {required_issue({attr.api_slug, "original_phone_number"}, "string")}));
        }
        if (!it->value.IsString()) return fail(invalid_value(attr, "string", it->value));
        original = sv(it->value);
        const auto cc = in.FindMember("country_code");
        if (cc != in.MemberEnd() && !cc->value.IsNull()) {
            if (!cc->value.IsString() || cc->value.GetStringLength() != 2) {
                return fail(invalid_value(attr, "country_code must be an ISO 3166-1 alpha-2 code or null"));
            }
            std::string code(sv(cc->value));
            for (auto& ch : code) {
                if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
            }
            country = std::move(code);
        }
    } else {
        return fail(invalid_value(attr, "string", in));
    }

    const std::string_view t = trim(original);
    std::string digits;
    bool plus = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '+' && i == 0) plus = true;
        else if (c >= '0' && c <= '9') digits.push_back(c);
        else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.') continue;
        else return fail(invalid_value(attr, "Invalid phone number \"" + std::string(original) + "\""));
    }
    phone_data p;
    p.original = std::string(original);
    if (plus) {
        p.number = "+" + digits;
        p.country_code = country ? country : country_for_number(p.number);
    } else {
        if (!country) return fail(invalid_value(attr, "A phone number without \"+\" needs a country_code"));
        const auto code = calling_code_for(*country);
        if (!code) return fail(invalid_value(attr, "Unknown country_code \"" + *country + "\""));
        const auto first = digits.find_first_not_of('0');  // national trunk prefix
        p.number = "+" + *code + (first == std::string::npos ? std::string() : digits.substr(first));
        p.country_code = country;
    }
    // E.164: at most 15 digits; anything under 7 is not a callable number.
    const std::size_t n = p.number.size() - 1;
    if (n < 7 || n > 15) return fail(invalid_value(attr, "Invalid phone number \"" + std::string(original) + "\""));
    return value_data{std::move(p)};
}

coerced coerce_name(const attribute& attr, const Value& in) {
    name_data n;
    if (in.IsString()) {
        // "Last, First"; text without a comma is the first name only (reference §2.1).
        const std::string_view s = trim(sv(in));
        const auto comma = s.find(',');
        if (comma == std::string_view::npos) {
            n.first = std::string(s);
        } else {
            n.last = std::string(trim(s.substr(0, comma)));
            n.first = std::string(trim(s.substr(comma + 1)));
        }
        n.full = n.first.empty() ? n.last : (n.last.empty() ? n.first : n.first + " " + n.last);
        return value_data{std::move(n)};
    }
    if (!in.IsObject()) return fail(invalid_value(attr, "object", in));
    std::vector<validation_issue> issues;
    std::string* targets[] = {&n.first, &n.last, &n.full};
    const std::string_view keys[] = {"first_name", "last_name", "full_name"};
    for (int i = 0; i < 3; ++i) {
        const auto it = in.FindMember(Value(rapidjson::StringRef(keys[i].data(), keys[i].size())));
        if (it == in.MemberEnd()) {
            issues.push_back(required_issue({std::string(keys[i])}, "string"));
        } else if (!it->value.IsString()) {
            issues.push_back(type_issue({std::string(keys[i])}, "string", json_type(it->value)));
        } else {
            *targets[i] = std::string(sv(it->value));
        }
    }
    // All three fields are required in the object form (wire: 400 with one issue per field).
    if (!issues.empty()) return fail(invalid_value(attr, std::move(issues)));
    return value_data{std::move(n)};
}

coerced coerce_location(const attribute& attr, const Value& in) {
    if (!in.IsObject()) return fail(invalid_value(attr, "object", in));
    location_data loc;
    std::vector<validation_issue> issues;
    for (std::size_t i = 0; i < location_fields.size(); ++i) {
        const auto key = location_fields[i];
        const auto it = in.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
        if (it == in.MemberEnd()) {
            // Every field must be present, unused ones as null ([3P] withoneai/knowledge#27).
            issues.push_back(required_issue({attr.api_slug, std::string(key)}, "string | null"));
        } else if (it->value.IsNull()) {
            loc.fields[i] = std::nullopt;
        } else if (it->value.IsString()) {
            loc.fields[i] = std::string(sv(it->value));
        } else if (it->value.IsNumber() && (key == "latitude" || key == "longitude")) {
            loc.fields[i] = format_number(it->value.GetDouble());
        } else {
            issues.push_back(type_issue({attr.api_slug, std::string(key)}, "string | null", json_type(it->value)));
        }
    }
    if (!issues.empty()) return fail(invalid_value(attr, std::move(issues)));
    return value_data{std::move(loc)};
}

coerced coerce_actor(const attribute& attr, const Value& in, const write_context& ctx) {
    if (!in.IsObject()) return fail(invalid_value(attr, "object", in));
    if (const auto* email = json::find(in, "workspace_member_email_address")) {
        if (!email->IsString()) return fail(invalid_value(attr, "string", *email));
        auto id = ctx.refs.member_by_email(lower(sv(*email)));
        if (!id) return fail(value_not_found("Workspace member with email \"" + std::string(sv(*email)) + "\" not found."));
        return value_data{actor_ref_data{"workspace-member", std::move(*id)}};
    }
    const auto type = json::get_string(in, "referenced_actor_type");
    const auto id = json::get_string(in, "referenced_actor_id");
    if (!type || !id) {
        return fail(invalid_value(attr, {required_issue({attr.api_slug, "referenced_actor_id"}, "string")}));
    }
    if (*type != "workspace-member") return fail(invalid_value(attr, "referenced_actor_type must be \"workspace-member\""));
    if (!ctx.refs.member_exists(*id)) {
        return fail(value_not_found("Workspace member with ID \"" + std::string(*id) + "\" not found."));
    }
    return value_data{actor_ref_data{"workspace-member", std::string(*id)}};
}

coerced coerce_record_reference(const attribute& attr, const Value& in, const write_context& ctx) {
    if (!in.IsObject()) return fail(invalid_value(attr, "object", in));
    const auto target = json::get_string(in, "target_object");
    if (!target) return fail(invalid_value(attr, {required_issue({attr.api_slug, "target_object"}, "string")}));
    const object_def* object = ctx.refs.object_by_slug_or_id(*target);
    if (!object) return fail(value_not_found("Object with slug/ID \"" + std::string(*target) + "\" not found."));
    if (!attr.allowed_object_ids.empty() &&
        std::find(attr.allowed_object_ids.begin(), attr.allowed_object_ids.end(), object->id) ==
            attr.allowed_object_ids.end()) {
        return fail(invalid_value(attr, "Object \"" + object->api_slug + "\" is not allowed for this attribute"));
    }
    if (const auto* rid = json::find(in, "target_record_id")) {
        if (!rid->IsString()) return fail(invalid_value(attr, "string", *rid));
        if (!ctx.refs.record_exists(*object, sv(*rid))) {
            return fail(value_not_found("Record with ID \"" + std::string(sv(*rid)) + "\" not found."));
        }
        return value_data{record_ref_data{object->api_slug, std::string(sv(*rid))}};
    }
    // Match form: {"target_object": "companies", "domains": [{"domain": "attio.com"}]}.
    for (auto it = in.MemberBegin(); it != in.MemberEnd(); ++it) {
        const std::string_view key = sv(it->name);
        if (key == "target_object") continue;
        const attribute* match = object->find_attribute(key);
        if (!match) return fail(value_not_found("Attribute with slug/ID \"" + std::string(key) + "\" not found."));
        if (!match->is_unique) {
            return fail(invalid_value(attr, "Matching attribute \"" + match->api_slug + "\" must be unique"));
        }
        auto values = coerce_input(*match, it->value, ctx);
        if (!values) return fail(std::move(values.error()));
        for (const auto& v : *values) {
            if (auto found = ctx.refs.find_by_unique_value(*object, *match, v)) {
                return value_data{record_ref_data{object->api_slug, std::move(*found)}};
            }
        }
        return fail(value_not_found("No record of \"" + object->api_slug + "\" matches the given \"" + match->api_slug + "\"."));
    }
    return fail(invalid_value(attr, {required_issue({attr.api_slug, "target_record_id"}, "string")}));
}

coerced coerce_one(const attribute& attr, const Value& in, const write_context& ctx) {
    switch (attr.type) {
        case attribute_type::text: return coerce_text(attr, in);
        case attribute_type::number: return coerce_number(attr, in);
        case attribute_type::checkbox: return coerce_checkbox(attr, in);
        case attribute_type::currency: return coerce_currency(attr, in);
        case attribute_type::date: return coerce_date(attr, in);
        case attribute_type::timestamp: return coerce_timestamp(attr, in);
        case attribute_type::rating: return coerce_rating(attr, in);
        case attribute_type::status:
        case attribute_type::select: return coerce_option(attr, in);
        case attribute_type::record_reference: return coerce_record_reference(attr, in, ctx);
        case attribute_type::actor_reference: return coerce_actor(attr, in, ctx);
        case attribute_type::location: return coerce_location(attr, in);
        case attribute_type::domain: return coerce_domain(attr, in);
        case attribute_type::email_address: return coerce_email(attr, in);
        case attribute_type::phone_number: return coerce_phone(attr, in);
        case attribute_type::personal_name: return coerce_name(attr, in);
        case attribute_type::interaction: break;
    }
    return fail(invalid_value(attr, "Values of this attribute type cannot be written"));
}

struct calling_code {
    std::string_view country;
    std::string_view code;
};

// Longest codes first where prefixes overlap; +1 maps to US (NANP shares it).
constexpr calling_code calling_codes[] = {
    {"US", "1"},   {"CA", "1"},   {"RU", "7"},   {"EG", "20"},  {"ZA", "27"},  {"GR", "30"},  {"NL", "31"},
    {"BE", "32"},  {"FR", "33"},  {"ES", "34"},  {"HU", "36"},  {"IT", "39"},  {"RO", "40"},  {"CH", "41"},
    {"AT", "43"},  {"GB", "44"},  {"DK", "45"},  {"SE", "46"},  {"NO", "47"},  {"PL", "48"},  {"DE", "49"},
    {"PE", "51"},  {"MX", "52"},  {"AR", "54"},  {"BR", "55"},  {"CL", "56"},  {"CO", "57"},  {"MY", "60"},
    {"AU", "61"},  {"ID", "62"},  {"PH", "63"},  {"NZ", "64"},  {"SG", "65"},  {"TH", "66"},  {"JP", "81"},
    {"KR", "82"},  {"VN", "84"},  {"CN", "86"},  {"TR", "90"},  {"IN", "91"},  {"PK", "92"},  {"MA", "212"},
    {"NG", "234"}, {"KE", "254"}, {"PT", "351"}, {"LU", "352"}, {"IE", "353"}, {"IS", "354"}, {"FI", "358"},
    {"BG", "359"}, {"LT", "370"}, {"LV", "371"}, {"EE", "372"}, {"UA", "380"}, {"RS", "381"}, {"HR", "385"},
    {"SI", "386"}, {"CZ", "420"}, {"SK", "421"}, {"HK", "852"}, {"AE", "971"}, {"IL", "972"}, {"SA", "966"},
};

// Public suffixes with a second level, enough for root_domain of common company domains.
constexpr std::string_view second_level_suffixes[] = {
    "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "co.kr",
    "com.br", "com.mx", "co.in", "co.za", "com.sg", "com.cn", "com.tr", "co.il", "com.ar", "com.hk",
};

void write_string(json_writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void write_optional(json_writer& w, const std::optional<std::string>& s) {
    if (s) write_string(w, *s);
    else w.Null();
}

void write_number(json_writer& w, double d) {
    // Whole numbers as integers ("5", not "5.0"), as a JSON encoder on the wire would.
    if (std::floor(d) == d && std::fabs(d) < 9007199254740992.0) w.Int64(static_cast<std::int64_t>(d));
    else w.Double(d);
}

}  // namespace

result<std::vector<stored_value>, api_error> coerce_input(const attribute& attr, const Value& input,
                                                         const write_context& ctx) {
    std::vector<stored_value> out;
    if (input.IsNull()) {
        if (attr.type == attribute_type::checkbox) return fail(invalid_value(attr, "boolean", input));
        return out;  // clears
    }
    const auto make = [&](value_data d) { return stored_value{std::move(d), ctx.now, ctx.actor}; };
    if (input.IsArray()) {
        if (!attr.is_multiselect && input.Size() > 1) {
            return fail(invalid_value(attr, "Attribute \"" + attr.api_slug + "\" is not multiselect: pass one value"));
        }
        if (attr.type == attribute_type::checkbox && input.Size() != 1) {
            return fail(invalid_value(attr, "A checkbox takes exactly one value"));
        }
        out.reserve(input.Size());
        for (const auto& item : input.GetArray()) {
            auto one = coerce_one(attr, item, ctx);
            if (!one) return fail(std::move(one.error()));
            out.push_back(make(std::move(*one)));
        }
        return out;
    }
    if (attr.is_multiselect) {
        // Multiselect attributes must receive an array (reference §2.1, [DOCS]).
        return fail(invalid_value(attr, {type_issue({attr.api_slug}, "array", json_type(input))}));
    }
    auto one = coerce_one(attr, input, ctx);
    if (!one) return fail(std::move(one.error()));
    out.push_back(make(std::move(*one)));
    return out;
}

std::string value_key(const stored_value& v) {
    struct visitor {
        std::string operator()(const text_data& d) const { return d.value; }
        std::string operator()(const number_data& d) const { return format_number(d.value); }
        std::string operator()(const bool_data& d) const { return d.value ? "true" : "false"; }
        std::string operator()(const currency_data& d) const { return format_number(d.value) + (d.code ? *d.code : ""); }
        std::string operator()(const option_data& d) const { return d.option_id; }
        std::string operator()(const record_ref_data& d) const { return d.target_object + ":" + d.target_record_id; }
        std::string operator()(const actor_ref_data& d) const { return d.type + ":" + d.id.value_or(""); }
        std::string operator()(const location_data& d) const {
            std::string k;
            for (const auto& f : d.fields) {
                k += f.value_or("\x01");
                k += '\x1f';
            }
            return k;
        }
        std::string operator()(const domain_data& d) const { return d.domain; }
        std::string operator()(const email_data& d) const { return d.address; }
        std::string operator()(const phone_data& d) const { return d.number; }
        std::string operator()(const name_data& d) const { return d.first + '\x1f' + d.last + '\x1f' + d.full; }
    };
    return std::visit(visitor{}, v.data);
}

void write_value(json_writer& w, const attribute& attr, const stored_value& v, const render_context& ctx) {
    w.StartObject();
    w.Key("active_from");
    write_string(w, v.active_from);
    w.Key("active_until");
    w.Null();
    w.Key("created_by_actor");
    w.StartObject();
    w.Key("type");
    write_string(w, v.created_by.type);
    w.Key("id");
    write_optional(w, v.created_by.id);
    w.EndObject();

    struct visitor {
        json_writer& w;
        const attribute& attr;
        const render_context& ctx;
        void operator()(const text_data& d) const {
            w.Key("value");
            write_string(w, d.value);
        }
        void operator()(const number_data& d) const {
            w.Key("value");
            write_number(w, d.value);
        }
        void operator()(const bool_data& d) const {
            w.Key("value");
            w.Bool(d.value);
        }
        void operator()(const currency_data& d) const {
            w.Key("currency_value");
            write_number(w, d.value);
            w.Key("currency_code");
            write_optional(w, d.code);
        }
        void operator()(const option_data& d) const {
            const bool status = attr.type == attribute_type::status;
            const select_option* o = attr.find_option(d.option_id);
            w.Key(status ? "status" : "option");
            w.StartObject();
            w.Key("id");
            w.StartObject();
            w.Key("workspace_id");
            write_string(w, ctx.workspace_id);
            w.Key("object_id");
            write_string(w, ctx.owner_id);
            w.Key("attribute_id");
            write_string(w, attr.id);
            w.Key(status ? "status_id" : "option_id");
            write_string(w, d.option_id);
            w.EndObject();
            w.Key("title");
            write_string(w, o ? std::string_view(o->title) : std::string_view());
            w.Key("is_archived");
            w.Bool(o ? o->is_archived : true);
            if (status) {
                w.Key("celebration_enabled");
                w.Bool(o && o->celebration_enabled);
                w.Key("target_time_in_status");
                if (o) write_optional(w, o->target_time_in_status);
                else w.Null();
            }
            w.EndObject();
        }
        void operator()(const record_ref_data& d) const {
            w.Key("target_object");
            write_string(w, d.target_object);
            w.Key("target_record_id");
            write_string(w, d.target_record_id);
        }
        void operator()(const actor_ref_data& d) const {
            w.Key("referenced_actor_type");
            write_string(w, d.type);
            w.Key("referenced_actor_id");
            write_optional(w, d.id);
        }
        void operator()(const location_data& d) const {
            for (std::size_t i = 0; i < location_fields.size(); ++i) {
                w.Key(location_fields[i].data(), static_cast<rapidjson::SizeType>(location_fields[i].size()));
                write_optional(w, d.fields[i]);
            }
        }
        void operator()(const domain_data& d) const {
            w.Key("domain");
            write_string(w, d.domain);
            w.Key("root_domain");
            write_string(w, d.root_domain);
        }
        void operator()(const email_data& d) const {
            w.Key("original_email_address");
            write_string(w, d.original);
            w.Key("email_address");
            write_string(w, d.address);
            w.Key("email_domain");
            write_string(w, d.domain);
            w.Key("email_root_domain");
            write_string(w, d.root_domain);
            w.Key("email_local_specifier");
            write_string(w, d.local_specifier);
        }
        void operator()(const phone_data& d) const {
            w.Key("original_phone_number");
            write_string(w, d.original);
            w.Key("country_code");
            write_optional(w, d.country_code);
            w.Key("phone_number");
            write_string(w, d.number);
        }
        void operator()(const name_data& d) const {
            w.Key("first_name");
            write_string(w, d.first);
            w.Key("last_name");
            write_string(w, d.last);
            w.Key("full_name");
            write_string(w, d.full);
        }
    };
    std::visit(visitor{w, attr, ctx}, v.data);
    w.Key("attribute_type");
    write_string(w, to_string(attr.type));
    w.EndObject();
}

void write_compact_value(json_writer& w, const attribute& attr, const stored_value& v) {
    struct visitor {
        json_writer& w;
        const attribute& attr;
        void operator()(const text_data& d) const { write_string(w, d.value); }
        void operator()(const number_data& d) const { write_number(w, d.value); }
        void operator()(const bool_data& d) const { w.Bool(d.value); }
        void operator()(const currency_data& d) const { write_number(w, d.value); }
        void operator()(const option_data& d) const {
            const auto* o = attr.find_option(d.option_id);
            write_string(w, o ? std::string_view(o->title) : std::string_view(d.option_id));
        }
        void operator()(const record_ref_data& d) const { write_string(w, d.target_record_id); }
        void operator()(const actor_ref_data& d) const { write_optional(w, d.id); }
        void operator()(const location_data& d) const {
            w.StartObject();
            for (std::size_t i = 0; i < location_fields.size(); ++i) {
                if (!d.fields[i]) continue;
                w.Key(location_fields[i].data(), static_cast<rapidjson::SizeType>(location_fields[i].size()));
                write_string(w, *d.fields[i]);
            }
            w.EndObject();
        }
        void operator()(const domain_data& d) const { write_string(w, d.domain); }
        void operator()(const email_data& d) const { write_string(w, d.address); }
        void operator()(const phone_data& d) const { write_string(w, d.number); }
        void operator()(const name_data& d) const { write_string(w, d.full); }
    };
    std::visit(visitor{w, attr}, v.data);
}

std::optional<std::string> normalise_domain(std::string_view input) {
    std::string_view s = trim(input);
    if (const auto scheme = s.find("://"); scheme != std::string_view::npos) s.remove_prefix(scheme + 3);
    if (const auto at = s.find('@'); at != std::string_view::npos && at < s.find('/')) s.remove_prefix(at + 1);
    // Paths and query strings are trimmed (reference §2.1); so are ports and a trailing dot.
    s = s.substr(0, s.find_first_of("/?#"));
    s = s.substr(0, s.find(':'));
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
    std::string d = lower(s);
    if (d.empty() || d.find('.') == std::string::npos || d.front() == '.' || d.find("..") != std::string::npos) {
        return std::nullopt;
    }
    for (const char c : d) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return std::nullopt;
    }
    return d;
}

std::string root_domain_of(std::string_view domain) {
    std::size_t labels_wanted = 2;
    for (const auto suffix : second_level_suffixes) {
        if (domain.size() > suffix.size() && domain.substr(domain.size() - suffix.size()) == suffix &&
            domain[domain.size() - suffix.size() - 1] == '.') {
            labels_wanted = 3;
            break;
        }
    }
    std::size_t pos = domain.size();
    for (std::size_t n = 0; n < labels_wanted; ++n) {
        const auto dot = domain.rfind('.', pos == 0 ? 0 : pos - 1);
        if (dot == std::string_view::npos || pos == 0) return std::string(domain);
        pos = dot;
    }
    return std::string(domain.substr(pos + 1));
}

std::optional<std::string> calling_code_for(std::string_view country_code) {
    for (const auto& c : calling_codes) {
        if (c.country == country_code) return std::string(c.code);
    }
    return std::nullopt;
}

std::optional<std::string> country_for_number(std::string_view e164) {
    if (e164.empty() || e164.front() != '+') return std::nullopt;
    const std::string_view digits = e164.substr(1);
    const calling_code* best = nullptr;
    for (const auto& c : calling_codes) {
        if (digits.substr(0, c.code.size()) == c.code && (!best || c.code.size() > best->code.size())) best = &c;
    }
    if (!best) return std::nullopt;
    return std::string(best->country);
}

}  // namespace las::attio_emulator
