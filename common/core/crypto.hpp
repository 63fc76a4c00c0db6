#pragma once
// Small OpenSSL-backed helpers: webhook secret checks and content hashes.

#include <string>
#include <string_view>

namespace las::crypto {

// Compares in time independent of where the inputs differ (length is not hidden).
bool constant_time_equal(std::string_view a, std::string_view b);

// Lowercase hex of HMAC-SHA256(key, data): Attio's `Attio-Signature`.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Lowercase hex of SHA-256(data).
std::string sha256_hex(std::string_view data);

// Random bytes from OpenSSL's CSPRNG as lowercase hex (2 * bytes characters); for ids.
std::string random_hex(std::size_t bytes);

}  // namespace las::crypto
