#pragma once
// Identifiers: random v4 UUIDs for data the API creates, and stable name-derived UUIDs for
// the seeded schema (standard objects, their attributes, the workspace), so the ids of the
// standard People attributes survive a reset and are the same in every run.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace las::attio_emulator {

class id_generator {
public:
    // A fixed seed gives a reproducible sequence (tests); otherwise seeded from the OS.
    explicit id_generator(std::uint64_t seed);
    id_generator();

    std::string next_uuid();

private:
    std::mt19937_64 rng_;
};

// A v4-shaped UUID derived from SHA-256 of `name`: the same name gives the same id.
std::string stable_uuid(std::string_view name);

bool looks_like_uuid(std::string_view s);

}  // namespace las::attio_emulator
