#include "attio_emulator/store.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "core/json.hpp"

namespace las::attio_emulator {

namespace {

using rapidjson::Value;

std::string_view sv(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

std::string json_type(const Value& v) {
    if (v.IsNull()) return "null";
    if (v.IsBool()) return "boolean";
    if (v.IsNumber()) return "number";
    if (v.IsString()) return "string";
    if (v.IsArray()) return "array";
    return "object";
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

constexpr std::string_view body_error = "Body payload validation error.";

// Checks one member of a request body; records an issue when it is absent or mistyped.
enum class want { string, nullable_string, boolean, object, array };

const Value* require(const Value& obj, std::string_view key, want w, std::vector<std::string> path,
                     std::vector<validation_issue>& issues) {
    path.emplace_back(key);
    static constexpr std::array<std::string_view, 5> names{"string", "string | null", "boolean", "object", "array"};
    const std::string expected(names[static_cast<std::size_t>(w)]);
    const Value* v = json::find(obj, key);
    if (!v) {
        issues.push_back(required_issue(std::move(path), expected));
        return nullptr;
    }
    bool ok = false;
    switch (w) {
        case want::string: ok = v->IsString(); break;
        case want::nullable_string: ok = v->IsString() || v->IsNull(); break;
        case want::boolean: ok = v->IsBool(); break;
        case want::object: ok = v->IsObject(); break;
        case want::array: ok = v->IsArray(); break;
    }
    if (!ok) {
        issues.push_back(type_issue(std::move(path), expected, json_type(*v)));
        return nullptr;
    }
    return v;
}

void reject_unknown_keys(const Value& obj, std::initializer_list<std::string_view> allowed,
                         std::vector<std::string> path, std::vector<validation_issue>& issues) {
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
        const std::string_view k = sv(it->name);
        if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
            issues.push_back(
                validation_issue{"unrecognized_keys", path, "Unrecognized key(s) in object: '" + std::string(k) + "'", "", ""});
        }
    }
}

bool valid_slug(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    }
    return true;
}

bool is_access_level(std::string_view s) { return s == "full-access" || s == "read-and-write" || s == "read-only"; }

// Multiselect is offered only for some value types (attribute schema: "only available on
// some value types"); which ones is the emulator's reading of the app.
bool multiselect_supported(attribute_type t) {
    switch (t) {
        case attribute_type::select:
        case attribute_type::record_reference:
        case attribute_type::actor_reference:
        case attribute_type::email_address:
        case attribute_type::domain:
        case attribute_type::phone_number: return true;
        default: return false;
    }
}

constexpr std::string_view currency_codes[] = {
    "ARS", "AUD", "BRL", "BEL", "CAD", "CLP", "CNY", "COP", "CZK", "DKK", "EUR", "HKD", "ISK",
    "INR", "ILS", "JPY", "KRW", "MYR", "MXN", "NTD", "NZD", "NGN", "NOK", "XPF", "PEN", "PHP",
    "PLN", "GBP", "RWF", "SAR", "SGD", "ZAR", "SEK", "CHF", "AED", "UYU", "USD"};

api_error not_unique_matching_attribute() {
    // Not in the spec; observed body ([3P] withoneai/knowledge#27, reference §2.4).
    api_error e;
    e.status = 400;
    e.code = "matching_attribute_definition_not_unique";
    e.message = "The matching attribute specified is not a unique attribute.";
    return e;
}

}  // namespace

workspace::workspace(workspace_identity identity, std::uint64_t seed)
    : identity_(std::move(identity)), ids_(seed == 0 ? id_generator() : id_generator(seed)) {}

void workspace::seed_standard_objects(const std::string& now) {
    objects_.push_back(make_people_object(now));
    objects_.push_back(make_companies_object(now));
}

void workspace::reset(bool keep_schema, const std::string& now) {
    object_rows_.clear();
    list_rows_.clear();
    if (!keep_schema) {
        objects_.clear();
        lists_.clear();
        seed_standard_objects(now);
    }
    for (const auto& l : lists_) list_rows_[l.id];
    for (const auto& o : objects_) object_rows_[o.id];
}

// --- lookups --------------------------------------------------------------------------------

object_def* workspace::find_object(std::string_view slug_or_id) {
    for (auto& o : objects_) {
        if (o.api_slug == slug_or_id || o.id == slug_or_id) return &o;
    }
    return nullptr;
}
const object_def* workspace::find_object(std::string_view slug_or_id) const {
    return const_cast<workspace*>(this)->find_object(slug_or_id);
}
list_def* workspace::find_list(std::string_view slug_or_id) {
    for (auto& l : lists_) {
        if (l.api_slug == slug_or_id || l.id == slug_or_id) return &l;
    }
    return nullptr;
}
const list_def* workspace::find_list(std::string_view slug_or_id) const {
    return const_cast<workspace*>(this)->find_list(slug_or_id);
}

workspace::object_rows& workspace::rows_of(const object_def& object) { return object_rows_[object.id]; }
const workspace::object_rows* workspace::rows_of(const object_def& object) const {
    const auto it = object_rows_.find(object.id);
    return it == object_rows_.end() ? nullptr : &it->second;
}
workspace::list_rows& workspace::rows_of(const list_def& list) { return list_rows_[list.id]; }
const workspace::list_rows* workspace::rows_of(const list_def& list) const {
    const auto it = list_rows_.find(list.id);
    return it == list_rows_.end() ? nullptr : &it->second;
}

const object_def* workspace::object_by_slug_or_id(std::string_view slug_or_id) const { return find_object(slug_or_id); }

bool workspace::record_exists(const object_def& object, std::string_view record_id) const {
    return find_record(object, record_id) != nullptr;
}

std::optional<std::string> workspace::find_by_unique_value(const object_def& object, const attribute& attr,
                                                           const stored_value& value) const {
    const auto* rows = rows_of(object);
    if (!rows) return std::nullopt;
    const auto idx = rows->unique.find(attr.id);
    if (idx == rows->unique.end()) return std::nullopt;
    const auto hit = idx->second.find(value_key(value));
    if (hit == idx->second.end()) return std::nullopt;
    return hit->second;
}

bool workspace::member_exists(std::string_view member_id) const { return member_id == identity_.member_id; }

std::optional<std::string> workspace::member_by_email(std::string_view email) const {
    if (lower(email) == lower(identity_.member_email)) return identity_.member_id;
    return std::nullopt;
}

const value_map* workspace::record_values(const object_def& object, std::string_view record_id) const {
    const record* r = find_record(object, record_id);
    return r ? &r->values : nullptr;
}

// --- the write rules ------------------------------------------------------------------------

result<workspace::value_changes, api_error> workspace::plan_values(const attribute_owner& owner, const value_map* existing,
                                                                   const Value& input, write_mode mode,
                                                                   const attribute* matching, const unique_index& index,
                                                                   std::string_view self_id, bool creating,
                                                                   const std::string& now,
                                                                   std::string_view values_member) const {
    if (!input.IsObject()) {
        return fail(validation_error(std::string(body_error),
                                     {type_issue({"data", std::string(values_member)}, "object", json_type(input))}));
    }
    const write_context ctx{*this, now, token_actor()};
    value_changes out;
    for (auto it = input.MemberBegin(); it != input.MemberEnd(); ++it) {
        const std::string_view key = sv(it->name);
        const attribute* attr = owner.find_attribute(key);
        if (!attr || attr->is_archived) {
            // Attio's exact wording for an unknown slug is unconfirmed; the code follows the brief.
            return fail(validation_error("Cannot find attribute with slug/ID \"" + std::string(key) + "\".",
                                         {validation_issue{"unknown_attribute",
                                                           {"data", std::string(values_member), std::string(key)},
                                                           "No attribute with this slug or ID", "", ""}}));
        }
        if (!attr->is_writable) {
            return fail(validation_error("Attribute with slug \"" + attr->api_slug + "\" is read-only and cannot be written.",
                                         {validation_issue{"read_only_attribute",
                                                           {"data", std::string(values_member), std::string(key)},
                                                           "Read-only attribute", "", ""}}));
        }
        auto coerced = coerce_input(*attr, it->value, ctx);
        if (!coerced) return fail(std::move(coerced.error()));

        std::vector<stored_value> fresh;
        std::unordered_set<std::string> seen;
        for (auto& v : *coerced) {
            if (seen.insert(value_key(v)).second) fresh.push_back(std::move(v));
        }
        const std::vector<stored_value>* old = nullptr;
        if (existing) {
            const auto found = existing->find(attr->id);
            if (found != existing->end()) old = &found->second;
        }
        std::vector<stored_value> final_values;
        const bool prepend = attr->is_multiselect && (mode == write_mode::append || (mode == write_mode::assert_ && attr == matching));
        if (prepend) {
            // New values go first; a value already present is neither moved nor repeated.
            std::unordered_set<std::string> present;
            if (old) {
                for (const auto& v : *old) present.insert(value_key(v));
            }
            for (auto& v : fresh) {
                if (!present.count(value_key(v))) final_values.push_back(std::move(v));
            }
            if (old) final_values.insert(final_values.end(), old->begin(), old->end());
        } else {
            // Replaced exactly, in the order sent; unchanged values keep their active_from.
            for (auto& v : fresh) {
                const stored_value* kept = nullptr;
                if (old) {
                    const auto k = value_key(v);
                    for (const auto& o : *old) {
                        if (value_key(o) == k) {
                            kept = &o;
                            break;
                        }
                    }
                }
                final_values.push_back(kept ? *kept : std::move(v));
            }
        }
        auto same = std::find_if(out.sets.begin(), out.sets.end(), [&](const auto& s) { return s.first == attr; });
        if (same != out.sets.end()) same->second = std::move(final_values);
        else out.sets.emplace_back(attr, std::move(final_values));
    }

    const auto changed = [&](const attribute& a) -> const std::vector<stored_value>* {
        for (const auto& s : out.sets) {
            if (s.first == &a) return &s.second;
        }
        return nullptr;
    };
    for (const auto& a : owner.attributes) {
        if (!a.is_required || a.is_archived) continue;
        const auto* now_values = changed(a);
        const bool missing = creating ? (!now_values || now_values->empty()) : (now_values && now_values->empty());
        if (missing) return fail(missing_value("Required value for attribute with ID \"" + a.id + "\" was not provided."));
    }
    for (const auto& [attr, values] : out.sets) {
        if (!attr->is_unique) continue;
        const auto idx = index.find(attr->id);
        if (idx == index.end()) continue;
        for (const auto& v : values) {
            const auto hit = idx->second.find(value_key(v));
            if (hit != idx->second.end() && hit->second != self_id) return fail(uniqueness_conflict(attr->api_slug));
        }
    }
    return out;
}

namespace {

// Attributes whose equality filters are answered from the index: those whose value key is
// what an equality filter on their default field compares.
bool equality_indexed(const attribute& a) {
    switch (a.type) {
        case attribute_type::text:
        case attribute_type::email_address:
        case attribute_type::domain:
        case attribute_type::phone_number: return true;
        default: return false;
    }
}

void drop_id(std::unordered_map<std::string, std::vector<std::string>>& keys, const std::string& key,
             std::string_view self_id) {
    const auto hit = keys.find(key);
    if (hit == keys.end()) return;
    auto& ids = hit->second;
    ids.erase(std::remove(ids.begin(), ids.end(), self_id), ids.end());
    if (ids.empty()) keys.erase(hit);
}

}  // namespace

void workspace::apply(value_map& target, const value_changes& changes, unique_index& unique, equality_index& equal,
                      std::string_view self_id) {
    for (const auto& [attr, values] : changes.sets) {
        const auto old = target.find(attr->id);
        if (attr->is_unique) {
            auto& idx = unique[attr->id];
            if (old != target.end()) {
                for (const auto& v : old->second) {
                    const auto hit = idx.find(value_key(v));
                    if (hit != idx.end() && hit->second == self_id) idx.erase(hit);
                }
            }
            for (const auto& v : values) idx[value_key(v)] = std::string(self_id);
        }
        if (equality_indexed(*attr)) {
            auto& idx = equal[attr->id];
            if (old != target.end()) {
                for (const auto& v : old->second) drop_id(idx, value_key(v), self_id);
            }
            for (const auto& v : values) idx[value_key(v)].emplace_back(self_id);
        }
        if (values.empty()) target.erase(attr->id);
        else target[attr->id] = values;
    }
}

void workspace::unindex(const value_map& values, const attribute_owner& owner, unique_index& unique,
                        equality_index& equal, std::string_view self_id) {
    for (const auto& a : owner.attributes) {
        const auto v = values.find(a.id);
        if (v == values.end()) continue;
        if (const auto idx = unique.find(a.id); idx != unique.end()) {
            for (const auto& x : v->second) {
                const auto hit = idx->second.find(value_key(x));
                if (hit != idx->second.end() && hit->second == self_id) idx->second.erase(hit);
            }
        }
        if (const auto idx = equal.find(a.id); idx != equal.end()) {
            for (const auto& x : v->second) drop_id(idx->second, value_key(x), self_id);
        }
    }
}

const std::vector<std::string>* workspace::equal_ids(const equality_index& equal, const attribute& attr,
                                                     const std::string& key) {
    const auto idx = equal.find(attr.id);
    if (idx == equal.end()) return nullptr;
    const auto hit = idx->second.find(key);
    return hit == idx->second.end() ? nullptr : &hit->second;
}

workspace::value_changes workspace::system_values(const attribute_owner& owner, std::string_view record_id,
                                                  const std::string& now) const {
    value_changes out;
    const actor_ref actor = token_actor();
    if (const auto* a = owner.find_attribute("record_id"); a && a->is_system) {
        out.sets.emplace_back(a, std::vector<stored_value>{{text_data{std::string(record_id)}, now, actor}});
    }
    if (const auto* a = owner.find_attribute("created_at"); a && a->is_system) {
        out.sets.emplace_back(a, std::vector<stored_value>{{text_data{now}, now, actor}});
    }
    if (const auto* a = owner.find_attribute("created_by"); a && a->is_system) {
        out.sets.emplace_back(a, std::vector<stored_value>{{actor_ref_data{actor.type, actor.id}, now, actor}});
    }
    return out;
}

// --- records --------------------------------------------------------------------------------

result<const record*, api_error> workspace::create_record(const object_def& object, const Value& values,
                                                          const std::string& now) {
    auto& rows = rows_of(object);
    std::string id = ids_.next_uuid();
    auto plan = plan_values(object, nullptr, values, write_mode::create, nullptr, rows.unique, id, true, now, "values");
    if (!plan) return fail(std::move(plan.error()));
    record r;
    r.seq = next_seq_++;
    r.id = id;
    r.object_id = object.id;
    r.created_at = now;
    apply(r.values, system_values(object, id, now), rows.unique, rows.equal, id);
    apply(r.values, *plan, rows.unique, rows.equal, id);
    rows.rows.push_back(std::move(r));
    rows.by_id[id] = std::prev(rows.rows.end());
    return &rows.rows.back();
}

result<const record*, api_error> workspace::assert_record(const object_def& object, std::string_view matching_attribute,
                                                          const Value& values, const std::string& now) {
    const attribute* m = object.find_attribute(matching_attribute);
    if (!m) {
        return fail(value_not_found("No attribute was found for matching_attribute slug/ID \"" +
                                    std::string(matching_attribute) + "\"."));
    }
    if (!m->is_unique) return fail(not_unique_matching_attribute());
    if (!values.IsObject()) {
        return fail(validation_error(std::string(body_error), {type_issue({"data", "values"}, "object", json_type(values))}));
    }
    const Value* given = nullptr;
    for (auto it = values.MemberBegin(); it != values.MemberEnd(); ++it) {
        if (sv(it->name) == m->api_slug || sv(it->name) == m->id) given = &it->value;
    }
    // What Attio answers when the body lacks the matching attribute is unconfirmed.
    const auto no_match_value = [&] {
        return validation_error("The matching attribute \"" + m->api_slug + "\" must be given a value in data.values.",
                                {required_issue({"data", "values", m->api_slug}, "array")});
    };
    if (!given) return fail(no_match_value());
    const write_context ctx{*this, now, token_actor()};
    auto keys = coerce_input(*m, *given, ctx);
    if (!keys) return fail(std::move(keys.error()));
    if (keys->empty()) return fail(no_match_value());

    std::vector<std::string> matches;
    for (const auto& v : *keys) {
        if (auto id = find_by_unique_value(object, *m, v)) {
            if (std::find(matches.begin(), matches.end(), *id) == matches.end()) matches.push_back(std::move(*id));
        }
    }
    if (matches.empty()) return create_record(object, values, now);
    if (matches.size() > 1) {
        // Values matching two different records: Attio's answer is unconfirmed.
        return fail(multiple_match_results("Multiple records match the given values of matching attribute \"" +
                                           m->api_slug + "\"."));
    }
    return update_record(object, matches.front(), values, write_mode::assert_, now, m);
}

result<const record*, api_error> workspace::update_record(const object_def& object, std::string_view record_id,
                                                          const Value& values, write_mode mode, const std::string& now,
                                                          const attribute* matching) {
    auto& rows = rows_of(object);
    const auto it = rows.by_id.find(std::string(record_id));
    if (it == rows.by_id.end()) return fail(not_found("Record with ID \"" + std::string(record_id) + "\" not found."));
    record& r = *it->second;
    auto plan = plan_values(object, &r.values, values, mode, matching, rows.unique, r.id, false, now, "values");
    if (!plan) return fail(std::move(plan.error()));
    apply(r.values, *plan, rows.unique, rows.equal, r.id);
    return &r;
}

std::optional<api_error> workspace::delete_record(const object_def& object, std::string_view record_id) {
    auto& rows = rows_of(object);
    const auto it = rows.by_id.find(std::string(record_id));
    if (it == rows.by_id.end()) return not_found("Record with ID \"" + std::string(record_id) + "\" not found.");
    // A deleted record leaves no entries behind.
    for (const auto& l : lists_) {
        auto& lr = rows_of(l);
        const auto parent = lr.by_parent.find(std::string(record_id));
        if (parent == lr.by_parent.end()) continue;
        const auto entry_ids = parent->second;
        for (const auto& eid : entry_ids) delete_entry(l, eid);
    }
    unindex(it->second->values, object, rows.unique, rows.equal, record_id);
    rows.rows.erase(it->second);
    rows.by_id.erase(it);
    return std::nullopt;
}

const record* workspace::find_record(const object_def& object, std::string_view record_id) const {
    const auto* rows = rows_of(object);
    if (!rows) return nullptr;
    const auto it = rows->by_id.find(std::string(record_id));
    return it == rows->by_id.end() ? nullptr : &*it->second;
}

std::vector<const record*> workspace::all_records(const object_def& object) const {
    std::vector<const record*> out;
    if (const auto* rows = rows_of(object)) {
        out.reserve(rows->rows.size());
        for (const auto& r : rows->rows) out.push_back(&r);
    }
    return out;
}

std::size_t workspace::record_count(const object_def& object) const {
    const auto* rows = rows_of(object);
    return rows ? rows->rows.size() : 0;
}

namespace {

template <class Row>
std::vector<const Row*> paginate(std::vector<const Row*> hits, page p) {
    if (p.offset >= hits.size()) return {};
    const auto first = hits.begin() + static_cast<std::ptrdiff_t>(p.offset);
    const auto last = p.limit >= static_cast<std::size_t>(hits.end() - first) ? hits.end()
                                                                             : first + static_cast<std::ptrdiff_t>(p.limit);
    return {first, last};
}

}  // namespace

result<std::vector<const record*>, api_error> workspace::query_records(const object_def& object, const Value* filter,
                                                                       const Value* sorts, page p) const {
    std::optional<compiled_filter> f;
    if (filter && !filter->IsNull()) {
        auto c = compiled_filter::compile(*filter, filter_scope{object, nullptr}, *this);
        if (!c) return fail(std::move(c.error()));
        f = std::move(*c);
    }
    std::optional<compiled_sorts> s;
    if (sorts && !sorts->IsNull()) {
        auto c = compiled_sorts::compile(*sorts, object);
        if (!c) return fail(std::move(c.error()));
        s = std::move(*c);
    }
    std::vector<const record*> hits;
    const auto* rows = rows_of(object);
    if (!rows) return hits;
    std::optional<compiled_filter::equality_lookup> lookup;
    if (f) lookup = f->as_equality_lookup();
    if (lookup) {
        // "Find the person with this email": straight to the index, no scan.
        std::unordered_set<const record*> seen;
        for (const auto& k : lookup->keys) {
            const auto* ids = equal_ids(rows->equal, *lookup->attr, k);
            if (!ids) continue;
            for (const auto& id : *ids) {
                const record* r = find_record(object, id);
                // One key never lists an id twice; several keys may.
                if (r && (lookup->keys.size() == 1 || seen.insert(r).second) &&
                    f->matches(filter_subject{r->values, nullptr}, *this)) {
                    hits.push_back(r);
                }
            }
        }
        std::sort(hits.begin(), hits.end(), [](const record* a, const record* b) { return a->seq < b->seq; });
    } else {
        for (const auto& r : rows->rows) {
            if (!f || f->matches(filter_subject{r.values, nullptr}, *this)) hits.push_back(&r);
        }
    }
    if (s && !s->empty()) {
        std::stable_sort(hits.begin(), hits.end(), [&](const record* a, const record* b) { return s->less(a->values, b->values); });
    }
    return paginate(std::move(hits), p);
}

// --- entries --------------------------------------------------------------------------------

result<const entry*, api_error> workspace::create_entry(const list_def& list, const Value& data, const std::string& now) {
    std::vector<validation_issue> issues;
    if (!data.IsObject()) {
        return fail(validation_error(std::string(body_error), {type_issue({"data"}, "object", json_type(data))}));
    }
    const Value* parent_id = require(data, "parent_record_id", want::string, {"data"}, issues);
    const Value* parent_object = require(data, "parent_object", want::string, {"data"}, issues);
    const Value* values = require(data, "entry_values", want::object, {"data"}, issues);
    if (!issues.empty()) return fail(validation_error(std::string(body_error), std::move(issues)));
    const object_def* po = find_object(sv(*parent_object));
    if (!po) return fail(not_found("Parent object with slug/ID \"" + std::string(sv(*parent_object)) + "\" not found."));
    if (po->id != list.parent_object_id) {
        return fail(validation_error("Records of \"" + po->api_slug + "\" cannot be added to list \"" + list.api_slug +
                                     "\": its parent object is another object."));
    }
    if (!record_exists(*po, sv(*parent_id))) {
        return fail(value_not_found("Parent record with slug/ID \"" + std::string(sv(*parent_id)) + "\" not found."));
    }
    auto& rows = rows_of(list);
    std::string id = ids_.next_uuid();
    auto plan = plan_values(list, nullptr, *values, write_mode::create, nullptr, rows.unique, id, true, now, "entry_values");
    if (!plan) return fail(std::move(plan.error()));
    entry e;
    e.seq = next_seq_++;
    e.id = id;
    e.list_id = list.id;
    e.parent_record_id = std::string(sv(*parent_id));
    e.parent_object_id = po->id;
    e.created_at = now;
    apply(e.values, system_values(list, id, now), rows.unique, rows.equal, id);
    apply(e.values, *plan, rows.unique, rows.equal, id);
    rows.by_parent[e.parent_record_id].push_back(id);
    rows.rows.push_back(std::move(e));
    rows.by_id[id] = std::prev(rows.rows.end());
    return &rows.rows.back();
}

result<const entry*, api_error> workspace::assert_entry(const list_def& list, const Value& data, const std::string& now) {
    if (!data.IsObject()) {
        return fail(validation_error(std::string(body_error), {type_issue({"data"}, "object", json_type(data))}));
    }
    std::vector<validation_issue> issues;
    const Value* parent_id = require(data, "parent_record_id", want::string, {"data"}, issues);
    require(data, "parent_object", want::string, {"data"}, issues);
    const Value* values = require(data, "entry_values", want::object, {"data"}, issues);
    if (!issues.empty()) return fail(validation_error(std::string(body_error), std::move(issues)));
    auto& rows = rows_of(list);
    const auto parent = rows.by_parent.find(std::string(sv(*parent_id)));
    if (parent == rows.by_parent.end() || parent->second.empty()) return create_entry(list, data, now);
    if (parent->second.size() > 1) {
        // Message verbatim from the spec (its typo included).
        return fail(multiple_match_results("Multiple entries were founds for the given parent record. Please remove "
                                           "duplicates or use the update or create entry endpoints instead."));
    }
    // Multiselect values are replaced exactly (spec).
    entry& e = *rows.by_id.at(parent->second.front());
    auto plan = plan_values(list, &e.values, *values, write_mode::overwrite, nullptr, rows.unique, e.id, false, now,
                            "entry_values");
    if (!plan) return fail(std::move(plan.error()));
    apply(e.values, *plan, rows.unique, rows.equal, e.id);
    return &e;
}

result<const entry*, api_error> workspace::update_entry(const list_def& list, std::string_view entry_id, const Value& data,
                                                        write_mode mode, const std::string& now) {
    auto& rows = rows_of(list);
    const auto it = rows.by_id.find(std::string(entry_id));
    if (it == rows.by_id.end()) return fail(not_found("List entry with ID \"" + std::string(entry_id) + "\" not found."));
    entry& e = *it->second;
    if (!data.IsObject()) {
        return fail(validation_error(std::string(body_error), {type_issue({"data"}, "object", json_type(data))}));
    }
    // The parent is fixed once created (spec: 400 immutable_value).
    if (const auto pid = json::get_string(data, "parent_record_id"); pid && *pid != e.parent_record_id) {
        return fail(immutable_value("The parent record for a list entry cannot be updated once created."));
    }
    if (const auto pobj = json::get_string(data, "parent_object"); pobj) {
        const object_def* po = find_object(*pobj);
        if (!po || po->id != e.parent_object_id) {
            return fail(immutable_value("The parent record for a list entry cannot be updated once created."));
        }
    }
    std::vector<validation_issue> issues;
    reject_unknown_keys(data, {"entry_values", "parent_record_id", "parent_object"}, {"data"}, issues);
    const Value* values = require(data, "entry_values", want::object, {"data"}, issues);
    if (!issues.empty()) return fail(validation_error(std::string(body_error), std::move(issues)));
    auto plan = plan_values(list, &e.values, *values, mode, nullptr, rows.unique, e.id, false, now, "entry_values");
    if (!plan) return fail(std::move(plan.error()));
    apply(e.values, *plan, rows.unique, rows.equal, e.id);
    return &e;
}

std::optional<api_error> workspace::delete_entry(const list_def& list, std::string_view entry_id) {
    auto& rows = rows_of(list);
    const auto it = rows.by_id.find(std::string(entry_id));
    if (it == rows.by_id.end()) return not_found("List entry with ID \"" + std::string(entry_id) + "\" not found.");
    const entry& e = *it->second;
    unindex(e.values, list, rows.unique, rows.equal, e.id);
    if (auto parent = rows.by_parent.find(e.parent_record_id); parent != rows.by_parent.end()) {
        auto& ids = parent->second;
        ids.erase(std::remove(ids.begin(), ids.end(), e.id), ids.end());
        if (ids.empty()) rows.by_parent.erase(parent);
    }
    rows.rows.erase(it->second);
    rows.by_id.erase(it);
    return std::nullopt;
}

const entry* workspace::find_entry(const list_def& list, std::string_view entry_id) const {
    const auto* rows = rows_of(list);
    if (!rows) return nullptr;
    const auto it = rows->by_id.find(std::string(entry_id));
    return it == rows->by_id.end() ? nullptr : &*it->second;
}

std::vector<const entry*> workspace::all_entries(const list_def& list) const {
    std::vector<const entry*> out;
    if (const auto* rows = rows_of(list)) {
        out.reserve(rows->rows.size());
        for (const auto& e : rows->rows) out.push_back(&e);
    }
    return out;
}

result<std::vector<const entry*>, api_error> workspace::query_entries(const list_def& list, const Value* filter,
                                                                      const Value* sorts, page p) const {
    const object_def* parent = find_object(list.parent_object_id);
    std::optional<compiled_filter> f;
    if (filter && !filter->IsNull()) {
        auto c = compiled_filter::compile(*filter, filter_scope{list, parent}, *this);
        if (!c) return fail(std::move(c.error()));
        f = std::move(*c);
    }
    std::optional<compiled_sorts> s;
    if (sorts && !sorts->IsNull()) {
        auto c = compiled_sorts::compile(*sorts, list);
        if (!c) return fail(std::move(c.error()));
        s = std::move(*c);
    }
    std::vector<const entry*> hits;
    const auto* rows = rows_of(list);
    if (!rows) return hits;
    std::optional<compiled_filter::equality_lookup> lookup;
    if (f) lookup = f->as_equality_lookup();
    if (lookup) {
        // "Is this activity already in the list?": from the index, no scan.
        std::unordered_set<const entry*> seen;
        for (const auto& k : lookup->keys) {
            const auto* ids = equal_ids(rows->equal, *lookup->attr, k);
            if (!ids) continue;
            for (const auto& id : *ids) {
                const entry* e = &*rows->by_id.at(id);
                if ((lookup->keys.size() == 1 || seen.insert(e).second) &&
                    f->matches(filter_subject{e->values, &e->parent_record_id}, *this)) {
                    hits.push_back(e);
                }
            }
        }
        std::sort(hits.begin(), hits.end(), [](const entry* a, const entry* b) { return a->seq < b->seq; });
    } else {
        for (const auto& e : rows->rows) {
            if (!f || f->matches(filter_subject{e.values, &e.parent_record_id}, *this)) hits.push_back(&e);
        }
    }
    if (s && !s->empty()) {
        std::stable_sort(hits.begin(), hits.end(), [&](const entry* a, const entry* b) { return s->less(a->values, b->values); });
    }
    return paginate(std::move(hits), p);
}

std::vector<std::pair<const list_def*, const entry*>> workspace::entries_of_record(std::string_view record_id) const {
    std::vector<std::pair<const list_def*, const entry*>> out;
    for (const auto& l : lists_) {
        const auto* rows = rows_of(l);
        if (!rows) continue;
        const auto parent = rows->by_parent.find(std::string(record_id));
        if (parent == rows->by_parent.end()) continue;
        for (const auto& id : parent->second) out.emplace_back(&l, &*rows->by_id.at(id));
    }
    return out;
}

// --- schema writes --------------------------------------------------------------------------

result<const attribute*, api_error> workspace::create_attribute(attribute_owner& owner, bool is_list, const Value& data,
                                                                const std::string& now) {
    if (!data.IsObject()) {
        return fail(validation_error(std::string(body_error), {type_issue({"data"}, "object", json_type(data))}));
    }
    std::vector<validation_issue> issues;
    reject_unknown_keys(data,
                        {"title", "description", "api_slug", "type", "is_required", "is_unique", "is_multiselect", "config",
                         "default_value"},
                        {"data"}, issues);
    const Value* title = require(data, "title", want::string, {"data"}, issues);
    const Value* description = require(data, "description", want::nullable_string, {"data"}, issues);
    const Value* slug = require(data, "api_slug", want::string, {"data"}, issues);
    const Value* type = require(data, "type", want::string, {"data"}, issues);
    const Value* is_required = require(data, "is_required", want::boolean, {"data"}, issues);
    const Value* is_unique = require(data, "is_unique", want::boolean, {"data"}, issues);
    const Value* is_multiselect = require(data, "is_multiselect", want::boolean, {"data"}, issues);
    const Value* config = require(data, "config", want::object, {"data"}, issues);
    std::optional<attribute_type> t;
    if (type) {
        t = parse_attribute_type(sv(*type));
        if (!t || *t == attribute_type::interaction || *t == attribute_type::personal_name) {
            issues.push_back(validation_issue{"invalid_enum_value", {"data", "type"},
                                              "Invalid enum value '" + std::string(sv(*type)) + "'", "", ""});
            t.reset();
        }
    }
    if (!issues.empty() || !t) return fail(validation_error(std::string(body_error), std::move(issues)));
    const attribute_type kind = t.value_or(attribute_type::text);

    if (!valid_slug(sv(*slug))) {
        return fail(validation_error("The api_slug \"" + std::string(sv(*slug)) +
                                     "\" must be snake case: lowercase letters, digits, \"_\" or \"-\"."));
    }
    if (kind == attribute_type::status && !is_list) {
        return fail(validation_error("Attributes of type status are not supported on objects."));
    }
    if (kind == attribute_type::select && is_unique->GetBool()) {
        return fail(validation_error("Select attributes cannot be unique."));
    }
    if (kind == attribute_type::email_address || kind == attribute_type::domain) {
        return fail(validation_error("Attributes of type \"" + std::string(to_string(kind)) + "\" cannot be created."));
    }
    if (is_multiselect->GetBool() && !multiselect_supported(kind)) {
        return fail(validation_error("Attributes of type \"" + std::string(to_string(kind)) + "\" cannot be multiselect."));
    }

    attribute a;
    a.type = kind;
    if (const Value* cur = json::find(*config, "currency"); cur && !cur->IsNull()) {
        if (!cur->IsObject()) return fail(validation_error(std::string(body_error), {type_issue({"data", "config", "currency"}, "object", json_type(*cur))}));
        const auto code = json::get_string(*cur, "default_currency_code");
        const auto display = json::get_string(*cur, "display_type");
        if (!code || std::find(std::begin(currency_codes), std::end(currency_codes), *code) == std::end(currency_codes)) {
            return fail(validation_error(std::string(body_error),
                                         {validation_issue{"invalid_enum_value", {"data", "config", "currency", "default_currency_code"},
                                                           "Invalid currency code", "", ""}}));
        }
        if (!display || (*display != "code" && *display != "name" && *display != "narrowSymbol" && *display != "symbol")) {
            return fail(validation_error(std::string(body_error),
                                         {validation_issue{"invalid_enum_value", {"data", "config", "currency", "display_type"},
                                                           "Invalid display type", "", ""}}));
        }
        a.currency_code = std::string(*code);
        a.currency_display = std::string(*display);
    }
    if (kind == attribute_type::record_reference) {
        const Value* rr = json::find(*config, "record_reference");
        const Value* allowed = rr ? json::find(*rr, "allowed_objects") : nullptr;
        if (!allowed || !allowed->IsArray() || allowed->Empty()) {
            return fail(validation_error(std::string(body_error),
                                         {required_issue({"data", "config", "record_reference", "allowed_objects"}, "array")}));
        }
        for (const auto& o : allowed->GetArray()) {
            const object_def* obj = o.IsString() ? find_object(sv(o)) : nullptr;
            if (!obj) {
                return fail(validation_error("Could not find an object with slug \"" +
                                             (o.IsString() ? std::string(sv(o)) : json_type(o)) + "\"."));
            }
            a.allowed_object_ids.push_back(obj->id);
        }
    }
    for (const auto& existing : owner.attributes) {
        if (existing.api_slug == sv(*slug)) {
            return fail(slug_conflict(std::string("An attribute with the same API slug already exists on this ") +
                                      (is_list ? "list" : "object") + ". Please choose a different API slug."));
        }
    }
    a.id = ids_.next_uuid();
    a.api_slug = std::string(sv(*slug));
    a.title = std::string(sv(*title));
    if (description->IsString()) a.description = std::string(sv(*description));
    a.is_required = is_required->GetBool();
    a.is_unique = is_unique->GetBool();
    a.is_multiselect = is_multiselect->GetBool();
    a.created_at = now;
    if (const Value* dv = json::find(data, "default_value"); dv && !dv->IsNull()) a.default_value_json = json::to_string(*dv);
    owner.attributes.push_back(std::move(a));
    return &owner.attributes.back();
}

result<const attribute*, api_error> workspace::update_attribute(attribute_owner& owner, bool is_list, attribute& attr,
                                                                const Value& data) {
    if (!data.IsObject()) {
        return fail(validation_error(std::string(body_error), {type_issue({"data"}, "object", json_type(data))}));
    }
    if (attr.is_system) return fail(system_edit_unauthorized("System attributes cannot be edited."));
    std::vector<validation_issue> issues;
    reject_unknown_keys(data,
                        {"title", "description", "api_slug", "is_required", "is_unique", "default_value", "config", "is_archived"},
                        {"data"}, issues);
    const auto typed = [&](std::string_view key, want w) -> const Value* {
        if (!json::find(data, key)) return nullptr;
        return require(data, key, w, {"data"}, issues);
    };
    const Value* title = typed("title", want::string);
    const Value* description = typed("description", want::nullable_string);
    const Value* slug = typed("api_slug", want::string);
    const Value* is_required = typed("is_required", want::boolean);
    const Value* is_unique = typed("is_unique", want::boolean);
    const Value* is_archived = typed("is_archived", want::boolean);
    if (!issues.empty()) return fail(validation_error(std::string(body_error), std::move(issues)));
    if (slug) {
        if (!valid_slug(sv(*slug))) return fail(validation_error("The api_slug must be snake case."));
        for (const auto& other : owner.attributes) {
            if (&other != &attr && other.api_slug == sv(*slug)) {
                return fail(slug_conflict(std::string("An attribute with the same API slug already exists on this ") +
                                          (is_list ? "list" : "object") + ". Please choose a different API slug."));
            }
        }
    }
    if (is_unique && is_unique->GetBool() && attr.type == attribute_type::select) {
        return fail(validation_error("Select attributes cannot be unique."));
    }
    if (title) attr.title = std::string(sv(*title));
    if (description) attr.description = description->IsString() ? std::optional<std::string>(std::string(sv(*description))) : std::nullopt;
    if (slug) attr.api_slug = std::string(sv(*slug));
    if (is_required) attr.is_required = is_required->GetBool();
    if (is_unique) attr.is_unique = is_unique->GetBool();
    if (is_archived) attr.is_archived = is_archived->GetBool();
    if (const Value* dv = json::find(data, "default_value")) attr.default_value_json = json::to_string(*dv);
    return &attr;
}

result<const select_option*, api_error> workspace::create_option(attribute& attr, const Value& data, bool statuses) {
    if (statuses ? attr.type != attribute_type::status : attr.type != attribute_type::select) {
        return fail(validation_error(statuses ? "This attribute is not a status attribute."
                                              : "This attribute is not a select attribute."));
    }
    if (!data.IsObject()) {
        return fail(validation_error(std::string(body_error), {type_issue({"data"}, "object", json_type(data))}));
    }
    std::vector<validation_issue> issues;
    const Value* title = require(data, "title", want::string, {"data"}, issues);
    if (title && title->GetStringLength() == 0) {
        issues.push_back(validation_issue{"too_small", {"data", "title"}, "String must contain at least 1 character(s)", "", ""});
    }
    if (!issues.empty()) return fail(validation_error(std::string(body_error), std::move(issues)));
    for (const auto& o : attr.options) {
        if (o.title == sv(*title)) {
            return fail(slug_conflict(std::string(statuses ? "There is already another status with the title \""
                                                           : "There is already another select option with the title \"") +
                                      std::string(sv(*title)) + "\"."));
        }
    }
    select_option o;
    o.id = ids_.next_uuid();
    o.title = std::string(sv(*title));
    if (statuses) {
        if (const auto c = json::get_bool(data, "celebration_enabled")) o.celebration_enabled = *c;
        if (const auto t = json::get_string(data, "target_time_in_status")) o.target_time_in_status = std::string(*t);
    }
    attr.options.push_back(std::move(o));
    return &attr.options.back();
}

result<const select_option*, api_error> workspace::update_option(attribute& attr, std::string_view option,
                                                                 const Value& data, bool statuses) {
    if (statuses ? attr.type != attribute_type::status : attr.type != attribute_type::select) {
        return fail(validation_error(statuses ? "This attribute is not a status attribute."
                                              : "This attribute is not a select attribute."));
    }
    select_option* o = attr.find_option(option);
    if (!o) {
        return fail(not_found(std::string(statuses ? "Status" : "Select option") + " with title/ID \"" +
                              std::string(option) + "\" not found."));
    }
    if (!data.IsObject()) {
        return fail(validation_error(std::string(body_error), {type_issue({"data"}, "object", json_type(data))}));
    }
    if (const auto title = json::get_string(data, "title")) {
        if (title->empty()) return fail(validation_error("The title must not be empty."));
        for (const auto& other : attr.options) {
            if (&other != o && other.title == *title) {
                return fail(slug_conflict("There is already another select option with the title \"" + std::string(*title) + "\"."));
            }
        }
        o->title = std::string(*title);
    }
    if (const auto archived = json::get_bool(data, "is_archived")) o->is_archived = *archived;
    if (statuses) {
        if (const auto c = json::get_bool(data, "celebration_enabled")) o->celebration_enabled = *c;
    }
    return o;
}

result<const list_def*, api_error> workspace::create_list(const Value& data, const std::string& now) {
    if (!data.IsObject()) {
        return fail(validation_error(std::string(body_error), {type_issue({"data"}, "object", json_type(data))}));
    }
    // All five fields are required (spec; the wire confirms the errors).
    std::vector<validation_issue> issues;
    const Value* name = require(data, "name", want::string, {"data"}, issues);
    const Value* slug = require(data, "api_slug", want::string, {"data"}, issues);
    const Value* parent = require(data, "parent_object", want::string, {"data"}, issues);
    const Value* access = require(data, "workspace_access", want::nullable_string, {"data"}, issues);
    const Value* members = require(data, "workspace_member_access", want::array, {"data"}, issues);
    if (access && access->IsString() && !is_access_level(sv(*access))) {
        issues.push_back(validation_issue{"invalid_enum_value", {"data", "workspace_access"},
                                          "Expected 'full-access' | 'read-and-write' | 'read-only' | null", "", ""});
    }
    std::vector<member_access> grants;
    if (members) {
        for (rapidjson::SizeType i = 0; i < members->Size(); ++i) {
            const Value& m = (*members)[i];
            const std::vector<std::string> path{"data", "workspace_member_access", std::to_string(i)};
            if (!m.IsObject()) {
                issues.push_back(type_issue(path, "object", json_type(m)));
                continue;
            }
            const Value* id = require(m, "workspace_member_id", want::string, path, issues);
            const Value* level = require(m, "level", want::string, path, issues);
            if (level && !is_access_level(sv(*level))) {
                auto p = path;
                p.emplace_back("level");
                issues.push_back(validation_issue{"invalid_enum_value", p, "Invalid access level", "", ""});
                continue;
            }
            if (id && level) grants.push_back({std::string(sv(*id)), std::string(sv(*level))});
        }
    }
    if (!issues.empty()) return fail(validation_error(std::string(body_error), std::move(issues)));
    const object_def* po = find_object(sv(*parent));
    if (!po) return fail(not_found("Parent object with slug/ID \"" + std::string(sv(*parent)) + "\" not found."));
    if (find_list(sv(*slug)) && find_list(sv(*slug))->api_slug == sv(*slug)) {
        return fail(slug_conflict("A list with api_slug \"" + std::string(sv(*slug)) + "\" already exists."));
    }
    for (const auto& g : grants) {
        if (!member_exists(g.workspace_member_id)) {
            return fail(value_not_found("Workspace member with ID \"" + g.workspace_member_id + "\" not found."));
        }
    }
    const bool full = (access->IsString() && sv(*access) == "full-access") ||
                      std::any_of(grants.begin(), grants.end(), [](const auto& g) { return g.level == "full-access"; });
    if (!full) {
        return fail(validation_error("New lists must have either workspace_access set to \"full-access\" or one or more "
                                     "element of workspace_member_access with a \"full-access\" level."));
    }
    if (!valid_slug(sv(*slug))) {
        return fail(validation_error("The api_slug \"" + std::string(sv(*slug)) + "\" must be snake case."));
    }
    list_def l;
    l.id = ids_.next_uuid();
    l.api_slug = std::string(sv(*slug));
    l.name = std::string(sv(*name));
    l.parent_object_id = po->id;
    if (access->IsString()) l.workspace_access = std::string(sv(*access));
    l.workspace_member_access = std::move(grants);
    l.created_at = now;
    add_list_system_attributes(l, now);
    lists_.push_back(std::move(l));
    list_rows_[lists_.back().id];
    return &lists_.back();
}

result<const list_def*, api_error> workspace::update_list(list_def& list, const Value& data) {
    if (!data.IsObject()) {
        return fail(validation_error(std::string(body_error), {type_issue({"data"}, "object", json_type(data))}));
    }
    std::vector<validation_issue> issues;
    reject_unknown_keys(data, {"name", "api_slug", "workspace_access", "workspace_member_access"}, {"data"}, issues);
    if (!issues.empty()) return fail(validation_error(std::string(body_error), std::move(issues)));
    if (const auto name = json::get_string(data, "name")) list.name = std::string(*name);
    if (const auto slug = json::get_string(data, "api_slug")) {
        if (const auto* other = find_list(*slug); other && other != &list) {
            return fail(slug_conflict("A list with api_slug \"" + std::string(*slug) + "\" already exists."));
        }
        list.api_slug = std::string(*slug);
    }
    if (const Value* access = json::find(data, "workspace_access")) {
        if (access->IsNull()) list.workspace_access.reset();
        else if (access->IsString() && is_access_level(sv(*access))) list.workspace_access = std::string(sv(*access));
        else return fail(validation_error(std::string(body_error), {type_issue({"data", "workspace_access"}, "string | null", json_type(*access))}));
    }
    return &list;
}

}  // namespace las::attio_emulator
