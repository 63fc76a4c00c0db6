#include "tools/dlq.hpp"

#include <algorithm>
#include <iostream>
#include <map>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "amqp/sync_channel.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "tools/time_arg.hpp"

namespace las::tools {
namespace {

using clock = std::chrono::steady_clock;

// Progress for long runs: at most every 2 s (and never for a handful of messages).
constexpr auto progress_every = std::chrono::seconds(2);

std::string one_line(std::string_view s, std::size_t max) {
    std::string out;
    out.reserve(std::min(s.size(), max));
    for (char c : s) {
        if (out.size() >= max) {
            out += "…";
            break;
        }
        out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    return out;
}

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

std::string header_text(const amqp::header_value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return std::to_string(std::get<std::int64_t>(v));
}

// Opens the channel and checks the DLQ is there; the error is one line saying what is not usable.
result<amqp::sync_channel, std::string> open_dlq_channel(const dlq_context& ctx, std::uint32_t* depth = nullptr) {
    auto ch = amqp::sync_channel::open(ctx.broker, "sync-worker-dlq");
    if (!ch) return fail("cannot connect to RabbitMQ (" + amqp::describe(ctx.broker) + "): " + ch.error().message);
    auto ready = ch->queue_depth(ctx.pipeline->dlq());
    if (!ready) {
        return fail("queue " + std::string(ctx.pipeline->dlq()) + " is not usable: " + ready.error().message +
                    " (the worker and the gateway declare it when they start)");
    }
    if (depth) *depth = *ready;
    return std::move(*ch);
}

// As open_dlq_channel, printing the problem.
std::optional<amqp::sync_channel> open_dlq(const dlq_context& ctx, std::uint32_t* depth = nullptr) {
    auto ch = open_dlq_channel(ctx, depth);
    if (!ch) {
        std::cerr << "sync-worker: " << ch.error() << "\n";
        return std::nullopt;
    }
    return std::move(*ch);
}

// Gives back everything held; a failure here is harmless (closing the connection, which the
// destructor does, requeues them too) but worth a line.
void give_back(amqp::sync_channel& ch) {
    if (auto st = ch.requeue_unacked(); !st)
        log::warn("dlq.requeue_failed", {{"error", st.error().message}, {"note", "the broker requeues on close"}});
}

}  // namespace

result<const amqp::pipeline*, std::string> dlq_pipeline(std::string_view name) {
    if (name == "events") return &amqp::lemlist_events();
    if (name == "enrollments") return &amqp::attio_enrollments();
    return fail("--queue must be events or enrollments, got \"" + std::string(name) + "\"");
}

dead_letter_row describe_dead_letter(const amqp::delivery& d) {
    dead_letter_row row;
    row.message_id = d.message_id.empty() ? std::string("(no id)") : d.message_id;
    row.type = "?";
    if (auto doc = json::parse(d.body); doc && doc->IsObject()) {
        if (auto type = json::get_nonempty_string(*doc, "type")) row.type = std::string(*type);
        else if (json::find(*doc, "job_id")) row.type = "job";
        else if (json::find(*doc, "events")) row.type = "attio_webhook";
    }
    row.reason = std::string(amqp::header_string(d.headers, amqp::header::dlq_reason).value_or("?"));
    row.attempts = amqp::header_int(d.headers, amqp::header::attempts);
    row.failed_at = std::string(amqp::header_string(d.headers, amqp::header::failed_at).value_or("?"));
    row.last_error = std::string(amqp::header_string(d.headers, amqp::header::last_error).value_or(""));
    return row;
}

std::string row_header() {
    return pad("MESSAGE ID", 36) + "  " + pad("TYPE", 24) + "  " + pad("REASON", 20) + "  " + pad("ATTEMPTS", 8) + "  " +
           pad("FAILED AT", 24) + "  LAST ERROR";
}

std::string format_row(const dead_letter_row& row, std::size_t error_width) {
    return pad(row.message_id, 36) + "  " + pad(row.type, 24) + "  " + pad(row.reason, 20) + "  " +
           pad(row.attempts ? std::to_string(*row.attempts) : std::string("?"), 8) + "  " + pad(row.failed_at, 24) +
           "  " + one_line(row.last_error, error_width);
}

std::string format_dead_letter(const amqp::delivery& d) {
    std::string out;
    auto line = [&](std::string_view key, std::string_view value) {
        out += key;
        out += ": ";
        out += value;
        out += '\n';
    };
    line("message_id", d.message_id.empty() ? "(none)" : d.message_id);
    line("content_type", d.content_type.empty() ? "(none)" : d.content_type);
    line("persistent", d.persistent ? "yes" : "no");
    line("redelivered", d.redelivered ? "yes" : "no");
    if (!d.correlation_id.empty()) line("correlation_id", d.correlation_id);
    if (!d.reply_to.empty()) line("reply_to", d.reply_to);
    if (!d.expiration.empty()) line("expiration", d.expiration);
    out += "headers:\n";
    for (const auto& [key, value] : d.headers) {
        out += "  ";
        out += key;
        out += ": ";
        out += header_text(value);
        out += '\n';
    }
    out += "body (" + std::to_string(d.body.size()) + " bytes):\n";
    if (auto doc = json::parse(d.body)) {
        rapidjson::StringBuffer buffer;
        rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
        writer.SetIndent(' ', 2);
        doc->Accept(writer);
        out.append(buffer.GetString(), buffer.GetSize());
        out += '\n';
    } else {
        out += d.body;
        out += "\n(not JSON: " + doc.error().message + ")\n";
    }
    return out;
}

amqp::publish_request replay_copy(const amqp::delivery& d, const amqp::pipeline& p) {
    amqp::publish_request r;
    r.exchange = p.exchange();
    r.routing_key = p.routing_key();
    r.body = d.body;
    r.message_id = d.message_id;
    r.content_type = d.content_type.empty() ? "application/json" : d.content_type;
    r.headers = d.headers;
    for (auto key : {amqp::header::dlq_reason, amqp::header::last_error, amqp::header::failed_at}) {
        if (auto it = r.headers.find(key); it != r.headers.end()) r.headers.erase(it);
    }
    r.headers.insert_or_assign(std::string(amqp::header::source), std::string("replay"));
    r.headers.insert_or_assign(std::string(amqp::header::attempts), std::int64_t{0});
    r.persistent = true;
    r.mandatory = true;
    return r;
}

bool dlq_selection::matches(const dead_letter_row& row) const {
    if (all) return true;
    if (!ids.empty()) return ids.contains(row.message_id);
    if (!has_filter()) return false;
    if (type && row.type != *type) return false;
    if (reason && row.reason != *reason) return false;
    if (since) {
        const auto failed_at = parse_iso8601(row.failed_at);
        if (!failed_at || *failed_at < *since) return false;
    }
    return true;
}

result<dlq_selection, std::string> make_dlq_selection(const dlq_args& args, dlq_verb verb, sys_ms now) {
    const std::string command = verb == dlq_verb::replay ? "dlq replay" : "dlq purge";
    dlq_selection s;
    const bool filtered = args.type || args.reason || args.since;
    if (args.all && verb == dlq_verb::purge) return fail(command + ": --all: never the whole queue; give --id or --reason");
    if (args.all && (filtered || !args.ids.empty())) return fail(command + ": --all takes no --id, --type, --reason or --since");
    if (!args.ids.empty() && filtered) return fail(command + ": --id takes no --type, --reason or --since");
    for (const auto& [name, value] : {std::pair{"--type", &args.type}, std::pair{"--reason", &args.reason}}) {
        if (*value && (*value)->empty()) return fail(command + ": " + name + ": empty");
    }
    for (const auto& id : args.ids) {
        if (id.empty()) return fail(command + ": --id: empty");
        s.ids.insert(id);
    }
    if (verb == dlq_verb::purge && s.ids.empty() && !args.reason)
        return fail(command + " needs --id ID… or --reason R (it never empties the whole queue)");
    if (verb == dlq_verb::replay && !args.all && s.ids.empty() && !filtered)
        return fail(command + " needs --id ID…, --all, or a filter (--type T, --reason R, --since TIME)");
    s.all = args.all;
    s.type = args.type;
    s.reason = args.reason;
    if (args.since) {
        auto since = parse_time_arg(*args.since, now, "--since");
        if (!since) return fail(command + ": " + since.error());
        s.since = *since;
    }
    return s;
}

dlq_context make_dlq_context(const worker_settings& settings, const amqp::pipeline& pipeline) {
    auto broker = amqp::parse_url(settings.amqp_url);
    if (!broker) throw config_error("AMQP_URL", broker.error());
    dlq_context ctx;
    ctx.broker = *broker;
    ctx.pipeline = &pipeline;
    return ctx;
}

int dlq_list_command(const dlq_context& ctx, std::size_t limit) {
    std::uint32_t depth = 0;
    auto ch = open_dlq(ctx, &depth);
    if (!ch) return 2;
    std::map<std::string, std::size_t> by_reason;
    std::size_t shown = 0;
    bool complete = true;
    std::cout << row_header() << "\n";
    while (limit == 0 || shown < limit) {
        auto got = ch->get(ctx.pipeline->dlq());
        if (!got) {
            std::cerr << "sync-worker: reading " << ctx.pipeline->dlq() << " failed: " << got.error().message << "\n";
            complete = false;
            break;
        }
        if (!*got) break;
        const auto row = describe_dead_letter(**got);
        std::cout << format_row(row) << "\n";
        ++by_reason[row.reason];
        ++shown;
    }
    give_back(*ch);
    std::string reasons;
    for (const auto& [reason, n] : by_reason) reasons += (reasons.empty() ? "" : ", ") + reason + "=" + std::to_string(n);
    std::cout << shown << " dead letter" << (shown == 1 ? "" : "s") << " in " << ctx.pipeline->dlq();
    if (!reasons.empty()) std::cout << " (" << reasons << ")";
    if (limit != 0 && shown == limit && depth > shown) std::cout << "; stopped at --limit " << limit << " of about " << depth;
    std::cout << "\n";
    std::cout.flush();
    return complete ? 0 : 2;
}

result<std::optional<amqp::delivery>, std::string> find_dead_letter(const dlq_context& ctx, std::string_view message_id) {
    auto ch = open_dlq_channel(ctx);
    if (!ch) return fail(std::move(ch.error()));
    std::optional<amqp::delivery> found;
    while (!found) {
        auto got = ch->get(ctx.pipeline->dlq());
        if (!got) {
            give_back(*ch);
            return fail("reading " + std::string(ctx.pipeline->dlq()) + " failed: " + got.error().message);
        }
        if (!*got) break;
        if ((*got)->message_id == message_id) found = std::move(**got);
    }
    give_back(*ch);
    return found;
}

int dlq_show_command(const dlq_context& ctx, const std::string& message_id) {
    auto found = find_dead_letter(ctx, message_id);
    if (!found) {
        std::cerr << "sync-worker: " << found.error() << "\n";
        return 2;
    }
    if (!*found) {
        std::cerr << "sync-worker: no dead letter with message id \"" << message_id << "\" in " << ctx.pipeline->dlq()
                  << "\n";
        return 1;
    }
    std::cout << format_dead_letter(**found);
    std::cout.flush();
    return 0;
}

int dlq_replay_command(const dlq_context& ctx, const dlq_selection& selection) {
    std::uint32_t depth = 0;
    auto ch = open_dlq(ctx, &depth);
    if (!ch) return 2;
    std::size_t examined = 0, selected = 0, replayed = 0, failed = 0;
    std::set<std::string, std::less<>> seen_ids;
    bool stopped_early = false;
    auto last_progress = clock::now();
    std::cout << "replaying from " << ctx.pipeline->dlq() << " (" << depth << " dead letters) to exchange "
              << ctx.pipeline->exchange() << "\n";
    while (true) {
        auto got = ch->get(ctx.pipeline->dlq());
        if (!got) {
            std::cout << "stopped: reading " << ctx.pipeline->dlq() << " failed: " << got.error().message
                      << "; everything not replayed stays in the DLQ\n";
            stopped_early = true;
            break;
        }
        if (!*got) break;
        const amqp::delivery& d = **got;
        ++examined;
        const auto row = describe_dead_letter(d);
        if (selection.matches(row)) {
            ++selected;
            seen_ids.insert(row.message_id);
            const auto outcome = ch->publish_confirmed(replay_copy(d, *ctx.pipeline), ctx.confirm_timeout);
            if (outcome == amqp::publish_outcome::confirmed) {
                if (auto acked = ch->ack(d); acked) {
                    ++replayed;
                    std::cout << "replayed " << row.message_id << " (" << row.type << ", was " << row.reason << ")\n";
                } else {
                    // The copy is in the main queue and the dead letter still in the DLQ: a
                    // second replay would make a duplicate, which the worker's idempotency drops.
                    ++failed;
                    std::cout << "replayed " << row.message_id << " but could not remove it from the DLQ: "
                              << acked.error().message << "\n";
                    stopped_early = true;
                    break;
                }
            } else {
                ++failed;
                std::cout << "NOT replayed " << row.message_id << ": publish " << amqp::to_string(outcome)
                          << "; left in the DLQ\n";
                if (outcome == amqp::publish_outcome::channel_closed || outcome == amqp::publish_outcome::connection_lost ||
                    outcome == amqp::publish_outcome::timed_out) {
                    // The broker requeued everything this channel held (or will, once we close
                    // it): going on could read the same messages again.
                    std::cout << (outcome == amqp::publish_outcome::timed_out
                                      ? "stopped: the broker does not confirm in time"
                                      : "stopped: the channel is gone")
                              << "; every dead letter not replayed stays in the DLQ\n";
                    stopped_early = true;
                    break;
                }
            }
        }
        if (clock::now() - last_progress >= progress_every) {
            last_progress = clock::now();
            std::cout << "[" << examined << "/" << depth << "] replayed=" << replayed << " failed=" << failed << "\n";
            std::cout.flush();
        }
    }
    give_back(*ch);
    std::size_t missing = 0;
    for (const auto& id : selection.ids) {
        if (!seen_ids.contains(id)) {
            ++missing;
            std::cout << "not found: " << id << "\n";
        }
    }
    std::cout << "replay: examined=" << examined << " selected=" << selected << " replayed=" << replayed
              << " failed=" << failed << " not_found=" << missing << " left_in_dlq=" << (examined - replayed)
              << (stopped_early ? " (stopped early)" : "") << "\n";
    std::cout.flush();
    return (failed == 0 && missing == 0 && !stopped_early) ? 0 : 1;
}

int dlq_purge_command(const dlq_context& ctx, const dlq_selection& selection, bool dry_run) {
    if (selection.all || (selection.ids.empty() && !selection.reason)) {
        std::cerr << "sync-worker: dlq purge needs --id or --reason (it never empties the whole DLQ)\n";
        return 2;
    }
    auto ch = open_dlq(ctx);
    if (!ch) return 2;
    std::set<std::string, std::less<>> purged_ids;
    std::size_t examined = 0, purged = 0, failed = 0;
    bool stopped_early = false;
    const std::string verb = dry_run ? "would purge " : "purged ";
    while (true) {
        auto got = ch->get(ctx.pipeline->dlq());
        if (!got) {
            std::cout << "stopped: reading " << ctx.pipeline->dlq() << " failed: " << got.error().message << "\n";
            stopped_early = true;
            break;
        }
        if (!*got) break;
        ++examined;
        const amqp::delivery& d = **got;
        const auto row = describe_dead_letter(d);
        if (!selection.matches(row)) continue;
        // A dry run acks nothing: what it read goes back when the channel gives it back.
        if (dry_run) {
            ++purged;
            purged_ids.insert(row.message_id);
            std::cout << verb << row.message_id << " (" << row.type << ", " << row.reason << ", failed at "
                      << row.failed_at << ")\n";
            continue;
        }
        if (auto acked = ch->ack(d); acked) {
            ++purged;
            purged_ids.insert(row.message_id);
            std::cout << verb << row.message_id << " (" << row.type << ", " << row.reason << ", failed at "
                      << row.failed_at << ")\n";
        } else {
            ++failed;
            std::cout << "NOT purged " << row.message_id << ": " << acked.error().message << "\n";
            stopped_early = true;
            break;
        }
    }
    give_back(*ch);
    std::size_t missing = 0;
    for (const auto& id : selection.ids) {
        if (!purged_ids.contains(id)) {
            ++missing;
            std::cout << "not found: " << id << "\n";
        }
    }
    std::cout << (dry_run ? "purge (dry run, nothing removed): " : "purge: ") << "examined=" << examined
              << (dry_run ? " would_purge=" : " purged=") << purged << " failed=" << failed << " not_found=" << missing
              << (stopped_early ? " (stopped early)" : "") << "\n";
    std::cout.flush();
    return (failed == 0 && missing == 0 && !stopped_early) ? 0 : 1;
}

}  // namespace las::tools
