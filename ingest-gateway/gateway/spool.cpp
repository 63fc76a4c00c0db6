#include "gateway/spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>

#include <zlib.h>

#include "core/log.hpp"

namespace las::gateway {
namespace {

constexpr std::uint32_t record_magic = 0x4c415331;  // "LAS1"
constexpr std::size_t record_header_bytes = 12;
constexpr std::size_t head_bytes = 20;
constexpr std::string_view segment_suffix = ".seg";

std::string errno_text(int err) { return std::generic_category().message(err); }

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint32_t get_u32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}
std::uint64_t get_u64(const char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

// Writes all of `data` (write(2) may be partial); false with errno set on failure.
bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool read_all(int fd, char* out, std::size_t n, std::uint64_t offset) {
    while (n > 0) {
        const ssize_t r = ::pread(fd, out, n, static_cast<off_t>(offset));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        out += r;
        n -= static_cast<std::size_t>(r);
        offset += static_cast<std::uint64_t>(r);
    }
    return true;
}

// "00000000000000000042.seg" → 42.
std::optional<std::uint64_t> segment_seq(const std::string& name) {
    if (name.size() != 20 + segment_suffix.size() || !name.ends_with(segment_suffix)) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 20; ++i) {
        if (name[i] < '0' || name[i] > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(name[i] - '0');
    }
    return v;
}

}  // namespace

std::uint32_t crc32(std::string_view data) {
    uLong crc = ::crc32(0L, Z_NULL, 0);
    // zlib takes uInt lengths; records are far below 4 GiB but stay correct beyond.
    while (!data.empty()) {
        const auto n = static_cast<uInt>(std::min<std::size_t>(data.size(), 1u << 30));
        crc = ::crc32(crc, reinterpret_cast<const Bytef*>(data.data()), n);
        data.remove_prefix(n);
    }
    return static_cast<std::uint32_t>(crc);
}

std::string_view to_string(append_status s) noexcept {
    switch (s) {
        case append_status::stored: return "stored";
        case append_status::full: return "full";
        case append_status::io_error: return "io_error";
        case append_status::closed: return "closed";
    }
    return "unknown";
}

spool::spool(spool_options options) : options_(std::move(options)) {}

result<std::unique_ptr<spool>, std::string> spool::open(spool_options options) {
    std::error_code ec;
    std::filesystem::create_directories(options.dir, ec);
    if (ec) return fail("SPOOL_DIR: cannot create " + options.dir.string() + ": " + ec.message());
    std::unique_ptr<spool> s(new spool(std::move(options)));
    s->dir_fd_ = ::open(s->options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->dir_fd_ < 0) return fail("SPOOL_DIR: cannot open " + s->options_.dir.string() + ": " + errno_text(errno));
    if (auto r = s->recover(); !r) return fail(std::move(r.error()));
    s->writer_ = std::thread([p = s.get()] { p->run_writer(); });
    return s;
}

spool::~spool() {
    close();
    for (auto& [seq, fd] : read_fds_) ::close(fd);
    if (write_fd_ >= 0) ::close(write_fd_);
    if (dir_fd_ >= 0) ::close(dir_fd_);
}

std::filesystem::path spool::segment_path(std::uint64_t seq) const {
    std::string name = std::to_string(seq);
    name.insert(0, 20 - name.size(), '0');
    return options_.dir / (name + std::string(segment_suffix));
}

result<std::monostate, std::string> spool::recover() {
    const std::string where = "SPOOL_DIR " + options_.dir.string();
    std::vector<std::uint64_t> seqs;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(options_.dir, ec))
        if (auto seq = segment_seq(entry.path().filename().string())) seqs.push_back(*seq);
    if (ec) return fail(where + ": cannot list: " + ec.message());
    std::sort(seqs.begin(), seqs.end());

    // The head: everything before it is consumed. Missing or damaged: start from the
    // oldest segment (records may be published twice; none is lost).
    std::uint64_t head_seq = seqs.empty() ? 0 : seqs.front();
    std::uint64_t head_offset = 0;
    const auto head_path = options_.dir / "head";
    if (const int fd = ::open(head_path.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
        char buf[head_bytes];
        const bool got = read_all(fd, buf, head_bytes, 0);
        ::close(fd);
        if (got && crc32({buf, 16}) == get_u32(buf + 16)) {
            head_seq = get_u64(buf);
            head_offset = get_u64(buf + 8);
        } else {
            log::warn("spool.head_damaged", {{"dir", options_.dir.string()}});
        }
    }

    std::uint64_t recovered = 0;
    for (std::size_t i = 0; i < seqs.size(); ++i) {
        const std::uint64_t seq = seqs[i];
        const auto path = segment_path(seq);
        if (seq < head_seq) {  // consumed before the crash, not yet deleted
            std::filesystem::remove(path, ec);
            continue;
        }
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return fail(where + ": cannot open " + path.string() + ": " + errno_text(errno));
        read_fds_[seq] = fd;
        struct stat st {};
        if (::fstat(fd, &st) != 0) return fail(where + ": cannot stat " + path.string() + ": " + errno_text(errno));
        const auto size = static_cast<std::uint64_t>(st.st_size);
        std::uint64_t pos = seq == head_seq ? std::min(head_offset, size) : 0;
        std::string payload;
        char header[record_header_bytes];
        while (pos + record_header_bytes <= size) {
            if (!read_all(fd, header, record_header_bytes, pos)) break;
            const std::uint32_t length = get_u32(header + 4);
            if (get_u32(header) != record_magic || length > options_.max_record_bytes ||
                pos + record_header_bytes + length > size)
                break;
            payload.resize(length);
            if (!read_all(fd, payload.data(), length, pos + record_header_bytes)) break;
            if (crc32(payload) != get_u32(header + 8)) break;
            index_.push_back(location{seq, pos, length});
            pending_bytes_ += length;
            ++recovered;
            pos += record_header_bytes + length;
        }
        if (pos < size) {
            if (i + 1 == seqs.size()) {
                // A torn tail: the crash came before this write's fdatasync, so it was never
                // acknowledged. Cut it off so new records follow the last whole one.
                log::warn("spool.torn_tail", {{"segment", path.filename().string()}, {"offset", pos},
                                              {"bytes_dropped", size - pos}});
                const int wfd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
                if (wfd < 0 || ::ftruncate(wfd, static_cast<off_t>(pos)) != 0 || ::fdatasync(wfd) != 0) {
                    const int err = errno;
                    if (wfd >= 0) ::close(wfd);
                    return fail(where + ": cannot truncate torn tail of " + path.string() + ": " + errno_text(err));
                }
                ::close(wfd);
            } else {
                log::error("spool.corrupt_segment", {{"segment", path.filename().string()}, {"offset", pos},
                                                     {"bytes_skipped", size - pos}});
            }
        }
        if (i + 1 == seqs.size()) {
            write_seq_ = seq;
            write_size_ = std::min(pos, size);
        }
    }
    events_ = index_.size();
    bytes_ = pending_bytes_;
    if (recovered > 0)
        log::info("spool.recovered", {{"dir", options_.dir.string()}, {"events", recovered}, {"bytes", pending_bytes_}});

    // Continue the last segment when there is room; otherwise a fresh one after everything
    // the head or the files have named (a reused number could hide records behind the head).
    if (!seqs.empty() && write_seq_ >= head_seq && write_size_ < options_.segment_bytes) {
        write_fd_ = ::open(segment_path(write_seq_).c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
        if (write_fd_ < 0) return fail(where + ": cannot open for writing: " + errno_text(errno));
        return std::monostate{};
    }
    const std::uint64_t next = std::max(seqs.empty() ? 0 : seqs.back(), head_seq) + 1;
    return start_segment(next);
}

result<std::monostate, std::string> spool::start_segment(std::uint64_t seq) {
    const auto path = segment_path(seq);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return fail("spool: cannot create " + path.string() + ": " + errno_text(errno));
    // The new name must survive a crash too, or its synced records would be unreachable.
    if (::fsync(dir_fd_) != 0) {
        const int err = errno;
        ::close(fd);
        return fail("spool: cannot sync directory " + options_.dir.string() + ": " + errno_text(err));
    }
    const int rfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (rfd < 0) {
        const int err = errno;
        ::close(fd);
        return fail("spool: cannot open " + path.string() + ": " + errno_text(err));
    }
    if (write_fd_ >= 0) ::close(write_fd_);
    write_fd_ = fd;
    write_size_ = 0;
    write_broken_ = false;
    std::lock_guard lock(mutex_);
    write_seq_ = seq;
    read_fds_[seq] = rfd;
    return std::monostate{};
}

void spool::append(std::string payload, completion done) {
    const std::uint64_t size = payload.size();
    append_status refused = append_status::closed;
    {
        std::lock_guard lock(mutex_);
        if (!closing_) {
            if (size > options_.max_record_bytes || reserved_bytes_ + pending_bytes_ + size > options_.max_bytes) {
                refused = append_status::full;
            } else {
                reserved_bytes_ += size;
                queue_.push_back(pending{std::move(payload), std::move(done)});
                if (queue_.size() == 1) wake_writer_.notify_one();
                return;
            }
        }
    }
    done(refused);  // outside the lock: it may append again
}

append_status spool::append_wait(std::string payload) {
    std::mutex m;
    std::condition_variable cv;
    std::optional<append_status> outcome;
    append(std::move(payload), [&](append_status s) {
        std::lock_guard lock(m);
        outcome = s;
        cv.notify_one();
    });
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return outcome.has_value(); });
    return *outcome;
}

void spool::run_writer() {
    std::vector<pending> batch;
    std::vector<location> placed;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_writer_.wait(lock, [&] { return !queue_.empty() || closing_; });
            if (queue_.empty()) return;  // closing, and everything accepted is written
            batch.swap(queue_);
        }
        placed.clear();
        const append_status st = write_batch(batch, placed);
        std::function<void()> notify;
        {
            std::lock_guard lock(mutex_);
            for (const auto& p : batch) reserved_bytes_ -= p.payload.size();
            if (st == append_status::stored) {
                for (const auto& loc : placed) {
                    index_.push_back(loc);
                    pending_bytes_ += loc.length;
                }
                notify = on_stored_;
            }
            events_.store(index_.size());
            bytes_.store(pending_bytes_);
        }
        for (auto& p : batch) p.done(st);
        batch.clear();
        if (notify) notify();
    }
}

append_status spool::write_batch(std::vector<pending>& batch, std::vector<location>& placed) {
    if (write_fd_ < 0 || write_broken_ || write_size_ >= options_.segment_bytes) {
        // A failed attempt may leave its file behind (created, directory not synced): the
        // next attempt takes the next number instead of failing on it forever.
        if (auto r = start_segment(write_seq_ + 1 + failed_segment_starts_); !r) {
            ++failed_segment_starts_;
            log::error("spool.write_failed", {{"error", r.error()}});
            healthy_ = false;
            return append_status::io_error;
        }
        failed_segment_starts_ = 0;
    }
    std::size_t total = 0;
    for (const auto& p : batch) total += record_header_bytes + p.payload.size();
    std::string buffer;
    buffer.reserve(total);
    std::uint64_t offset = write_size_;
    for (const auto& p : batch) {
        put_u32(buffer, record_magic);
        put_u32(buffer, static_cast<std::uint32_t>(p.payload.size()));
        put_u32(buffer, crc32(p.payload));
        buffer += p.payload;
        placed.push_back(location{write_seq_, offset, static_cast<std::uint32_t>(p.payload.size())});
        offset += record_header_bytes + p.payload.size();
    }
    const char* failed = nullptr;
    if (!write_all(write_fd_, buffer)) failed = "write";
    else if (::fdatasync(write_fd_) != 0) failed = "fdatasync";
    if (failed != nullptr) {
        const int err = errno;
        // After a failed write or sync the file's state is unknown: never append to it again.
        write_broken_ = true;
        healthy_ = false;
        log::error("spool.write_failed", {{"op", failed}, {"error", errno_text(err)}, {"records", batch.size()}});
        return append_status::io_error;
    }
    write_size_ = offset;
    healthy_ = true;
    return append_status::stored;
}

result<std::vector<spool_record>, std::string> spool::peek(std::size_t max) const {
    std::vector<std::pair<location, int>> wanted;
    {
        std::lock_guard lock(mutex_);
        const std::size_t n = std::min(max, index_.size());
        wanted.reserve(n);
        for (std::size_t i = 0; i < n; ++i) wanted.emplace_back(index_[i], read_fds_.at(index_[i].segment));
    }
    std::vector<spool_record> out;
    out.reserve(wanted.size());
    for (const auto& [loc, fd] : wanted) {
        spool_record r{loc.segment, loc.offset, std::string(loc.length, '\0')};
        if (!read_all(fd, r.payload.data(), loc.length, loc.offset + record_header_bytes))
            return fail("spool: cannot read " + segment_path(loc.segment).string() + ": " + errno_text(errno));
        out.push_back(std::move(r));
    }
    return out;
}

result<std::monostate, std::string> spool::remove_front(std::size_t n) {
    std::uint64_t head_seq = 0;
    std::uint64_t head_offset = 0;
    {
        std::lock_guard lock(mutex_);
        n = std::min(n, index_.size());
        if (n == 0) return std::monostate{};
        const location last = index_[n - 1];
        for (std::size_t i = 0; i < n; ++i) pending_bytes_ -= index_[i].length;
        index_.erase(index_.begin(), index_.begin() + static_cast<std::ptrdiff_t>(n));
        if (index_.empty()) {
            head_seq = last.segment;
            head_offset = last.offset + record_header_bytes + last.length;
        } else {
            head_seq = index_.front().segment;
            head_offset = index_.front().offset;
        }
        events_.store(index_.size());
        bytes_.store(pending_bytes_);
    }
    if (auto r = persist_head(head_seq, head_offset); !r) return r;
    // Segments wholly before the head are consumed; the writer is never behind the head.
    std::vector<std::uint64_t> dead;
    {
        std::lock_guard lock(mutex_);
        for (auto it = read_fds_.begin(); it != read_fds_.end() && it->first < head_seq;) {
            ::close(it->second);
            dead.push_back(it->first);
            it = read_fds_.erase(it);
        }
    }
    for (auto seq : dead) {
        std::error_code ec;
        std::filesystem::remove(segment_path(seq), ec);
        if (ec) log::warn("spool.remove_segment_failed", {{"segment", seq}, {"error", ec.message()}});
    }
    return std::monostate{};
}

result<std::monostate, std::string> spool::persist_head(std::uint64_t segment, std::uint64_t offset) {
    std::string buf;
    put_u64(buf, segment);
    put_u64(buf, offset);
    put_u32(buf, crc32(buf));
    const auto tmp = options_.dir / "head.tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("spool: cannot write " + tmp.string() + ": " + errno_text(errno));
    const bool ok = write_all(fd, buf) && ::fdatasync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok) return fail("spool: cannot write " + tmp.string() + ": " + errno_text(err));
    if (::rename(tmp.c_str(), (options_.dir / "head").c_str()) != 0)
        return fail("spool: cannot replace head: " + errno_text(errno));
    return std::monostate{};
}

std::uint64_t spool::events() const { return events_.load(); }
std::uint64_t spool::bytes() const { return bytes_.load(); }
bool spool::writable() const { return healthy_.load() && bytes_.load() < options_.max_bytes; }

void spool::on_stored(std::function<void()> callback) {
    std::lock_guard lock(mutex_);
    on_stored_ = std::move(callback);
}

void spool::close() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
    }
    wake_writer_.notify_all();
    std::lock_guard lock(close_mutex_);
    if (writer_.joinable()) writer_.join();
}

}  // namespace las::gateway
