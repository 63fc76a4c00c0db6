#include "state/sqlite_store.hpp"

#include <algorithm>
#include <stdexcept>
#include <system_error>

#include "core/crypto.hpp"
#include "core/log.hpp"

namespace las::state {
namespace {

// state column: 0 released (steps kept, claimable at once), 1 leased, 2 done.
constexpr std::int64_t state_free = 0;
constexpr std::int64_t state_leased = 1;
constexpr std::int64_t state_done = 2;

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS idempotency_keys(
  key            TEXT PRIMARY KEY NOT NULL,
  state          INTEGER NOT NULL,
  token          TEXT NOT NULL,
  lease_until_ms INTEGER NOT NULL,
  expires_at_ms  INTEGER NOT NULL,
  claims         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys(expires_at_ms);
CREATE TABLE IF NOT EXISTS idempotency_steps(
  key   TEXT NOT NULL,
  step  TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(key, step)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS enrollment_jobs(
  job_id        TEXT PRIMARY KEY NOT NULL,
  state         TEXT NOT NULL,
  total         INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS enrollment_job_results(
  job_id    TEXT NOT NULL,
  record_id TEXT NOT NULL,
  item      TEXT NOT NULL,
  PRIMARY KEY(job_id, record_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS named_locks(
  name           TEXT PRIMARY KEY NOT NULL,
  token          TEXT NOT NULL,
  lease_until_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

std::filesystem::path prepare_directory(const sqlite_store_options& o) {
    std::error_code ec;
    std::filesystem::create_directories(o.directory, ec);
    if (ec) throw std::runtime_error("STATE_DIR " + o.directory.string() + ": " + ec.message());
    return o.directory / o.file_name;
}

std::int64_t to_ms(std::chrono::milliseconds d) { return static_cast<std::int64_t>(d.count()); }

void require_positive(std::chrono::milliseconds lease) {
    if (lease <= std::chrono::milliseconds::zero()) throw std::invalid_argument("lease must be positive");
}

sqlite::database open_with_schema(const std::filesystem::path& file, std::chrono::milliseconds busy_timeout) {
    sqlite::database db(file, busy_timeout);
    if (auto r = db.exec(schema); !r) throw std::runtime_error(file.string() + ": " + r.error().message);
    return db;
}

}  // namespace

sqlite_store::sqlite_store(sqlite_store_options options)
    : options_(std::move(options)),
      file_(prepare_directory(options_)),
      db_(open_with_schema(file_, options_.busy_timeout)),
      select_key_(db_, "SELECT state, token, lease_until_ms, expires_at_ms, claims FROM idempotency_keys WHERE key = ?1"),
      select_steps_(db_, "SELECT step, value FROM idempotency_steps WHERE key = ?1"),
      delete_steps_(db_, "DELETE FROM idempotency_steps WHERE key = ?1"),
      upsert_claim_(db_,
                    "INSERT INTO idempotency_keys(key, state, token, lease_until_ms, expires_at_ms, claims) "
                    "VALUES(?1, 1, ?2, ?3, ?4, ?5) "
                    "ON CONFLICT(key) DO UPDATE SET state = 1, token = excluded.token, "
                    "lease_until_ms = excluded.lease_until_ms, expires_at_ms = excluded.expires_at_ms, "
                    "claims = excluded.claims"),
      insert_step_(db_,
                   "INSERT INTO idempotency_steps(key, step, value) VALUES(?1, ?2, ?3) "
                   "ON CONFLICT(key, step) DO UPDATE SET value = excluded.value"),
      extend_(db_,
              "UPDATE idempotency_keys SET lease_until_ms = ?3, expires_at_ms = max(expires_at_ms, ?3) "
              "WHERE key = ?1 AND token = ?2 AND state = 1"),
      complete_(db_,
                "UPDATE idempotency_keys SET state = 2, lease_until_ms = 0, expires_at_ms = ?3 "
                "WHERE key = ?1 AND token = ?2 AND state IN (1, 2)"),
      release_(db_,
               "UPDATE idempotency_keys SET state = 0, token = '', lease_until_ms = 0, "
               "expires_at_ms = max(expires_at_ms, ?3) WHERE key = ?1 AND token = ?2 AND state = 1"),
      purge_steps_(db_,
                   "DELETE FROM idempotency_steps WHERE key IN "
                   "(SELECT key FROM idempotency_keys WHERE expires_at_ms <= ?1)"),
      purge_keys_(db_, "DELETE FROM idempotency_keys WHERE expires_at_ms <= ?1"),
      purge_locks_(db_, "DELETE FROM named_locks WHERE lease_until_ms <= ?1"),
      count_keys_(db_, "SELECT count(*) FROM idempotency_keys"),
      select_lock_(db_, "SELECT lease_until_ms FROM named_locks WHERE name = ?1"),
      upsert_lock_(db_,
                   "INSERT INTO named_locks(name, token, lease_until_ms) VALUES(?1, ?2, ?3) "
                   "ON CONFLICT(name) DO UPDATE SET token = excluded.token, lease_until_ms = excluded.lease_until_ms"),
      delete_lock_(db_, "DELETE FROM named_locks WHERE name = ?1 AND token = ?2"),
      select_job_(db_, "SELECT state, total, expires_at_ms FROM enrollment_jobs WHERE job_id = ?1"),
      upsert_job_(db_,
                  "INSERT INTO enrollment_jobs(job_id, state, total, expires_at_ms) VALUES(?1, ?2, ?3, ?4) "
                  "ON CONFLICT(job_id) DO UPDATE SET state = excluded.state, total = excluded.total, "
                  "expires_at_ms = excluded.expires_at_ms"),
      delete_job_results_(db_, "DELETE FROM enrollment_job_results WHERE job_id = ?1"),
      insert_job_result_(db_,
                         "INSERT INTO enrollment_job_results(job_id, record_id, item) VALUES(?1, ?2, ?3) "
                         "ON CONFLICT(job_id, record_id) DO NOTHING"),
      touch_job_(db_,
                 "INSERT INTO enrollment_jobs(job_id, state, total, expires_at_ms) VALUES(?1, 'running', 0, ?2) "
                 "ON CONFLICT(job_id) DO UPDATE SET expires_at_ms = excluded.expires_at_ms"),
      update_job_state_(db_,
                        "INSERT INTO enrollment_jobs(job_id, state, total, expires_at_ms) VALUES(?1, ?2, 0, ?3) "
                        "ON CONFLICT(job_id) DO UPDATE SET state = excluded.state, expires_at_ms = excluded.expires_at_ms"),
      select_job_results_(db_, "SELECT record_id, item FROM enrollment_job_results WHERE job_id = ?1 ORDER BY record_id"),
      purge_job_results_(db_,
                         "DELETE FROM enrollment_job_results WHERE job_id IN "
                         "(SELECT job_id FROM enrollment_jobs WHERE expires_at_ms <= ?1)"),
      purge_jobs_(db_, "DELETE FROM enrollment_jobs WHERE expires_at_ms <= ?1") {
    if (options_.purge_every == 0) options_.purge_every = 1;
}

std::int64_t sqlite_store::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(options_.clock().time_since_epoch()).count();
}

result<claim_result, store_error> sqlite_store::claim(std::string_view key, std::chrono::milliseconds lease) {
    require_positive(lease);
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    // Read the clock inside the write lock: another process may have just written.
    const std::int64_t now = now_ms();

    claim_result out;
    bool exists = false;   // a row, live or past its TTL
    bool expired = false;  // past the idempotency window: treated as a new key
    std::int64_t claims = 0;
    {
        sqlite::statement::run row(select_key_);
        row.bind(key);
        auto has = row.step();
        if (!has) return fail(std::move(has.error()));
        if (*has) {
            exists = true;
            const auto state = row.int64(0);
            const auto lease_until = row.int64(2);
            const auto expires_at = row.int64(3);
            claims = row.int64(4);
            if (expires_at <= now) {
                expired = true;
                claims = 0;
            } else if (state == state_done) {
                out.status = claim_status::already_done;
                out.claims = static_cast<unsigned>(claims);
                return out;  // read only: the rollback is harmless
            } else if (state == state_leased && lease_until > now) {
                out.status = claim_status::held_elsewhere;
                out.lease_remaining = std::chrono::milliseconds(lease_until - now);
                out.claims = static_cast<unsigned>(claims);
                return out;
            }
        }
    }

    if (expired) {
        sqlite::statement::run del(delete_steps_);
        if (auto r = del.bind(key).exec(); !r) return fail(std::move(r.error()));
    } else if (exists) {
        sqlite::statement::run steps(select_steps_);
        steps.bind(key);
        for (;;) {
            auto has = steps.step();
            if (!has) return fail(std::move(has.error()));
            if (!*has) break;
            out.steps.emplace(steps.text(0), steps.text(1));
        }
    }

    out.status = claim_status::claimed;
    out.token = crypto::random_hex(16);
    out.claims = static_cast<unsigned>(claims + 1);
    const auto ttl = std::max<std::int64_t>(to_ms(options_.ttl), to_ms(lease));
    {
        sqlite::statement::run up(upsert_claim_);
        up.bind(key).bind(out.token).bind(now + to_ms(lease)).bind(now + ttl).bind(static_cast<std::int64_t>(out.claims));
        if (auto r = up.exec(); !r) return fail(std::move(r.error()));
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));

    if (++claims_since_purge_ >= options_.purge_every) {
        claims_since_purge_ = 0;
        // The claim stands whatever the purge does; a failed purge is retried next time.
        if (auto r = purge_locked(now_ms()); !r) {
            log::warn("state.purge_failed", {{"error", r.error().to_string()}});
        } else if (*r > 0) {
            log::debug("state.purged", {{"rows", *r}});
        }
    }
    return out;
}

result<bool, store_error> sqlite_store::record_step(std::string_view key, std::string_view token,
                                                    std::string_view step, std::string_view value) {
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    {
        // Fencing: only the current holder may record (an expired lease nobody took over
        // still counts as held: the step landed and the next claimer must see it).
        sqlite::statement::run row(select_key_);
        row.bind(key);
        auto has = row.step();
        if (!has) return fail(std::move(has.error()));
        if (!*has || row.int64(0) != state_leased || row.text(1) != token) return false;
    }
    {
        sqlite::statement::run ins(insert_step_);
        ins.bind(key).bind(step).bind(value);
        if (auto r = ins.exec(); !r) return fail(std::move(r.error()));
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));
    return true;
}

result<bool, store_error> sqlite_store::extend(std::string_view key, std::string_view token,
                                               std::chrono::milliseconds lease) {
    require_positive(lease);
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    std::int64_t changed = 0;
    {
        sqlite::statement::run up(extend_);
        up.bind(key).bind(token).bind(now_ms() + to_ms(lease));
        auto r = up.exec();
        if (!r) return fail(std::move(r.error()));
        changed = *r;
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));
    return changed == 1;
}

result<bool, store_error> sqlite_store::complete(std::string_view key, std::string_view token) {
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    {
        sqlite::statement::run up(complete_);
        up.bind(key).bind(token).bind(now_ms() + to_ms(options_.ttl));
        auto r = up.exec();
        if (!r) return fail(std::move(r.error()));
        if (*r != 1) return false;
    }
    {
        sqlite::statement::run del(delete_steps_);
        if (auto r = del.bind(key).exec(); !r) return fail(std::move(r.error()));
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));
    return true;
}

result<bool, store_error> sqlite_store::release(std::string_view key, std::string_view token) {
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    std::int64_t changed = 0;
    {
        // The steps stay, and live a full TTL from now so the retry ladder finds them.
        sqlite::statement::run up(release_);
        up.bind(key).bind(token).bind(now_ms() + to_ms(options_.ttl));
        auto r = up.exec();
        if (!r) return fail(std::move(r.error()));
        changed = *r;
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));
    return changed == 1;
}

result<bool, store_error> sqlite_store::check() {
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);  // proves the file is writable and lockable
    if (!tx) return fail(std::move(tx.error()));
    return true;
}

result<std::optional<std::string>, store_error> sqlite_store::try_lock(std::string_view name,
                                                                       std::chrono::milliseconds lease) {
    require_positive(lease);
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    const std::int64_t now = now_ms();
    {
        sqlite::statement::run row(select_lock_);
        row.bind(name);
        auto has = row.step();
        if (!has) return fail(std::move(has.error()));
        if (*has && row.int64(0) > now) return std::optional<std::string>{};
    }
    auto token = crypto::random_hex(16);
    {
        sqlite::statement::run up(upsert_lock_);
        up.bind(name).bind(token).bind(now + to_ms(lease));
        if (auto r = up.exec(); !r) return fail(std::move(r.error()));
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));
    return std::optional<std::string>(std::move(token));
}

result<bool, store_error> sqlite_store::unlock(std::string_view name, std::string_view token) {
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    std::int64_t changed = 0;
    {
        sqlite::statement::run del(delete_lock_);
        del.bind(name).bind(token);
        auto r = del.exec();
        if (!r) return fail(std::move(r.error()));
        changed = *r;
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));
    return changed == 1;
}

result<std::int64_t, store_error> sqlite_store::purge_expired() {
    std::lock_guard lock(mutex_);
    return purge_locked(now_ms());
}

result<std::int64_t, store_error> sqlite_store::purge_locked(std::int64_t now) {
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    std::int64_t removed = 0;
    for (auto* stmt : {&purge_steps_, &purge_keys_, &purge_locks_, &purge_job_results_, &purge_jobs_}) {
        sqlite::statement::run del(*stmt);
        auto r = del.bind(now).exec();
        if (!r) return fail(std::move(r.error()));
        if (stmt != &purge_steps_ && stmt != &purge_job_results_) removed += *r;
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));
    return removed;
}

result<bool, store_error> sqlite_store::begin_job(std::string_view job_id, std::size_t total) {
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    const std::int64_t now = now_ms();
    bool restart = false;  // a done (or expired) job begins again without its old results
    {
        sqlite::statement::run row(select_job_);
        row.bind(job_id);
        auto has = row.step();
        if (!has) return fail(std::move(has.error()));
        restart = *has && (row.text(0) == to_string(job_state::done) || row.int64(2) <= now);
    }
    if (restart) {
        sqlite::statement::run del(delete_job_results_);
        if (auto r = del.bind(job_id).exec(); !r) return fail(std::move(r.error()));
    }
    {
        sqlite::statement::run up(upsert_job_);
        up.bind(job_id).bind(to_string(job_state::running)).bind(static_cast<std::int64_t>(total))
            .bind(now + to_ms(options_.ttl));
        if (auto r = up.exec(); !r) return fail(std::move(r.error()));
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));
    return true;
}

result<bool, store_error> sqlite_store::settle_record(std::string_view job_id, std::string_view record_id,
                                                      std::string_view item) {
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    std::int64_t inserted = 0;
    {
        sqlite::statement::run ins(insert_job_result_);
        ins.bind(job_id).bind(record_id).bind(item);
        auto r = ins.exec();
        if (!r) return fail(std::move(r.error()));
        inserted = *r;
    }
    {
        sqlite::statement::run touch(touch_job_);
        touch.bind(job_id).bind(now_ms() + to_ms(options_.ttl));
        if (auto r = touch.exec(); !r) return fail(std::move(r.error()));
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));
    return inserted == 1;
}

result<bool, store_error> sqlite_store::set_job_state(std::string_view job_id, job_state state) {
    std::lock_guard lock(mutex_);
    auto tx = sqlite::transaction::begin_immediate(db_);
    if (!tx) return fail(std::move(tx.error()));
    {
        sqlite::statement::run up(update_job_state_);
        up.bind(job_id).bind(to_string(state)).bind(now_ms() + to_ms(options_.ttl));
        if (auto r = up.exec(); !r) return fail(std::move(r.error()));
    }
    if (auto r = tx->commit(); !r) return fail(std::move(r.error()));
    return true;
}

result<std::optional<job_progress>, store_error> sqlite_store::get_job(std::string_view job_id) {
    std::lock_guard lock(mutex_);
    job_progress out;
    {
        sqlite::statement::run row(select_job_);
        row.bind(job_id);
        auto has = row.step();
        if (!has) return fail(std::move(has.error()));
        if (!*has || row.int64(2) <= now_ms()) return std::optional<job_progress>{};
        out.state = job_state_from(row.text(0)).value_or(job_state::running);
        out.total = static_cast<std::size_t>(row.int64(1));
    }
    sqlite::statement::run rows(select_job_results_);
    rows.bind(job_id);
    for (;;) {
        auto has = rows.step();
        if (!has) return fail(std::move(has.error()));
        if (!*has) break;
        out.results.emplace_back(rows.text(0), rows.text(1));
    }
    return std::optional<job_progress>(std::move(out));
}

result<std::int64_t, store_error> sqlite_store::stored_keys() {
    std::lock_guard lock(mutex_);
    sqlite::statement::run row(count_keys_);
    auto has = row.step();
    if (!has) return fail(std::move(has.error()));
    return *has ? row.int64(0) : 0;
}

}  // namespace las::state
