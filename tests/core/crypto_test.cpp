#include <catch2/catch.hpp>

#include "core/crypto.hpp"

using namespace las;

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2") {
    CHECK(crypto::hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("SHA-256 of the empty string and of abc") {
    CHECK(crypto::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(crypto::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("constant-time comparison") {
    CHECK(crypto::constant_time_equal("secret", "secret"));
    CHECK_FALSE(crypto::constant_time_equal("secret", "secreT"));
    CHECK_FALSE(crypto::constant_time_equal("secret", "secret!"));
    CHECK(crypto::constant_time_equal("", ""));
}

TEST_CASE("random_hex has the requested length and varies") {
    const auto a = crypto::random_hex(16);
    CHECK(a.size() == 32);
    CHECK(a != crypto::random_hex(16));
}
