#pragma once
// Publisher-confirm bookkeeping for one channel, without any I/O (unit-tested on its own).
//
// Facts it encodes (reference/rabbitmq-c-0.11.md):
//  - delivery tags are the channel's publish sequence numbers, starting at 1 after
//    confirm.select on every new channel (reset() starts over);
//  - basic.ack / basic.nack with `multiple` settle every outstanding tag <= tag;
//  - basic.return carries no delivery tag, and the broker still acks the returned message
//    afterwards: the return marks the entry, and the following ack settles it as
//    `returned`, not `confirmed`. A return is matched to the oldest unreturned entry with
//    the same exchange, routing key and message_id (messages that share all three route
//    identically, so which of them is marked does not change any outcome);
//  - a tag may be settled early by its deadline (`timed_out`); a later ack for it is ignored.
//
// Settled entries are handed to a sink `void(Payload&&, publish_outcome)`.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "amqp/publish_outcome.hpp"

namespace las::amqp {

struct return_key {
    std::string exchange;
    std::string routing_key;
    std::string message_id;

    bool operator==(const return_key&) const = default;
};

template <class Payload>
class confirm_tracker {
public:
    using clock = std::chrono::steady_clock;

    // Records the publish just written on the channel; returns its delivery tag.
    std::uint64_t on_publish(Payload payload, return_key key, clock::time_point deadline) {
        const std::uint64_t tag = next_tag_++;
        entries_.emplace(tag, entry{std::move(payload), std::move(key), deadline, false});
        deadlines_.emplace(deadline, tag);
        return tag;
    }

    // basic.ack. Returns how many entries it settled (0 for an unknown or expired tag).
    template <class Sink>
    std::size_t on_ack(std::uint64_t tag, bool multiple, Sink&& sink) {
        return settle(tag, multiple, false, sink);
    }

    // basic.nack: settled as `nacked` (or `returned` if a return came first).
    template <class Sink>
    std::size_t on_nack(std::uint64_t tag, bool multiple, Sink&& sink) {
        return settle(tag, multiple, true, sink);
    }

    // basic.return: marks the oldest matching entry; its ack will settle it as `returned`.
    // False when nothing matches (e.g. it already timed out).
    bool on_return(const return_key& key) {
        for (auto& [tag, e] : entries_) {
            if (!e.returned && e.key == key) {
                e.returned = true;
                return true;
            }
        }
        return false;
    }

    // Settles every entry whose deadline is <= now as `timed_out`.
    template <class Sink>
    std::size_t expire(clock::time_point now, Sink&& sink) {
        std::size_t n = 0;
        while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
            const auto tag = deadlines_.begin()->second;
            deadlines_.erase(deadlines_.begin());
            auto it = entries_.find(tag);
            if (it == entries_.end()) continue;
            auto payload = std::move(it->second.payload);
            entries_.erase(it);
            sink(std::move(payload), publish_outcome::timed_out);
            ++n;
        }
        return n;
    }

    // The channel is gone: settles everything outstanding with `outcome`
    // (connection_lost / channel_closed) and restarts the sequence at 1.
    template <class Sink>
    std::size_t reset(publish_outcome outcome, Sink&& sink) {
        auto entries = std::move(entries_);
        entries_.clear();
        deadlines_.clear();
        next_tag_ = 1;
        for (auto& [tag, e] : entries) sink(std::move(e.payload), outcome);
        return entries.size();
    }

    std::size_t outstanding() const noexcept { return entries_.size(); }
    std::uint64_t next_tag() const noexcept { return next_tag_; }
    std::optional<clock::time_point> next_deadline() const {
        if (deadlines_.empty()) return std::nullopt;
        return deadlines_.begin()->first;
    }

private:
    struct entry {
        Payload payload;
        return_key key;
        clock::time_point deadline;
        bool returned;
    };

    template <class Sink>
    std::size_t settle(std::uint64_t tag, bool multiple, bool nack, Sink& sink) {
        std::size_t n = 0;
        auto finish = [&](typename std::map<std::uint64_t, entry>::iterator it) {
            entry& e = it->second;
            const auto outcome = e.returned ? publish_outcome::returned
                                 : nack     ? publish_outcome::nacked
                                            : publish_outcome::confirmed;
            deadlines_.erase({e.deadline, it->first});
            auto payload = std::move(e.payload);
            entries_.erase(it);
            sink(std::move(payload), outcome);
            ++n;
        };
        if (multiple) {
            while (!entries_.empty() && entries_.begin()->first <= tag) finish(entries_.begin());
        } else if (auto it = entries_.find(tag); it != entries_.end()) {
            finish(it);
        }
        return n;
    }

    std::map<std::uint64_t, entry> entries_;
    std::set<std::pair<clock::time_point, std::uint64_t>> deadlines_;
    std::uint64_t next_tag_ = 1;
};

}  // namespace las::amqp
