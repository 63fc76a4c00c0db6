#include "state/sqlite_db.hpp"

#include <stdexcept>

namespace las::state::sqlite {

store_error make_error(sqlite3* db, int rc, std::string_view during) {
    store_error e;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: e.what = store_error::kind::busy; break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL: e.what = store_error::kind::unreachable; break;
    default: e.what = store_error::kind::failed; break;
    }
    e.message = "sqlite " + std::string(during) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    return e;
}

database::database(const std::filesystem::path& file, std::chrono::milliseconds busy_timeout) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &raw,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(raw);  // sqlite3_open_v2 may hand back a handle even on failure: close it either way
    if (rc != SQLITE_OK) {
        throw std::runtime_error("cannot open " + file.string() + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
    // WAL: readers never block the writer and one fsync per commit. FULL: a claim, step or
    // completion that returned is on disk, so a power loss cannot make an event write twice.
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"}) {
        if (auto r = exec(pragma); !r) throw std::runtime_error(file.string() + ": " + r.error().message);
    }
}

result<bool, store_error> database::exec(const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        auto e = make_error(db_.get(), rc, sql);
        sqlite3_free(message);
        return fail(std::move(e));
    }
    return true;
}

statement::statement(database& db, std::string_view sql) : db_(db.get()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                                      nullptr);
    if (rc != SQLITE_OK) {
        throw std::runtime_error("sqlite prepare failed: " + std::string(sqlite3_errmsg(db_)) + " in: " +
                                 std::string(sql));
    }
    stmt_.reset(raw);
}

statement::run::run(statement& s) : s_(s) {}

statement::run::~run() {
    sqlite3_reset(s_.stmt_.get());
    sqlite3_clear_bindings(s_.stmt_.get());
}

statement::run& statement::run::bind(std::string_view text) {
    // SQLITE_TRANSIENT: SQLite copies, so the caller's view may die before step().
    sqlite3_bind_text(s_.stmt_.get(), next_index_++, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
}

statement::run& statement::run::bind(std::int64_t value) {
    sqlite3_bind_int64(s_.stmt_.get(), next_index_++, value);
    return *this;
}

result<bool, store_error> statement::run::step() {
    const int rc = sqlite3_step(s_.stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return fail(make_error(s_.db_, rc, "step"));
}

result<std::int64_t, store_error> statement::run::exec() {
    for (;;) {
        auto r = step();
        if (!r) return fail(std::move(r.error()));
        if (!*r) break;
    }
    return static_cast<std::int64_t>(sqlite3_changes(s_.db_));
}

std::int64_t statement::run::int64(int column) const { return sqlite3_column_int64(s_.stmt_.get(), column); }

std::string statement::run::text(int column) const {
    const auto* p = sqlite3_column_text(s_.stmt_.get(), column);
    const int n = sqlite3_column_bytes(s_.stmt_.get(), column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

result<transaction, store_error> transaction::begin_immediate(database& db) {
    if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return fail(std::move(r.error()));
    return transaction(db);
}

transaction::~transaction() {
    if (db_) (void)db_->exec("ROLLBACK");
}

result<bool, store_error> transaction::commit() {
    auto* db = db_;
    auto r = db->exec("COMMIT");
    if (r) db_ = nullptr;  // on failure the destructor rolls back
    return r;
}

}  // namespace las::state::sqlite
