#include "amqp/consumer.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "amqp/message_codec.hpp"
#include "core/log.hpp"

namespace las::amqp {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {
constexpr auto idle_poll = 100ms;
constexpr int read_batch = 1024;
}  // namespace

class consumer::session {
public:
    session(consumer& owner, connection conn) : c_(owner), conn_(std::move(conn)) {}

    error run() {
        if (auto st = start(); !st) return st.error();
        generation_ = c_.generation_.fetch_add(1, std::memory_order_acq_rel) + 1;
        c_.unacked_.store(0, std::memory_order_release);
        c_.set_state(consumer_state::consuming, "");
        log::info("amqp.consumer.consuming", {{"queue", c_.options_.queue},
                                              {"prefetch", c_.options_.prefetch},
                                              {"generation", generation_}});
        for (;;) {
            const auto now = clock::now();
            if (auto e = apply_commands()) return *e;
            if (c_.stopping_.load(std::memory_order_acquire) && !cancelled_) {
                if (auto e = cancel()) return *e;
                drain_deadline_ = now + std::chrono::milliseconds(c_.drain_ms_.load());
            }
            if (cancelled_ && (outstanding_.empty() || now >= drain_deadline_)) {
                return error{error_scope::connection, 0, 0, "consumer stopped"};
            }
            if (auto e = read_frames()) return *e;
        }
    }

private:
    status start() {
        auto ch = conn_.open_channel();
        if (!ch) return fail(ch.error());
        ch_ = *ch;
        if (auto st = conn_.qos(ch_, c_.options_.prefetch); !st) return st;
        const auto& queue = c_.options_.queue;
        amqp_basic_consume_ok_t* ok_reply = nullptr;
        {
            const auto guard = conn_.deadline();
            ok_reply = amqp_basic_consume(conn_.native(), ch_, as_bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
        }
        if (auto st = conn_.check_last_rpc(ch_, "basic.consume " + queue); !st) return st;
        if (ok_reply != nullptr) consumer_tag_ = to_string(ok_reply->consumer_tag);
        return ok();
    }

    std::optional<error> apply_commands() {
        auto commands = c_.take_commands();
        if (commands.empty()) return std::nullopt;
        const auto guard = conn_.deadline();
        for (const auto& cmd : commands) {
            if (cmd.target.generation != generation_) {
                // Its channel is gone; the broker already requeued it.
                c_.stale_dropped_.fetch_add(1, std::memory_order_acq_rel);
                log::debug("amqp.consumer.stale_ack_dropped",
                           {{"generation", cmd.target.generation}, {"current", generation_}});
                continue;
            }
            if (outstanding_.erase(cmd.target.delivery_tag) == 0) {
                // Acking a tag twice would make the broker close the channel (406).
                log::warn("amqp.consumer.duplicate_ack_ignored", {{"delivery_tag", cmd.target.delivery_tag}});
                continue;
            }
            c_.unacked_.fetch_sub(1, std::memory_order_acq_rel);
            const int rc = cmd.kind == command_kind::ack
                               ? amqp_basic_ack(conn_.native(), ch_, cmd.target.delivery_tag, 0)
                               : amqp_basic_reject(conn_.native(), ch_, cmd.target.delivery_tag,
                                                   cmd.kind == command_kind::requeue ? 1 : 0);
            if (rc != AMQP_STATUS_OK) return conn_.fail_connection(rc, "basic.ack");
        }
        return std::nullopt;
    }

    std::optional<error> cancel() {
        cancelled_ = true;
        log::info("amqp.consumer.cancelling", {{"queue", c_.options_.queue}, {"unacked", outstanding_.size()}});
        {
            const auto guard = conn_.deadline();
            amqp_basic_cancel(conn_.native(), ch_, as_bytes(consumer_tag_));
        }
        // Deliveries that raced the cancel were queued by the RPC; read_frames requeues them.
        if (auto st = conn_.check_last_rpc(ch_, "basic.cancel"); !st) return st.error();
        return std::nullopt;
    }

    std::optional<error> read_frames() {
        amqp_connection_state_t state = conn_.native();
        if (!amqp_frames_enqueued(state) && !amqp_data_in_buffer(state)) {
            auto budget = idle_poll;
            if (cancelled_) {
                budget = std::min(budget, std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::max(drain_deadline_ - clock::now(), clock::duration::zero())));
            }
            if (wait_for(conn_.fd(), c_.wake_, budget).woken) c_.wake_.drain();
        }
        const auto guard = conn_.deadline();
        timeval zero{0, 0};
        for (int i = 0; i < read_batch; ++i) {
            amqp_frame_t frame;
            const int rc = amqp_simple_wait_frame_noblock(state, &frame, &zero);
            if (rc == AMQP_STATUS_TIMEOUT) break;
            if (rc != AMQP_STATUS_OK) return conn_.fail_connection(rc, "consumer read");
            if (auto e = handle_frame(frame)) return e;
        }
        amqp_maybe_release_buffers(state);
        return std::nullopt;
    }

    std::optional<error> handle_frame(const amqp_frame_t& frame) {
        if (frame.frame_type != AMQP_FRAME_METHOD) return std::nullopt;
        const amqp_method_t& m = frame.payload.method;
        if (frame.channel == 0) {
            if (m.id == AMQP_CONNECTION_CLOSE_METHOD) {
                return conn_.on_connection_close(*static_cast<const amqp_connection_close_t*>(m.decoded), "consumer");
            }
            return std::nullopt;
        }
        if (frame.channel != ch_) return std::nullopt;
        switch (m.id) {
            case AMQP_BASIC_DELIVER_METHOD: return on_deliver(*static_cast<const amqp_basic_deliver_t*>(m.decoded));
            case AMQP_BASIC_CANCEL_METHOD:
                return error{error_scope::channel, 0, 0,
                             "consumer on " + c_.options_.queue + " cancelled by the broker (queue deleted?)"};
            case AMQP_CHANNEL_CLOSE_METHOD:
                return conn_.on_channel_close(ch_, *static_cast<const amqp_channel_close_t*>(m.decoded), "consume");
            default: return std::nullopt;
        }
    }

    std::optional<error> on_deliver(const amqp_basic_deliver_t& deliver) {
        delivery d;
        d.delivery_tag = deliver.delivery_tag;
        d.redelivered = deliver.redelivered != 0;
        d.exchange = to_string(deliver.exchange);
        d.routing_key = to_string(deliver.routing_key);
        d.generation = generation_;
        amqp_message_t message;
        const auto reply = amqp_read_message(conn_.native(), ch_, &message, 0);
        if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
            auto st = conn_.check(reply, ch_, "read delivery");
            return st ? conn_.fail_connection(AMQP_STATUS_UNEXPECTED_STATE, "read delivery") : st.error();
        }
        decode_properties(message.properties, d);
        d.body = to_string(message.body);
        amqp_destroy_message(&message);

        if (cancelled_) {
            // Raced our cancel: give it back now rather than at close.
            const int rc = amqp_basic_reject(conn_.native(), ch_, d.delivery_tag, 1);
            if (rc != AMQP_STATUS_OK) return conn_.fail_connection(rc, "basic.reject");
            return std::nullopt;
        }
        outstanding_.insert(d.delivery_tag);
        c_.unacked_.fetch_add(1, std::memory_order_acq_rel);
        try {
            c_.options_.on_delivery(std::move(d));
        } catch (const std::exception& e) {
            // The delivery stays unacked (redelivered after a reconnect); the handler owns it.
            log::error("amqp.consumer.handler_threw", {{"error", e.what()}});
        }
        return std::nullopt;
    }

    consumer& c_;
    connection conn_;
    amqp_channel_t ch_ = 0;
    std::uint64_t generation_ = 0;
    std::string consumer_tag_;
    std::unordered_set<std::uint64_t> outstanding_;  // handed out, not acked (this generation)
    bool cancelled_ = false;
    clock::time_point drain_deadline_{};
};

consumer::consumer(connection_settings settings, consumer_options options)
    : settings_(std::move(settings)), options_(std::move(options)) {
    if (!options_.on_delivery) throw std::invalid_argument("amqp::consumer needs on_delivery");
    if (options_.queue.empty()) throw std::invalid_argument("amqp::consumer needs a queue");
    thread_ = std::thread([this] { run(); });
}

consumer::~consumer() { stop(); }

void consumer::ack(delivery_ref d) { submit(command{command_kind::ack, d}); }

void consumer::reject(delivery_ref d, bool requeue) {
    submit(command{requeue ? command_kind::requeue : command_kind::reject, d});
}

void consumer::submit(command c) {
    bool was_empty = false;
    {
        std::lock_guard lock(mutex_);
        was_empty = commands_.empty();
        commands_.push_back(c);
    }
    if (was_empty) wake_.notify();
}

std::vector<consumer::command> consumer::take_commands() {
    std::vector<command> out;
    std::lock_guard lock(mutex_);
    out.swap(commands_);
    return out;
}

void consumer::set_state(consumer_state s, std::string_view reason) {
    consumer_state previous;
    {
        std::lock_guard lock(mutex_);
        previous = state_.exchange(s, std::memory_order_acq_rel);
    }
    state_cv_.notify_all();
    if (previous == s || !options_.on_state_change) return;
    try {
        options_.on_state_change(s, reason);
    } catch (const std::exception& e) {
        log::error("amqp.consumer.state_callback_threw", {{"error", e.what()}});
    }
}

bool consumer::wait_consuming(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return state_cv_.wait_for(lock, timeout, [this] { return state() == consumer_state::consuming; });
}

void consumer::stop(std::chrono::milliseconds drain) {
    std::lock_guard lock(stop_mutex_);
    if (!thread_.joinable()) return;
    drain_ms_.store(drain.count());
    stopping_.store(true, std::memory_order_release);
    wake_.notify();
    thread_.join();
}

void consumer::run() {
    las::backoff pacing(options_.reconnect);
    try {
        while (!stopping_.load(std::memory_order_acquire)) {
            auto conn = connection::open(settings_, options_.connection_name);
            if (conn && options_.on_connect) {
                if (auto st = options_.on_connect(*conn); !st) conn = fail(st.error());
            }
            std::string reason;
            if (conn) {
                session s(*this, std::move(*conn));
                const auto started = generation();
                reason = s.run().message;
                if (generation() != started) pacing.reset();  // it did consume: start pacing over
                if (stopping_.load(std::memory_order_acquire)) break;
                log::warn("amqp.consumer.disconnected", {{"queue", options_.queue}, {"reason", reason}});
            } else {
                reason = conn.error().message;
                log::warn("amqp.consumer.connect_failed",
                          {{"broker", describe(settings_)}, {"error", reason}, {"attempt", pacing.attempts() + 1}});
            }
            unacked_.store(0, std::memory_order_release);
            set_state(consumer_state::disconnected, reason);
            const auto until = clock::now() + pacing.next();
            while (!stopping_.load(std::memory_order_acquire) && clock::now() < until) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now());
                if (wait_for(-1, wake_, std::max(left, 1ms)).woken) wake_.drain();
                // Acks that arrive while disconnected belong to a dead generation.
                const auto stale = take_commands();
                stale_dropped_.fetch_add(stale.size(), std::memory_order_acq_rel);
            }
        }
    } catch (const std::exception& e) {
        log::error("amqp.consumer.crashed", {{"error", e.what()}});
    }
    unacked_.store(0, std::memory_order_release);
    set_state(consumer_state::stopped, "stopped");
}

}  // namespace las::amqp
