#include "state/redis_connection.hpp"

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <pthread.h>

#include "core/log.hpp"

namespace las::state {
namespace {

timeval to_timeval(std::chrono::milliseconds d) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(d.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
    return tv;
}

std::optional<std::string> percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        if (i + 2 >= in.size()) return std::nullopt;
        unsigned v = 0;
        auto [p, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
        if (ec != std::errc{} || p != in.data() + i + 3) return std::nullopt;
        out.push_back(static_cast<char>(v));
        i += 2;
    }
    return out;
}

template <class N>
bool parse_number(std::string_view text, N& out) {
    if (text.empty()) return false;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && p == text.data() + text.size();
}

redis_value convert(const redisReply* r) {
    redis_value v;
    switch (r->type) {
    case REDIS_REPLY_STRING: v.kind = redis_value::type::string; break;
    case REDIS_REPLY_STATUS: v.kind = redis_value::type::status; break;
    case REDIS_REPLY_ERROR: v.kind = redis_value::type::error; break;
    case REDIS_REPLY_INTEGER: v.kind = redis_value::type::integer; break;
    case REDIS_REPLY_ARRAY: v.kind = redis_value::type::array; break;
    default: v.kind = redis_value::type::nil; break;
    }
    if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR) {
        v.str.assign(r->str, r->len);
    } else if (r->type == REDIS_REPLY_INTEGER) {
        v.integer = r->integer;
    } else if (r->type == REDIS_REPLY_ARRAY) {
        v.elements.reserve(r->elements);
        for (std::size_t i = 0; i < r->elements; ++i) v.elements.push_back(convert(r->element[i]));
    }
    return v;
}

// hiredis writes with write(2): a peer that closed raises SIGPIPE, which would kill the
// process. Block it in this thread for the call and swallow one raised meanwhile.
class sigpipe_guard {
public:
    sigpipe_guard() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~sigpipe_guard() {
        if (!was_pending_) {
            sigset_t pending;
            sigemptyset(&pending);
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec zero{0, 0};
                while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
                }
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    sigpipe_guard(const sigpipe_guard&) = delete;
    sigpipe_guard& operator=(const sigpipe_guard&) = delete;

private:
    sigset_t pipe_{};
    sigset_t old_{};
    bool was_pending_ = false;
};

store_error unreachable(std::string message) { return {store_error::kind::unreachable, std::move(message)}; }

}  // namespace

result<redis_endpoint, std::string> parse_redis_url(std::string_view url) {
    constexpr std::string_view scheme = "redis://";
    if (url.substr(0, scheme.size()) != scheme) return fail(std::string("must start with redis:// (TLS is not supported)"));
    std::string_view rest = url.substr(scheme.size());
    if (auto q = rest.find('?'); q != std::string_view::npos) rest = rest.substr(0, q);

    redis_endpoint ep;
    std::string_view authority = rest;
    std::string_view path;
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        authority = rest.substr(0, slash);
        path = rest.substr(slash + 1);
    }
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        std::string_view user = userinfo;
        std::optional<std::string_view> password;
        if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
            user = userinfo.substr(0, colon);
            password = userinfo.substr(colon + 1);
        }
        if (!user.empty()) {
            auto u = percent_decode(user);
            if (!u) return fail(std::string("bad percent-encoding in the user"));
            ep.user = std::move(*u);
        }
        if (password && !password->empty()) {
            auto p = percent_decode(*password);
            if (!p) return fail(std::string("bad percent-encoding in the password"));
            ep.password = std::move(*p);
        }
    }
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return fail(std::string("unterminated [ in the host"));
        ep.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return fail(std::string("unexpected text after the host"));
            port_text = after.substr(1);
        }
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        ep.host = std::string(authority.substr(0, colon));
        port_text = authority.substr(colon + 1);
    } else {
        ep.host = std::string(authority);
    }
    if (ep.host.empty()) return fail(std::string("missing host"));
    if (!port_text.empty()) {
        unsigned port = 0;
        if (!parse_number(port_text, port) || port == 0 || port > 65535) return fail(std::string("bad port"));
        ep.port = static_cast<std::uint16_t>(port);
    }
    if (!path.empty() && !parse_number(path, ep.db)) return fail(std::string("bad database number"));
    return ep;
}

redis_script::redis_script(std::string source) : source_(std::move(source)) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(source_.data(), source_.size(), digest, &size, EVP_sha1(), nullptr) != 1) {
        throw std::runtime_error("SHA1 of a Redis script failed");
    }
    static constexpr char hex[] = "0123456789abcdef";
    sha1_.reserve(size * 2);
    for (unsigned i = 0; i < size; ++i) {
        sha1_.push_back(hex[digest[i] >> 4]);
        sha1_.push_back(hex[digest[i] & 0xF]);
    }
}

void redis_connection::context_free::operator()(redisContext* c) const { redisFree(c); }

redis_connection::redis_connection(redis_endpoint endpoint, redis_options options)
    : endpoint_(std::move(endpoint)), options_(options) {}

redis_connection::~redis_connection() = default;

result<bool, store_error> redis_connection::connect_locked() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_connect_) return fail(last_error_);

    auto fail_connect = [&](store_error e) -> result<bool, store_error> {
        context_.reset();
        next_connect_ = std::chrono::steady_clock::now() + options_.reconnect_backoff;
        if (!reported_down_) {
            log::warn("state.redis_unreachable", {{"host", endpoint_.host}, {"port", endpoint_.port},
                                                  {"error", e.message}});
            reported_down_ = true;
        }
        last_error_ = e;
        return fail(std::move(e));
    };

    context_.reset(redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, to_timeval(options_.connect_timeout)));
    if (!context_) return fail_connect(unreachable("redis connect: out of memory"));
    if (context_->err) {
        return fail_connect(unreachable("redis connect " + endpoint_.host + ":" + std::to_string(endpoint_.port) +
                                        ": " + context_->errstr));
    }
    if (redisSetTimeout(context_.get(), to_timeval(options_.command_timeout)) != REDIS_OK) {
        return fail_connect(unreachable("redis: cannot set the command timeout"));
    }
    if (endpoint_.password) {
        std::vector<std::string_view> auth{"AUTH"};
        if (endpoint_.user) auth.push_back(*endpoint_.user);
        auth.push_back(*endpoint_.password);
        auto r = send_locked(auth);
        if (!r) return fail_connect(std::move(r.error()));
        if (r->is_error()) return fail_connect({store_error::kind::failed, "redis AUTH: " + r->str});
    }
    if (endpoint_.db != 0) {
        const auto db = std::to_string(endpoint_.db);
        auto r = send_locked({"SELECT", db});
        if (!r) return fail_connect(std::move(r.error()));
        if (r->is_error()) return fail_connect({store_error::kind::failed, "redis SELECT: " + r->str});
    }
    if (reported_down_) {
        log::info("state.redis_connected", {{"host", endpoint_.host}, {"port", endpoint_.port}});
        reported_down_ = false;
    }
    return true;
}

result<redis_value, store_error> redis_connection::send_locked(const std::vector<std::string_view>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> argvlen;
    argv.reserve(args.size());
    argvlen.reserve(args.size());
    for (auto a : args) {
        argv.push_back(a.data());
        argvlen.push_back(a.size());
    }
    sigpipe_guard guard;
    auto* raw = static_cast<redisReply*>(
        redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), argvlen.data()));
    if (raw == nullptr) {
        // I/O error or timeout: the context is unusable (a late reply would answer the next
        // command), so drop it and reconnect on the next call.
        std::string message = context_->errstr[0] ? context_->errstr : "unknown I/O error";
        if (context_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) message = "command timed out";
        context_.reset();
        return fail(unreachable("redis " + std::string(args.empty() ? "" : args.front()) + ": " + message));
    }
    redis_value value = convert(raw);
    freeReplyObject(raw);
    return value;
}

result<redis_value, store_error> redis_connection::command(const std::vector<std::string_view>& args) {
    std::lock_guard lock(mutex_);
    if (!context_) {
        if (auto r = connect_locked(); !r) return fail(std::move(r.error()));
    }
    return send_locked(args);
}

redis_client::redis_client(std::string_view url, redis_options options) {
    auto endpoint = parse_redis_url(url);
    if (!endpoint) throw std::invalid_argument("REDIS_URL: " + endpoint.error());
    const unsigned size = options.pool_size == 0 ? 1 : options.pool_size;
    for (unsigned i = 0; i < size; ++i) pool_.push_back(std::make_unique<redis_connection>(*endpoint, options));
}

redis_connection& redis_client::pick() { return *pool_[next_.fetch_add(1, std::memory_order_relaxed) % pool_.size()]; }

result<redis_value, store_error> redis_client::command(const std::vector<std::string_view>& args) {
    return pick().command(args);
}

result<redis_value, store_error> redis_client::eval(const redis_script& script, const std::vector<std::string_view>& keys,
                                                    const std::vector<std::string_view>& args) {
    const auto numkeys = std::to_string(keys.size());
    std::vector<std::string_view> argv{"EVALSHA", script.sha1(), numkeys};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    auto& conn = pick();
    auto r = conn.command(argv);
    if (r && r->is_error() && r->str.rfind("NOSCRIPT", 0) == 0) {
        argv[0] = "EVAL";
        argv[1] = script.source();  // EVAL also caches it for the next EVALSHA
        r = conn.command(argv);
    }
    if (!r) return r;
    if (r->is_error()) return fail(store_error{store_error::kind::failed, "redis script: " + r->str});
    return r;
}

result<bool, store_error> redis_client::load(const redis_script& script) {
    auto r = command({"SCRIPT", "LOAD", script.source()});
    if (!r) return fail(std::move(r.error()));
    if (r->is_error()) return fail(store_error{store_error::kind::failed, "redis SCRIPT LOAD: " + r->str});
    if (r->str != script.sha1()) return fail(store_error{store_error::kind::failed, "redis SCRIPT LOAD: unexpected SHA1"});
    return true;
}

result<bool, store_error> redis_client::ping() {
    auto r = command({"PING"});
    if (!r) return fail(std::move(r.error()));
    if (r->is_error()) return fail(store_error{store_error::kind::failed, "redis PING: " + r->str});
    return true;
}

}  // namespace las::state
