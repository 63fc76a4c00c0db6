#include "state/sqlite_pending_state.hpp"

namespace las::state {
namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS pending_updates(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id TEXT NOT NULL,
  priority INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pending_by_person ON pending_updates(record_id, seq);
CREATE INDEX IF NOT EXISTS pending_by_priority ON pending_updates(priority, record_id, at_ms);
CREATE TABLE IF NOT EXISTS written_state(
  record_id TEXT PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  body TEXT NOT NULL);
)sql";

std::int64_t ms_of(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::int64_t priority_code(pending_priority p) { return p == pending_priority::rep ? 0 : 1; }

std::filesystem::path pending_file(const sqlite_pending_options& o) {
    std::filesystem::create_directories(o.directory);
    return o.directory / o.file_name;
}

sqlite::database open(const sqlite_pending_options& o) {
    sqlite::database db(pending_file(o), std::chrono::milliseconds(5'000));
    if (auto r = db.exec(schema); !r) throw std::runtime_error(pending_file(o).string() + ": " + r.error().message);
    // An acked event's Person state lives only here until it is flushed.
    if (auto r = db.exec("PRAGMA synchronous=FULL"); !r) throw std::runtime_error(r.error().message);
    return db;
}

}  // namespace

sqlite_pending_state::sqlite_pending_state(sqlite_pending_options options)
    : options_(std::move(options)),
      db_(open(options_)),
      insert_(db_, "INSERT INTO pending_updates(record_id, priority, at_ms, body) VALUES(?, ?, ?, ?)"),
      oldest_(db_, "SELECT record_id, MIN(at_ms) AS since FROM pending_updates WHERE priority = ? "
                   "GROUP BY record_id ORDER BY since, record_id LIMIT ?"),
      select_written_(db_, "SELECT body FROM written_state WHERE record_id = ?"),
      select_updates_(db_, "SELECT seq, body FROM pending_updates WHERE record_id = ? ORDER BY seq"),
      consume_(db_, "DELETE FROM pending_updates WHERE record_id = ? AND seq <= ?"),
      put_written_(db_, "INSERT OR REPLACE INTO written_state(record_id, at_ms, body) VALUES(?, ?, ?)"),
      purge_(db_, "DELETE FROM written_state WHERE at_ms < ?"),
      count_(db_, "SELECT COUNT(DISTINCT record_id) FROM pending_updates WHERE priority = ?") {}

result<bool, store_error> sqlite_pending_state::add(std::string_view record_id, std::string_view update,
                                                    pending_priority priority,
                                                    std::chrono::system_clock::time_point now) {
    std::lock_guard lock(mutex_);
    sqlite::statement::run ins(insert_);
    if (auto r = ins.bind(record_id).bind(priority_code(priority)).bind(ms_of(now)).bind(update).exec(); !r)
        return fail(std::move(r.error()));
    return true;
}

result<std::vector<waiting_person>, store_error> sqlite_pending_state::oldest(pending_priority priority,
                                                                             std::size_t limit) {
    std::lock_guard lock(mutex_);
    sqlite::statement::run sel(oldest_);
    sel.bind(priority_code(priority)).bind(static_cast<std::int64_t>(limit));
    std::vector<waiting_person> out;
    for (;;) {
        auto row = sel.step();
        if (!row) return fail(std::move(row.error()));
        if (!*row) break;
        out.push_back({sel.text(0), std::chrono::system_clock::time_point(std::chrono::milliseconds(sel.int64(1)))});
    }
    return out;
}

result<pending_person, store_error> sqlite_pending_state::load(std::string_view record_id) {
    std::lock_guard lock(mutex_);
    pending_person out;
    {
        // Kept until a settle's purge passes its window: a written state is only ever joined
        // with newer updates, so an old one cannot move a Person back.
        sqlite::statement::run sel(select_written_);
        sel.bind(record_id);
        auto row = sel.step();
        if (!row) return fail(std::move(row.error()));
        if (*row) out.written = sel.text(0);
    }
    sqlite::statement::run sel(select_updates_);
    sel.bind(record_id);
    for (;;) {
        auto row = sel.step();
        if (!row) return fail(std::move(row.error()));
        if (!*row) break;
        out.upto = sel.int64(0);
        out.updates.push_back(sel.text(1));
    }
    return out;
}

result<bool, store_error> sqlite_pending_state::settle(std::string_view record_id, std::int64_t upto,
                                                       std::string_view written,
                                                       std::chrono::system_clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    {
        sqlite::statement::run del(consume_);
        if (auto r = del.bind(record_id).bind(upto).exec(); !r) return fail(std::move(r.error()));
    }
    {
        sqlite::statement::run put(put_written_);
        if (auto r = put.bind(record_id).bind(ms_of(now)).bind(written).exec(); !r) return fail(std::move(r.error()));
    }
    if (++settles_ % options_.purge_every == 0) {
        sqlite::statement::run purge(purge_);
        if (auto r = purge.bind(ms_of(now - options_.ttl)).exec(); !r) return fail(std::move(r.error()));
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));
    return true;
}

result<std::size_t, store_error> sqlite_pending_state::pending_people(pending_priority priority) {
    std::lock_guard lock(mutex_);
    sqlite::statement::run sel(count_);
    sel.bind(priority_code(priority));
    auto row = sel.step();
    if (!row) return fail(std::move(row.error()));
    return static_cast<std::size_t>(*row ? sel.int64(0) : 0);
}

}  // namespace las::state
