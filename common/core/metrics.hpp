#pragma once
// Prometheus text exposition (format 0.0.4) without a client library (Debian 12 has no
// prometheus-cpp). Families are registered once at start-up; each labelled child is a
// stable reference, so hot paths look a child up once and then only touch an atomic.
//
//   auto& requests = registry.counter_family("gateway_requests_total", "Requests by route and status",
//                                            {"route", "status"});
//   requests.with({"/webhooks/lemlist", "200"}).inc();

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace las::metrics {

class counter {
public:
    void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class gauge {
public:
    void set(double v) { value_.store(v, std::memory_order_relaxed); }
    void add(double v);
    void inc() { add(1); }
    void dec() { add(-1); }
    double value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

class histogram {
public:
    explicit histogram(std::vector<double> upper_bounds);
    void observe(double v);
    struct snapshot {
        std::vector<double> bounds;
        std::vector<std::uint64_t> cumulative;  // per bound, then +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    snapshot snap() const;

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1 (the +Inf bucket)
    std::atomic<double> sum_{0};
    std::atomic<std::uint64_t> count_{0};
};

// Latency buckets in seconds, from 100 µs to 10 s.
std::vector<double> latency_buckets();

template <class Metric>
class family {
public:
    family(std::string name, std::string help, std::vector<std::string> label_names,
           std::function<std::unique_ptr<Metric>()> make)
        : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)), make_(std::move(make)) {}

    // The child for these label values (in label_names order); created on first use.
    Metric& with(const std::vector<std::string>& label_values);

    const std::string& name() const { return name_; }
    const std::string& help() const { return help_; }
    const std::vector<std::string>& label_names() const { return label_names_; }
    template <class F>
    void for_each(F&& f) const {
        std::lock_guard lock(mutex_);
        for (const auto& [labels, metric] : children_) f(labels, *metric);
    }

private:
    std::string name_;
    std::string help_;
    std::vector<std::string> label_names_;
    std::function<std::unique_ptr<Metric>()> make_;
    mutable std::mutex mutex_;
    std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

template <class Metric>
Metric& family<Metric>::with(const std::vector<std::string>& label_values) {
    std::lock_guard lock(mutex_);
    auto& slot = children_[label_values];
    if (!slot) slot = make_();
    return *slot;
}

class registry {
public:
    family<counter>& counter_family(std::string name, std::string help, std::vector<std::string> labels = {});
    family<gauge>& gauge_family(std::string name, std::string help, std::vector<std::string> labels = {});
    family<histogram>& histogram_family(std::string name, std::string help, std::vector<std::string> labels = {},
                                        std::vector<double> bounds = latency_buckets());

    // Unlabelled shorthands.
    counter& add_counter(std::string name, std::string help) { return counter_family(std::move(name), std::move(help)).with({}); }
    gauge& add_gauge(std::string name, std::string help) { return gauge_family(std::move(name), std::move(help)).with({}); }
    histogram& add_histogram(std::string name, std::string help, std::vector<double> bounds = latency_buckets()) {
        return histogram_family(std::move(name), std::move(help), {}, std::move(bounds)).with({});
    }

    // A gauge computed when scraped (queue depth, spool size).
    void add_callback_gauge(std::string name, std::string help, std::function<double()> read);

    // The whole registry in Prometheus text format.
    std::string render() const;

private:
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<family<counter>>> counters_;
    std::vector<std::unique_ptr<family<gauge>>> gauges_;
    std::vector<std::unique_ptr<family<histogram>>> histograms_;
    struct callback_gauge {
        std::string name, help;
        std::function<double()> read;
    };
    std::vector<callback_gauge> callbacks_;
};

}  // namespace las::metrics
