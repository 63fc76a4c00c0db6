#pragma once
// The local spool: where accepted events go when the broker cannot confirm them, so a 200
// still means "durably stored". Append-only segment files plus a small head file.
//
// On disk (SPOOL_DIR):
//   <20-digit seq>.seg   records, each: magic u32 | length u32 | crc32(payload) u32 | payload
//                        (little-endian); a segment is closed at `segment_bytes`
//   head                 segment u64 | offset u64 | crc32 u32: everything before this
//                        position is consumed (published and confirmed); replaced atomically
//                        (write head.tmp, fdatasync, rename)
//
// Durability: append() completes only after the record's bytes are written and fdatasync'ed.
// A writer thread does group commit: every append that arrived while the previous write was
// being synced goes out in one write + one fdatasync, so throughput grows with concurrency
// instead of being capped by the disk's sync latency.
//
// Crash safety: open() scans from the head; a record whose magic, length or checksum does
// not hold in the LAST segment is a torn write (the crash hit before its fdatasync, so it was
// never acknowledged): the file is truncated there. Elsewhere it is corruption: logged, and
// the rest of that segment is skipped.
//
// Consumption (one consumer, the drainer): peek() the oldest records in order, and
// remove_front(n) once they are confirmed; the head is persisted before remove_front returns.
// After a crash between a confirm and the head update the records are published again (the
// worker dedupes by message_id): at-least-once.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"

namespace las::gateway {

struct spool_options {
    std::filesystem::path dir;
    std::uint64_t max_bytes = 1ull << 30;           // pending payload bytes at most (SPOOL_MAX_BYTES)
    std::uint64_t segment_bytes = 64ull << 20;      // a new segment file starts past this size
    std::size_t max_record_bytes = 64ull << 20;     // larger records are refused (and never read back)
};

enum class append_status {
    stored,    // written and fdatasync'ed
    full,      // max_bytes would be exceeded
    io_error,  // write or sync failed (disk full, I/O error): not stored
    closed,    // the spool is shutting down
};

std::string_view to_string(append_status s) noexcept;

struct spool_record {
    std::uint64_t segment = 0;
    std::uint64_t offset = 0;  // of the record header in its segment
    std::string payload;
};

class spool {
public:
    using completion = std::function<void(append_status)>;

    // Creates the directory if needed, recovers what a previous run left, starts the writer
    // thread. Fails with one line when the directory cannot be used.
    static result<std::unique_ptr<spool>, std::string> open(spool_options options);
    ~spool();  // close()
    spool(const spool&) = delete;
    spool& operator=(const spool&) = delete;

    // Thread-safe; never blocks on the disk. `done` runs exactly once: on the writer thread
    // after the sync, or inline when refused at once (full, closed).
    void append(std::string payload, completion done);
    // Blocks until stored or refused (tests, tools).
    append_status append_wait(std::string payload);

    // The oldest `max` pending records, in append order (reads the files).
    result<std::vector<spool_record>, std::string> peek(std::size_t max) const;
    // Marks the `n` oldest records consumed and persists the head; deletes segments that are
    // entirely consumed. Only the consumer calls it, with n ≤ what it peeked.
    result<std::monostate, std::string> remove_front(std::size_t n);

    std::uint64_t events() const;  // pending records
    std::uint64_t bytes() const;   // pending payload bytes
    // False after a write or sync failed, until a later one succeeds; also false when full.
    bool writable() const;
    // Called (on the writer thread) after records were stored: wakes the drainer.
    void on_stored(std::function<void()> callback);

    // Completes pending appends (they are written first), stops the writer thread. Idempotent.
    void close();

private:
    struct pending {
        std::string payload;
        completion done;
    };
    struct location {
        std::uint64_t segment;
        std::uint64_t offset;
        std::uint32_t length;
    };

    explicit spool(spool_options options);
    result<std::monostate, std::string> recover();
    void run_writer();
    // Writes one batch; returns its status and the locations of its records.
    append_status write_batch(std::vector<pending>& batch, std::vector<location>& placed);
    result<std::monostate, std::string> start_segment(std::uint64_t seq);
    result<std::monostate, std::string> persist_head(std::uint64_t segment, std::uint64_t offset);
    std::filesystem::path segment_path(std::uint64_t seq) const;

    spool_options options_;

    mutable std::mutex mutex_;
    std::condition_variable wake_writer_;
    std::vector<pending> queue_;             // waiting for the writer; guarded by mutex_
    std::uint64_t reserved_bytes_ = 0;       // queued + pending, counted against max_bytes
    std::deque<location> index_;             // pending records, oldest first
    std::uint64_t pending_bytes_ = 0;
    std::atomic<std::uint64_t> events_{0};
    std::atomic<std::uint64_t> bytes_{0};
    std::atomic<bool> healthy_{true};
    bool closing_ = false;
    std::function<void()> on_stored_;
    mutable std::map<std::uint64_t, int> read_fds_;  // segment → O_RDONLY fd

    // Writer-thread state.
    int write_fd_ = -1;
    std::uint64_t write_seq_ = 0;
    std::uint64_t write_size_ = 0;
    bool write_broken_ = false;  // the active segment had a failed write: start a new one
    std::uint64_t failed_segment_starts_ = 0;

    int dir_fd_ = -1;
    std::mutex close_mutex_;  // close() from two threads joins once
    std::thread writer_;
};

// crc32 (IEEE) as used by the record and head checksums; exposed for tests.
std::uint32_t crc32(std::string_view data);

}  // namespace las::gateway
