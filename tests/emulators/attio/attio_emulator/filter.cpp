#include "attio_emulator/filter.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "attio_emulator/time_format.hpp"

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

enum class op { eq, in, contains, starts_with, ends_with, lt, lte, gt, gte, not_empty };

std::optional<op> parse_op(std::string_view s) {
    if (s == "$eq") return op::eq;
    if (s == "$in") return op::in;
    if (s == "$contains") return op::contains;
    if (s == "$starts_with") return op::starts_with;
    if (s == "$ends_with") return op::ends_with;
    if (s == "$lt") return op::lt;
    if (s == "$lte") return op::lte;
    if (s == "$gt") return op::gt;
    if (s == "$gte") return op::gte;
    if (s == "$not_empty") return op::not_empty;
    return std::nullopt;
}

// How a field compares.
enum class field_kind {
    text,        // case-sensitive equality; case-insensitive $contains/$starts_with/$ends_with
    folded,      // stored lowercase (emails, domains): every comparison case-insensitive
    ordered,     // timestamps and dates: fixed-width strings, ordered
    number,
    boolean,
    option,      // select option or status: title or id
    identifier,  // record ids and actor ids: equality only
};

// Which field of a value a condition reads.
enum class field_id {
    value,
    currency_value,
    currency_code,
    option,
    target_record_id,
    target_object,
    referenced_actor_id,
    referenced_actor_type,
    location_field,  // + index
    domain,
    root_domain,
    email_address,
    original_email_address,
    email_domain,
    email_root_domain,
    email_local_specifier,
    phone_number,
    original_phone_number,
    country_code,
    first_name,
    last_name,
    full_name,
    none,  // interaction values are never stored
};

struct field_spec {
    field_id id = field_id::value;
    field_kind kind = field_kind::text;
    std::size_t location_index = 0;
};

std::optional<field_spec> resolve_field(const attribute& attr, std::string_view name) {
    const bool dflt = name.empty();
    switch (attr.type) {
        case attribute_type::text:
            if (dflt || name == "value") return field_spec{field_id::value, field_kind::text};
            break;
        case attribute_type::number:
        case attribute_type::rating:
            if (dflt || name == "value") return field_spec{field_id::value, field_kind::number};
            break;
        case attribute_type::checkbox:
            if (dflt || name == "value") return field_spec{field_id::value, field_kind::boolean};
            break;
        case attribute_type::date:
        case attribute_type::timestamp:
            if (dflt || name == "value") return field_spec{field_id::value, field_kind::ordered};
            break;
        case attribute_type::currency:
            if (dflt || name == "currency_value") return field_spec{field_id::currency_value, field_kind::number};
            if (name == "currency_code") return field_spec{field_id::currency_code, field_kind::text};
            break;
        case attribute_type::select:
            if (dflt || name == "option") return field_spec{field_id::option, field_kind::option};
            break;
        case attribute_type::status:
            if (dflt || name == "status") return field_spec{field_id::option, field_kind::option};
            break;
        case attribute_type::record_reference:
            if (dflt || name == "target_record_id") return field_spec{field_id::target_record_id, field_kind::identifier};
            if (name == "target_object") return field_spec{field_id::target_object, field_kind::identifier};
            break;
        case attribute_type::actor_reference:
            if (dflt || name == "referenced_actor_id") {
                return field_spec{field_id::referenced_actor_id, field_kind::identifier};
            }
            if (name == "referenced_actor_type") return field_spec{field_id::referenced_actor_type, field_kind::identifier};
            break;
        case attribute_type::location:
            if (dflt) return field_spec{field_id::location_field, field_kind::text, 4};  // locality
            for (std::size_t i = 0; i < location_fields.size(); ++i) {
                if (name == location_fields[i]) return field_spec{field_id::location_field, field_kind::text, i};
            }
            break;
        case attribute_type::domain:
            if (dflt || name == "domain") return field_spec{field_id::domain, field_kind::folded};
            if (name == "root_domain") return field_spec{field_id::root_domain, field_kind::folded};
            break;
        case attribute_type::email_address:
            // The filtering guide also names the field `normalized_email_address`.
            if (dflt || name == "email_address" || name == "normalized_email_address") {
                return field_spec{field_id::email_address, field_kind::folded};
            }
            if (name == "original_email_address") return field_spec{field_id::original_email_address, field_kind::folded};
            if (name == "email_domain") return field_spec{field_id::email_domain, field_kind::folded};
            if (name == "email_root_domain") return field_spec{field_id::email_root_domain, field_kind::folded};
            if (name == "email_local_specifier") return field_spec{field_id::email_local_specifier, field_kind::folded};
            break;
        case attribute_type::phone_number:
            if (dflt || name == "phone_number") return field_spec{field_id::phone_number, field_kind::text};
            if (name == "original_phone_number") return field_spec{field_id::original_phone_number, field_kind::text};
            if (name == "country_code") return field_spec{field_id::country_code, field_kind::text};
            break;
        case attribute_type::personal_name:
            if (dflt || name == "full_name") return field_spec{field_id::full_name, field_kind::text};
            if (name == "first_name") return field_spec{field_id::first_name, field_kind::text};
            if (name == "last_name") return field_spec{field_id::last_name, field_kind::text};
            break;
        case attribute_type::interaction:
            if (dflt || name == "interacted_at" || name == "interaction_type") {
                return field_spec{field_id::none, field_kind::text};
            }
            break;
    }
    return std::nullopt;
}

bool op_allowed(field_kind k, op o) {
    if (o == op::not_empty) return k != field_kind::boolean;
    switch (k) {
        case field_kind::text:
        case field_kind::folded:
            return o == op::eq || o == op::in || o == op::contains || o == op::starts_with || o == op::ends_with;
        case field_kind::ordered:
        case field_kind::number:
            return o == op::eq || o == op::in || o == op::lt || o == op::lte || o == op::gt || o == op::gte;
        case field_kind::boolean: return o == op::eq;
        case field_kind::option:
        case field_kind::identifier: return o == op::eq || o == op::in;
    }
    return false;
}

std::string_view op_name(op o) {
    switch (o) {
        case op::eq: return "$eq";
        case op::in: return "$in";
        case op::contains: return "$contains";
        case op::starts_with: return "$starts_with";
        case op::ends_with: return "$ends_with";
        case op::lt: return "$lt";
        case op::lte: return "$lte";
        case op::gt: return "$gt";
        case op::gte: return "$gte";
        case op::not_empty: return "$not_empty";
    }
    return "?";
}

using operand = std::variant<std::string, double, bool>;

// A field's value as read from a stored value.
struct field_read {
    enum class kind { missing, string, number, boolean } k = kind::missing;
    std::string_view s;
    double n = 0;
    bool b = false;
};

field_read str(std::string_view s) { return {field_read::kind::string, s, 0, false}; }

field_read read_field(const field_spec& f, const stored_value& v) {
    field_read out;
    std::visit(
        [&](const auto& d) {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, text_data>) {
                out = str(d.value);
            } else if constexpr (std::is_same_v<T, number_data>) {
                out = {field_read::kind::number, {}, d.value, false};
            } else if constexpr (std::is_same_v<T, bool_data>) {
                out = {field_read::kind::boolean, {}, 0, d.value};
            } else if constexpr (std::is_same_v<T, currency_data>) {
                if (f.id == field_id::currency_code) {
                    if (d.code) out = str(*d.code);
                } else {
                    out = {field_read::kind::number, {}, d.value, false};
                }
            } else if constexpr (std::is_same_v<T, option_data>) {
                out = str(d.option_id);
            } else if constexpr (std::is_same_v<T, record_ref_data>) {
                out = str(f.id == field_id::target_object ? d.target_object : d.target_record_id);
            } else if constexpr (std::is_same_v<T, actor_ref_data>) {
                if (f.id == field_id::referenced_actor_type) out = str(d.type);
                else if (d.id) out = str(*d.id);
            } else if constexpr (std::is_same_v<T, location_data>) {
                if (d.fields[f.location_index]) out = str(*d.fields[f.location_index]);
            } else if constexpr (std::is_same_v<T, domain_data>) {
                out = str(f.id == field_id::root_domain ? d.root_domain : d.domain);
            } else if constexpr (std::is_same_v<T, email_data>) {
                switch (f.id) {
                    case field_id::original_email_address: out = str(d.original); break;
                    case field_id::email_domain: out = str(d.domain); break;
                    case field_id::email_root_domain: out = str(d.root_domain); break;
                    case field_id::email_local_specifier: out = str(d.local_specifier); break;
                    default: out = str(d.address); break;
                }
            } else if constexpr (std::is_same_v<T, phone_data>) {
                if (f.id == field_id::original_phone_number) out = str(d.original);
                else if (f.id == field_id::country_code) {
                    if (d.country_code) out = str(*d.country_code);
                } else {
                    out = str(d.number);
                }
            } else if constexpr (std::is_same_v<T, name_data>) {
                out = str(f.id == field_id::first_name ? d.first : f.id == field_id::last_name ? d.last : d.full);
            }
        },
        v.data);
    if (out.k == field_read::kind::string && out.s.empty() && f.kind != field_kind::text) {
        out.k = field_read::kind::missing;
    }
    return out;
}

// A stored value used as the subject of a condition on the `parent_record` pseudo attribute.
const attribute& parent_record_attribute() {
    static const attribute a = [] {
        attribute x;
        x.id = "parent_record";
        x.api_slug = "parent_record";
        x.title = "Parent record";
        x.type = attribute_type::record_reference;
        x.is_system = true;
        x.is_writable = false;
        return x;
    }();
    return a;
}

}  // namespace

struct compiled_filter::node {
    enum class kind { all, any, negate, condition, path } k = kind::all;
    std::vector<node> children;
    // condition
    const attribute* attr = nullptr;
    field_spec field;
    op operation = op::eq;
    std::vector<operand> operands;
    bool want_values = true;  // $not_empty: true → has a value
    // path: steps[0..n-2] are references followed, steps[n-1] the attribute `children[0]` tests
    struct step {
        const attribute_owner* owner = nullptr;
        const attribute* attr = nullptr;
        bool parent_record = false;
    };
    std::vector<step> steps;
};

namespace {

using node = compiled_filter::node;
using compiled = result<node, api_error>;

struct compiler {
    const filter_scope& scope;
    const filter_env& env;

    // An operand as the field stores it, so evaluation compares like with like.
    result<operand, api_error> make_operand(const attribute& attr, const field_spec& f, op o, const Value& v) const {
        const auto bad = [&] {
            return filter_error("Invalid operand for " + std::string(op_name(o)) + " on attribute \"" + attr.api_slug + "\".");
        };
        switch (f.kind) {
            case field_kind::number:
                if (!v.IsNumber()) return fail(bad());
                return operand{v.GetDouble()};
            case field_kind::boolean:
                if (v.IsBool()) return operand{v.GetBool()};
                if (v.IsString() && (sv(v) == "true" || sv(v) == "false")) return operand{sv(v) == "true"};
                return fail(bad());
            case field_kind::ordered: {
                if (!v.IsString()) return fail(bad());
                if (attr.type == attribute_type::date) {
                    auto d = parse_date_input(sv(v));
                    if (!d) return fail(bad());
                    return operand{std::move(*d)};
                }
                const auto t = parse_timestamp_input(sv(v));
                if (!t) return fail(bad());
                return operand{format_timestamp(*t)};
            }
            case field_kind::folded:
                if (!v.IsString()) return fail(bad());
                return operand{lower(sv(v))};
            case field_kind::text:
            case field_kind::option:
            case field_kind::identifier:
                if (!v.IsString()) return fail(bad());
                if (f.id == field_id::phone_number) {
                    std::string digits;
                    for (const char c : sv(v)) {
                        if ((c >= '0' && c <= '9') || (c == '+' && digits.empty())) digits.push_back(c);
                    }
                    return operand{std::move(digits)};
                }
                return operand{std::string(sv(v))};
        }
        return fail(bad());
    }

    compiled condition(const attribute& attr, const field_spec& f, op o, const Value& arg) const {
        if (!op_allowed(f.kind, o)) {
            return fail(filter_error("The operator " + std::string(op_name(o)) + " is not supported for attribute \"" +
                                     attr.api_slug + "\" of type " + std::string(to_string(attr.type)) + "."));
        }
        node n;
        n.k = node::kind::condition;
        n.attr = &attr;
        n.field = f;
        n.operation = o;
        if (o == op::not_empty) {
            if (!arg.IsBool()) return fail(filter_error("$not_empty takes true or false."));
            n.want_values = arg.GetBool();
            return n;
        }
        if (o == op::in) {
            if (!arg.IsArray()) return fail(filter_error("$in takes an array."));
            for (const auto& item : arg.GetArray()) {
                auto x = make_operand(attr, f, o, item);
                if (!x) return fail(std::move(x.error()));
                n.operands.push_back(std::move(*x));
            }
            return n;
        }
        auto x = make_operand(attr, f, o, arg);
        if (!x) return fail(std::move(x.error()));
        n.operands.push_back(std::move(*x));
        return n;
    }

    // `{"$op": x, …}` on one field: conditions ANDed.
    compiled operators(const attribute& attr, const field_spec& f, const Value& spec) const {
        node all;
        all.k = node::kind::all;
        for (auto it = spec.MemberBegin(); it != spec.MemberEnd(); ++it) {
            const auto o = parse_op(sv(it->name));
            if (!o) return fail(filter_error("Unknown operator \"" + std::string(sv(it->name)) + "\"."));
            auto c = condition(attr, f, *o, it->value);
            if (!c) return c;
            all.children.push_back(std::move(*c));
        }
        if (all.children.size() == 1) return std::move(all.children.front());
        return all;
    }

    // The value under an attribute key: scalar (equality on the default field), operators on
    // the default field, or fields each with a scalar or operators.
    compiled attribute_filter(const attribute& attr, const Value& spec) const {
        if (spec.IsString() || spec.IsNumber() || spec.IsBool()) {
            const auto f = resolve_field(attr, "");
            return condition(attr, *f, op::eq, spec);
        }
        if (!spec.IsObject() || spec.MemberCount() == 0) {
            return fail(filter_error("Invalid filter for attribute \"" + attr.api_slug + "\"."));
        }
        bool any_op = false;
        bool any_field = false;
        for (auto it = spec.MemberBegin(); it != spec.MemberEnd(); ++it) {
            (sv(it->name).starts_with('$') ? any_op : any_field) = true;
        }
        if (any_op && any_field) {
            return fail(filter_error("Cannot mix operators and fields in the filter for \"" + attr.api_slug + "\"."));
        }
        if (any_op) return operators(attr, *resolve_field(attr, ""), spec);
        node all;
        all.k = node::kind::all;
        for (auto it = spec.MemberBegin(); it != spec.MemberEnd(); ++it) {
            const auto f = resolve_field(attr, sv(it->name));
            if (!f) {
                return fail(filter_error("Unknown field \"" + std::string(sv(it->name)) + "\" for attribute \"" +
                                         attr.api_slug + "\" of type " + std::string(to_string(attr.type)) + "."));
            }
            if (it->value.IsObject()) {
                auto c = operators(attr, *f, it->value);
                if (!c) return c;
                all.children.push_back(std::move(*c));
            } else {
                auto c = condition(attr, *f, op::eq, it->value);
                if (!c) return c;
                all.children.push_back(std::move(*c));
            }
        }
        if (all.children.size() == 1) return std::move(all.children.front());
        return all;
    }

    const attribute* find_attribute(const attribute_owner& owner, std::string_view key, bool list) const {
        if (const auto* a = owner.find_attribute(key)) return a;
        if (list && key == "parent_record") return &parent_record_attribute();
        return nullptr;
    }

    compiled path_filter(const Value& path, const Value* constraints) const {
        if (!path.IsArray() || path.Size() < 2 || !constraints) {
            return fail(filter_error("A path filter needs a path of at least two [object, attribute] pairs and constraints."));
        }
        node n;
        n.k = node::kind::path;
        const attribute_owner* owner = &scope.owner;
        const object_def* next_object = nullptr;
        for (rapidjson::SizeType i = 0; i < path.Size(); ++i) {
            const auto& pair = path[i];
            if (!pair.IsArray() || pair.Size() != 2 || !pair[0].IsString() || !pair[1].IsString()) {
                return fail(filter_error("Each path element must be a [object or list, attribute] pair."));
            }
            const std::string_view owner_key = sv(pair[0]);
            if (i == 0) {
                if (owner_key != scope.owner.api_slug && owner_key != scope.owner.id) {
                    return fail(filter_error("The path must start at \"" + scope.owner.api_slug + "\"."));
                }
            } else {
                if (!next_object || (owner_key != next_object->api_slug && owner_key != next_object->id)) {
                    return fail(filter_error("The path element \"" + std::string(owner_key) +
                                             "\" does not follow from the previous reference."));
                }
                owner = next_object;
            }
            const bool at_list = i == 0 && scope.list_parent != nullptr;
            const attribute* attr = find_attribute(*owner, sv(pair[1]), at_list);
            if (!attr) {
                return fail(filter_error("Unknown attribute \"" + std::string(sv(pair[1])) + "\" on \"" +
                                         std::string(owner_key) + "\"."));
            }
            node::step st;
            st.owner = owner;
            st.attr = attr;
            st.parent_record = attr == &parent_record_attribute();
            n.steps.push_back(st);
            if (i + 1 < path.Size()) {
                if (attr->type != attribute_type::record_reference) {
                    return fail(filter_error("Path element \"" + attr->api_slug + "\" is not a record reference."));
                }
                if (st.parent_record) {
                    next_object = scope.list_parent;
                } else if (!attr->allowed_object_ids.empty()) {
                    next_object = env.object_by_slug_or_id(sv(path[i + 1][0]));
                    if (next_object && std::find(attr->allowed_object_ids.begin(), attr->allowed_object_ids.end(),
                                                 next_object->id) == attr->allowed_object_ids.end()) {
                        next_object = nullptr;
                    }
                } else {
                    next_object = env.object_by_slug_or_id(sv(path[i + 1][0]));
                }
            }
        }
        auto c = attribute_filter(*n.steps.back().attr, *constraints);
        if (!c) return c;
        n.children.push_back(std::move(*c));
        return n;
    }

    compiled filter(const Value& spec) const {
        if (!spec.IsObject()) return fail(filter_error("Error in filter."));
        node all;
        all.k = node::kind::all;
        const Value* path = nullptr;
        const Value* constraints = nullptr;
        for (auto it = spec.MemberBegin(); it != spec.MemberEnd(); ++it) {
            const std::string_view key = sv(it->name);
            if (key == "$and" || key == "$or") {
                if (!it->value.IsArray()) return fail(filter_error(std::string(key) + " takes an array of filters."));
                node group;
                group.k = key == "$and" ? node::kind::all : node::kind::any;
                for (const auto& sub : it->value.GetArray()) {
                    auto c = filter(sub);
                    if (!c) return c;
                    group.children.push_back(std::move(*c));
                }
                all.children.push_back(std::move(group));
            } else if (key == "$not") {
                auto c = filter(it->value);
                if (!c) return c;
                node neg;
                neg.k = node::kind::negate;
                neg.children.push_back(std::move(*c));
                all.children.push_back(std::move(neg));
            } else if (key == "path") {
                path = &it->value;
            } else if (key == "constraints") {
                constraints = &it->value;
            } else if (key.starts_with('$')) {
                return fail(filter_error("Unknown operator \"" + std::string(key) + "\"."));
            } else {
                const attribute* attr = find_attribute(scope.owner, key, scope.list_parent != nullptr);
                if (!attr) {
                    // Attio's wording for this case is unconfirmed.
                    return fail(filter_error("Unknown attribute slug or ID \"" + std::string(key) + "\" in filter."));
                }
                auto c = attribute_filter(*attr, it->value);
                if (!c) return c;
                all.children.push_back(std::move(*c));
            }
        }
        if (path || constraints) {
            if (!path) return fail(filter_error("constraints without a path."));
            auto c = path_filter(*path, constraints);
            if (!c) return c;
            all.children.push_back(std::move(*c));
        }
        if (all.children.size() == 1) return std::move(all.children.front());
        return all;
    }
};

int compare_numbers(double a, double b) { return a < b ? -1 : (a > b ? 1 : 0); }

bool contains_folded(std::string_view hay, std::string_view needle, op o) {
    const std::string h = lower(hay);
    switch (o) {
        case op::contains: return h.find(needle) != std::string::npos;
        case op::starts_with: return h.starts_with(needle);
        case op::ends_with: return h.ends_with(needle);
        default: return false;
    }
}

bool test_operand(const node& c, const stored_value& v, const operand& x) {
    if (c.field.kind == field_kind::option) {
        const auto* opt = c.attr->find_option(std::get<option_data>(v.data).option_id);
        const auto& want = std::get<std::string>(x);
        return opt && (opt->title == want || opt->id == want);
    }
    const field_read r = read_field(c.field, v);
    if (r.k == field_read::kind::missing) return false;
    if (r.k == field_read::kind::number) {
        const int cmp = compare_numbers(r.n, std::get<double>(x));
        switch (c.operation) {
            case op::eq:
            case op::in: return cmp == 0;
            case op::lt: return cmp < 0;
            case op::lte: return cmp <= 0;
            case op::gt: return cmp > 0;
            case op::gte: return cmp >= 0;
            default: return false;
        }
    }
    if (r.k == field_read::kind::boolean) return r.b == std::get<bool>(x);
    const auto& want = std::get<std::string>(x);
    const bool folded = c.field.kind == field_kind::folded;
    switch (c.operation) {
        case op::eq:
        case op::in: return folded ? lower(r.s) == want : r.s == want;
        case op::contains:
        case op::starts_with:
        case op::ends_with: return contains_folded(r.s, lower(want), c.operation);
        case op::lt: return r.s < want;
        case op::lte: return r.s <= want;
        case op::gt: return r.s > want;
        case op::gte: return r.s >= want;
        default: return false;
    }
}

struct evaluator {
    const filter_env& env;
    const object_def* list_parent;

    const std::vector<stored_value>* values_of(const attribute& attr, const filter_subject& s,
                                               std::vector<stored_value>& scratch) const {
        if (&attr == &parent_record_attribute()) {
            scratch.clear();
            if (s.parent_record_id && list_parent) {
                scratch.push_back(stored_value{record_ref_data{list_parent->api_slug, *s.parent_record_id}, {}, {}});
            }
            return &scratch;
        }
        const auto it = s.values.find(attr.id);
        return it == s.values.end() ? nullptr : &it->second;
    }

    bool condition(const node& c, const filter_subject& s) const {
        std::vector<stored_value> scratch;
        const auto* values = values_of(*c.attr, s, scratch);
        if (c.operation == op::not_empty) {
            bool any = false;
            if (values) {
                for (const auto& v : *values) {
                    if (c.field.kind == field_kind::option || read_field(c.field, v).k != field_read::kind::missing) {
                        any = true;
                        break;
                    }
                }
            }
            return any == c.want_values;
        }
        if (!values) return false;
        for (const auto& v : *values) {
            for (const auto& x : c.operands) {
                if (test_operand(c, v, x)) return true;
            }
        }
        return false;
    }

    bool path(const node& n, std::size_t i, const filter_subject& s) const {
        const auto& st = n.steps[i];
        if (i + 1 == n.steps.size()) return eval(n.children.front(), s);
        std::vector<stored_value> scratch;
        const auto* refs = values_of(*st.attr, s, scratch);
        if (!refs) return false;
        for (const auto& v : *refs) {
            const auto& ref = std::get<record_ref_data>(v.data);
            const object_def* target = st.parent_record ? list_parent : env.object_by_slug_or_id(ref.target_object);
            if (!target) continue;
            const value_map* target_values = env.record_values(*target, ref.target_record_id);
            if (!target_values) continue;
            if (path(n, i + 1, filter_subject{*target_values, nullptr})) return true;
        }
        return false;
    }

    bool eval(const node& n, const filter_subject& s) const {
        switch (n.k) {
            case node::kind::all:
                for (const auto& c : n.children) {
                    if (!eval(c, s)) return false;
                }
                return true;
            case node::kind::any:
                for (const auto& c : n.children) {
                    if (eval(c, s)) return true;
                }
                return false;
            case node::kind::negate: return !eval(n.children.front(), s);
            case node::kind::condition: return condition(n, s);
            case node::kind::path: return path(n, 0, s);
        }
        return false;
    }
};

}  // namespace

compiled_filter::compiled_filter() = default;
compiled_filter::~compiled_filter() = default;
compiled_filter::compiled_filter(compiled_filter&&) noexcept = default;
compiled_filter& compiled_filter::operator=(compiled_filter&&) noexcept = default;

result<compiled_filter, api_error> compiled_filter::compile(const Value& filter, const filter_scope& scope,
                                                           const filter_env& env) {
    compiler c{scope, env};
    auto root = c.filter(filter);
    if (!root) return fail(std::move(root.error()));
    compiled_filter out;
    out.root_ = std::make_unique<node>(std::move(*root));
    out.list_parent_ = scope.list_parent;
    return out;
}

bool compiled_filter::matches(const filter_subject& subject, const filter_env& env) const {
    if (!root_) return true;
    return evaluator{env, list_parent_}.eval(*root_, subject);
}

std::optional<compiled_filter::equality_lookup> compiled_filter::as_equality_lookup() const {
    if (!root_ || root_->k != node::kind::condition) return std::nullopt;
    const node& c = *root_;
    if (c.operation != op::eq && c.operation != op::in) return std::nullopt;
    // Only fields that are the value's identity (what value_key returns).
    const bool identity = (c.attr->type == attribute_type::email_address && c.field.id == field_id::email_address) ||
                          (c.attr->type == attribute_type::domain && c.field.id == field_id::domain) ||
                          (c.attr->type == attribute_type::phone_number && c.field.id == field_id::phone_number) ||
                          (c.attr->type == attribute_type::text && c.field.id == field_id::value);
    if (!identity) return std::nullopt;
    equality_lookup out;
    out.attr = c.attr;
    for (const auto& x : c.operands) out.keys.push_back(std::get<std::string>(x));
    return out;
}

// --- sorts --------------------------------------------------------------------------------

struct compiled_sorts::key {
    const attribute* attr = nullptr;
    field_spec field;
    bool descending = false;
};

compiled_sorts::compiled_sorts() = default;
compiled_sorts::~compiled_sorts() = default;
compiled_sorts::compiled_sorts(compiled_sorts&&) noexcept = default;
compiled_sorts& compiled_sorts::operator=(compiled_sorts&&) noexcept = default;

result<compiled_sorts, api_error> compiled_sorts::compile(const Value& sorts, const attribute_owner& owner) {
    compiled_sorts out;
    if (!sorts.IsArray()) {
        return fail(validation_error("Body payload validation error.", {type_issue({"sorts"}, "array", "object")}));
    }
    for (const auto& s : sorts.GetArray()) {
        if (!s.IsObject()) return fail(validation_error("Body payload validation error.", {type_issue({"sorts"}, "object", "other")}));
        const auto dir = s.FindMember("direction");
        if (dir == s.MemberEnd() || !dir->value.IsString() || (sv(dir->value) != "asc" && sv(dir->value) != "desc")) {
            return fail(validation_error("Body payload validation error.",
                                         {validation_issue{"invalid_enum_value", {"sorts", "direction"},
                                                           "Expected 'asc' | 'desc'", "", ""}}));
        }
        if (s.HasMember("path")) {
            return fail(validation_error("Sorting by path is not supported by the emulator."));
        }
        const auto a = s.FindMember("attribute");
        if (a == s.MemberEnd() || !a->value.IsString()) {
            return fail(validation_error("Body payload validation error.", {required_issue({"sorts", "attribute"}, "string")}));
        }
        const attribute* attr = owner.find_attribute(sv(a->value));
        if (!attr) return fail(filter_error("Unknown attribute slug or ID \"" + std::string(sv(a->value)) + "\" in sorts."));
        std::string_view field_name;
        if (const auto f = s.FindMember("field"); f != s.MemberEnd() && f->value.IsString()) field_name = sv(f->value);
        const auto f = resolve_field(*attr, field_name);
        if (!f) return fail(filter_error("Unknown field \"" + std::string(field_name) + "\" in sorts."));
        out.keys_.push_back(key{attr, *f, sv(dir->value) == "desc"});
    }
    return out;
}

bool compiled_sorts::empty() const { return keys_.empty(); }

bool compiled_sorts::less(const value_map& a, const value_map& b) const {
    for (const auto& k : keys_) {
        const auto first = [&](const value_map& m) -> field_read {
            const auto it = m.find(k.attr->id);
            if (it == m.end() || it->second.empty()) return {};
            const auto& v = it->second.front();
            if (k.field.kind == field_kind::option) {
                const auto* o = k.attr->find_option(std::get<option_data>(v.data).option_id);
                return o ? str(o->title) : field_read{};
            }
            return read_field(k.field, v);
        };
        const field_read x = first(a);
        const field_read y = first(b);
        // Values before empties, whichever the direction.
        const bool xm = x.k == field_read::kind::missing;
        const bool ym = y.k == field_read::kind::missing;
        if (xm || ym) {
            if (xm != ym) return ym;
            continue;
        }
        int cmp = 0;
        if (x.k == field_read::kind::number) cmp = compare_numbers(x.n, y.n);
        else if (x.k == field_read::kind::boolean) cmp = static_cast<int>(x.b) - static_cast<int>(y.b);
        else cmp = lower(x.s).compare(lower(y.s));
        if (cmp != 0) return k.descending ? cmp > 0 : cmp < 0;
    }
    return false;
}

}  // namespace las::attio_emulator
