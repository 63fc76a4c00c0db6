#pragma once
// Thin RAII over the SQLite C API, just what the embedded state store needs: a connection,
// prepared statements used one run at a time, and an IMMEDIATE transaction that rolls back
// unless committed. Failures at run time come back as store_error; failures to open or to
// prepare (start-up, or a bug in our SQL) throw.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "core/result.hpp"
#include "state/store_error.hpp"

namespace las::state::sqlite {

// Maps an SQLite result code and the connection's message to a store_error.
store_error make_error(sqlite3* db, int rc, std::string_view during);

class database {
public:
    // Opens (creating) the file in WAL mode with a busy timeout. Throws std::runtime_error.
    database(const std::filesystem::path& file, std::chrono::milliseconds busy_timeout);

    sqlite3* get() const { return db_.get(); }

    // Runs SQL without results (pragmas, BEGIN/COMMIT).
    result<bool, store_error> exec(const char* sql);

private:
    struct closer {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    std::unique_ptr<sqlite3, closer> db_;
};

class statement {
public:
    statement(database& db, std::string_view sql);  // throws std::runtime_error on bad SQL

    // One use of the statement: bind in order, step, read columns. Resets (and clears the
    // bindings) when it goes out of scope, so no read stays open across calls.
    class run {
    public:
        explicit run(statement& s);
        ~run();
        run(const run&) = delete;
        run& operator=(const run&) = delete;

        run& bind(std::string_view text);
        run& bind(std::int64_t value);

        // True when a row is available, false when the statement is finished.
        result<bool, store_error> step();
        // Steps to the end (for writes); returns the number of rows changed.
        result<std::int64_t, store_error> exec();

        std::int64_t int64(int column) const;
        std::string text(int column) const;

    private:
        statement& s_;
        int next_index_ = 1;
    };

private:
    struct finalizer {
        void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
    };
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, finalizer> stmt_;
};

// BEGIN IMMEDIATE takes the write lock up front, so two connections (threads or processes)
// never both read "free" and then both write "claimed". Rolls back unless commit() succeeded.
class transaction {
public:
    static result<transaction, store_error> begin_immediate(database& db);
    transaction(transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
    transaction& operator=(transaction&&) = delete;
    ~transaction();

    result<bool, store_error> commit();

private:
    explicit transaction(database& db) : db_(&db) {}
    database* db_;  // null once committed, rolled back or moved from
};

}  // namespace las::state::sqlite
