#include "attio_emulator/ids.hpp"


#include "core/crypto.hpp"

namespace las::attio_emulator {

namespace {

// 32 hex digits → 8-4-4-4-12 with the version (4) and variant (8..b) nibbles set.
std::string shape_uuid(std::string hex) {
    hex[12] = '4';
    static constexpr char variant[] = "89ab";
    const char c = hex[16];
    const int nibble = (c >= '0' && c <= '9') ? c - '0' : c - 'a' + 10;
    hex[16] = variant[nibble & 3];
    std::string out;
    out.reserve(36);
    out.append(hex, 0, 8).push_back('-');
    out.append(hex, 8, 4).push_back('-');
    out.append(hex, 12, 4).push_back('-');
    out.append(hex, 16, 4).push_back('-');
    out.append(hex, 20, 12);
    return out;
}

}  // namespace

id_generator::id_generator(std::uint64_t seed) : rng_(seed) {}

id_generator::id_generator() {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    rng_.seed(seq);
}

std::string id_generator::next_uuid() {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex(32, '0');
    std::uint64_t a = rng_();
    std::uint64_t b = rng_();
    for (int i = 0; i < 16; ++i) {
        hex[i] = digits[a & 0xf];
        a >>= 4;
        hex[16 + i] = digits[b & 0xf];
        b >>= 4;
    }
    return shape_uuid(std::move(hex));
}

std::string stable_uuid(std::string_view name) {
    return shape_uuid(crypto::sha256_hex(name).substr(0, 32));
}

bool looks_like_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

}  // namespace las::attio_emulator
