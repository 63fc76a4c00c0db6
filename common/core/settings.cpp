#include "core/settings.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>

#include <toml++/toml.h>

namespace las {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

void require_url_scheme(std::string_view name, const std::string& url, std::initializer_list<std::string_view> schemes) {
    for (auto scheme : schemes) {
        if (url.starts_with(std::string(scheme) + "://") && url.size() > scheme.size() + 3) return;
    }
    std::string expected;
    for (auto scheme : schemes) expected += (expected.empty() ? "" : " or ") + std::string(scheme) + "://";
    throw config_error(std::string(name), "expected a URL starting with " + expected);
}

std::string set_or_unset(const std::optional<std::string>& v) { return v ? "set" : "unset"; }

}  // namespace

env_lookup process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

env_lookup map_environment(std::vector<std::pair<std::string, std::string>> values) {
    std::map<std::string, std::string, std::less<>> m(values.begin(), values.end());
    return [m = std::move(m)](std::string_view name) -> std::optional<std::string> {
        const auto it = m.find(name);
        if (it == m.end()) return std::nullopt;
        return it->second;
    };
}

std::string listen_address::to_string() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

std::optional<listen_address> parse_listen_address(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.starts_with('[')) {
        if (!host.ends_with(']')) return std::nullopt;
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        return std::nullopt;  // bare IPv6 needs brackets
    }
    unsigned port = 0;
    const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || port > 65535)
        return std::nullopt;
    listen_address out;
    out.host = host.empty() ? "0.0.0.0" : std::string(host);
    out.port = static_cast<std::uint16_t>(port);
    return out;
}

namespace env {

std::optional<std::string> string(const env_lookup& e, std::string_view name) {
    auto v = e(name);
    if (!v || v->empty()) return std::nullopt;
    return v;
}

std::string string_or(const env_lookup& e, std::string_view name, std::string fallback) {
    auto v = string(e, name);
    return v ? *v : std::move(fallback);
}

std::uint64_t uint_or(const env_lookup& e, std::string_view name, std::uint64_t fallback, std::uint64_t min,
                      std::uint64_t max) {
    const auto v = string(e, name);
    if (!v) return fallback;
    std::uint64_t out = 0;
    const auto r = std::from_chars(v->data(), v->data() + v->size(), out);
    if (r.ec != std::errc() || r.ptr != v->data() + v->size()) {
        throw config_error(std::string(name), "expected a whole number, got \"" + *v + "\"");
    }
    if (out < min || out > max) {
        throw config_error(std::string(name),
                           "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + *v);
    }
    return out;
}

bool bool_or(const env_lookup& e, std::string_view name, bool fallback) {
    const auto v = string(e, name);
    if (!v) return fallback;
    const auto l = lower(*v);
    if (l == "true" || l == "1" || l == "yes" || l == "on") return true;
    if (l == "false" || l == "0" || l == "no" || l == "off") return false;
    throw config_error(std::string(name), "expected true or false, got \"" + *v + "\"");
}

log_settings log(const env_lookup& e) {
    log_settings out;
    const auto level = lower(string_or(e, "LOG_LEVEL", "info"));
    if (level == "debug") out.level = log::level::debug;
    else if (level == "info") out.level = log::level::info;
    else if (level == "warn" || level == "warning") out.level = log::level::warn;
    else if (level == "error") out.level = log::level::error;
    else if (level == "off") out.level = log::level::off;
    else throw config_error("LOG_LEVEL", "expected debug, info, warn, error or off, got \"" + level + "\"");
    const auto format = lower(string_or(e, "LOG_FORMAT", "text"));
    if (format == "json") out.format = log::format::json;
    else if (format == "text") out.format = log::format::text;
    else throw config_error("LOG_FORMAT", "expected json or text, got \"" + format + "\"");
    return out;
}

}  // namespace env

gateway_settings gateway_settings::from_env(const env_lookup& e) {
    gateway_settings s;
    if (const auto v = env::string(e, "GATEWAY_LISTEN")) {
        const auto parsed = parse_listen_address(*v);
        if (!parsed) throw config_error("GATEWAY_LISTEN", "expected HOST:PORT, got \"" + *v + "\"");
        s.listen = *parsed;
    }
    s.amqp_url = env::string_or(e, "AMQP_URL", s.amqp_url);
    require_url_scheme("AMQP_URL", s.amqp_url, {"amqp"});
    s.lemlist_webhook_secret = env::string(e, "LEMLIST_WEBHOOK_SECRET");
    s.attio_webhook_secret = env::string(e, "ATTIO_WEBHOOK_SECRET");
    s.admin_api_token = env::string(e, "ADMIN_API_TOKEN");
    s.max_body_bytes = env::uint_or(e, "GATEWAY_MAX_BODY_BYTES", s.max_body_bytes, 1024, 64ull << 20);
    s.spool_dir = env::string_or(e, "SPOOL_DIR", s.spool_dir);
    s.spool_max_bytes = env::uint_or(e, "SPOOL_MAX_BYTES", s.spool_max_bytes, 1 << 20, 1ull << 40);
    s.io_threads = static_cast<unsigned>(env::uint_or(e, "GATEWAY_IO_THREADS", 0, 0, 256));
    s.max_connections = env::uint_or(e, "GATEWAY_MAX_CONNECTIONS", s.max_connections, 1, 1'000'000);
    s.log = env::log(e);
    return s;
}

std::string gateway_settings::describe() const {
    return "listen=" + listen.to_string() + " amqp=" + log::mask_url_credentials(amqp_url) +
           " max_body_bytes=" + std::to_string(max_body_bytes) + " spool_dir=" + spool_dir +
           " io_threads=" + std::to_string(io_threads) + " lemlist_secret=" + set_or_unset(lemlist_webhook_secret) +
           " attio_secret=" + set_or_unset(attio_webhook_secret) + " admin_token=" + set_or_unset(admin_api_token);
}

worker_settings worker_settings::from_env(const env_lookup& e) {
    worker_settings s;
    s.amqp_url = env::string_or(e, "AMQP_URL", s.amqp_url);
    require_url_scheme("AMQP_URL", s.amqp_url, {"amqp"});
    s.attio_base_url = env::string_or(e, "ATTIO_BASE_URL", s.attio_base_url);
    require_url_scheme("ATTIO_BASE_URL", s.attio_base_url, {"https", "http"});
    s.attio_api_key = env::string(e, "ATTIO_API_KEY");
    s.lemlist_base_url = env::string_or(e, "LEMLIST_BASE_URL", s.lemlist_base_url);
    require_url_scheme("LEMLIST_BASE_URL", s.lemlist_base_url, {"https", "http"});
    s.lemlist_api_key = env::string(e, "LEMLIST_API_KEY");
    s.public_webhook_url = env::string(e, "PUBLIC_WEBHOOK_URL");
    if (s.public_webhook_url) require_url_scheme("PUBLIC_WEBHOOK_URL", *s.public_webhook_url, {"https", "http"});
    // Attio delivers to https:// only (reference §5).
    s.public_attio_webhook_url = env::string(e, "PUBLIC_ATTIO_WEBHOOK_URL");
    if (s.public_attio_webhook_url) require_url_scheme("PUBLIC_ATTIO_WEBHOOK_URL", *s.public_attio_webhook_url, {"https"});
    s.lemlist_webhook_secret = env::string(e, "LEMLIST_WEBHOOK_SECRET");
    s.redis_url = env::string(e, "REDIS_URL");
    if (s.redis_url) require_url_scheme("REDIS_URL", *s.redis_url, {"redis"});
    s.state_dir = env::string_or(e, "STATE_DIR", s.state_dir);
    s.idempotency_ttl = std::chrono::seconds(env::uint_or(e, "IDEMPOTENCY_TTL_SECONDS", 86'400, 60, 30ull * 86'400));
    s.auto_create_people = env::bool_or(e, "AUTO_CREATE_PEOPLE", true);
    s.max_attempts = static_cast<unsigned>(env::uint_or(e, "MAX_ATTEMPTS", 8, 1, 100));
    s.prefetch = static_cast<unsigned>(env::uint_or(e, "WORKER_PREFETCH", 64, 1, 65'535));
    s.attio_reads_per_second = static_cast<unsigned>(env::uint_or(e, "ATTIO_READS_PER_SECOND", 100, 1, 100'000));
    s.attio_writes_per_second = static_cast<unsigned>(env::uint_or(e, "ATTIO_WRITES_PER_SECOND", 25, 1, 100'000));
    s.lemlist_requests_per_2s = static_cast<unsigned>(env::uint_or(e, "LEMLIST_REQUESTS_PER_2S", 20, 1, 100'000));
    s.person_state_max_lag = std::chrono::seconds(env::uint_or(e, "PERSON_STATE_MAX_LAG_SECONDS", 5, 1, 3600));
    s.person_state_write_share = static_cast<unsigned>(env::uint_or(e, "PERSON_STATE_WRITE_SHARE", 2, 1, 90));
    s.provision_retry = std::chrono::seconds(env::uint_or(e, "PROVISION_RETRY_SECONDS", 120, 0, 3600));
    s.claim_lease = std::chrono::seconds(env::uint_or(e, "CLAIM_LEASE_SECONDS", 60, 5, 3600));
    s.http_timeout = std::chrono::milliseconds(env::uint_or(e, "HTTP_TIMEOUT_MS", 30'000, 100, 600'000));
    if (const auto v = env::string(e, "METRICS_LISTEN")) {
        const auto parsed = parse_listen_address(*v);
        if (!parsed) throw config_error("METRICS_LISTEN", "expected HOST:PORT, got \"" + *v + "\"");
        s.metrics_listen = *parsed;
    }
    s.log = env::log(e);
    s.config_file = env::string(e, "CONFIG_FILE");
    if (s.config_file) s.file = file_settings::from_toml_file(*s.config_file);
    return s;
}

std::string worker_settings::describe() const {
    return "amqp=" + log::mask_url_credentials(amqp_url) + " attio=" + attio_base_url + " attio_key=" +
           set_or_unset(attio_api_key) + " lemlist=" + lemlist_base_url + " lemlist_key=" + set_or_unset(lemlist_api_key) +
           " redis=" + (redis_url ? log::mask_url_credentials(*redis_url) : "unset (SQLite in " + state_dir + ")") +
           " ttl_s=" + std::to_string(idempotency_ttl.count()) + " auto_create=" + (auto_create_people ? "true" : "false") +
           " max_attempts=" + std::to_string(max_attempts) + " prefetch=" + std::to_string(prefetch) +
           " config_file=" + config_file.value_or("unset");
}

void worker_settings::require_attio(std::string_view command) const {
    if (!attio_api_key) throw config_error("ATTIO_API_KEY", "required by `sync-worker " + std::string(command) + "`");
}

void worker_settings::require_lemlist(std::string_view command) const {
    if (!lemlist_api_key) throw config_error("LEMLIST_API_KEY", "required by `sync-worker " + std::string(command) + "`");
}

namespace {

std::vector<std::string> string_array(const toml::table& t, std::string_view key, const std::string& where) {
    std::vector<std::string> out;
    const auto* node = t.get(key);
    if (node == nullptr) return out;
    const auto* arr = node->as_array();
    if (arr == nullptr) throw config_error(where + "." + std::string(key), "expected an array of strings");
    for (const auto& item : *arr) {
        const auto* s = item.as_string();
        if (s == nullptr) throw config_error(where + "." + std::string(key), "expected an array of strings");
        out.push_back(s->get());
    }
    return out;
}

bool boolean(const toml::table& t, std::string_view key, bool fallback, const std::string& where) {
    const auto* node = t.get(key);
    if (node == nullptr) return fallback;
    const auto* b = node->as_boolean();
    if (b == nullptr) throw config_error(where + "." + std::string(key), "expected true or false");
    return b->get();
}

std::string text(const toml::table& t, std::string_view key, std::string fallback, const std::string& where) {
    const auto* node = t.get(key);
    if (node == nullptr) return fallback;
    const auto* s = node->as_string();
    if (s == nullptr || s->get().empty()) throw config_error(where + "." + std::string(key), "expected a non-empty string");
    return s->get();
}

const toml::table* subtable(const toml::table& root, std::string_view key, const std::string& origin) {
    const auto* node = root.get(key);
    if (node == nullptr) return nullptr;
    const auto* t = node->as_table();
    if (t == nullptr) throw config_error(origin + ": " + std::string(key), "expected a table");
    return t;
}

bool is_slug(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

file_settings settings_from_table(const toml::table& root, const std::string& origin) {
    file_settings s;
    if (const auto* events = subtable(root, "events", origin)) {
        s.enabled_categories = string_array(*events, "categories", origin + ": events");
        s.enabled_types = string_array(*events, "types", origin + ": events");
        const auto mode = text(*events, "mode", "per_type", origin + ": events");
        if (mode == "per_type") s.events_mode = hook_mode::per_type;
        else if (mode == "all") s.events_mode = hook_mode::all;
        else throw config_error(origin + ": events.mode", "expected \"per_type\" or \"all\", got \"" + mode + "\"");
    }
    if (const auto* enrollment = subtable(root, "enrollment", origin)) {
        const std::string where = origin + ": enrollment";
        s.enrollment_list = text(*enrollment, "list", s.enrollment_list, where);
        s.enrollment_campaign_attribute = text(*enrollment, "campaign_attribute", s.enrollment_campaign_attribute, where);
        s.enrollment.find_email = boolean(*enrollment, "findEmail", false, where);
        s.enrollment.verify_email = boolean(*enrollment, "verifyEmail", false, where);
        s.enrollment.find_phone = boolean(*enrollment, "findPhone", false, where);
        s.enrollment.linkedin_enrichment = boolean(*enrollment, "linkedinEnrichment", false, where);
        s.enrollment.deduplicate = boolean(*enrollment, "deduplicate", true, where);
    }
    if (const auto* node = root.get("mappings")) {
        const auto* arr = node->as_array();
        if (arr == nullptr) throw config_error(origin + ": mappings", "expected [[mappings]] tables");
        std::size_t index = 0;
        for (const auto& item : *arr) {
            const std::string where = origin + ": mappings[" + std::to_string(index++) + "]";
            const auto* t = item.as_table();
            if (t == nullptr) throw config_error(where, "expected a table with from, to and on");
            attribute_mapping m;
            m.lemlist_field = text(*t, "from", "", where);
            m.attio_attribute = text(*t, "to", "", where);
            if (!is_slug(m.attio_attribute))
                throw config_error(where + ".to", "\"" + m.attio_attribute + "\" is not an Attio slug (a-z, 0-9, _)");
            const auto on = text(*t, "on", "person", where);
            if (on == "person") m.on = attribute_mapping::target::person;
            else if (on == "entry") m.on = attribute_mapping::target::entry;
            else throw config_error(where + ".on", "expected \"person\" or \"entry\", got \"" + on + "\"");
            s.mappings.push_back(std::move(m));
        }
    }
    return s;
}

}  // namespace

std::string_view to_string(hook_mode m) { return m == hook_mode::all ? "all" : "per_type"; }

file_settings file_settings::from_toml_string(std::string_view text_in, std::string_view origin_in) {
    const std::string origin(origin_in);
    try {
        return settings_from_table(toml::parse(text_in, origin_in), origin);
    } catch (const toml::parse_error& e) {
        throw config_error(origin, "invalid TOML at line " + std::to_string(e.source().begin.line) + ": " +
                                       std::string(e.description()));
    }
}

file_settings file_settings::from_toml_file(const std::string& path) {
    toml::table root;
    try {
        root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        const auto line = e.source().begin.line;
        if (line == 0) throw config_error("CONFIG_FILE", "cannot read " + path + ": " + std::string(e.description()));
        throw config_error("CONFIG_FILE", path + ":" + std::to_string(line) + ": " + std::string(e.description()));
    }
    return settings_from_table(root, "CONFIG_FILE " + path);
}

}  // namespace las
