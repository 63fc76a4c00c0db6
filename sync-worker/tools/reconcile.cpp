#include "tools/reconcile.hpp"

#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "amqp/publisher.hpp"
#include "amqp/topology.hpp"
#include "amqp/url.hpp"
#include "core/log.hpp"
#include "lemlist/event.hpp"

namespace las::tools {
namespace {

sys_ms now_ms() { return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

// Publishes every request of `batch` through `pub` and waits for all the outcomes (the
// publisher completes each one by its deadline at the latest).
std::vector<amqp::publish_outcome> publish_all(amqp::publisher& pub, const std::vector<amqp::publish_request>& batch,
                                               std::chrono::milliseconds timeout) {
    struct latch {
        std::mutex mutex;
        std::condition_variable cv;
        std::size_t pending = 0;
        std::vector<amqp::publish_outcome> outcomes;
    };
    auto state = std::make_shared<latch>();
    state->pending = batch.size();
    state->outcomes.assign(batch.size(), amqp::publish_outcome::timed_out);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        pub.publish(batch[i], timeout, [state, i](amqp::publish_outcome o) {
            std::lock_guard lock(state->mutex);
            state->outcomes[i] = o;
            if (--state->pending == 0) state->cv.notify_all();
        });
    }
    std::unique_lock lock(state->mutex);
    state->cv.wait(lock, [&] { return state->pending == 0; });
    return state->outcomes;
}

struct publish_tally {
    std::size_t confirmed = 0;
    std::vector<std::pair<std::string, amqp::publish_outcome>> failed;  // message id, last outcome
};

// One page's messages, with the unconfirmed ones retried (a copy that did land is dropped
// by the worker's idempotency).
publish_tally publish_page(amqp::publisher& pub, std::vector<amqp::publish_request> batch,
                           const reconcile_options& options) {
    publish_tally tally;
    for (unsigned attempt = 1; !batch.empty(); ++attempt) {
        if (!pub.connected()) pub.wait_connected(options.confirm_timeout);
        const auto outcomes = publish_all(pub, batch, options.confirm_timeout);
        std::vector<amqp::publish_request> again;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (outcomes[i] == amqp::publish_outcome::confirmed) {
                ++tally.confirmed;
            } else if (attempt >= options.publish_attempts || outcomes[i] == amqp::publish_outcome::rejected_invalid) {
                tally.failed.emplace_back(batch[i].message_id, outcomes[i]);
            } else {
                log::warn("reconcile.publish_retry", {{"key", batch[i].message_id}, {"attempt", attempt},
                                                      {"publish", amqp::to_string(outcomes[i])}});
                again.push_back(std::move(batch[i]));
            }
        }
        batch = std::move(again);
        if (!batch.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(500) * attempt);
    }
    return tally;
}

}  // namespace

result<reconcile_options, std::string> make_reconcile_options(const reconcile_args& args, sys_ms now) {
    reconcile_options o;
    auto since = parse_time_arg(args.since, now, "--since");
    if (!since) return fail(since.error());
    o.since = *since;
    o.until = now;
    if (args.until) {
        auto until = parse_time_arg(*args.until, now, "--until");
        if (!until) return fail(until.error());
        o.until = *until;
    }
    if (!(o.since < o.until))
        return fail("--since (" + format_iso8601(o.since) + ") must be before --until (" + format_iso8601(o.until) + ")");
    if (args.campaign_id && args.campaign_id->empty()) return fail(std::string("--campaign: empty"));
    if (args.type && args.type->empty()) return fail(std::string("--type: empty"));
    o.campaign_id = args.campaign_id;
    o.type = args.type;
    o.dry_run = args.dry_run;
    return o;
}

outbound::activity_query page_query(const reconcile_options& options, std::size_t offset) {
    outbound::activity_query q;
    q.type = options.type;
    q.campaign_id = options.campaign_id;
    q.min_date = format_iso8601(options.since);
    q.max_date = format_iso8601(options.until);
    q.offset = offset;
    q.limit = options.page_size;
    return q;
}

result<amqp::publish_request, std::string> reconcile_message(rapidjson::Document activity, sys_ms now) {
    auto ev = lemlist::event_from_document(std::move(activity));
    if (!ev) return fail(ev.error().code + ": " + ev.error().message);
    const auto& names = amqp::lemlist_events();
    amqp::publish_request r;
    r.exchange = names.exchange();
    r.routing_key = names.routing_key();
    r.body = lemlist::serialize_body(*ev);
    r.message_id = ev->idempotency_key;
    r.headers.emplace(amqp::header::received_at, format_iso8601(now));
    r.headers.emplace(amqp::header::source, std::string("reconcile"));
    r.headers.emplace(amqp::header::attempts, std::int64_t{0});
    return r;
}

int reconcile_command(runtime& rt, const reconcile_options& options) {
    if (!(options.since < options.until)) {
        std::cerr << "sync-worker: --since (" << format_iso8601(options.since) << ") must be before --until ("
                  << format_iso8601(options.until) << ")\n";
        return 2;
    }
    auto& lemlist = rt.lemlist("reconcile");
    std::unique_ptr<amqp::publisher> publisher;
    if (!options.dry_run) {
        auto broker = amqp::parse_url(rt.settings().amqp_url);
        if (!broker) throw config_error("AMQP_URL", broker.error());
        amqp::publisher_options po;
        po.connection_name = "sync-worker-reconcile";
        po.confirm_timeout = options.confirm_timeout;
        po.on_connect = [](amqp::connection& c) { return amqp::declare_topology(c); };
        publisher = std::make_unique<amqp::publisher>(*broker, po);
        if (!publisher->wait_connected(std::chrono::seconds(15))) {
            std::cerr << "sync-worker: cannot connect to RabbitMQ (" << amqp::describe(*broker) << ")\n";
            return 2;
        }
    }

    std::cout << "reconcile " << format_iso8601(options.since) << " .. " << format_iso8601(options.until)
              << (options.campaign_id ? " campaign=" + *options.campaign_id : std::string())
              << (options.type ? " type=" + *options.type : std::string()) << (options.dry_run ? " (dry run)" : "")
              << "\n";
    std::size_t pages = 0, activities = 0, published = 0, invalid = 0, repeated = 0, failed = 0;
    bool fetch_failed = false, truncated = false;
    std::set<std::string, std::less<>> seen;
    std::size_t offset = 0;
    while (true) {
        if (pages >= options.max_pages) {
            truncated = true;
            break;
        }
        auto page = rt.run(lemlist.list_activities(page_query(options, offset)));
        if (!page) {
            std::cout << "stopped: GET /api/activities at offset " << offset << " failed: " << page.error().describe()
                      << "\n";
            fetch_failed = true;
            break;
        }
        ++pages;
        const auto& array = page.value();
        const std::size_t size = array.Size();
        activities += size;
        const auto now = now_ms();
        std::vector<amqp::publish_request> batch;
        for (const auto& v : array.GetArray()) {
            rapidjson::Document one;
            one.CopyFrom(v, one.GetAllocator());
            auto message = reconcile_message(std::move(one), now);
            if (!message) {
                ++invalid;
                log::warn("reconcile.invalid_activity", {{"offset", offset}, {"error", message.error()}});
                continue;
            }
            // Overlapping pages (a server that ignores the window) must not publish twice.
            if (!seen.insert(message->message_id).second) {
                ++repeated;
                continue;
            }
            batch.push_back(std::move(message).value());
        }
        std::size_t page_published = 0;
        if (publisher && !batch.empty()) {
            const auto tally = publish_page(*publisher, std::move(batch), options);
            page_published = tally.confirmed;
            published += tally.confirmed;
            failed += tally.failed.size();
            for (const auto& [id, outcome] : tally.failed)
                std::cout << "NOT published " << id << ": " << amqp::to_string(outcome) << "\n";
        }
        std::cout << "page " << pages << " (offset " << offset << "): " << size << " activities";
        if (publisher) std::cout << ", " << page_published << " published";
        std::cout << "; total " << activities << " activities, " << published << " published\n";
        std::cout.flush();
        if (size < options.page_size) break;
        offset += size;
    }
    if (publisher) publisher->stop();
    if (truncated) std::cout << "stopped after " << options.max_pages << " pages; narrow the window and run again\n";
    std::cout << "reconcile: pages=" << pages << " activities=" << activities << " published=" << published
              << " invalid=" << invalid << " repeated=" << repeated << " failed=" << failed
              << (options.dry_run ? " (dry run: nothing published)" : "") << "\n";
    std::cout.flush();
    return (failed == 0 && !fetch_failed && !truncated) ? 0 : 1;
}

}  // namespace las::tools
