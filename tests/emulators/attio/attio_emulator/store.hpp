#pragma once
// The emulated workspace: schema (objects, lists, attributes, options), records, list
// entries, the unique-value indexes, and every write rule the reference documents —
// uniqueness conflicts that store nothing, PATCH prepending to multiselect values, PUT
// replacing them, assert by a unique matching attribute, many entries per parent, assert of
// an entry by parent. Not thread-safe: the service serialises access.

#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "attio_emulator/api_error.hpp"
#include "attio_emulator/filter.hpp"
#include "attio_emulator/ids.hpp"
#include "attio_emulator/schema.hpp"
#include "attio_emulator/values.hpp"
#include "core/result.hpp"

namespace las::attio_emulator {

struct record {
    std::uint64_t seq = 0;  // creation order: queries return records in it
    std::string id;
    std::string object_id;
    std::string created_at;
    value_map values;
};

struct entry {
    std::uint64_t seq = 0;
    std::string id;
    std::string list_id;
    std::string parent_record_id;
    std::string parent_object_id;
    std::string created_at;
    value_map values;
};

// How a write treats multiselect attributes.
enum class write_mode {
    create,     // POST: values as given
    append,     // PATCH: new values prepended, existing ones kept (never repeated)
    overwrite,  // PUT: values replaced exactly
    assert_,    // PUT ?matching_attribute=: append on the matching attribute, overwrite the rest
};

struct page {
    std::size_t limit = 500;
    std::size_t offset = 0;
};

class workspace final : public reference_resolver, public filter_env {
public:
    // `seed` 0 draws ids from the OS; any other value makes them reproducible.
    explicit workspace(workspace_identity identity, std::uint64_t seed = 0);

    const workspace_identity& identity() const { return identity_; }
    actor_ref token_actor() const { return {"api-token", identity_.token_id}; }

    // Wipes records and entries; also custom lists and attributes unless `keep_schema`.
    // The standard objects are re-seeded with their stable ids.
    void reset(bool keep_schema, const std::string& now);

    // --- schema ---------------------------------------------------------------------------
    const std::deque<object_def>& objects() const { return objects_; }
    const std::deque<list_def>& lists() const { return lists_; }
    object_def* find_object(std::string_view slug_or_id);
    const object_def* find_object(std::string_view slug_or_id) const;
    list_def* find_list(std::string_view slug_or_id);
    const list_def* find_list(std::string_view slug_or_id) const;

    result<const attribute*, api_error> create_attribute(attribute_owner& owner, bool is_list, const rapidjson::Value& data,
                                                        const std::string& now);
    result<const attribute*, api_error> update_attribute(attribute_owner& owner, bool is_list, attribute& attr,
                                                        const rapidjson::Value& data);
    // `statuses` selects the status routes (status attributes) instead of select options.
    result<const select_option*, api_error> create_option(attribute& attr, const rapidjson::Value& data, bool statuses);
    result<const select_option*, api_error> update_option(attribute& attr, std::string_view option,
                                                         const rapidjson::Value& data, bool statuses);

    result<const list_def*, api_error> create_list(const rapidjson::Value& data, const std::string& now);
    result<const list_def*, api_error> update_list(list_def& list, const rapidjson::Value& data);

    // --- records --------------------------------------------------------------------------
    result<const record*, api_error> create_record(const object_def& object, const rapidjson::Value& values,
                                                  const std::string& now);
    result<const record*, api_error> assert_record(const object_def& object, std::string_view matching_attribute,
                                                  const rapidjson::Value& values, const std::string& now);
    // `matching` is the assert's matching attribute (mode assert_ only).
    result<const record*, api_error> update_record(const object_def& object, std::string_view record_id,
                                                  const rapidjson::Value& values, write_mode mode, const std::string& now,
                                                  const attribute* matching = nullptr);
    std::optional<api_error> delete_record(const object_def& object, std::string_view record_id);
    const record* find_record(const object_def& object, std::string_view record_id) const;
    result<std::vector<const record*>, api_error> query_records(const object_def& object, const rapidjson::Value* filter,
                                                               const rapidjson::Value* sorts, page p) const;
    std::vector<const record*> all_records(const object_def& object) const;
    std::size_t record_count(const object_def& object) const;

    // --- entries --------------------------------------------------------------------------
    // `data` is the request's `data` member: parent_record_id, parent_object, entry_values.
    result<const entry*, api_error> create_entry(const list_def& list, const rapidjson::Value& data, const std::string& now);
    result<const entry*, api_error> assert_entry(const list_def& list, const rapidjson::Value& data, const std::string& now);
    result<const entry*, api_error> update_entry(const list_def& list, std::string_view entry_id,
                                                const rapidjson::Value& data, write_mode mode, const std::string& now);
    std::optional<api_error> delete_entry(const list_def& list, std::string_view entry_id);
    const entry* find_entry(const list_def& list, std::string_view entry_id) const;
    result<std::vector<const entry*>, api_error> query_entries(const list_def& list, const rapidjson::Value* filter,
                                                              const rapidjson::Value* sorts, page p) const;
    std::vector<const entry*> all_entries(const list_def& list) const;
    // Every entry, in any list, whose parent is `record_id` (GET /records/{id}/entries).
    std::vector<std::pair<const list_def*, const entry*>> entries_of_record(std::string_view record_id) const;

    // --- reference_resolver / filter_env ----------------------------------------------------
    const object_def* object_by_slug_or_id(std::string_view slug_or_id) const override;
    bool record_exists(const object_def& object, std::string_view record_id) const override;
    std::optional<std::string> find_by_unique_value(const object_def& object, const attribute& attr,
                                                    const stored_value& value) const override;
    bool member_exists(std::string_view member_id) const override;
    std::optional<std::string> member_by_email(std::string_view email) const override;
    const value_map* record_values(const object_def& object, std::string_view record_id) const override;

    // The changes a write would make, validated; applied only when nothing failed.
    struct value_changes {
        std::vector<std::pair<const attribute*, std::vector<stored_value>>> sets;
    };
    // attribute id → value key → owner (record or entry) id
    using unique_index = std::unordered_map<std::string, std::unordered_map<std::string, std::string>>;
    // attribute id → value key → ids of every record or entry holding it (text, email,
    // domain and phone attributes), so equality queries need not scan.
    using equality_index = std::unordered_map<std::string, std::unordered_map<std::string, std::vector<std::string>>>;

private:
    struct object_rows {
        std::list<record> rows;
        std::unordered_map<std::string, std::list<record>::iterator> by_id;
        unique_index unique;
        equality_index equal;
    };
    struct list_rows {
        std::list<entry> rows;
        std::unordered_map<std::string, std::list<entry>::iterator> by_id;
        std::unordered_map<std::string, std::vector<std::string>> by_parent;  // record id → entry ids
        unique_index unique;
        equality_index equal;
    };

    void seed_standard_objects(const std::string& now);
    result<value_changes, api_error> plan_values(const attribute_owner& owner, const value_map* existing,
                                                 const rapidjson::Value& input, write_mode mode,
                                                 const attribute* matching, const unique_index& index,
                                                 std::string_view self_id, bool creating, const std::string& now,
                                                 std::string_view values_member) const;
    static void apply(value_map& target, const value_changes& changes, unique_index& unique, equality_index& equal,
                      std::string_view self_id);
    static void unindex(const value_map& values, const attribute_owner& owner, unique_index& unique,
                        equality_index& equal, std::string_view self_id);
    // Ids holding `key` in `attr`, from the equality index.
    static const std::vector<std::string>* equal_ids(const equality_index& equal, const attribute& attr,
                                                     const std::string& key);
    value_changes system_values(const attribute_owner& owner, std::string_view record_id, const std::string& now) const;
    object_rows& rows_of(const object_def& object);
    const object_rows* rows_of(const object_def& object) const;
    list_rows& rows_of(const list_def& list);
    const list_rows* rows_of(const list_def& list) const;

    workspace_identity identity_;
    id_generator ids_;
    std::deque<object_def> objects_;
    std::deque<list_def> lists_;
    std::unordered_map<std::string, object_rows> object_rows_;  // by object id
    std::unordered_map<std::string, list_rows> list_rows_;      // by list id
    std::uint64_t next_seq_ = 1;
};

}  // namespace las::attio_emulator
