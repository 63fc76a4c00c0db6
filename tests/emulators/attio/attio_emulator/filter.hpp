#pragma once
// The `filter` and `sorts` of the query endpoints (reference §2.2): the shorthand form
// (`{"email_addresses": "a@b.com"}`, equality, keys ANDed), the verbose form (operators
// `$eq $in $contains $starts_with $ends_with $lt $lte $gt $gte $not_empty`, per-field
// conditions such as `{"email_addresses": {"email_domain": {"$eq": …}}}`), the logical
// `$and $or $not`, and path filters through record references and a list entry's
// `parent_record`. A filter is compiled once per query (errors become 400 `filter_error`)
// and then evaluated against each candidate.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <rapidjson/document.h>

#include "attio_emulator/api_error.hpp"
#include "attio_emulator/schema.hpp"
#include "attio_emulator/values.hpp"
#include "core/result.hpp"

namespace las::attio_emulator {

// What evaluating a path filter needs from the store.
class filter_env {
public:
    virtual ~filter_env() = default;
    virtual const object_def* object_by_slug_or_id(std::string_view slug_or_id) const = 0;
    virtual const value_map* record_values(const object_def& object, std::string_view record_id) const = 0;
};

// The collection a filter runs over: an object's records, or a list's entries (which also
// have `parent_record`, a record reference to the entry's parent).
struct filter_scope {
    const attribute_owner& owner;
    const object_def* list_parent = nullptr;  // set for lists
};

// A record or an entry, as a filter sees it.
struct filter_subject {
    const value_map& values;
    const std::string* parent_record_id = nullptr;  // entries only
};

class compiled_filter {
public:
    struct node;
    compiled_filter();
    ~compiled_filter();
    compiled_filter(compiled_filter&&) noexcept;
    compiled_filter& operator=(compiled_filter&&) noexcept;

    // Compiles `filter` (an object; an empty object matches everything).
    static result<compiled_filter, api_error> compile(const rapidjson::Value& filter, const filter_scope& scope,
                                                      const filter_env& env);

    bool matches(const filter_subject& subject, const filter_env& env) const;

    // When the whole filter is one equality ($eq or $in) on the identity of a text, email,
    // domain or phone attribute (the "find person by email" and "find entry by activity id"
    // queries), the attribute and the value keys (as value_key() forms them) to look up.
    struct equality_lookup {
        const attribute* attr = nullptr;
        std::vector<std::string> keys;
    };
    std::optional<equality_lookup> as_equality_lookup() const;

private:
    std::unique_ptr<node> root_;
    const object_def* list_parent_ = nullptr;
};

class compiled_sorts {
public:
    struct key;
    compiled_sorts();
    ~compiled_sorts();
    compiled_sorts(compiled_sorts&&) noexcept;
    compiled_sorts& operator=(compiled_sorts&&) noexcept;

    // Sorts by attribute (`{"direction","attribute","field"}`); path sorts are refused with a
    // 400 that says the emulator does not support them.
    static result<compiled_sorts, api_error> compile(const rapidjson::Value& sorts, const attribute_owner& owner);

    bool empty() const;
    // Strict weak order on value maps: true when `a` sorts before `b`.
    bool less(const value_map& a, const value_map& b) const;

private:
    std::vector<key> keys_;
};

}  // namespace las::attio_emulator
