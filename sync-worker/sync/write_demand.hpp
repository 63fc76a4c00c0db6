#pragma once
// How many events the worker is processing right now, each with its entry still to write:
// the flusher reads it to share Attio's write budget fairly (person_flusher.hpp). Entries
// are the contract's one write per event; while the worker holds a backlog's worth of them
// (`backlog_at`: the daemon uses half its prefetch window), Person flushes take only their
// share and timestamp-only changes wait for spare budget. Below that, the budget has room
// for both and flushes go as soon as they are due. Lives on the worker's I/O thread, like
// its callers.

#include <cstddef>

namespace las::sync {

class write_demand {
public:
    explicit write_demand(std::size_t backlog_at = 1) : backlog_at_(backlog_at == 0 ? 1 : backlog_at) {}

    // Held while one event is processed.
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

    hold event_in_hand() { return hold(*this); }
    bool contended() const { return waiting_ >= backlog_at_; }
    std::size_t waiting() const { return waiting_; }

private:
    std::size_t backlog_at_;
    std::size_t waiting_ = 0;
};

}  // namespace las::sync
