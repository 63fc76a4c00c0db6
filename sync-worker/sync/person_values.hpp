#pragma once
// Translation between a Person's state and Attio's attribute values: read from a record's
// `values` (Attio's output form: arrays of value objects), written as a PATCH body's
// `values` (Attio's input form). Only what changed is written, so a Person write is skipped
// when an event moves nothing, and concurrent writers touch only their own attributes.

#include <chrono>
#include <string>

#include <rapidjson/document.h>

#include "sync/person_state.hpp"

namespace las::sync {

// Reads the state attributes from a record's `values` object; absent, empty or unreadable
// values are unset.
person_state person_state_from_values(const rapidjson::Value& values);

// The `values` object of a PATCH moving `before` to `after` (plus `lemlist_last_synced_at`
// = `now`), as compact JSON; empty when nothing changed.
std::string person_patch_values(const person_state& before, const person_state& after, event_time now);

}  // namespace las::sync
