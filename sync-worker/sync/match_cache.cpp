#include "sync/match_cache.hpp"

#include <stdexcept>

namespace las::sync {

match_cache::match_cache(std::size_t capacity, std::chrono::steady_clock::duration ttl, clock_fn now)
    : capacity_(capacity), ttl_(ttl), now_(std::move(now)) {
    if (capacity == 0) throw std::invalid_argument("match_cache: capacity must be positive");
}

std::optional<std::string> match_cache::get(const std::string& identity) {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(identity);
    if (it == index_.end()) return std::nullopt;
    if (now_() - it->second->stored >= ttl_) {
        order_.erase(it->second);
        index_.erase(it);
        return std::nullopt;
    }
    order_.splice(order_.begin(), order_, it->second);
    return it->second->record_id;
}

void match_cache::put(const std::string& identity, std::string record_id) {
    std::lock_guard lock(mutex_);
    if (const auto it = index_.find(identity); it != index_.end()) {
        it->second->record_id = std::move(record_id);
        it->second->stored = now_();
        order_.splice(order_.begin(), order_, it->second);
        return;
    }
    order_.push_front({identity, std::move(record_id), now_()});
    index_[identity] = order_.begin();
    if (order_.size() > capacity_) {
        index_.erase(order_.back().identity);
        order_.pop_back();
    }
}

void match_cache::forget_record(const std::string& record_id) {
    std::lock_guard lock(mutex_);
    for (auto it = order_.begin(); it != order_.end();) {
        if (it->record_id == record_id) {
            index_.erase(it->identity);
            it = order_.erase(it);
        } else {
            ++it;
        }
    }
}

std::size_t match_cache::size() const {
    std::lock_guard lock(mutex_);
    return order_.size();
}

}  // namespace las::sync
