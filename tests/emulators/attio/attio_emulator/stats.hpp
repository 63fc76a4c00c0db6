#pragma once
// Counters for GET /__emulator/stats: requests by route template and status, what the rate
// limiter admitted and refused, and the faults injected. Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace las::attio_emulator {

struct stats_snapshot {
    std::uint64_t requests = 0;
    std::uint64_t reads_accepted = 0;   // admitted by the rate limiter
    std::uint64_t writes_accepted = 0;
    std::uint64_t rate_limited = 0;     // 429s from the limiter
    std::uint64_t unauthorized = 0;
    std::map<std::string, std::uint64_t, std::less<>> faults;                              // kind → count
    std::map<std::string, std::map<unsigned, std::uint64_t>, std::less<>> by_route;        // "POST /v2/…" → status → count
};

class stats {
public:
    void request(std::string_view route, unsigned status);
    void accepted(bool is_write);
    void rate_limited();
    void unauthorized();
    void fault(std::string_view kind);
    void reset();
    stats_snapshot snapshot() const;
    std::string to_json() const;

private:
    mutable std::mutex mutex_;
    stats_snapshot s_;
};

}  // namespace las::attio_emulator
