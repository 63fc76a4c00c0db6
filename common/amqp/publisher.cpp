#include "amqp/publisher.hpp"

#include <algorithm>
#include <map>
#include <random>

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "amqp/confirm_tracker.hpp"
#include "amqp/frame_encoder.hpp"
#include "amqp/message_codec.hpp"
#include "core/log.hpp"

namespace las::amqp {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {
constexpr std::string_view reply_to_queue = "amq.rabbitmq.reply-to";
constexpr std::size_t write_batch = 1024;           // publishes written between two reads
constexpr std::size_t write_batch_bytes = 1 << 20;  // ... or this many encoded bytes
constexpr int read_batch = 8192;               // frames read per pass
constexpr auto idle_poll = 100ms;              // longest sleep: deadlines and heartbeats stay serviced
constexpr auto pending_scan_interval = 50ms;   // how often queued-but-unwritten deadlines are checked
}  // namespace

struct publisher::call_registration {
    call_completion done;
};

struct publisher::item {
    publish_request request;
    completion done;
    clock::time_point deadline;
    std::unique_ptr<call_registration> call;
};

// What the tracker keeps per written message.
struct publisher::inflight {
    completion done;      // plain publish
    std::string call_id;  // or: the correlation id of a call()
};

struct publisher::pending_call {
    call_completion done;
    clock::time_point deadline;
    bool confirmed = false;
};

// Owner-thread state for the lifetime of one connection.
class publisher::session {
public:
    session(publisher& owner, connection conn) : p_(owner), conn_(std::move(conn)) {}

    // Runs until the connection dies or the publisher stops; everything outstanding is
    // completed before it returns. Returns why it ended.
    error run() {
        if (auto st = open_channel(); !st) return end(st.error());
        p_.generation_.fetch_add(1, std::memory_order_acq_rel);
        p_.set_state(publisher_state::connected, "");
        log::info("amqp.publisher.connected", {{"broker", describe(conn_.settings())},
                                               {"heartbeat_s", conn_.heartbeat().count()},
                                               {"generation", p_.connection_generation()}});
        for (;;) {
            auto now = clock::now();
            if (p_.stopping_.load(std::memory_order_acquire) && !draining_) {
                draining_ = true;
                drain_deadline_ = now + std::chrono::milliseconds(p_.drain_ms_.load());
            }
            intake();
            expire(now);
            if (draining_) {
                if (pending_.empty() && tracker_.outstanding() == 0 && calls_.empty()) {
                    return end(error{error_scope::connection, 0, 0, "publisher stopped"}, publish_outcome::timed_out);
                }
                if (now >= drain_deadline_) {
                    return end(error{error_scope::connection, 0, 0, "publisher stopped before every confirm arrived"},
                               publish_outcome::timed_out);
                }
            }
            if (auto e = write_some()) return end(*e);
            if (auto e = read_frames(wait_budget(now))) return end(*e);
        }
    }

private:
    // Settles everything outstanding: in flight with `inflight_outcome`, unwritten as
    // rejected_not_connected, calls with what is known.
    error end(error why, publish_outcome inflight_outcome = publish_outcome::connection_lost) {
        // State first: whoever reacts to a connection_lost must already see !connected().
        if (!draining_) p_.set_state(publisher_state::disconnected, why.message);
        tracker_.reset(inflight_outcome, sink());
        while (!pending_.empty()) {
            settle(to_inflight(pending_.front()), publish_outcome::rejected_not_connected);
            pending_.pop_front();
        }
        finish_all_calls();
        return why;
    }

    status open_channel() {
        auto ch = conn_.open_channel();
        if (!ch) return fail(ch.error());
        ch_ = *ch;
        if (auto st = conn_.confirm_select(ch_); !st) return st;
        frame_max_ = static_cast<std::uint32_t>(amqp_get_frame_max(conn_.native()));
        if (p_.options_.direct_reply_to) {
            {
                const auto guard = conn_.deadline();
                amqp_basic_consume(conn_.native(), ch_, as_bytes(reply_to_queue), amqp_empty_bytes, 0, 1, 0,
                                   amqp_empty_table);
            }
            if (auto st = conn_.check_last_rpc(ch_, "basic.consume amq.rabbitmq.reply-to"); !st) return st;
        }
        blocked_ = false;
        return ok();
    }

    struct settle_sink {
        session* self;
        void operator()(inflight&& f, publish_outcome o) const { self->settle(std::move(f), o); }
    };
    settle_sink sink() { return settle_sink{this}; }

    static inflight to_inflight(item& it) {
        return inflight{std::move(it.done), it.call ? it.request.correlation_id.value_or("") : std::string()};
    }

    void settle(inflight&& f, publish_outcome outcome) {
        if (f.call_id.empty()) {
            p_.complete(f.done, outcome);
            return;
        }
        const auto it = calls_.find(f.call_id);
        if (it == calls_.end()) return;  // the reply (or the deadline) came first
        if (outcome == publish_outcome::confirmed) {
            it->second.confirmed = true;
        } else {
            finish_call(it, call_result{outcome, std::nullopt});
        }
    }

    void finish_call(std::map<std::string, pending_call>::iterator it, call_result result) {
        auto done = std::move(it->second.done);
        calls_.erase(it);
        p_.complete_call(done, std::move(result));
    }

    // The reply consumer is gone with the channel: calls end with what is known.
    void finish_all_calls() {
        while (!calls_.empty()) {
            const auto it = calls_.begin();
            const auto outcome = it->second.confirmed ? publish_outcome::confirmed : publish_outcome::connection_lost;
            finish_call(it, call_result{outcome, std::nullopt});
        }
    }

    void intake() {
        auto items = p_.take_queue();
        for (auto& it : items) {
            if (it.call) {
                calls_.emplace(it.request.correlation_id.value_or(""), pending_call{std::move(it.call->done), it.deadline, false});
            }
            pending_.push_back(std::move(it));
        }
    }

    void expire(clock::time_point now) {
        tracker_.expire(now, sink());
        if (now - last_pending_scan_ >= pending_scan_interval) {
            last_pending_scan_ = now;
            for (auto it = pending_.begin(); it != pending_.end();) {
                if (it->deadline <= now) {
                    settle(to_inflight(*it), publish_outcome::timed_out);
                    it = pending_.erase(it);
                } else {
                    ++it;
                }
            }
            for (auto it = calls_.begin(); it != calls_.end();) {
                const auto next = std::next(it);
                if (it->second.deadline <= now) {
                    const auto outcome = it->second.confirmed ? publish_outcome::confirmed : publish_outcome::timed_out;
                    finish_call(it, call_result{outcome, std::nullopt});
                }
                it = next;
            }
        }
    }

    bool can_write() const {
        return !blocked_ && !pending_.empty() && tracker_.outstanding() < p_.options_.max_in_flight;
    }

    std::chrono::milliseconds wait_budget(clock::time_point now) const {
        if (can_write()) return 0ms;
        auto until = now + idle_poll;
        if (const auto d = tracker_.next_deadline()) until = std::min(until, *d);
        if (draining_) until = std::min(until, drain_deadline_);
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::max(until - now, clock::duration::zero()));
    }

    // Encodes a batch of publishes into one buffer and writes it with as few send(2) calls
    // as the socket allows, bounded by io_timeout (0.11's own publish path polls forever).
    // The buffer is always flushed completely before any library call can write (a
    // heartbeat or a close-ok), so frames never interleave.
    std::optional<error> write_some() {
        if (!can_write()) return std::nullopt;
        out_.clear();
        for (std::size_t n = 0; n < write_batch && out_.size() < write_batch_bytes && can_write(); ++n) {
            item& it = pending_.front();
            const int rc = append_publish_frames(out_, ch_, frame_max_, it.request, scratch_);
            if (rc != AMQP_STATUS_OK) {
                log::warn("amqp.publish.invalid", {{"message_id", it.request.message_id},
                                                   {"error", library_error_text(rc)}});
                settle(to_inflight(it), publish_outcome::rejected_invalid);
                pending_.pop_front();
                continue;
            }
            return_key key{std::move(it.request.exchange), std::move(it.request.routing_key),
                           std::move(it.request.message_id)};
            tracker_.on_publish(to_inflight(it), std::move(key), it.deadline);
            pending_.pop_front();
        }
        return flush();
    }

    std::optional<error> flush() {
        const int fd = conn_.fd();
        const auto deadline = clock::now() + conn_.settings().io_timeout;
        std::size_t off = 0;
        while (off < out_.size()) {
            const ssize_t k = ::send(fd, out_.data() + off, out_.size() - off, MSG_NOSIGNAL);
            if (k > 0) {
                off += static_cast<std::size_t>(k);
                continue;
            }
            if (k < 0 && errno == EINTR) continue;
            if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                // Broker flow control or a full socket buffer: wait, but not forever.
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
                if (left <= 0ms) {
                    return conn_.fail_connection(AMQP_STATUS_TIMEOUT,
                                                 "basic.publish: the broker stopped reading (io deadline passed)");
                }
                pollfd pfd{fd, POLLOUT, 0};
                ::poll(&pfd, 1, static_cast<int>(std::min<std::chrono::milliseconds::rep>(left.count(), 1000)));
                continue;
            }
            return conn_.fail_connection(AMQP_STATUS_SOCKET_ERROR,
                                         std::string("basic.publish: send: ") + std::strerror(errno));
        }
        return std::nullopt;
    }

    std::optional<error> read_frames(std::chrono::milliseconds budget) {
        amqp_connection_state_t state = conn_.native();
        if (!amqp_frames_enqueued(state) && !amqp_data_in_buffer(state)) {
            if (wait_for(conn_.fd(), p_.wake_, budget).woken) p_.wake_.drain();
        }
        const auto guard = conn_.deadline();
        timeval zero{0, 0};
        for (int i = 0; i < read_batch; ++i) {
            amqp_frame_t frame;
            const int rc = amqp_simple_wait_frame_noblock(state, &frame, &zero);
            if (rc == AMQP_STATUS_TIMEOUT) break;
            if (rc != AMQP_STATUS_OK) return conn_.fail_connection(rc, "publisher read");
            if (auto e = handle_frame(frame)) return e;
        }
        amqp_maybe_release_buffers(state);
        return std::nullopt;
    }

    std::optional<error> handle_frame(const amqp_frame_t& frame) {
        if (frame.frame_type != AMQP_FRAME_METHOD) return std::nullopt;  // stray content frame
        const amqp_method_t& m = frame.payload.method;
        if (frame.channel == 0) {
            switch (m.id) {
                case AMQP_CONNECTION_CLOSE_METHOD:
                    return conn_.on_connection_close(*static_cast<const amqp_connection_close_t*>(m.decoded), "publisher");
                case AMQP_CONNECTION_BLOCKED_METHOD: {
                    const auto reason = to_string(static_cast<const amqp_connection_blocked_t*>(m.decoded)->reason);
                    blocked_ = true;
                    log::warn("amqp.publisher.blocked", {{"reason", reason}});
                    p_.set_state(publisher_state::blocked, "broker blocked publishing: " + reason);
                    return std::nullopt;
                }
                case AMQP_CONNECTION_UNBLOCKED_METHOD:
                    blocked_ = false;
                    log::info("amqp.publisher.unblocked");
                    p_.set_state(publisher_state::connected, "");
                    return std::nullopt;
                default: return std::nullopt;
            }
        }
        if (frame.channel != ch_) return std::nullopt;  // leftovers of a closed channel
        switch (m.id) {
            case AMQP_BASIC_ACK_METHOD: {
                const auto* ack = static_cast<const amqp_basic_ack_t*>(m.decoded);
                tracker_.on_ack(ack->delivery_tag, ack->multiple != 0, sink());
                return std::nullopt;
            }
            case AMQP_BASIC_NACK_METHOD: {
                const auto* nack = static_cast<const amqp_basic_nack_t*>(m.decoded);
                tracker_.on_nack(nack->delivery_tag, nack->multiple != 0, sink());
                return std::nullopt;
            }
            case AMQP_BASIC_RETURN_METHOD: return on_return(*static_cast<const amqp_basic_return_t*>(m.decoded));
            case AMQP_BASIC_DELIVER_METHOD: return on_reply();
            case AMQP_BASIC_CANCEL_METHOD:
                // Only the reply consumer can be cancelled: rebuild the channel to restore it.
                return on_channel_lost(error{error_scope::channel, 0, 0, "reply-to consumer cancelled by the broker"});
            case AMQP_CHANNEL_CLOSE_METHOD:
                return on_channel_lost(
                    conn_.on_channel_close(ch_, *static_cast<const amqp_channel_close_t*>(m.decoded), "publish"));
            default: return std::nullopt;
        }
    }

    // basic.return is followed by the returned message's header and body; the ack comes later.
    std::optional<error> on_return(const amqp_basic_return_t& ret) {
        return_key key{to_string(ret.exchange), to_string(ret.routing_key), {}};
        const int reply_code = ret.reply_code;
        const std::string text = to_string(ret.reply_text);
        amqp_message_t message;
        const auto reply = amqp_read_message(conn_.native(), ch_, &message, 0);
        if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
            auto st = conn_.check(reply, ch_, "read basic.return");
            if (st) return conn_.fail_connection(AMQP_STATUS_UNEXPECTED_STATE, "read basic.return");
            return st.error().connection_dead() ? std::optional<error>(st.error()) : on_channel_lost(st.error());
        }
        if (message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) key.message_id = to_string(message.properties.message_id);
        amqp_destroy_message(&message);
        const bool matched = tracker_.on_return(key);
        log::warn("amqp.publish.returned", {{"exchange", key.exchange},
                                            {"routing_key", key.routing_key},
                                            {"message_id", key.message_id},
                                            {"reply_code", reply_code},
                                            {"reply_text", text},
                                            {"matched", matched}});
        return std::nullopt;
    }

    // A direct reply-to answer.
    std::optional<error> on_reply() {
        amqp_message_t message;
        const auto reply = amqp_read_message(conn_.native(), ch_, &message, 0);
        if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
            auto st = conn_.check(reply, ch_, "read reply");
            if (st) return conn_.fail_connection(AMQP_STATUS_UNEXPECTED_STATE, "read reply");
            return st.error().connection_dead() ? std::optional<error>(st.error()) : on_channel_lost(st.error());
        }
        delivery d;
        decode_properties(message.properties, d);
        d.body = to_string(message.body);
        amqp_destroy_message(&message);
        const auto it = calls_.find(d.correlation_id);
        if (it == calls_.end()) {
            log::debug("amqp.reply.unmatched", {{"correlation_id", d.correlation_id}});
            return std::nullopt;
        }
        finish_call(it, call_result{publish_outcome::confirmed, std::move(d)});
        return std::nullopt;
    }

    // The broker closed our channel (or cancelled the reply consumer): everything in
    // flight has an unknown fate; reopen and carry on with the same connection.
    std::optional<error> on_channel_lost(const error& why) {
        log::warn("amqp.publisher.channel_closed", {{"reason", why.message}, {"in_flight", tracker_.outstanding()}});
        tracker_.reset(publish_outcome::channel_closed, sink());
        finish_all_calls();
        if (conn_.channel_open(ch_)) conn_.close_channel(ch_);
        if (auto st = open_channel(); !st) return st.error();
        return std::nullopt;
    }

    publisher& p_;
    connection conn_;
    amqp_channel_t ch_ = 0;
    confirm_tracker<inflight> tracker_;
    std::deque<item> pending_;  // accepted, not yet written
    std::map<std::string, pending_call> calls_;
    std::vector<amqp_table_entry_t> scratch_;
    std::string out_;  // encoded frames of the batch being written
    std::uint32_t frame_max_ = 131072;
    bool blocked_ = false;
    bool draining_ = false;
    clock::time_point drain_deadline_{};
    clock::time_point last_pending_scan_{};
};

publisher::publisher(connection_settings settings, publisher_options options)
    : settings_(std::move(settings)), options_(std::move(options)) {
    std::random_device rd;
    const std::uint64_t r = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx.", static_cast<unsigned long long>(r));
    correlation_prefix_ = buf;
    thread_ = std::thread([this] { run(); });
}

publisher::~publisher() { stop(); }

void publisher::publish(publish_request request, completion done) {
    publish(std::move(request), options_.confirm_timeout, std::move(done));
}

void publisher::publish(publish_request request, std::chrono::milliseconds confirm_timeout, completion done) {
    enqueue(item{std::move(request), std::move(done), clock::now() + confirm_timeout, nullptr});
}

void publisher::call(publish_request request, std::chrono::milliseconds timeout, call_completion done) {
    if (!options_.direct_reply_to) {
        outstanding_.fetch_add(1, std::memory_order_acq_rel);
        complete_call(done, call_result{publish_outcome::rejected_not_connected, std::nullopt});
        return;
    }
    request.reply_to = std::string(reply_to_queue);
    request.correlation_id = correlation_prefix_ + std::to_string(next_correlation_.fetch_add(1) + 1);
    enqueue(item{std::move(request), {}, clock::now() + timeout,
                 std::make_unique<call_registration>(call_registration{std::move(done)})});
}

void publisher::enqueue(item&& it) {
    const auto accepted = outstanding_.fetch_add(1, std::memory_order_acq_rel);
    const auto reject = [&](publish_outcome outcome) {
        if (it.call) {
            complete_call(it.call->done, call_result{outcome, std::nullopt});
        } else {
            complete(it.done, outcome);
        }
    };
    bool was_empty = false;
    std::optional<publish_outcome> rejection;
    {
        // Checked under the lock that set_state() and the final take_queue() use, so an
        // item is either rejected here or seen by the owner thread: never stranded.
        std::lock_guard lock(mutex_);
        if (stopping_.load(std::memory_order_acquire) || state() != publisher_state::connected) {
            rejection = publish_outcome::rejected_not_connected;
        } else if (accepted >= options_.max_in_flight + options_.max_queued) {
            rejection = publish_outcome::rejected_overloaded;
        } else {
            was_empty = queue_.empty();
            queue_.push_back(std::move(it));
        }
    }
    if (rejection) return reject(*rejection);
    // One wake-up per batch: the owner drains the eventfd before it takes the queue.
    if (was_empty) wake_.notify();
}

std::vector<publisher::item> publisher::take_queue() {
    std::vector<item> out;
    std::lock_guard lock(mutex_);
    out.swap(queue_);
    return out;
}

void publisher::reject_all_queued() {
    for (auto& it : take_queue()) {
        if (it.call) {
            complete_call(it.call->done, call_result{publish_outcome::rejected_not_connected, std::nullopt});
        } else {
            complete(it.done, publish_outcome::rejected_not_connected);
        }
    }
}

void publisher::complete(completion& done, publish_outcome outcome) noexcept {
    outstanding_.fetch_sub(1, std::memory_order_acq_rel);
    if (!done) return;
    try {
        done(outcome);
    } catch (const std::exception& e) {
        log::error("amqp.publisher.completion_threw", {{"error", e.what()}});
    } catch (...) {
        log::error("amqp.publisher.completion_threw");
    }
}

void publisher::complete_call(call_completion& done, call_result result) noexcept {
    outstanding_.fetch_sub(1, std::memory_order_acq_rel);
    if (!done) return;
    try {
        done(std::move(result));
    } catch (const std::exception& e) {
        log::error("amqp.publisher.completion_threw", {{"error", e.what()}});
    } catch (...) {
        log::error("amqp.publisher.completion_threw");
    }
}

void publisher::set_state(publisher_state s, std::string_view reason) {
    publisher_state previous;
    {
        std::lock_guard lock(mutex_);
        previous = state_.exchange(s, std::memory_order_acq_rel);
    }
    state_cv_.notify_all();
    if (previous == s || !options_.on_state_change) return;
    try {
        options_.on_state_change(s, reason);
    } catch (const std::exception& e) {
        log::error("amqp.publisher.state_callback_threw", {{"error", e.what()}});
    } catch (...) {
        log::error("amqp.publisher.state_callback_threw");
    }
}

bool publisher::wait_connected(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return state_cv_.wait_for(lock, timeout, [this] { return state() == publisher_state::connected; });
}

void publisher::stop(std::chrono::milliseconds drain) {
    std::lock_guard lock(stop_mutex_);
    if (!thread_.joinable()) return;
    drain_ms_.store(drain.count());
    stopping_.store(true, std::memory_order_release);
    wake_.notify();
    thread_.join();
}

void publisher::run() {
    las::backoff pacing(options_.reconnect);
    try {
        while (!stopping_.load(std::memory_order_acquire)) {
            auto conn = connection::open(settings_, options_.connection_name);
            if (conn && options_.on_connect) {
                if (auto st = options_.on_connect(*conn); !st) conn = fail(st.error());
            }
            std::string reason;
            if (conn) {
                pacing.reset();
                session s(*this, std::move(*conn));
                reason = s.run().message;
                if (stopping_.load(std::memory_order_acquire)) break;
                log::warn("amqp.publisher.disconnected", {{"reason", reason}});
            } else {
                reason = conn.error().message;
                log::warn("amqp.publisher.connect_failed",
                          {{"broker", describe(settings_)}, {"error", reason}, {"attempt", pacing.attempts() + 1}});
            }
            set_state(publisher_state::disconnected, reason);
            reject_all_queued();
            // Back off, staying responsive: late publishes are rejected, stop() is prompt.
            const auto until = clock::now() + pacing.next();
            while (!stopping_.load(std::memory_order_acquire) && clock::now() < until) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now());
                if (wait_for(-1, wake_, std::max(left, 1ms)).woken) wake_.drain();
                reject_all_queued();
            }
        }
    } catch (const std::exception& e) {
        log::error("amqp.publisher.crashed", {{"error", e.what()}});
    }
    set_state(publisher_state::stopped, "stopped");
    reject_all_queued();
}

}  // namespace las::amqp
