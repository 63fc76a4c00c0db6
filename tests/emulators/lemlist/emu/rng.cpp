#include "emu/rng.hpp"

namespace las::lemlist_emu {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

}  // namespace

rng::rng(std::uint64_t seed) : seed_(seed) {
    std::uint64_t x = seed;
    for (auto& s : s_) s = splitmix64(x);
}

std::uint64_t rng::next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

std::uint64_t rng::below(std::uint64_t n) {
    if (n == 0) return 0;
    // Rejection sampling keeps the draw unbiased.
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    std::uint64_t v = next();
    while (v >= limit) v = next();
    return v % n;
}

std::int64_t rng::between(std::int64_t lo, std::int64_t hi) {
    if (lo >= hi) return lo;
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
}

double rng::unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

bool rng::chance(double p) {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return unit() < p;
}

rng rng::fork(std::uint64_t salt) const {
    std::uint64_t x = seed_ ^ (salt * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL);
    return rng(splitmix64(x));
}

std::string rng::alnum(std::size_t length) {
    std::string out;
    out.reserve(length);
    for (std::size_t i = 0; i < length; ++i) out.push_back(alphabet[below(alphabet.size())]);
    return out;
}

std::string rng::id(std::string_view prefix, std::size_t length) {
    std::string out(prefix);
    out.push_back('_');
    out += alnum(length);
    return out;
}

}  // namespace las::lemlist_emu
