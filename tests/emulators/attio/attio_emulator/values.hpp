#pragma once
// Attribute values in their three forms: what a client may send (every documented input
// form per attribute type, reference §2.1), what the store keeps (`stored_value`), and what
// Attio returns (arrays of value objects with active_from / active_until /
// created_by_actor / attribute_type, §2.0). Pure functions; the store supplies lookups.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "attio_emulator/api_error.hpp"
#include "attio_emulator/schema.hpp"
#include "core/result.hpp"

namespace las::attio_emulator {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

struct actor_ref {
    std::string type;               // api-token | workspace-member | system | app
    std::optional<std::string> id;  // null for `system`
};

struct text_data {  // text; date ("YYYY-MM-DD"); timestamp (formatted, 9 digits + Z)
    std::string value;
};
struct number_data {  // number; rating (0–5)
    double value = 0;
};
struct bool_data {
    bool value = false;
};
struct currency_data {
    double value = 0;
    std::optional<std::string> code;
};
struct option_data {  // select option or status, by id
    std::string option_id;
};
struct record_ref_data {
    std::string target_object;  // slug
    std::string target_record_id;
};
struct actor_ref_data {
    std::string type;
    std::optional<std::string> id;
};
struct location_data {
    std::array<std::optional<std::string>, 10> fields;  // in `location_fields` order
};
struct domain_data {
    std::string domain;
    std::string root_domain;
};
struct email_data {
    std::string original;
    std::string address;  // lowercase
    std::string domain;
    std::string root_domain;
    std::string local_specifier;
};
struct phone_data {
    std::string original;
    std::optional<std::string> country_code;
    std::string number;  // E.164, "+15558675309"
};
struct name_data {
    std::string first;
    std::string last;
    std::string full;
};

using value_data = std::variant<text_data, number_data, bool_data, currency_data, option_data, record_ref_data,
                                actor_ref_data, location_data, domain_data, email_data, phone_data, name_data>;

struct stored_value {
    value_data data;
    std::string active_from;
    actor_ref created_by;
};

// Values of one record or entry, by attribute id, in stored order.
using value_map = std::unordered_map<std::string, std::vector<stored_value>>;

inline constexpr std::array<std::string_view, 10> location_fields{
    "line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode", "country_code", "latitude", "longitude"};

// What coercion needs to look up in the workspace.
class reference_resolver {
public:
    virtual ~reference_resolver() = default;
    virtual const object_def* object_by_slug_or_id(std::string_view slug_or_id) const = 0;
    virtual bool record_exists(const object_def& object, std::string_view record_id) const = 0;
    // The record of `object` that holds `value` in the unique attribute `attr`, if any.
    virtual std::optional<std::string> find_by_unique_value(const object_def& object, const attribute& attr,
                                                            const stored_value& value) const = 0;
    virtual bool member_exists(std::string_view member_id) const = 0;
    virtual std::optional<std::string> member_by_email(std::string_view email) const = 0;
};

struct write_context {
    const reference_resolver& refs;
    std::string now;  // formatted timestamp: active_from of new values
    actor_ref actor;  // created_by_actor of new values
};

// One attribute's input (a single value, an array of values, or null) → the values to
// store; an empty vector clears the attribute. Multiselect attributes must be given an array;
// single-value attributes take a value or an array of at most one. Errors as Attio words them:
// `validation_type` for a wrongly shaped value, `value_not_found` for an unknown select
// option, status, referenced record or workspace member.
result<std::vector<stored_value>, api_error> coerce_input(const attribute& attr, const rapidjson::Value& input,
                                                         const write_context& ctx);

// The identity of a value for de-duplication and uniqueness: the lowercase address of an
// email, the E.164 number of a phone, the option id of a select, …
std::string value_key(const stored_value& v);

struct render_context {
    std::string_view workspace_id;
    std::string_view owner_id;  // the object or list id (select option and status ids carry it)
};

// One value in Attio's read shape.
void write_value(json_writer& w, const attribute& attr, const stored_value& v, const render_context& ctx);

// One value in the inspection routes' compact form ("a@b.com", "Contacted", "Jane Doe", 3).
void write_compact_value(json_writer& w, const attribute& attr, const stored_value& v);

// Helpers exposed for tests.
std::optional<std::string> normalise_domain(std::string_view input);
std::string root_domain_of(std::string_view domain);
std::optional<std::string> calling_code_for(std::string_view country_code);
std::optional<std::string> country_for_number(std::string_view e164);

}  // namespace las::attio_emulator
