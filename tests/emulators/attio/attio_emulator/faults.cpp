#include "attio_emulator/faults.hpp"

#include <charconv>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json.hpp"

namespace las::attio_emulator {

using namespace std::chrono;

bool fault_plan::any() const {
    return error_share > 0 || latency_max.count() > 0 || drop_share > 0 || drop_after_write_share > 0 ||
           conflict_share > 0 || burst_429_until.time_since_epoch().count() > 0;
}

namespace {

result<double, std::string> share(const rapidjson::Value& body, const char* key, double current) {
    const auto* v = json::find(body, key);
    if (!v) return current;
    if (!v->IsNumber() || v->GetDouble() < 0 || v->GetDouble() > 1) {
        return fail(std::string(key) + " must be a number from 0 to 1");
    }
    return v->GetDouble();
}

}  // namespace

result<fault_update, std::string> parse_fault_plan(const rapidjson::Value& body, const fault_plan& base,
                                                   system_clock::time_point now) {
    if (!body.IsObject()) return fail(std::string("the body must be a JSON object"));
    static constexpr const char* known[] = {"error_5xx_share", "error_5xx_statuses", "latency_ms", "drop_share",
                                            "drop_after_write_share", "conflict_409_share", "burst_429_ms", "seed"};
    for (auto it = body.MemberBegin(); it != body.MemberEnd(); ++it) {
        const std::string_view k(it->name.GetString(), it->name.GetStringLength());
        bool ok = false;
        for (const char* n : known) ok = ok || k == n;
        if (!ok) return fail("unknown member \"" + std::string(k) + "\"");
    }
    fault_update out{base, std::nullopt};
    fault_plan& p = out.plan;
    auto e = share(body, "error_5xx_share", p.error_share);
    if (!e) return fail(e.error());
    p.error_share = *e;
    auto d = share(body, "drop_share", p.drop_share);
    if (!d) return fail(d.error());
    p.drop_share = *d;
    auto daw = share(body, "drop_after_write_share", p.drop_after_write_share);
    if (!daw) return fail(daw.error());
    p.drop_after_write_share = *daw;
    auto c = share(body, "conflict_409_share", p.conflict_share);
    if (!c) return fail(c.error());
    p.conflict_share = *c;
    if (p.error_share + p.drop_share + p.drop_after_write_share + p.conflict_share > 1.0 + 1e-9) {
        return fail(std::string("the shares add up to more than 1"));
    }
    if (const auto* s = json::find(body, "error_5xx_statuses")) {
        if (!s->IsArray() || s->Empty()) return fail(std::string("error_5xx_statuses must be a non-empty array"));
        p.error_statuses.clear();
        for (const auto& x : s->GetArray()) {
            if (!x.IsUint() || x.GetUint() < 500 || x.GetUint() > 599) {
                return fail(std::string("error_5xx_statuses must hold statuses from 500 to 599"));
            }
            p.error_statuses.push_back(x.GetUint());
        }
    }
    if (const auto* l = json::find(body, "latency_ms")) {
        if (l->IsUint()) {
            p.latency_min = p.latency_max = milliseconds(l->GetUint());
        } else if (l->IsArray() && l->Size() == 2 && (*l)[0].IsUint() && (*l)[1].IsUint() &&
                   (*l)[0].GetUint() <= (*l)[1].GetUint()) {
            p.latency_min = milliseconds((*l)[0].GetUint());
            p.latency_max = milliseconds((*l)[1].GetUint());
        } else {
            return fail(std::string("latency_ms must be a non-negative integer or [min, max]"));
        }
    }
    if (const auto* b = json::find(body, "burst_429_ms")) {
        if (!b->IsUint()) return fail(std::string("burst_429_ms must be a non-negative integer"));
        p.burst_429_until = b->GetUint() == 0 ? system_clock::time_point{} : now + milliseconds(b->GetUint());
    }
    if (const auto* s = json::find(body, "seed")) {
        if (!s->IsUint64()) return fail(std::string("seed must be a non-negative integer"));
        out.seed = s->GetUint64();
    }
    return out;
}

std::string fault_plan_json(const fault_plan& p, system_clock::time_point now) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("error_5xx_share");
    w.Double(p.error_share);
    w.Key("error_5xx_statuses");
    w.StartArray();
    for (const auto s : p.error_statuses) w.Uint(s);
    w.EndArray();
    w.Key("latency_ms");
    w.StartArray();
    w.Int64(p.latency_min.count());
    w.Int64(p.latency_max.count());
    w.EndArray();
    w.Key("drop_share");
    w.Double(p.drop_share);
    w.Key("drop_after_write_share");
    w.Double(p.drop_after_write_share);
    w.Key("conflict_409_share");
    w.Double(p.conflict_share);
    w.Key("burst_429_remaining_ms");
    w.Int64(p.burst_429_until > now ? duration_cast<milliseconds>(p.burst_429_until - now).count() : 0);
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

std::optional<std::pair<milliseconds, milliseconds>> parse_latency(const std::string& s) {
    const auto dash = s.find('-');
    const auto num = [](std::string_view t) -> std::optional<long long> {
        long long v = 0;
        const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
        if (r.ec != std::errc() || r.ptr != t.data() + t.size() || v < 0) return std::nullopt;
        return v;
    };
    if (dash == std::string::npos) {
        const auto v = num(s);
        if (!v) return std::nullopt;
        return std::pair{milliseconds(*v), milliseconds(*v)};
    }
    const auto a = num(std::string_view(s).substr(0, dash));
    const auto b = num(std::string_view(s).substr(dash + 1));
    if (!a || !b || *a > *b) return std::nullopt;
    return std::pair{milliseconds(*a), milliseconds(*b)};
}

fault_injector::fault_injector(std::uint64_t seed) {
    if (seed == 0) {
        std::random_device rd;
        rng_.seed((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
    } else {
        rng_.seed(seed);
    }
}

void fault_injector::set_plan(fault_plan plan) {
    std::lock_guard lock(mutex_);
    plan_ = std::move(plan);
}

void fault_injector::reseed(std::uint64_t seed) {
    std::lock_guard lock(mutex_);
    rng_.seed(seed);
}

fault_plan fault_injector::plan() const {
    std::lock_guard lock(mutex_);
    return plan_;
}

fault_decision fault_injector::decide(bool is_write, system_clock::time_point now) {
    std::lock_guard lock(mutex_);
    fault_decision d;
    if (!plan_.any()) return d;
    if (plan_.latency_max.count() > 0) {
        std::uniform_int_distribution<long long> lat(plan_.latency_min.count(), plan_.latency_max.count());
        d.latency = milliseconds(lat(rng_));
    }
    if (now < plan_.burst_429_until) {
        d.action = fault_action::burst_429;
        return d;
    }
    // One draw against cumulative shares, so each fault hits its own share of requests.
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    double edge = plan_.drop_share;
    if (u < edge) {
        d.action = fault_action::drop;
        return d;
    }
    edge += plan_.error_share;
    if (u < edge) {
        d.action = fault_action::error_5xx;
        std::uniform_int_distribution<std::size_t> pick(0, plan_.error_statuses.size() - 1);
        d.status = plan_.error_statuses[pick(rng_)];
        return d;
    }
    if (!is_write) return d;
    edge += plan_.conflict_share;
    if (u < edge) {
        d.action = fault_action::conflict_409;
        return d;
    }
    edge += plan_.drop_after_write_share;
    if (u < edge) d.action = fault_action::drop_after_write;
    return d;
}

}  // namespace las::attio_emulator
