#include "emu_net/dispatcher.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "core/log.hpp"
#include "emu/text_util.hpp"
#include "http/client.hpp"

namespace las::lemlist_emu {

namespace {
using steady = std::chrono::steady_clock;
using strand_type = asio::strand<asio::any_io_executor>;
}  // namespace

struct webhook_dispatcher::impl {
    impl(asio::any_io_executor ex, std::string ua) : executor(std::move(ex)), user_agent(std::move(ua)) {}

    asio::any_io_executor executor;
    std::string user_agent;
    mutable std::mutex mutex;
    std::map<std::string, std::shared_ptr<http::client>> clients;  // by base URL
    std::vector<std::weak_ptr<play_progress>> jobs;

    // Per-job state; every coroutine of a job runs on the job's strand, so no locks.
    struct job_state {
        explicit job_state(strand_type s) : strand(s), done_signal(s) {}
        strand_type strand;
        asio::steady_timer done_signal;
        std::size_t next = 0;
        std::size_t workers = 0;
        bool done = false;
        steady::time_point next_slot{};
    };

    std::shared_ptr<http::client> client_for(const std::string& base, const delivery_settings& settings) {
        std::lock_guard lock(mutex);
        auto& c = clients[base];
        if (!c) {
            http::client_options o;
            o.connect_timeout = std::chrono::milliseconds(2000);
            o.request_timeout = settings.timeout;
            o.max_connections = std::max<std::size_t>(16, settings.concurrency);
            o.user_agent = user_agent;
            o.max_response_bytes = 1 << 20;
            try {
                c = std::make_shared<http::client>(executor, base, o);
            } catch (...) {
                clients.erase(base);
                throw;
            }
        }
        return c;
    }

    awaitable<void> deliver_one(std::shared_ptr<play_job> job, std::size_t index, std::shared_ptr<job_state> st) {
        const auto& d = job->deliveries[index];
        auto& progress = *job->progress;
        const auto& settings = job->settings;
        bool ok = false;
        unsigned last_status = 0;
        std::string last_error;
        int attempts = 0;
        const auto parts = split_url(d.target_url);
        std::shared_ptr<http::client> client;
        if (parts) {
            try {
                client = client_for(parts->base, settings);
            } catch (const std::exception& e) {
                last_error = "target_rejected";
                progress.transport_error(last_error);
            }
        } else {
            last_error = "bad_target_url";
            progress.transport_error(last_error);
        }
        for (int attempt = 1; client && attempt <= settings.max_attempts && !progress.cancelled(); ++attempt) {
            attempts = attempt;
            http::client_request rq;
            rq.method = http_proto::verb::post;
            rq.target = parts->target;
            rq.body = d.body;
            rq.headers = {{"Content-Type", "application/json"}};
            rq.timeout = settings.timeout;
            progress.in_flight(1);
            auto r = co_await client->send(std::move(rq));
            progress.in_flight(-1);
            if (r) {
                last_status = r->status;
                progress.attempt(r->status);
                if (r->status >= 200 && r->status < 300) {
                    ok = true;
                    break;
                }
                last_error = "http_" + std::to_string(r->status);
            } else {
                progress.attempt(0);
                last_error = std::string(http::to_string(r.error().kind));
                progress.transport_error(last_error);
            }
            if (attempt < settings.max_attempts && !progress.cancelled()) {
                progress.retry();
                asio::steady_timer backoff(st->strand);
                backoff.expires_after(settings.retry_base * (1 << std::min(attempt - 1, 10)));
                boost::system::error_code ec;
                co_await backoff.async_wait(asio::redirect_error(use_awaitable, ec));
            }
        }
        if (!ok) {
            log::warn("lemlist_emu.delivery_failed", {{"job", progress.summary().id}, {"event_id", d.event_id},
                                                      {"event_type", d.event_type}, {"hook", d.hook_id},
                                                      {"attempts", attempts}, {"last_status", static_cast<int>(last_status)},
                                                      {"error", last_error}});
        }
        progress.finished_delivery(ok, d.duplicate, d.out_of_order);
    }

    awaitable<void> worker(std::shared_ptr<impl> keep, std::shared_ptr<play_job> job, std::shared_ptr<job_state> st) {
        (void)keep;  // the frame owns the dispatcher state it uses
        const auto& settings = job->settings;
        const auto interval = settings.rate > 0
                                  ? std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(1.0 / settings.rate))
                                  : steady::duration::zero();
        while (!job->progress->cancelled() && st->next < job->deliveries.size()) {
            const std::size_t index = st->next++;
            if (interval > steady::duration::zero()) {
                const auto now = steady::now();
                const auto slot = std::max(now, st->next_slot);
                st->next_slot = slot + interval;
                if (slot > now) {
                    asio::steady_timer pace(st->strand);
                    pace.expires_at(slot);
                    boost::system::error_code ec;
                    co_await pace.async_wait(asio::redirect_error(use_awaitable, ec));
                }
            }
            co_await deliver_one(job, index, st);
        }
        if (--st->workers == 0) {
            st->done = true;
            st->done_signal.cancel();
        }
    }

    awaitable<void> run_job(std::shared_ptr<impl> keep, std::shared_ptr<play_job> job) {
        auto& progress = *job->progress;
        progress.started(system_now());
        auto st = std::make_shared<job_state>(strand_type(co_await asio::this_coro::executor));
        const std::size_t n = job->deliveries.empty()
                                  ? 0
                                  : std::min(std::max<std::size_t>(job->settings.concurrency, 1), job->deliveries.size());
        st->workers = n;
        for (std::size_t i = 0; i < n; ++i)
            asio::co_spawn(st->strand, worker(keep, job, st), [](std::exception_ptr e) {
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    log::error("lemlist_emu.worker_failed", {{"what", ex.what()}});
                } catch (...) {
                    log::error("lemlist_emu.worker_failed", {{"what", "unknown"}});
                }
            });
        while (n > 0 && !st->done) {
            st->done_signal.expires_at(steady::time_point::max());
            boost::system::error_code ec;
            co_await st->done_signal.async_wait(asio::redirect_error(use_awaitable, ec));
        }
        // The bodies are no longer needed; the progress stays for reporting.
        job->deliveries.clear();
        job->deliveries.shrink_to_fit();
        progress.finished(system_now());
    }
};

webhook_dispatcher::webhook_dispatcher(asio::any_io_executor executor, std::string user_agent)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(user_agent))) {}

webhook_dispatcher::~webhook_dispatcher() { cancel_all(); }

awaitable<void> webhook_dispatcher::run(std::shared_ptr<play_job> job) {
    if (!job) co_return;
    {
        std::lock_guard lock(impl_->mutex);
        impl_->jobs.push_back(job->progress);
    }
    // A strand per job: its workers and completion signal never run at once.
    co_await asio::co_spawn(asio::make_strand(impl_->executor), impl_->run_job(impl_, job), use_awaitable);
}

void webhook_dispatcher::start(std::shared_ptr<play_job> job) {
    if (!job) return;
    {
        std::lock_guard lock(impl_->mutex);
        std::erase_if(impl_->jobs, [](const std::weak_ptr<play_progress>& w) { return w.expired(); });
        impl_->jobs.push_back(job->progress);
    }
    auto self = impl_;
    asio::co_spawn(asio::make_strand(impl_->executor), impl_->run_job(impl_, std::move(job)), [self](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log::error("lemlist_emu.job_failed", {{"what", ex.what()}});
        } catch (...) {
            log::error("lemlist_emu.job_failed", {{"what", "unknown"}});
        }
    });
}

void webhook_dispatcher::cancel_all() {
    std::lock_guard lock(impl_->mutex);
    for (auto& w : impl_->jobs)
        if (auto p = w.lock()) p->cancel();
}

std::size_t webhook_dispatcher::running() const {
    std::lock_guard lock(impl_->mutex);
    std::size_t n = 0;
    for (auto& w : impl_->jobs)
        if (auto p = w.lock(); p && !p->done()) ++n;
    return n;
}

}  // namespace las::lemlist_emu
