#include "state/sqlite_trace_log.hpp"

namespace las::state {
namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS trace_lines(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  line TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS trace_lines_key ON trace_lines(key, seq);
CREATE INDEX IF NOT EXISTS trace_lines_at ON trace_lines(at_ms);
)sql";

std::filesystem::path trace_file(const sqlite_trace_options& o) {
    std::filesystem::create_directories(o.directory);
    return o.directory / o.file_name;
}

sqlite::database open(const sqlite_trace_options& o) {
    sqlite::database db(trace_file(o), std::chrono::milliseconds(5'000));
    if (auto r = db.exec(schema); !r) throw std::runtime_error(trace_file(o).string() + ": " + r.error().message);
    // Best effort: a trace line lost with the machine's power costs nothing but a line.
    if (auto r = db.exec("PRAGMA synchronous=NORMAL"); !r) throw std::runtime_error(r.error().message);
    return db;
}

}  // namespace

sqlite_trace_log::sqlite_trace_log(sqlite_trace_options options)
    : options_(std::move(options)),
      db_(open(options_)),
      insert_(db_, "INSERT INTO trace_lines(key, at_ms, line) VALUES(?, ?, ?)"),
      trim_(db_, "DELETE FROM trace_lines WHERE key = ? AND seq NOT IN "
                 "(SELECT seq FROM trace_lines WHERE key = ? ORDER BY seq DESC LIMIT ?)"),
      select_(db_, "SELECT line FROM trace_lines WHERE key = ? AND at_ms >= ? ORDER BY seq"),
      purge_(db_, "DELETE FROM trace_lines WHERE at_ms < ?") {}

std::int64_t sqlite_trace_log::now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(options_.clock().time_since_epoch()).count();
}

result<bool, store_error> sqlite_trace_log::append(std::string_view key, std::string_view line) {
    std::lock_guard lock(mutex_);
    const auto now = now_ms();
    {
        sqlite::statement::run ins(insert_);
        if (auto r = ins.bind(key).bind(now).bind(line).exec(); !r) return fail(std::move(r.error()));
    }
    {
        sqlite::statement::run trim(trim_);
        if (auto r = trim.bind(key).bind(key).bind(static_cast<std::int64_t>(max_trace_lines)).exec(); !r)
            return fail(std::move(r.error()));
    }
    if (++appends_ % options_.purge_every == 0) {
        sqlite::statement::run purge(purge_);
        const auto horizon = now - std::chrono::duration_cast<std::chrono::milliseconds>(options_.ttl).count();
        if (auto r = purge.bind(horizon).exec(); !r) return fail(std::move(r.error()));
    }
    return true;
}

result<std::vector<std::string>, store_error> sqlite_trace_log::lines(std::string_view key) {
    std::lock_guard lock(mutex_);
    const auto horizon = now_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(options_.ttl).count();
    sqlite::statement::run sel(select_);
    sel.bind(key).bind(horizon);
    std::vector<std::string> out;
    for (;;) {
        auto row = sel.step();
        if (!row) return fail(std::move(row.error()));
        if (!*row) break;
        out.push_back(sel.text(0));
    }
    return out;
}

}  // namespace las::state
