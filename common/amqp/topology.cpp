#include "amqp/topology.hpp"

#include <algorithm>

#include "amqp/message_codec.hpp"

namespace las::amqp {

std::size_t retry_rung_for_attempt(unsigned retry_number) {
    const std::size_t n = std::max(retry_number, 1u);
    return std::min(n, retry_ladder.size()) - 1;
}

std::chrono::seconds retry_delay_for_attempt(unsigned retry_number) {
    return retry_ladder[retry_rung_for_attempt(retry_number)].delay;
}

pipeline::pipeline(std::string base) : base_(std::move(base)), dlq_(base_ + ".dlq") {
    for (std::size_t i = 0; i < retry_ladder.size(); ++i) {
        retry_queues_[i] = base_ + ".retry." + std::string(retry_ladder[i].suffix);
    }
}

const pipeline& lemlist_events() {
    static const pipeline p{std::string(lemlist_events_name)};
    return p;
}

const pipeline& attio_enrollments() {
    static const pipeline p{std::string(attio_enrollments_name)};
    return p;
}

topology_plan plan_for(const pipeline& p) {
    topology_plan plan;
    plan.exchanges.push_back({p.exchange(), "direct"});
    plan.queues.push_back({p.queue(), queue_kind::quorum, std::nullopt, std::nullopt, std::nullopt});
    for (std::size_t i = 0; i < retry_ladder.size(); ++i) {
        plan.queues.push_back({p.retry_queue(i), queue_kind::classic,
                               std::chrono::duration_cast<std::chrono::milliseconds>(retry_ladder[i].delay),
                               p.exchange(), p.routing_key()});
    }
    plan.queues.push_back({p.dlq(), queue_kind::quorum, std::nullopt, std::nullopt, std::nullopt});
    plan.bindings.push_back({p.queue(), p.exchange(), p.routing_key()});
    return plan;
}

topology_plan contract_topology() {
    topology_plan plan;
    for (const pipeline* p : {&lemlist_events(), &attio_enrollments()}) {
        auto part = plan_for(*p);
        plan.exchanges.insert(plan.exchanges.end(), part.exchanges.begin(), part.exchanges.end());
        plan.queues.insert(plan.queues.end(), part.queues.begin(), part.queues.end());
        plan.bindings.insert(plan.bindings.end(), part.bindings.begin(), part.bindings.end());
    }
    plan.queues.push_back({std::string(sync_requests_name), queue_kind::classic, std::nullopt, std::nullopt, std::nullopt});
    return plan;
}

namespace {

// A 406 on redeclaration means the object exists with other arguments: say so plainly.
status explain(status st, std::string_view kind, const std::string& name) {
    if (!st && st.error().reply_code == reply_precondition_failed) {
        st.error().message = std::string(kind) + " " + name + " exists with other arguments: " + st.error().message;
    }
    return st;
}

status declare_on(connection& conn, amqp_channel_t ch, const topology_plan& plan) {
    amqp_connection_state_t state = conn.native();
    for (const auto& x : plan.exchanges) {
        {
            const auto guard = conn.deadline();
            amqp_exchange_declare(state, ch, as_bytes(x.name), as_bytes(x.type), 0, 1, 0, 0, amqp_empty_table);
        }
        auto st = explain(conn.check_last_rpc(ch, "exchange.declare " + x.name), "exchange", x.name);
        if (!st) return st;
    }
    for (const auto& q : plan.queues) {
        std::vector<amqp_table_entry_t> args;
        if (q.kind == queue_kind::quorum) {
            amqp_table_entry_t e{};
            e.key = amqp_cstring_bytes("x-queue-type");
            e.value.kind = AMQP_FIELD_KIND_UTF8;
            e.value.value.bytes = amqp_cstring_bytes("quorum");
            args.push_back(e);
        }
        if (q.message_ttl) {
            amqp_table_entry_t e{};
            e.key = amqp_cstring_bytes("x-message-ttl");
            e.value.kind = AMQP_FIELD_KIND_I64;
            e.value.value.i64 = q.message_ttl->count();
            args.push_back(e);
        }
        if (q.dead_letter_exchange) {
            amqp_table_entry_t e{};
            e.key = amqp_cstring_bytes("x-dead-letter-exchange");
            e.value.kind = AMQP_FIELD_KIND_UTF8;
            e.value.value.bytes = as_bytes(*q.dead_letter_exchange);
            args.push_back(e);
        }
        if (q.dead_letter_routing_key) {
            amqp_table_entry_t e{};
            e.key = amqp_cstring_bytes("x-dead-letter-routing-key");
            e.value.kind = AMQP_FIELD_KIND_UTF8;
            e.value.value.bytes = as_bytes(*q.dead_letter_routing_key);
            args.push_back(e);
        }
        const amqp_table_t table{static_cast<int>(args.size()), args.data()};
        {
            const auto guard = conn.deadline();
            amqp_queue_declare(state, ch, as_bytes(q.name), 0, 1, 0, 0, table);
        }
        auto st = explain(conn.check_last_rpc(ch, "queue.declare " + q.name), "queue", q.name);
        if (!st) return st;
    }
    for (const auto& b : plan.bindings) {
        {
            const auto guard = conn.deadline();
            amqp_queue_bind(state, ch, as_bytes(b.queue), as_bytes(b.exchange), as_bytes(b.routing_key),
                            amqp_empty_table);
        }
        auto st = conn.check_last_rpc(ch, "queue.bind " + b.queue + " to " + b.exchange);
        if (!st) return st;
    }
    return ok();
}

}  // namespace

status declare(connection& conn, const topology_plan& plan) {
    auto ch = conn.open_channel();
    if (!ch) return fail(ch.error());
    auto st = declare_on(conn, *ch, plan);
    if (conn.native() != nullptr) amqp_maybe_release_buffers(conn.native());
    if (!st) {
        conn.close_channel(*ch);  // already closed by the broker on a channel error: just freed
        return st;
    }
    return conn.close_channel(*ch);
}

status declare_topology(connection& conn) { return declare(conn, contract_topology()); }

}  // namespace las::amqp
