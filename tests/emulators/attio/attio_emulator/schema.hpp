#pragma once
// The workspace schema: objects and lists, each owning attributes; select options and
// statuses. Plain data; the store owns and mutates it under its lock. Attributes live in a
// deque so pointers to them stay valid while new ones are appended.

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace las::attio_emulator {

enum class attribute_type {
    text,
    number,
    checkbox,
    currency,
    date,
    timestamp,
    rating,
    status,
    select,
    record_reference,
    actor_reference,
    location,
    domain,
    email_address,
    phone_number,
    interaction,
    personal_name,
};

std::string_view to_string(attribute_type t);
std::optional<attribute_type> parse_attribute_type(std::string_view s);

// A select option, or (for status attributes) a status.
struct select_option {
    std::string id;
    std::string title;
    bool is_archived = false;
    // Status only.
    bool celebration_enabled = false;
    std::optional<std::string> target_time_in_status;
};

struct attribute {
    std::string id;
    std::string api_slug;
    std::string title;
    std::optional<std::string> description;
    attribute_type type = attribute_type::text;
    bool is_system = false;
    bool is_writable = true;
    bool is_required = false;
    bool is_unique = false;
    bool is_multiselect = false;
    bool is_archived = false;
    std::string created_at;
    std::optional<std::string> currency_code;     // config.currency.default_currency_code
    std::optional<std::string> currency_display;  // config.currency.display_type
    std::vector<std::string> allowed_object_ids;  // config.record_reference (record-reference only)
    std::string default_value_json = "null";      // echoed back; not applied to new records
    std::vector<select_option> options;           // select options or statuses

    // By id, or by title (exact).
    const select_option* find_option(std::string_view title_or_id) const;
    select_option* find_option(std::string_view title_or_id);
};

// What attributes hang off: an object or a list.
struct attribute_owner {
    std::string id;
    std::string api_slug;
    std::string created_at;
    std::deque<attribute> attributes;

    const attribute* find_attribute(std::string_view slug_or_id) const;
    attribute* find_attribute(std::string_view slug_or_id);
};

struct object_def : attribute_owner {
    std::string singular_noun;
    std::string plural_noun;
    std::string web_url_noun;  // "person" in https://app.attio.com/<ws>/person/<id>
};

struct member_access {
    std::string workspace_member_id;
    std::string level;
};

struct list_def : attribute_owner {
    std::string name;
    std::string parent_object_id;
    std::optional<std::string> workspace_access;  // null = private
    std::vector<member_access> workspace_member_access;
};

// Fixed identities of the emulated workspace (stable across resets).
struct workspace_identity {
    std::string workspace_id;
    std::string workspace_name = "Emulated Workspace";
    std::string workspace_slug = "emulated-workspace";
    std::string member_id;  // the one workspace member
    std::string member_email = "owner@emulated-workspace.test";
    std::string member_first_name = "Emma";
    std::string member_last_name = "Ulator";
    std::string token_id;   // the API token's actor id
    std::string client_id;
};

workspace_identity default_identity();

// The standard objects as Attio seeds them (reduced to what a sync needs; see
// docs/emulators.md): `people` and `companies`.
object_def make_people_object(std::string_view created_at);
object_def make_companies_object(std::string_view created_at);
// System attributes every new list gets: `created_at`, `created_by`.
void add_list_system_attributes(list_def& list, std::string_view created_at);

}  // namespace las::attio_emulator
