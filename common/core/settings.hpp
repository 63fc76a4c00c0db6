#pragma once
// Settings are plain structs, read once at start-up from the environment (and the TOML
// file CONFIG_FILE) and validated there. A bad or missing value stops the program with one
// line naming the setting: `config_error::what()` is that line. Nothing deeper in the code
// reads the environment. Secrets live in these structs but are never printed:
// `describe()` shows them as "set"/"unset".

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.hpp"

namespace las {

class config_error : public std::runtime_error {
public:
    config_error(std::string setting, std::string problem)
        : std::runtime_error(setting + ": " + problem), setting_(std::move(setting)) {}
    const std::string& setting() const { return setting_; }

private:
    std::string setting_;
};

// Where settings come from; tests pass a map instead of the process environment.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;
env_lookup process_environment();
env_lookup map_environment(std::vector<std::pair<std::string, std::string>> values);

struct listen_address {
    std::string host;
    std::uint16_t port = 0;
    std::string to_string() const;
};
// "0.0.0.0:8080", "127.0.0.1:0", "[::1]:9090", ":8080" (all interfaces).
std::optional<listen_address> parse_listen_address(std::string_view text);

struct log_settings {
    log::level level = log::level::info;
    log::format format = log::format::text;
};

struct gateway_settings {
    listen_address listen{"0.0.0.0", 8080};
    std::string amqp_url = "amqp://guest:guest@127.0.0.1:5672/";
    std::optional<std::string> lemlist_webhook_secret;  // when set, the body field `secret` must equal it
    std::optional<std::string> attio_webhook_secret;    // when set, Attio-Signature is required
    std::optional<std::string> admin_api_token;         // when unset, /v1/enrollments answers 401 to everyone
    std::size_t max_body_bytes = 262'144;
    std::string spool_dir = "./spool";
    std::uint64_t spool_max_bytes = 1ull << 30;
    unsigned io_threads = 0;                            // 0: one per core
    std::size_t max_connections = 10'000;
    log_settings log;

    static gateway_settings from_env(const env_lookup& env);
    std::string describe() const;  // one line, secrets as set/unset
};

// A Lemlist payload field copied onto an Attio attribute of the event entry or the Person.
struct attribute_mapping {
    std::string lemlist_field;  // top-level key of the webhook body (custom variables included)
    std::string attio_attribute;
    enum class target { entry, person } on = target::person;
    // Filled in at start-up from the workspace (provision and run check every mapping):
    // the attribute's Attio type decides how a value is written; empty = not resolved, the
    // value is written as Lemlist gave it.
    std::string attio_type;
    bool multiselect = false;
    std::vector<std::string> option_titles;  // select: a value naming no live option is not written
};

struct enrollment_defaults {
    bool find_email = false;
    bool verify_email = false;
    bool find_phone = false;
    bool linkedin_enrichment = false;
    bool deduplicate = true;
};

// How Lemlist is subscribed. Lemlist keeps one hook per targetUrl (a second hook with the
// same URL is refused with 409), so each per-type hook gets its own URL.
enum class hook_mode {
    per_type,  // one hook per enabled type, at PUBLIC_WEBHOOK_URL?type=<type>
    all,       // one hook for every event type at PUBLIC_WEBHOOK_URL; the worker drops the
               // disabled categories (acked, no Attio writes)
};
std::string_view to_string(hook_mode m);

// The TOML file (CONFIG_FILE): what operators map and enable.
struct file_settings {
    std::vector<std::string> enabled_categories;  // event categories to subscribe to (none by default)
    std::vector<std::string> enabled_types;       // extra individual Lemlist types
    hook_mode events_mode = hook_mode::per_type;  // [events] mode
    enrollment_defaults enrollment;
    std::string enrollment_list = "lemlist_enrollments";  // Attio list whose entries trigger enrollment
    std::string enrollment_campaign_attribute = "lemlist_campaign_id";  // entry attribute naming the campaign
    std::vector<attribute_mapping> mappings;

    // Throws config_error naming the file and key.
    static file_settings from_toml_file(const std::string& path);
    static file_settings from_toml_string(std::string_view text, std::string_view origin = "CONFIG_FILE");
};

struct worker_settings {
    std::string amqp_url = "amqp://guest:guest@127.0.0.1:5672/";
    std::string attio_base_url = "https://api.attio.com";
    std::optional<std::string> attio_api_key;
    std::string lemlist_base_url = "https://api.lemlist.com";
    std::optional<std::string> lemlist_api_key;
    std::optional<std::string> public_webhook_url;
    std::optional<std::string> public_attio_webhook_url;  // Attio's target_url (attio-webhook sync)
    std::optional<std::string> lemlist_webhook_secret;  // given to Lemlist when creating hooks
    std::optional<std::string> redis_url;
    std::string state_dir = "./state";
    std::chrono::seconds idempotency_ttl{86'400};
    bool auto_create_people = true;
    unsigned max_attempts = 8;
    unsigned prefetch = 64;
    // Outbound budgets, the providers' published figures by default; lower them when the
    // workspace shares its budget with other integrations.
    unsigned attio_reads_per_second = 100;
    unsigned attio_writes_per_second = 25;
    unsigned lemlist_requests_per_2s = 20;
    std::chrono::seconds person_state_max_lag{5};       // rep-relevant Person state lands within this, budget allowing
    unsigned person_state_write_share = 2;              // % of the write budget Person flushes take while entries wait
    std::chrono::seconds provision_retry{120};          // provision keeps retrying transient failures this long
    std::chrono::seconds claim_lease{60};               // a dead worker's events are retried after this
    std::chrono::milliseconds http_timeout{30'000};     // one provider request, send to full answer
    std::optional<listen_address> metrics_listen;
    log_settings log;
    std::optional<std::string> config_file;
    file_settings file;

    static worker_settings from_env(const env_lookup& env);
    std::string describe() const;

    // Commands that call a provider require its key; one clear line when missing.
    void require_attio(std::string_view command) const;
    void require_lemlist(std::string_view command) const;
};

// Shared readers, exposed for the emulators' and tools' own settings.
namespace env {
std::optional<std::string> string(const env_lookup& e, std::string_view name);  // unset or empty → nullopt
std::string string_or(const env_lookup& e, std::string_view name, std::string fallback);
std::uint64_t uint_or(const env_lookup& e, std::string_view name, std::uint64_t fallback, std::uint64_t min,
                      std::uint64_t max);
bool bool_or(const env_lookup& e, std::string_view name, bool fallback);
log_settings log(const env_lookup& e);
}  // namespace env

}  // namespace las
