#include "amqp/sync_channel.hpp"

#include "amqp/message_codec.hpp"

namespace las::amqp {

using clock = std::chrono::steady_clock;

result<sync_channel, error> sync_channel::open(const connection_settings& settings, std::string_view connection_name) {
    auto conn = connection::open(settings, connection_name);
    if (!conn) return fail(conn.error());
    sync_channel channel(std::move(*conn));
    if (auto st = channel.ensure_channel(); !st) return fail(st.error());
    return channel;
}

status sync_channel::ensure_channel() {
    if (conn_.channel_open(ch_)) return ok();
    if (!conn_.alive()) {
        return fail(error{error_scope::connection, 0, AMQP_STATUS_CONNECTION_CLOSED,
                          "connection lost: " + conn_.last_error().message});
    }
    auto ch = conn_.open_channel();
    if (!ch) return fail(ch.error());
    ch_ = *ch;
    ++generation_;
    tracker_.reset(publish_outcome::channel_closed, [](int, publish_outcome) {});
    return conn_.confirm_select(ch_);
}

result<std::optional<delivery>, error> sync_channel::get(std::string_view queue) {
    if (auto st = ensure_channel(); !st) return fail(st.error());
    amqp_rpc_reply_t reply;
    {
        const auto guard = conn_.deadline();
        reply = amqp_basic_get(conn_.native(), ch_, as_bytes(queue), 0);
    }
    if (auto st = conn_.check(reply, ch_, "basic.get " + std::string(queue)); !st) return fail(st.error());
    if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) return std::optional<delivery>();
    const auto* get_ok = static_cast<const amqp_basic_get_ok_t*>(reply.reply.decoded);
    delivery d;
    d.delivery_tag = get_ok->delivery_tag;
    d.redelivered = get_ok->redelivered != 0;
    d.exchange = to_string(get_ok->exchange);
    d.routing_key = to_string(get_ok->routing_key);
    d.message_count = get_ok->message_count;
    d.generation = generation_;
    amqp_message_t message;
    {
        const auto guard = conn_.deadline();
        const auto read = amqp_read_message(conn_.native(), ch_, &message, 0);
        if (auto st = conn_.check(read, ch_, "read basic.get message"); !st) return fail(st.error());
    }
    decode_properties(message.properties, d);
    d.body = to_string(message.body);
    amqp_destroy_message(&message);
    amqp_maybe_release_buffers(conn_.native());
    return std::optional<delivery>(std::move(d));
}

status sync_channel::ack(const delivery& d) {
    if (d.generation != generation_ || !conn_.channel_open(ch_)) {
        return fail(error{error_scope::channel, 0, 0, "ack: the channel that got this message is gone (it was requeued)"});
    }
    const int rc = amqp_basic_ack(conn_.native(), ch_, d.delivery_tag, 0);
    if (rc != AMQP_STATUS_OK) return fail(conn_.fail_connection(rc, "basic.ack"));
    return ok();
}

status sync_channel::reject(const delivery& d, bool requeue) {
    if (d.generation != generation_ || !conn_.channel_open(ch_)) {
        return fail(error{error_scope::channel, 0, 0, "reject: the channel that got this message is gone (it was requeued)"});
    }
    const int rc = amqp_basic_reject(conn_.native(), ch_, d.delivery_tag, requeue ? 1 : 0);
    if (rc != AMQP_STATUS_OK) return fail(conn_.fail_connection(rc, "basic.reject"));
    return ok();
}

status sync_channel::requeue_unacked() {
    if (conn_.channel_open(ch_)) {
        if (auto st = conn_.close_channel(ch_); !st && st.error().connection_dead()) return st;
    }
    return ensure_channel();
}

publish_outcome sync_channel::publish_confirmed(const publish_request& request, std::chrono::milliseconds timeout) {
    if (!ensure_channel()) return conn_.alive() ? publish_outcome::channel_closed : publish_outcome::rejected_not_connected;
    const auto deadline = clock::now() + timeout;
    std::optional<publish_outcome> outcome;
    const auto sink = [&](int, publish_outcome o) { outcome = o; };
    int rc;
    {
        const auto guard = conn_.deadline();
        rc = publish_raw(conn_.native(), ch_, request, scratch_);
    }
    if (rc != AMQP_STATUS_OK) {
        conn_.fail_connection(rc, "basic.publish");
        return publish_outcome::connection_lost;
    }
    const auto tag = tracker_.on_publish(0, return_key{request.exchange, request.routing_key, request.message_id}, deadline);
    amqp_connection_state_t state = conn_.native();
    while (!outcome) {
        const auto left = deadline - clock::now();
        if (left <= clock::duration::zero()) {
            tracker_.expire(clock::now(), sink);
            break;
        }
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(left).count();
        timeval tv{static_cast<decltype(tv.tv_sec)>(us / 1000000), static_cast<decltype(tv.tv_usec)>(us % 1000000)};
        amqp_frame_t frame;
        int wait_rc;
        {
            const auto guard = conn_.deadline();
            wait_rc = amqp_simple_wait_frame_noblock(state, &frame, &tv);
        }
        if (wait_rc == AMQP_STATUS_TIMEOUT) continue;
        if (wait_rc != AMQP_STATUS_OK) {
            conn_.fail_connection(wait_rc, "wait for confirm");
            tracker_.reset(publish_outcome::connection_lost, sink);
            break;
        }
        if (frame.frame_type != AMQP_FRAME_METHOD) continue;
        const amqp_method_t& m = frame.payload.method;
        if (frame.channel == 0 && m.id == AMQP_CONNECTION_CLOSE_METHOD) {
            conn_.on_connection_close(*static_cast<const amqp_connection_close_t*>(m.decoded), "publish");
            tracker_.reset(publish_outcome::connection_lost, sink);
        } else if (frame.channel != ch_) {
            continue;
        } else if (m.id == AMQP_BASIC_ACK_METHOD) {
            const auto* a = static_cast<const amqp_basic_ack_t*>(m.decoded);
            tracker_.on_ack(a->delivery_tag, a->multiple != 0, sink);
        } else if (m.id == AMQP_BASIC_NACK_METHOD) {
            const auto* n = static_cast<const amqp_basic_nack_t*>(m.decoded);
            tracker_.on_nack(n->delivery_tag, n->multiple != 0, sink);
        } else if (m.id == AMQP_BASIC_RETURN_METHOD) {
            const auto* r = static_cast<const amqp_basic_return_t*>(m.decoded);
            return_key key{to_string(r->exchange), to_string(r->routing_key), {}};
            amqp_message_t message;
            const auto read = amqp_read_message(state, ch_, &message, 0);
            if (read.reply_type != AMQP_RESPONSE_NORMAL) {
                conn_.check(read, ch_, "read basic.return");
                tracker_.reset(conn_.alive() ? publish_outcome::channel_closed : publish_outcome::connection_lost, sink);
                break;
            }
            if (message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) key.message_id = to_string(message.properties.message_id);
            amqp_destroy_message(&message);
            tracker_.on_return(key);
        } else if (m.id == AMQP_CHANNEL_CLOSE_METHOD) {
            conn_.on_channel_close(ch_, *static_cast<const amqp_channel_close_t*>(m.decoded), "publish");
            tracker_.reset(publish_outcome::channel_closed, sink);
        }
    }
    (void)tag;
    amqp_maybe_release_buffers(state);
    return outcome.value_or(publish_outcome::timed_out);
}

result<std::uint32_t, error> sync_channel::queue_depth(std::string_view queue) {
    if (auto st = ensure_channel(); !st) return fail(st.error());
    amqp_queue_declare_ok_t* declared = nullptr;
    {
        const auto guard = conn_.deadline();
        declared = amqp_queue_declare(conn_.native(), ch_, as_bytes(queue), 1, 0, 0, 0, amqp_empty_table);
    }
    if (auto st = conn_.check_last_rpc(ch_, "queue.declare (passive) " + std::string(queue)); !st) return fail(st.error());
    return declared->message_count;
}

result<std::uint32_t, error> sync_channel::purge(std::string_view queue) {
    if (auto st = ensure_channel(); !st) return fail(st.error());
    amqp_queue_purge_ok_t* purged = nullptr;
    {
        const auto guard = conn_.deadline();
        purged = amqp_queue_purge(conn_.native(), ch_, as_bytes(queue));
    }
    if (auto st = conn_.check_last_rpc(ch_, "queue.purge " + std::string(queue)); !st) return fail(st.error());
    return purged->message_count;
}

status sync_channel::delete_queue(std::string_view queue) {
    if (auto st = ensure_channel(); !st) return st;
    {
        const auto guard = conn_.deadline();
        amqp_queue_delete(conn_.native(), ch_, as_bytes(queue), 0, 0);
    }
    return conn_.check_last_rpc(ch_, "queue.delete " + std::string(queue));
}

status sync_channel::delete_exchange(std::string_view exchange) {
    if (auto st = ensure_channel(); !st) return st;
    {
        const auto guard = conn_.deadline();
        amqp_exchange_delete(conn_.native(), ch_, as_bytes(exchange), 0);
    }
    return conn_.check_last_rpc(ch_, "exchange.delete " + std::string(exchange));
}

}  // namespace las::amqp
