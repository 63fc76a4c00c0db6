#pragma once
// How many entry writes are waiting for Attio's write budget right now: the flusher reads it
// to share the budget fairly (person_flusher.hpp). Entries are the contract's one write per
// event; while they wait, Person flushes take only their share, and timestamp-only changes
// wait for spare budget. Lives on the worker's I/O thread, like its callers.

#include <cstddef>

namespace las::sync {

class write_demand {
public:
    // Held across one entry write.
    class hold {
    public:
        explicit hold(write_demand& d) : d_(&d) { ++d_->waiting_; }
        hold(hold&& o) noexcept : d_(o.d_) { o.d_ = nullptr; }
        hold(const hold&) = delete;
        hold& operator=(const hold&) = delete;
        hold& operator=(hold&&) = delete;
        ~hold() {
            if (d_ != nullptr) --d_->waiting_;
        }

    private:
        write_demand* d_;
    };

    hold entry_write() { return hold(*this); }
    bool contended() const { return waiting_ > 0; }
    std::size_t waiting() const { return waiting_; }

private:
    std::size_t waiting_ = 0;
};

}  // namespace las::sync
