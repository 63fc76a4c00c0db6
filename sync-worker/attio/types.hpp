#pragma once
// What the Attio client hands back, and the parsers from Attio's `{"data": …}` envelopes
// (pure, so tests feed them recorded bodies). Values stay raw JSON: Attio's output form is an
// array of value objects per attribute slug, read by the code that knows the attribute
// (sync/person_values.hpp for the Person state).

#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "core/result.hpp"

namespace las::attio {

struct record {
    std::string record_id;
    std::string object_id;
    rapidjson::Document values;  // {"<slug>": [ {value object}, … ], …}
};

struct entry {
    std::string entry_id;
    std::string list_id;
    std::string parent_record_id;
    std::string parent_object;
    rapidjson::Document values;  // entry_values, same form as record values
};

struct list_info {
    std::string list_id;
    std::string api_slug;
    std::string name;
    std::vector<std::string> parent_objects;  // Attio answers an array, e.g. ["people"]
    std::string workspace_access;
};

struct attribute_info {
    std::string attribute_id;
    std::string api_slug;
    std::string title;
    std::string type;  // "text", "select", "timestamp", …
    bool is_unique = false;
    bool is_multiselect = false;
    bool is_required = false;
    bool is_archived = false;
    bool is_system = false;
};

struct select_option {
    std::string option_id;
    std::string title;
    bool is_archived = false;
};

// Where attributes live: on an object (people) or on a list (lemlist_events).
enum class target { objects, lists };
std::string_view to_string(target t);

struct list_definition {
    std::string api_slug;
    std::string name;
    std::string parent_object = "people";
    std::string workspace_access = "full-access";
};

struct attribute_definition {
    std::string api_slug;
    std::string title;
    std::string description;
    std::string type;
    bool is_unique = false;
    bool is_multiselect = false;
    bool is_required = false;
};

// Request bodies.
std::string list_body(const list_definition& def);
std::string attribute_body(const attribute_definition& def);

// Answer parsers: `…_answer` read `{"data": {…}}`, `…_list` read `{"data": […]}`. The error
// string says what is missing.
result<record, std::string> parse_record_answer(std::string_view body);
result<std::vector<record>, std::string> parse_record_list(std::string_view body);
result<entry, std::string> parse_entry_answer(std::string_view body);
result<std::vector<entry>, std::string> parse_entry_list(std::string_view body);
result<list_info, std::string> parse_list_answer(std::string_view body);
result<attribute_info, std::string> parse_attribute_answer(std::string_view body);
result<std::vector<attribute_info>, std::string> parse_attribute_list(std::string_view body);
result<select_option, std::string> parse_option_answer(std::string_view body);
result<std::vector<select_option>, std::string> parse_option_list(std::string_view body);

}  // namespace las::attio
