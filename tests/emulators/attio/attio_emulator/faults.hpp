#pragma once
// Fault injection for `/v2/` requests: added latency (fixed or a range), a share of 5xx
// answers, a share of dropped connections (before processing, or after a write landed), a
// share of 409 conflicts on writes, and 429 bursts for a period. Set from the command line
// or `POST /__emulator/faults`. Decisions draw from a seeded generator, so a given seed and
// request sequence inject the same faults. Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/result.hpp"

namespace las::attio_emulator {

struct fault_plan {
    double error_share = 0;                             // answered 5xx, not processed
    std::vector<unsigned> error_statuses{500, 502, 503};  // drawn uniformly
    std::chrono::milliseconds latency_min{0};           // added before the answer is written
    std::chrono::milliseconds latency_max{0};
    double drop_share = 0;              // connection dropped, request not processed
    double drop_after_write_share = 0;  // writes: processed, then the connection dropped
    double conflict_share = 0;          // writes: 409 conflict, not processed
    std::chrono::system_clock::time_point burst_429_until{};  // every request 429 until then

    bool any() const;
};

enum class fault_action { none, burst_429, drop, error_5xx, conflict_409, drop_after_write };

struct fault_decision {
    fault_action action = fault_action::none;
    unsigned status = 0;                   // for error_5xx
    std::chrono::milliseconds latency{0};  // always applied, whatever the action
};

// Parses the control body: {"error_5xx_share", "error_5xx_statuses", "latency_ms" (n or
// [min,max]), "drop_share", "drop_after_write_share", "conflict_409_share", "burst_429_ms",
// "seed"}. Absent members keep `base`'s values; shares are 0..1 and, per request class,
// must not add up to more than 1.
struct fault_update {
    fault_plan plan;
    std::optional<std::uint64_t> seed;
};
result<fault_update, std::string> parse_fault_plan(const rapidjson::Value& body, const fault_plan& base,
                                                   std::chrono::system_clock::time_point now);
std::string fault_plan_json(const fault_plan& plan, std::chrono::system_clock::time_point now);
// "50" or "10-200" (the --fault-latency flag).
std::optional<std::pair<std::chrono::milliseconds, std::chrono::milliseconds>> parse_latency(const std::string& s);

class fault_injector {
public:
    explicit fault_injector(std::uint64_t seed = 0);  // 0: seeded from the OS

    void set_plan(fault_plan plan);
    void reseed(std::uint64_t seed);
    fault_plan plan() const;

    fault_decision decide(bool is_write, std::chrono::system_clock::time_point now);

private:
    mutable std::mutex mutex_;
    fault_plan plan_;
    std::mt19937_64 rng_;
};

}  // namespace las::attio_emulator
