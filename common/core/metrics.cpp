#include "core/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace las::metrics {
namespace {

void add_atomic(std::atomic<double>& target, double v) {
    double current = target.load(std::memory_order_relaxed);
    while (!target.compare_exchange_weak(current, current + v, std::memory_order_relaxed)) {
    }
}

std::string format_number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf, static_cast<std::size_t>(n));
}

std::string escape_label(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

// {a="x",b="y"} plus an optional extra label (le for histograms).
std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view extra_name = {}, std::string_view extra_value = {}) {
    if (names.empty() && extra_name.empty()) return {};
    std::string out = "{";
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
        if (i > 0) out += ',';
        out += names[i] + "=\"" + escape_label(values[i]) + '"';
    }
    if (!extra_name.empty()) {
        if (out.size() > 1) out += ',';
        out += std::string(extra_name) + "=\"" + std::string(extra_value) + '"';
    }
    out += '}';
    return out;
}

void header(std::string& out, const std::string& name, const std::string& help, std::string_view type) {
    out += "# HELP " + name + ' ' + help + '\n';
    out += "# TYPE " + name + ' ' + std::string(type) + '\n';
}

}  // namespace

void gauge::add(double v) { add_atomic(value_, v); }

histogram::histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
    for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void histogram::observe(double v) {
    std::size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    add_atomic(sum_, v);
    count_.fetch_add(1, std::memory_order_relaxed);
}

histogram::snapshot histogram::snap() const {
    snapshot s;
    s.bounds = bounds_;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        s.cumulative.push_back(running);
    }
    s.sum = sum_.load(std::memory_order_relaxed);
    s.count = running;
    return s;
}

std::vector<double> latency_buckets() {
    return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

family<counter>& registry::counter_family(std::string name, std::string help, std::vector<std::string> labels) {
    std::lock_guard lock(mutex_);
    counters_.push_back(std::make_unique<family<counter>>(std::move(name), std::move(help), std::move(labels),
                                                          [] { return std::make_unique<counter>(); }));
    return *counters_.back();
}

family<gauge>& registry::gauge_family(std::string name, std::string help, std::vector<std::string> labels) {
    std::lock_guard lock(mutex_);
    gauges_.push_back(std::make_unique<family<gauge>>(std::move(name), std::move(help), std::move(labels),
                                                      [] { return std::make_unique<gauge>(); }));
    return *gauges_.back();
}

family<histogram>& registry::histogram_family(std::string name, std::string help, std::vector<std::string> labels,
                                              std::vector<double> bounds) {
    std::lock_guard lock(mutex_);
    histograms_.push_back(std::make_unique<family<histogram>>(
        std::move(name), std::move(help), std::move(labels),
        [bounds = std::move(bounds)] { return std::make_unique<histogram>(bounds); }));
    return *histograms_.back();
}

void registry::add_callback_gauge(std::string name, std::string help, std::function<double()> read) {
    std::lock_guard lock(mutex_);
    callbacks_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string registry::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& f : counters_) {
        header(out, f->name(), f->help(), "counter");
        f->for_each([&](const std::vector<std::string>& labels, const counter& c) {
            out += f->name() + label_set(f->label_names(), labels) + ' ' + std::to_string(c.value()) + '\n';
        });
    }
    for (const auto& f : gauges_) {
        header(out, f->name(), f->help(), "gauge");
        f->for_each([&](const std::vector<std::string>& labels, const gauge& g) {
            out += f->name() + label_set(f->label_names(), labels) + ' ' + format_number(g.value()) + '\n';
        });
    }
    for (const auto& cb : callbacks_) {
        header(out, cb.name, cb.help, "gauge");
        out += cb.name + ' ' + format_number(cb.read()) + '\n';
    }
    for (const auto& f : histograms_) {
        header(out, f->name(), f->help(), "histogram");
        f->for_each([&](const std::vector<std::string>& labels, const histogram& h) {
            const auto s = h.snap();
            for (std::size_t i = 0; i < s.bounds.size(); ++i) {
                out += f->name() + "_bucket" + label_set(f->label_names(), labels, "le", format_number(s.bounds[i])) +
                       ' ' + std::to_string(s.cumulative[i]) + '\n';
            }
            out += f->name() + "_bucket" + label_set(f->label_names(), labels, "le", "+Inf") + ' ' +
                   std::to_string(s.count) + '\n';
            out += f->name() + "_sum" + label_set(f->label_names(), labels) + ' ' + format_number(s.sum) + '\n';
            out += f->name() + "_count" + label_set(f->label_names(), labels) + ' ' + std::to_string(s.count) + '\n';
        });
    }
    return out;
}

}  // namespace las::metrics
