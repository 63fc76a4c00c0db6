#pragma once
// Attio's read shapes for whole resources (reference §2.0, §3; spec components.schemas):
// records with every attribute present in `values` (empty ones as []), entries, objects,
// lists (parent_object as an array), attributes, select options and statuses; plus the
// compact forms of the inspection routes.

#include "attio_emulator/schema.hpp"
#include "attio_emulator/store.hpp"
#include "attio_emulator/values.hpp"

namespace las::attio_emulator {

void write_record(json_writer& w, const workspace& ws, const object_def& object, const record& r);
void write_entry(json_writer& w, const workspace& ws, const list_def& list, const entry& e);
void write_object(json_writer& w, const workspace& ws, const object_def& o);
void write_list(json_writer& w, const workspace& ws, const list_def& l);
void write_attribute(json_writer& w, const workspace& ws, const attribute_owner& owner, const attribute& a);
void write_option(json_writer& w, const workspace& ws, const attribute_owner& owner, const attribute& a,
                  const select_option& o, bool status);
// The values of one attribute, as an array (GET …/attributes/{attribute}/values).
void write_values(json_writer& w, const workspace& ws, const attribute_owner& owner, const attribute& a,
                  const value_map& values);

// {"record_id","created_at","values":{slug: compact value (or array for multiselect)}}
// with empty attributes left out.
void write_compact_record(json_writer& w, const object_def& object, const record& r);
void write_compact_entry(json_writer& w, const list_def& list, const entry& e);

inline void write_sv(json_writer& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace las::attio_emulator
