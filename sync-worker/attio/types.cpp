#include "attio/types.hpp"

#include "core/json.hpp"

namespace las::attio {
namespace {

using parse_error = std::string;

std::string str(const rapidjson::Value& object, std::string_view key) {
    if (auto s = json::get_string(object, key)) return std::string(*s);
    return {};
}

bool flag(const rapidjson::Value& object, std::string_view key) { return json::get_bool(object, key).value_or(false); }

// `id.<key>` of an Attio object (ids are nested: {"id": {"workspace_id", "record_id"}}).
std::string id_part(const rapidjson::Value& object, std::string_view key) {
    const auto* id = json::find(object, "id");
    return id && id->IsObject() ? str(*id, key) : std::string();
}

rapidjson::Document copy_object(const rapidjson::Value* v) {
    rapidjson::Document out;
    if (v && v->IsObject()) {
        out.CopyFrom(*v, out.GetAllocator());
    } else {
        out.SetObject();
    }
    return out;
}

result<record, parse_error> record_from(const rapidjson::Value& v) {
    if (!v.IsObject()) return fail(parse_error("record: not an object"));
    record r;
    r.record_id = id_part(v, "record_id");
    r.object_id = id_part(v, "object_id");
    if (r.record_id.empty()) return fail(parse_error("record: no id.record_id"));
    r.values = copy_object(json::find(v, "values"));
    return r;
}

result<entry, parse_error> entry_from(const rapidjson::Value& v) {
    if (!v.IsObject()) return fail(parse_error("entry: not an object"));
    entry e;
    e.entry_id = id_part(v, "entry_id");
    e.list_id = id_part(v, "list_id");
    e.parent_record_id = str(v, "parent_record_id");
    e.parent_object = str(v, "parent_object");
    if (e.entry_id.empty()) return fail(parse_error("entry: no id.entry_id"));
    e.values = copy_object(json::find(v, "entry_values"));
    return e;
}

result<list_info, parse_error> list_from(const rapidjson::Value& v) {
    if (!v.IsObject()) return fail(parse_error("list: not an object"));
    list_info l;
    l.list_id = id_part(v, "list_id");
    l.api_slug = str(v, "api_slug");
    l.name = str(v, "name");
    l.workspace_access = str(v, "workspace_access");
    if (const auto* p = json::find(v, "parent_object")) {
        if (p->IsString()) {
            l.parent_objects.emplace_back(p->GetString(), p->GetStringLength());
        } else if (p->IsArray()) {
            for (const auto& o : p->GetArray()) {
                if (o.IsString()) l.parent_objects.emplace_back(o.GetString(), o.GetStringLength());
            }
        }
    }
    if (l.api_slug.empty() && l.list_id.empty()) return fail(parse_error("list: neither api_slug nor id.list_id"));
    return l;
}

result<attribute_info, parse_error> attribute_from(const rapidjson::Value& v) {
    if (!v.IsObject()) return fail(parse_error("attribute: not an object"));
    attribute_info a;
    a.attribute_id = id_part(v, "attribute_id");
    a.api_slug = str(v, "api_slug");
    a.title = str(v, "title");
    a.type = str(v, "type");
    a.is_unique = flag(v, "is_unique");
    a.is_multiselect = flag(v, "is_multiselect");
    a.is_required = flag(v, "is_required");
    a.is_archived = flag(v, "is_archived");
    a.is_system = flag(v, "is_system_attribute");
    if (a.api_slug.empty()) return fail(parse_error("attribute: no api_slug"));
    return a;
}

result<select_option, parse_error> option_from(const rapidjson::Value& v) {
    if (!v.IsObject()) return fail(parse_error("option: not an object"));
    select_option o;
    o.option_id = id_part(v, "option_id");
    o.title = str(v, "title");
    o.is_archived = flag(v, "is_archived");
    if (o.title.empty()) return fail(parse_error("option: no title"));
    return o;
}

result<rapidjson::Document, parse_error> data_of(std::string_view body) {
    auto doc = json::parse(body);
    if (!doc) return fail("invalid JSON: " + doc.error().message);
    if (!doc->IsObject() || !json::find(*doc, "data")) return fail(parse_error("no \"data\" in the answer"));
    return std::move(doc).value();
}

template <class T, class Parse>
result<T, parse_error> parse_one(std::string_view body, Parse parse) {
    auto doc = data_of(body);
    if (!doc) return fail(std::move(doc.error()));
    return parse(*json::find(doc.value(), "data"));
}

template <class T, class Parse>
result<std::vector<T>, parse_error> parse_many(std::string_view body, Parse parse) {
    auto doc = data_of(body);
    if (!doc) return fail(std::move(doc.error()));
    const auto& data = *json::find(doc.value(), "data");
    if (!data.IsArray()) return fail(parse_error("\"data\" is not an array"));
    std::vector<T> out;
    out.reserve(data.Size());
    for (const auto& v : data.GetArray()) {
        auto one = parse(v);
        if (!one) return fail(std::move(one.error()));
        out.push_back(std::move(one).value());
    }
    return out;
}

void add_string(std::string& out, std::string_view key, std::string_view value) {
    json::append_quoted(out, key);
    out += ':';
    json::append_quoted(out, value);
}

void add_bool(std::string& out, std::string_view key, bool value) {
    json::append_quoted(out, key);
    out += value ? ":true" : ":false";
}

}  // namespace

std::string_view to_string(target t) { return t == target::objects ? "objects" : "lists"; }

std::string list_body(const list_definition& def) {
    std::string out = "{\"data\":{";
    add_string(out, "name", def.name);
    out += ',';
    add_string(out, "api_slug", def.api_slug);
    out += ',';
    add_string(out, "parent_object", def.parent_object);
    out += ',';
    add_string(out, "workspace_access", def.workspace_access);
    out += ",\"workspace_member_access\":[]}}";
    return out;
}

std::string attribute_body(const attribute_definition& def) {
    std::string out = "{\"data\":{";
    add_string(out, "title", def.title);
    out += ',';
    if (def.description.empty()) {
        out += "\"description\":null";
    } else {
        add_string(out, "description", def.description);
    }
    out += ',';
    add_string(out, "api_slug", def.api_slug);
    out += ',';
    add_string(out, "type", def.type);
    out += ',';
    add_bool(out, "is_required", def.is_required);
    out += ',';
    add_bool(out, "is_unique", def.is_unique);
    out += ',';
    add_bool(out, "is_multiselect", def.is_multiselect);
    out += ",\"config\":{}}}";
    return out;
}

result<record, std::string> parse_record_answer(std::string_view body) { return parse_one<record>(body, record_from); }
result<std::vector<record>, std::string> parse_record_list(std::string_view body) {
    return parse_many<record>(body, record_from);
}
result<entry, std::string> parse_entry_answer(std::string_view body) { return parse_one<entry>(body, entry_from); }
result<std::vector<entry>, std::string> parse_entry_list(std::string_view body) {
    return parse_many<entry>(body, entry_from);
}
result<list_info, std::string> parse_list_answer(std::string_view body) { return parse_one<list_info>(body, list_from); }
result<attribute_info, std::string> parse_attribute_answer(std::string_view body) {
    return parse_one<attribute_info>(body, attribute_from);
}
result<std::vector<attribute_info>, std::string> parse_attribute_list(std::string_view body) {
    return parse_many<attribute_info>(body, attribute_from);
}
result<select_option, std::string> parse_option_answer(std::string_view body) {
    return parse_one<select_option>(body, option_from);
}
result<std::vector<select_option>, std::string> parse_option_list(std::string_view body) {
    return parse_many<select_option>(body, option_from);
}

}  // namespace las::attio
