#pragma once
// A `[[mappings]]` value: found in the Lemlist payload and coerced to what the target Attio
// attribute's type accepts. Lemlist variables are text ("42", "true", "2025-11-18"), while
// Attio refuses a string for a number or a checkbox; a value that cannot be coerced is not
// written (the event still lands) rather than dead-lettering the whole event.

#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/settings.hpp"

namespace las::sync {

// The field in a webhook body (custom variables are flattened to the top level) or, for a
// reconciled activity (GET /activities v2), under `lead.variables`.
const rapidjson::Value* find_mapped_field(const rapidjson::Value& body, std::string_view field);

// Whether an Attio attribute type can hold a scalar Lemlist value (text, number, checkbox,
// timestamp, date, select, rating, currency, email-address, phone-number, domain).
bool can_map_onto(std::string_view attio_type);

// The Attio input value (compact JSON) for `value` under `mapping`'s resolved type, wrapped
// in an array for a multiselect attribute; nullopt when the value is empty, not a scalar, or
// cannot be coerced. An unresolved mapping (no attio_type) passes scalars through as given.
std::optional<std::string> coerce_mapped_value(const rapidjson::Value& value, const attribute_mapping& mapping);

}  // namespace las::sync
