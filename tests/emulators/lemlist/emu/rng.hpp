#pragma once
// Deterministic random source for the emulator: the same seed gives the same ids, leads and
// events on every machine (xoshiro256** seeded through splitmix64; no std distributions,
// whose output is implementation-defined).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace las::lemlist_emu {

class rng {
public:
    explicit rng(std::uint64_t seed);

    std::uint64_t next();
    // Uniform in [0, n); n == 0 gives 0.
    std::uint64_t below(std::uint64_t n);
    // Uniform in [lo, hi] (inclusive); lo > hi gives lo.
    std::int64_t between(std::int64_t lo, std::int64_t hi);
    // Uniform in [0, 1).
    double unit();
    bool chance(double p);
    // An independent stream derived from this one's seed and `salt`, without advancing this one.
    rng fork(std::uint64_t salt) const;

    // Lemlist-style id: prefix + "_" + `length` characters of [A-Za-z0-9], e.g. "lea_xB3…".
    std::string id(std::string_view prefix, std::size_t length = 17);
    std::string alnum(std::size_t length);

    template <class C>
    const auto& pick(const C& c) {
        return c[static_cast<std::size_t>(below(c.size()))];
    }

private:
    std::uint64_t seed_;
    std::uint64_t s_[4];
};

}  // namespace las::lemlist_emu
