#pragma once
// Bounded, expiring cache of Person matches (identity → Attio record id) that spares Attio
// reads for leads seen recently. Least recently used entries go first when full; entries
// older than the TTL are misses (a Person merged or deleted in Attio heals within a TTL).
// Thread-safe; the clock is injected so tests expire entries without sleeping.

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace las::sync {

class match_cache {
public:
    using clock_fn = std::function<std::chrono::steady_clock::time_point()>;

    match_cache(std::size_t capacity, std::chrono::steady_clock::duration ttl,
                clock_fn now = [] { return std::chrono::steady_clock::now(); });

    std::optional<std::string> get(const std::string& identity);
    void put(const std::string& identity, std::string record_id);
    // A write found the record gone (404): forget every identity pointing at it.
    void forget_record(const std::string& record_id);
    std::size_t size() const;

private:
    struct slot {
        std::string identity;
        std::string record_id;
        std::chrono::steady_clock::time_point stored;
    };
    mutable std::mutex mutex_;
    std::size_t capacity_;
    std::chrono::steady_clock::duration ttl_;
    clock_fn now_;
    std::list<slot> order_;  // most recently used first
    std::unordered_map<std::string, std::list<slot>::iterator> index_;
};

// Cache keys: one per identity kind, so an email and a LinkedIn URL never collide.
inline std::string email_identity(std::string_view email) { return "e:" + std::string(email); }
inline std::string linkedin_identity(std::string_view url) { return "l:" + std::string(url); }

}  // namespace las::sync
