// Confirmed persistent publishes per second through amqp::publisher.
//   amqp_publish_bench [N messages=100000] [M max in flight=5000] [body bytes=512] [threads=2]
// Broker from LAS_TEST_AMQP_URL (or AMQP_URL). Publishes to a private quorum-queue pipeline
// (like lemlist.events), deletes it afterwards.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "amqp/publisher.hpp"
#include "amqp/sync_channel.hpp"
#include "amqp/topology.hpp"

using namespace las::amqp;
using namespace std::chrono_literals;

namespace {

// Bounds the caller side to M outstanding publishes (the gateway's concurrent requests).
class window {
public:
    explicit window(std::size_t n) : free_(n) {}
    void acquire() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return free_ > 0; });
        --free_;
    }
    void release() {
        {
            std::lock_guard lock(mutex_);
            ++free_;
        }
        cv_.notify_one();
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::size_t free_;
};

}  // namespace

int main(int argc, char** argv) {
    const long n = argc > 1 ? std::atol(argv[1]) : 100000;
    const long m = argc > 2 ? std::atol(argv[2]) : 5000;
    const std::size_t body_bytes = argc > 3 ? static_cast<std::size_t>(std::atol(argv[3])) : 512;
    const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
    const char* url = std::getenv("LAS_TEST_AMQP_URL");
    if (url == nullptr) url = std::getenv("AMQP_URL");
    if (url == nullptr) {
        std::fprintf(stderr, "set LAS_TEST_AMQP_URL (or AMQP_URL)\n");
        return 2;
    }
    auto settings = parse_url(url);
    if (!settings) {
        std::fprintf(stderr, "%s\n", settings.error().c_str());
        return 2;
    }
    const pipeline names("bench." + std::to_string(::getpid()));

    publisher_options opts;
    opts.connection_name = "las-publish-bench";
    opts.max_in_flight = static_cast<std::size_t>(m);
    opts.confirm_timeout = 60s;
    opts.on_connect = [&](connection& c) { return declare(c, plan_for(names)); };
    publisher pub(*settings, opts);
    if (!pub.wait_connected(15s)) {
        std::fprintf(stderr, "cannot connect to %s\n", describe(*settings).c_str());
        return 1;
    }

    const std::string body(body_bytes, 'x');
    window win(static_cast<std::size_t>(m));
    std::atomic<long> confirmed{0}, failed{0}, done{0};
    std::atomic<long> next{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t) {
        producers.emplace_back([&] {
            for (long i = next++; i < n; i = next++) {
                win.acquire();
                publish_request r;
                r.exchange = names.exchange();
                r.routing_key = names.routing_key();
                r.body = body;
                r.message_id = "bench-" + std::to_string(i);
                r.headers = {{"x-source", std::string("webhook")}, {"x-attempts", std::int64_t{0}}};
                pub.publish(std::move(r), [&](publish_outcome o) {
                    (o == publish_outcome::confirmed ? confirmed : failed)++;
                    done++;
                    win.release();
                });
            }
        });
    }
    for (auto& p : producers) p.join();
    while (done.load() < n) std::this_thread::sleep_for(1ms);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("messages=%ld max_in_flight=%ld body=%zuB producer_threads=%d confirmed=%ld failed=%ld seconds=%.3f "
                "confirmed_per_second=%.0f\n",
                n, m, body_bytes, threads, confirmed.load(), failed.load(), secs, confirmed.load() / secs);
    pub.stop();

    auto ch = sync_channel::open(*settings, "las-publish-bench-cleanup");
    if (ch) {
        ch->delete_queue(names.queue());
        ch->delete_queue(names.dlq());
        for (const auto& q : names.retry_queues()) ch->delete_queue(q);
        ch->delete_exchange(names.exchange());
    }
    return failed.load() == 0 ? 0 : 1;
}
