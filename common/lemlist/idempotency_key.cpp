#include "lemlist/idempotency_key.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "lemlist/text.hpp"

namespace las::lemlist {
namespace {

using rapidjson::Value;

bool fits_message_id(std::string_view key) {
    return key.size() <= max_idempotency_key_bytes && text::is_visible_ascii(key);
}

// A composed key that cannot travel as is is replaced by the hash of all of it, which
// keeps it unique.
std::string bounded(std::string key) {
    if (fits_message_id(key)) return key;
    return "k1:" + crypto::sha256_hex(key);
}

void append_escaped(std::string& out, std::string_view field) {
    for (const char c : field) {
        if (c == '\\' || c == '|') out += '\\';
        out += c;
    }
}

std::optional<std::string> activity_id_key(const Value& body) {
    const auto id = json::get_string(body, "_id");
    if (!id || id->empty()) return std::nullopt;
    if (fits_message_id(*id) && id->find(':') == std::string_view::npos) return std::string(*id);
    return "i1:" + crypto::sha256_hex(*id);
}

std::optional<std::string> fallback_fields_key(const Value& body, std::string_view type) {
    const auto campaign = json::get_string(body, "campaignId");
    const auto lead = json::get_string(body, "leadId");
    const auto created = json::get_string(body, "createdAt");
    if (!campaign || !lead || !created || campaign->empty() || lead->empty() || created->empty()) return std::nullopt;
    std::string key = "f1:";
    append_escaped(key, type);
    for (const auto field : {*campaign, *lead, *created}) {
        key += '|';
        append_escaped(key, field);
    }
    return bounded(std::move(key));
}

std::optional<std::string> enrichment_key(const Value& body, std::string_view type) {
    if (!type.starts_with("enrichment")) return std::nullopt;
    const auto* data = json::find(body, "data");
    if (data == nullptr || !data->IsArray() || data->Empty()) return std::nullopt;
    const auto id_char = [](char c) { return text::is_ascii_alnum(c) || c == '_' || c == '-'; };
    std::vector<std::string_view> ids;
    for (const auto& item : data->GetArray()) {
        const auto id = json::get_string(item, "id");
        if (!id || id->empty() || !std::all_of(id->begin(), id->end(), id_char)) return std::nullopt;
        ids.push_back(*id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::string key = "enr:" + std::string(type) + ":";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i > 0) key += ',';
        key += ids[i];
    }
    return bounded(std::move(key));
}

void append_number(std::string& out, const Value& v) {
    if (v.IsInt64()) {
        out += std::to_string(v.GetInt64());
    } else if (v.IsUint64()) {
        out += std::to_string(v.GetUint64());
    } else if (const double d = v.GetDouble(); std::trunc(d) == d && std::fabs(d) < 0x1p53) {
        out += std::to_string(static_cast<std::int64_t>(d));  // 1.0 and -0.0 as 1 and 0
    } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", d);
        out += buf;
    }
}

// Recursion is bounded by the parser's depth cap (json::parse refuses deeper documents).
void append_canonical(std::string& out, const Value& v, bool top_level) {
    switch (v.GetType()) {
        case rapidjson::kNullType: out += "null"; break;
        case rapidjson::kFalseType: out += "false"; break;
        case rapidjson::kTrueType: out += "true"; break;
        case rapidjson::kNumberType: append_number(out, v); break;
        case rapidjson::kStringType: json::append_quoted(out, {v.GetString(), v.GetStringLength()}); break;
        case rapidjson::kArrayType: {
            out += '[';
            for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
                if (i > 0) out += ',';
                append_canonical(out, v[i], false);
            }
            out += ']';
            break;
        }
        case rapidjson::kObjectType: {
            std::vector<std::pair<std::string, std::string>> members;  // (name, canonical value)
            for (const auto& m : v.GetObject()) {
                const std::string_view name(m.name.GetString(), m.name.GetStringLength());
                if (top_level && name == "secret") continue;
                std::string value;
                append_canonical(value, m.value, false);
                members.emplace_back(std::string(name), std::move(value));
            }
            std::sort(members.begin(), members.end());
            out += '{';
            for (std::size_t i = 0; i < members.size(); ++i) {
                if (i > 0) out += ',';
                json::append_quoted(out, members[i].first);
                out += ':';
                out += members[i].second;
            }
            out += '}';
            break;
        }
    }
}

}  // namespace

std::string canonical_json(const Value& body) {
    std::string out;
    append_canonical(out, body, true);
    return out;
}

std::string derive_idempotency_key(const Value& body, std::string_view type) {
    if (auto key = activity_id_key(body)) return std::move(*key);
    if (auto key = fallback_fields_key(body, type)) return std::move(*key);
    if (auto key = enrichment_key(body, type)) return std::move(*key);
    return "h1:" + crypto::sha256_hex(canonical_json(body));
}

}  // namespace las::lemlist
