#include "attio_emulator/render.hpp"

namespace las::attio_emulator {

namespace {

void key(json_writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }

void write_actor(json_writer& w, const actor_ref& a) {
    w.StartObject();
    key(w, "type");
    write_sv(w, a.type);
    key(w, "id");
    if (a.id) write_sv(w, *a.id);
    else w.Null();
    w.EndObject();
}

void write_value_map(json_writer& w, const workspace& ws, const attribute_owner& owner, const value_map& values) {
    const render_context ctx{ws.identity().workspace_id, owner.id};
    w.StartObject();
    for (const auto& a : owner.attributes) {
        if (a.is_archived) continue;
        key(w, a.api_slug);
        w.StartArray();
        if (const auto it = values.find(a.id); it != values.end()) {
            for (const auto& v : it->second) write_value(w, a, v, ctx);
        }
        w.EndArray();
    }
    w.EndObject();
}

void write_compact_map(json_writer& w, const attribute_owner& owner, const value_map& values) {
    w.StartObject();
    for (const auto& a : owner.attributes) {
        const auto it = values.find(a.id);
        if (it == values.end() || it->second.empty()) continue;
        key(w, a.api_slug);
        if (a.is_multiselect) {
            w.StartArray();
            for (const auto& v : it->second) write_compact_value(w, a, v);
            w.EndArray();
        } else {
            write_compact_value(w, a, it->second.front());
        }
    }
    w.EndObject();
}

}  // namespace

void write_record(json_writer& w, const workspace& ws, const object_def& object, const record& r) {
    w.StartObject();
    key(w, "id");
    w.StartObject();
    key(w, "workspace_id");
    write_sv(w, ws.identity().workspace_id);
    key(w, "object_id");
    write_sv(w, object.id);
    key(w, "record_id");
    write_sv(w, r.id);
    w.EndObject();
    key(w, "created_at");
    write_sv(w, r.created_at);
    key(w, "web_url");
    write_sv(w, "https://app.attio.com/" + ws.identity().workspace_slug + "/" + object.web_url_noun + "/" + r.id);
    key(w, "values");
    write_value_map(w, ws, object, r.values);
    w.EndObject();
}

void write_entry(json_writer& w, const workspace& ws, const list_def& list, const entry& e) {
    const object_def* parent = ws.find_object(e.parent_object_id);
    w.StartObject();
    key(w, "id");
    w.StartObject();
    key(w, "workspace_id");
    write_sv(w, ws.identity().workspace_id);
    key(w, "list_id");
    write_sv(w, list.id);
    key(w, "entry_id");
    write_sv(w, e.id);
    w.EndObject();
    key(w, "parent_record_id");
    write_sv(w, e.parent_record_id);
    key(w, "parent_object");
    write_sv(w, parent ? std::string_view(parent->api_slug) : std::string_view(e.parent_object_id));
    key(w, "created_at");
    write_sv(w, e.created_at);
    key(w, "entry_values");
    write_value_map(w, ws, list, e.values);
    w.EndObject();
}

void write_object(json_writer& w, const workspace& ws, const object_def& o) {
    w.StartObject();
    key(w, "id");
    w.StartObject();
    key(w, "workspace_id");
    write_sv(w, ws.identity().workspace_id);
    key(w, "object_id");
    write_sv(w, o.id);
    w.EndObject();
    key(w, "api_slug");
    write_sv(w, o.api_slug);
    key(w, "singular_noun");
    write_sv(w, o.singular_noun);
    key(w, "plural_noun");
    write_sv(w, o.plural_noun);
    key(w, "created_at");
    write_sv(w, o.created_at);
    w.EndObject();
}

void write_list(json_writer& w, const workspace& ws, const list_def& l) {
    const object_def* parent = ws.find_object(l.parent_object_id);
    w.StartObject();
    key(w, "id");
    w.StartObject();
    key(w, "workspace_id");
    write_sv(w, ws.identity().workspace_id);
    key(w, "list_id");
    write_sv(w, l.id);
    w.EndObject();
    key(w, "api_slug");
    write_sv(w, l.api_slug);
    key(w, "name");
    write_sv(w, l.name);
    // An array: legacy lists may have several parents (spec).
    key(w, "parent_object");
    w.StartArray();
    write_sv(w, parent ? std::string_view(parent->api_slug) : std::string_view(l.parent_object_id));
    w.EndArray();
    key(w, "workspace_access");
    if (l.workspace_access) write_sv(w, *l.workspace_access);
    else w.Null();
    key(w, "workspace_member_access");
    w.StartArray();
    for (const auto& g : l.workspace_member_access) {
        w.StartObject();
        key(w, "workspace_member_id");
        write_sv(w, g.workspace_member_id);
        key(w, "level");
        write_sv(w, g.level);
        w.EndObject();
    }
    w.EndArray();
    key(w, "created_by_actor");
    write_actor(w, ws.token_actor());
    key(w, "created_at");
    write_sv(w, l.created_at);
    w.EndObject();
}

void write_attribute(json_writer& w, const workspace& ws, const attribute_owner& owner, const attribute& a) {
    w.StartObject();
    key(w, "id");
    w.StartObject();
    key(w, "workspace_id");
    write_sv(w, ws.identity().workspace_id);
    key(w, "object_id");
    write_sv(w, owner.id);  // the list id for list attributes (spec)
    key(w, "attribute_id");
    write_sv(w, a.id);
    w.EndObject();
    key(w, "title");
    write_sv(w, a.title);
    key(w, "description");
    if (a.description) write_sv(w, *a.description);
    else w.Null();
    key(w, "api_slug");
    write_sv(w, a.api_slug);
    key(w, "type");
    write_sv(w, to_string(a.type));
    key(w, "is_system_attribute");
    w.Bool(a.is_system);
    key(w, "is_writable");
    w.Bool(a.is_writable);
    key(w, "is_required");
    w.Bool(a.is_required);
    key(w, "is_unique");
    w.Bool(a.is_unique);
    key(w, "is_multiselect");
    w.Bool(a.is_multiselect);
    key(w, "is_default_value_enabled");
    w.Bool(a.default_value_json != "null");
    key(w, "is_archived");
    w.Bool(a.is_archived);
    key(w, "default_value");
    w.RawValue(a.default_value_json.data(), a.default_value_json.size(), rapidjson::kObjectType);
    key(w, "relationship");
    w.Null();
    key(w, "created_at");
    write_sv(w, a.created_at);
    key(w, "config");
    w.StartObject();
    key(w, "currency");
    w.StartObject();
    key(w, "default_currency_code");
    if (a.currency_code) write_sv(w, *a.currency_code);
    else w.Null();
    key(w, "display_type");
    if (a.currency_display) write_sv(w, *a.currency_display);
    else w.Null();
    w.EndObject();
    key(w, "record_reference");
    w.StartObject();
    key(w, "allowed_object_ids");
    if (a.type == attribute_type::record_reference && !a.allowed_object_ids.empty()) {
        w.StartArray();
        for (const auto& id : a.allowed_object_ids) write_sv(w, id);
        w.EndArray();
    } else {
        w.Null();
    }
    w.EndObject();
    w.EndObject();
    w.EndObject();
}

void write_option(json_writer& w, const workspace& ws, const attribute_owner& owner, const attribute& a,
                  const select_option& o, bool status) {
    w.StartObject();
    key(w, "id");
    w.StartObject();
    key(w, "workspace_id");
    write_sv(w, ws.identity().workspace_id);
    key(w, "object_id");
    write_sv(w, owner.id);
    key(w, "attribute_id");
    write_sv(w, a.id);
    key(w, status ? "status_id" : "option_id");
    write_sv(w, o.id);
    w.EndObject();
    key(w, "title");
    write_sv(w, o.title);
    key(w, "is_archived");
    w.Bool(o.is_archived);
    if (status) {
        key(w, "celebration_enabled");
        w.Bool(o.celebration_enabled);
        key(w, "target_time_in_status");
        if (o.target_time_in_status) write_sv(w, *o.target_time_in_status);
        else w.Null();
    }
    w.EndObject();
}

void write_values(json_writer& w, const workspace& ws, const attribute_owner& owner, const attribute& a,
                  const value_map& values) {
    const render_context ctx{ws.identity().workspace_id, owner.id};
    w.StartArray();
    if (const auto it = values.find(a.id); it != values.end()) {
        for (const auto& v : it->second) write_value(w, a, v, ctx);
    }
    w.EndArray();
}

void write_compact_record(json_writer& w, const object_def& object, const record& r) {
    w.StartObject();
    key(w, "record_id");
    write_sv(w, r.id);
    key(w, "created_at");
    write_sv(w, r.created_at);
    key(w, "values");
    write_compact_map(w, object, r.values);
    w.EndObject();
}

void write_compact_entry(json_writer& w, const list_def& list, const entry& e) {
    w.StartObject();
    key(w, "entry_id");
    write_sv(w, e.id);
    key(w, "list");
    write_sv(w, list.api_slug);
    key(w, "parent_record_id");
    write_sv(w, e.parent_record_id);
    key(w, "created_at");
    write_sv(w, e.created_at);
    key(w, "values");
    write_compact_map(w, list, e.values);
    w.EndObject();
}

}  // namespace las::attio_emulator
