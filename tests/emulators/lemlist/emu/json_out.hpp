#pragma once
// Compact JSON output on RapidJSON's Writer, plus splicing of pre-rendered object members
// (event bodies are stored as member lists and assembled per hook or per API view).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace las::lemlist_emu {

class json_out {
public:
    json_out() : writer_(buffer_) {}

    json_out& begin_object() { writer_.StartObject(); return *this; }
    json_out& end_object() { writer_.EndObject(); return *this; }
    json_out& begin_array() { writer_.StartArray(); return *this; }
    json_out& end_array() { writer_.EndArray(); return *this; }
    json_out& key(std::string_view k) { writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); return *this; }
    json_out& str(std::string_view v) { writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); return *this; }
    json_out& num(std::int64_t v) { writer_.Int64(v); return *this; }
    json_out& unum(std::uint64_t v) { writer_.Uint64(v); return *this; }
    json_out& dbl(double v) { writer_.Double(v); return *this; }
    json_out& boolean(bool v) { writer_.Bool(v); return *this; }
    json_out& null() { writer_.Null(); return *this; }
    // A complete JSON value written verbatim (must be valid JSON).
    json_out& raw(std::string_view json) {
        writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
        return *this;
    }

    json_out& field(std::string_view k, std::string_view v) { return key(k).str(v); }
    json_out& field(std::string_view k, const char* v) { return key(k).str(v); }
    json_out& field(std::string_view k, const std::string& v) { return key(k).str(v); }
    json_out& field(std::string_view k, bool v) { return key(k).boolean(v); }
    json_out& field(std::string_view k, std::int64_t v) { return key(k).num(v); }
    json_out& field(std::string_view k, int v) { return key(k).num(v); }
    json_out& field(std::string_view k, std::size_t v) { return key(k).unum(v); }
    // Writes the member only when `v` is non-empty (Lemlist omits unset keys).
    json_out& field_if(std::string_view k, std::string_view v) {
        if (!v.empty()) key(k).str(v);
        return *this;
    }

    std::string take() { return std::string(buffer_.GetString(), buffer_.GetSize()); }
    std::string_view view() const { return {buffer_.GetString(), buffer_.GetSize()}; }

private:
    rapidjson::StringBuffer buffer_;
    rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

// "{...}" → the members between the braces ("" for an empty object).
inline std::string object_members(std::string_view object_json) {
    if (object_json.size() < 2) return {};
    return std::string(object_json.substr(1, object_json.size() - 2));
}

// Joins member lists into one object: {a..., b..., c...}, skipping empty parts.
inline std::string join_members(std::initializer_list<std::string_view> parts) {
    std::string out = "{";
    bool first = true;
    for (const auto p : parts) {
        if (p.empty()) continue;
        if (!first) out.push_back(',');
        out.append(p);
        first = false;
    }
    out.push_back('}');
    return out;
}

}  // namespace las::lemlist_emu
