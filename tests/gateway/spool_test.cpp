// The spool on a temp dir: durability bookkeeping, recovery, limits, ordering.
#include <fcntl.h>
#include <unistd.h>

#include <thread>

#include <catch2/catch.hpp>

#include "gateway/spool.hpp"
#include "gateway/spool_message.hpp"
#include "test_support.hpp"

using namespace las;
using namespace las::gateway;

namespace {

std::unique_ptr<spool> open_spool(const std::filesystem::path& dir, std::uint64_t max_bytes = 1 << 20,
                                  std::uint64_t segment_bytes = 64 << 20) {
    auto s = spool::open(spool_options{dir, max_bytes, segment_bytes});
    if (!s) FAIL("spool::open: " << s.error());
    return std::move(s.value());
}

std::vector<std::string> payloads(const spool& s, std::size_t max = 1000) {
    auto records = s.peek(max);
    if (!records) FAIL("peek: " << records.error());
    std::vector<std::string> out;
    for (auto& r : *records) out.push_back(std::move(r.payload));
    return out;
}

std::vector<std::filesystem::path> segments(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".seg") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

void append_raw(const std::filesystem::path& file, const std::string& bytes) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    ::close(fd);
}

}  // namespace

TEST_CASE("spool: appended records read back in order - and survive a reopen") {
    test::temp_dir dir;
    {
        auto s = open_spool(dir.path());
        CHECK(s->events() == 0);
        for (int i = 0; i < 5; ++i) CHECK(s->append_wait("record-" + std::to_string(i)) == append_status::stored);
        CHECK(s->events() == 5);
        CHECK(s->bytes() == 5 * 8);
        CHECK(payloads(*s) == std::vector<std::string>{"record-0", "record-1", "record-2", "record-3", "record-4"});
        CHECK(payloads(*s, 2).size() == 2);
    }
    auto s = open_spool(dir.path());
    CHECK(s->events() == 5);
    CHECK(payloads(*s).front() == "record-0");
    CHECK(payloads(*s).back() == "record-4");
}

TEST_CASE("spool: removed records stay removed across a restart - the rest keep their order") {
    test::temp_dir dir;
    {
        auto s = open_spool(dir.path());
        for (int i = 0; i < 5; ++i) REQUIRE(s->append_wait("r" + std::to_string(i)) == append_status::stored);
        REQUIRE(s->remove_front(2));
        CHECK(s->events() == 3);
        CHECK(payloads(*s).front() == "r2");
    }
    {
        auto s = open_spool(dir.path());
        CHECK(payloads(*s) == std::vector<std::string>{"r2", "r3", "r4"});
        REQUIRE(s->append_wait("r5") == append_status::stored);  // appends after the recovered tail
        REQUIRE(s->remove_front(3));
    }
    auto s = open_spool(dir.path());
    CHECK(payloads(*s) == std::vector<std::string>{"r5"});
    REQUIRE(s->remove_front(1));
    CHECK(s->events() == 0);
    CHECK(s->bytes() == 0);
}

TEST_CASE("spool: a torn last record is detected and ignored - and new records follow the last whole one") {
    test::temp_dir dir;
    {
        auto s = open_spool(dir.path());
        for (int i = 0; i < 3; ++i) REQUIRE(s->append_wait("whole-" + std::to_string(i)) == append_status::stored);
    }
    const auto segs = segments(dir.path());
    REQUIRE(segs.size() == 1);
    const auto whole_size = std::filesystem::file_size(segs[0]);

    SECTION("a header cut short") { append_raw(segs[0], std::string("\x31\x53\x41\x4c\x10", 5)); }
    SECTION("a body cut short") { append_raw(segs[0], std::string("\x31\x53\x41\x4c\x10\x00\x00\x00\x00\x00\x00\x00" "abc", 15)); }
    SECTION("a whole-looking record with a wrong checksum") {
        append_raw(segs[0], std::string("\x31\x53\x41\x4c\x03\x00\x00\x00\xde\xad\xbe\xef" "abc", 15));
    }
    SECTION("zeros, as a crash before the sync can leave") { append_raw(segs[0], std::string(64, '\0')); }

    {
        auto s = open_spool(dir.path());
        CHECK(s->events() == 3);
        CHECK(std::filesystem::file_size(segs[0]) == whole_size);  // the torn tail was cut off
        REQUIRE(s->append_wait("after-crash") == append_status::stored);
    }
    auto s = open_spool(dir.path());
    CHECK(payloads(*s) == std::vector<std::string>{"whole-0", "whole-1", "whole-2", "after-crash"});
}

TEST_CASE("spool: a damaged record in the middle of the last segment cuts it there") {
    test::temp_dir dir;
    {
        auto s = open_spool(dir.path());
        for (int i = 0; i < 3; ++i) REQUIRE(s->append_wait("rec-" + std::to_string(i)) == append_status::stored);
    }
    const auto seg = segments(dir.path()).at(0);
    {
        // Flip one payload byte of the second record (header 12 bytes + "rec-0" 5 bytes, then header 12).
        const int fd = ::open(seg.c_str(), O_WRONLY);
        REQUIRE(fd >= 0);
        REQUIRE(::pwrite(fd, "X", 1, 17 + 12 + 2) == 1);
        ::close(fd);
    }
    auto s = open_spool(dir.path());
    CHECK(payloads(*s) == std::vector<std::string>{"rec-0"});
}

TEST_CASE("spool: full refuses at once and frees up as records are removed") {
    test::temp_dir dir;
    auto s = open_spool(dir.path(), /*max_bytes=*/100);
    CHECK(s->append_wait(std::string(60, 'a')) == append_status::stored);
    CHECK(s->append_wait(std::string(60, 'b')) == append_status::full);
    CHECK(s->append_wait(std::string(40, 'c')) == append_status::stored);
    CHECK(s->events() == 2);
    CHECK_FALSE(s->writable());  // at its limit
    CHECK(s->append_wait("d") == append_status::full);
    REQUIRE(s->remove_front(1));
    CHECK(s->writable());
    CHECK(s->append_wait(std::string(60, 'e')) == append_status::stored);
    CHECK(payloads(*s) == std::vector<std::string>{std::string(40, 'c'), std::string(60, 'e')});
}

TEST_CASE("spool: segments rotate - consumed segments are deleted - order holds across segments") {
    test::temp_dir dir;
    {
        auto s = open_spool(dir.path(), 1 << 20, /*segment_bytes=*/100);
        for (int i = 0; i < 20; ++i) REQUIRE(s->append_wait("segmented-record-" + std::to_string(i)) == append_status::stored);
        CHECK(segments(dir.path()).size() > 3);
        std::vector<std::string> expected;
        for (int i = 0; i < 20; ++i) expected.push_back("segmented-record-" + std::to_string(i));
        CHECK(payloads(*s) == expected);
        REQUIRE(s->remove_front(15));
        CHECK(segments(dir.path()).size() <= 3);
    }
    auto s = open_spool(dir.path(), 1 << 20, 100);
    const auto rest = payloads(*s);
    REQUIRE(rest.size() == 5);
    CHECK(rest.front() == "segmented-record-15");
    CHECK(rest.back() == "segmented-record-19");
}

TEST_CASE("spool: concurrent appends are all stored (group commit) - none twice") {
    test::temp_dir dir;
    auto s = open_spool(dir.path(), 64 << 20);
    constexpr int threads = 4, per_thread = 250;
    std::atomic<int> stored{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i)
                if (s->append_wait("t" + std::to_string(t) + "-" + std::to_string(i)) == append_status::stored) ++stored;
        });
    for (auto& th : pool) th.join();
    CHECK(stored == threads * per_thread);
    auto all = payloads(*s, 10'000);
    CHECK(all.size() == threads * per_thread);
    std::sort(all.begin(), all.end());
    CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
}

TEST_CASE("spool: an unwritable directory refuses with io_error and reports not writable") {
    test::temp_dir dir;
    const auto sub = dir.path() / "spool";
    auto s = open_spool(sub, 1 << 20, /*segment_bytes=*/16);
    REQUIRE(s->append_wait("first-record") == append_status::stored);  // fills the first segment
    std::filesystem::remove_all(sub);                                 // the next segment cannot be created
    CHECK(s->append_wait("second-record") == append_status::io_error);
    CHECK_FALSE(s->writable());
    // The directory comes back (an operator fixed the mount): writes resume, nothing is
    // reported stored that was not.
    std::filesystem::create_directories(sub);
    CHECK(s->append_wait("third-record") == append_status::stored);
    CHECK(s->writable());
    CHECK(s->events() == 2);
}

TEST_CASE("spool: after close - appends are refused") {
    test::temp_dir dir;
    auto s = open_spool(dir.path());
    s->close();
    CHECK(s->append_wait("late") == append_status::closed);
}

TEST_CASE("spool_message: a publish request round-trips - garbage is refused") {
    amqp::publish_request m;
    m.exchange = "lemlist.events";
    m.routing_key = "lemlist.events";
    m.message_id = "act_1";
    m.body = std::string("{\"a\":\"\0b\"}", 11);
    m.headers.emplace("x-received-at", "2025-01-01T00:00:00.000Z");
    m.headers.emplace("x-attempts", std::int64_t{-3});
    m.headers.emplace("x-big", std::int64_t{1} << 40);
    m.mandatory = false;
    const auto back = decode_message(encode_message(m));
    REQUIRE(back);
    CHECK(back->exchange == m.exchange);
    CHECK(back->routing_key == m.routing_key);
    CHECK(back->message_id == m.message_id);
    CHECK(back->content_type == "application/json");
    CHECK(back->body == m.body);
    CHECK(back->headers == m.headers);
    CHECK(back->persistent);
    CHECK_FALSE(back->mandatory);
    CHECK_FALSE(back->reply_to);

    const std::string enc = encode_message(m);
    CHECK_FALSE(decode_message(enc.substr(0, enc.size() - 1)));
    CHECK_FALSE(decode_message(enc + "x"));
    CHECK_FALSE(decode_message(""));
    CHECK_FALSE(decode_message("\x02garbage"));
}

TEST_CASE("spool: record checksums are IEEE CRC-32") {
    CHECK(crc32("123456789") == 0xCBF43926u);
    CHECK(crc32("") == 0u);
}
