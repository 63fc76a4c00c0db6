#include "attio_emulator/stats.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace las::attio_emulator {

void stats::request(std::string_view route, unsigned status) {
    std::lock_guard lock(mutex_);
    ++s_.requests;
    auto it = s_.by_route.find(route);
    if (it == s_.by_route.end()) it = s_.by_route.emplace(std::string(route), std::map<unsigned, std::uint64_t>{}).first;
    ++it->second[status];
}

void stats::accepted(bool is_write) {
    std::lock_guard lock(mutex_);
    ++(is_write ? s_.writes_accepted : s_.reads_accepted);
}

void stats::rate_limited() {
    std::lock_guard lock(mutex_);
    ++s_.rate_limited;
}

void stats::unauthorized() {
    std::lock_guard lock(mutex_);
    ++s_.unauthorized;
}

void stats::fault(std::string_view kind) {
    std::lock_guard lock(mutex_);
    auto it = s_.faults.find(kind);
    if (it == s_.faults.end()) it = s_.faults.emplace(std::string(kind), 0).first;
    ++it->second;
}

void stats::reset() {
    std::lock_guard lock(mutex_);
    s_ = {};
}

stats_snapshot stats::snapshot() const {
    std::lock_guard lock(mutex_);
    return s_;
}

std::string stats::to_json() const {
    const auto s = snapshot();
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("requests");
    w.Uint64(s.requests);
    w.Key("reads_accepted");
    w.Uint64(s.reads_accepted);
    w.Key("writes_accepted");
    w.Uint64(s.writes_accepted);
    w.Key("rate_limited");
    w.Uint64(s.rate_limited);
    w.Key("unauthorized");
    w.Uint64(s.unauthorized);
    w.Key("faults");
    w.StartObject();
    for (const auto& [k, n] : s.faults) {
        w.Key(k.c_str());
        w.Uint64(n);
    }
    w.EndObject();
    w.Key("by_route");
    w.StartObject();
    for (const auto& [route, statuses] : s.by_route) {
        w.Key(route.c_str());
        w.StartObject();
        for (const auto& [status, n] : statuses) {
            const auto k = std::to_string(status);
            w.Key(k.c_str());
            w.Uint64(n);
        }
        w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

}  // namespace las::attio_emulator
