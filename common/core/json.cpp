#include "core/json.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace las::json {

std::size_t nesting_depth(std::string_view text) {
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        switch (c) {
            case '"': in_string = true; break;
            case '{':
            case '[':
                if (++depth > deepest) deepest = depth;
                break;
            case '}':
            case ']':
                if (depth > 0) --depth;
                break;
            default: break;
        }
    }
    return deepest;
}

result<rapidjson::Document, parse_failure> parse(std::string_view text, parse_limits limits) {
    if (const auto depth = nesting_depth(text); depth > limits.max_depth) {
        return fail(parse_failure{"JSON nested " + std::to_string(depth) + " levels deep; the limit is " +
                                      std::to_string(limits.max_depth),
                                  0});
    }
    rapidjson::Document doc;
    // Trailing non-whitespace after the root value is an error ("root not singular").
    constexpr unsigned flags = rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;
    doc.Parse<flags>(text.data(), text.size());
    if (doc.HasParseError()) {
        return fail(parse_failure{rapidjson::GetParseError_En(doc.GetParseError()), doc.GetErrorOffset()});
    }
    return doc;
}

const rapidjson::Value* find(const rapidjson::Value& object, std::string_view key) {
    if (!object.IsObject()) return nullptr;
    const auto it = object.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
    return it == object.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string_view> get_string(const rapidjson::Value& object, std::string_view key) {
    const auto* v = find(object, key);
    if (v == nullptr || !v->IsString()) return std::nullopt;
    return std::string_view(v->GetString(), v->GetStringLength());
}

std::optional<std::string_view> get_nonempty_string(const rapidjson::Value& object, std::string_view key) {
    auto s = get_string(object, key);
    if (!s) return std::nullopt;
    const auto first = s->find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return std::nullopt;
    const auto last = s->find_last_not_of(" \t\r\n");
    return s->substr(first, last - first + 1);
}

std::optional<double> get_number(const rapidjson::Value& object, std::string_view key) {
    const auto* v = find(object, key);
    if (v == nullptr || !v->IsNumber()) return std::nullopt;
    return v->GetDouble();
}

std::optional<std::int64_t> get_int(const rapidjson::Value& object, std::string_view key) {
    const auto* v = find(object, key);
    if (v == nullptr || !v->IsInt64()) return std::nullopt;
    return v->GetInt64();
}

std::optional<bool> get_bool(const rapidjson::Value& object, std::string_view key) {
    const auto* v = find(object, key);
    if (v == nullptr || !v->IsBool()) return std::nullopt;
    return v->GetBool();
}

std::string to_string(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

void append_quoted(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 0xF]);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}

std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    append_quoted(out, s);
    return out;
}

}  // namespace las::json
