#pragma once
// Typed client for Attio REST v2 (records, list entries, lists, attributes, select options,
// webhooks),
// `Authorization: Bearer <key>`. Every call waits on Attio's read or write gate (published
// limits: 100 reads/s, 25 writes/s; the /query endpoints are reads although they are POSTs)
// and honours a 429's Retry-After (an HTTP-date) for the whole gate it drew on; see
// outbound/gated_caller.hpp. Errors come back as outbound::call_error with Attio's `code`
// (attio/errors.hpp: uniqueness_conflict, slug_conflict, not_found are told apart).
//
// JSON inputs (`values_json`, `filter_json`) are compact JSON text in Attio's input form,
// e.g. R"({"email_addresses":["a@b.com"]})"; the client wraps them in the envelope. Arguments
// are taken by value: they live in the coroutine frame for the whole call.
//
// Which calls are replay-safe (sending twice cannot duplicate anything): reads, assert
// (PUT), PATCH. Create record and create entry are not: a timeout or a 5xx after sending
// answers unknown_fate, and the caller checks before creating again (find_entries_by_activity_id).

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "attio/errors.hpp"
#include "attio/types.hpp"
#include "attio/webhooks.hpp"
#include "core/asio.hpp"
#include "outbound/gated_caller.hpp"
#include "state/rate_gate.hpp"

namespace las::attio {

// The published limits, for building the gates.
inline constexpr std::size_t default_reads_per_second = 100;
inline constexpr std::size_t default_writes_per_second = 25;

struct client_options {
    std::string api_key;
    outbound::call_policy policy{};  // Attio's 429 always carries Retry-After; 1 s if not
    std::size_t query_limit = 500;   // records/entries per query page (Attio's default)
};

// The gates one client draws on; they must outlive it (the worker shares them between
// clients, and with the pool when Redis is configured).
struct gates {
    state::rate_gate& reads;
    state::rate_gate& writes;
};

class client {
public:
    client(outbound::transport send, gates g, client_options options, outbound::call_metrics* metrics = nullptr);

    // --- records -----------------------------------------------------------------------
    // POST /v2/objects/{object}/records/query {filter, limit, offset}: one page.
    awaitable<call_result<std::vector<record>>> query_records(std::string object, std::string filter_json,
                                                              std::size_t limit, std::size_t offset = 0);
    // People whose email_addresses contain `email` (shorthand filter). Usually 0 or 1.
    awaitable<call_result<std::vector<record>>> find_people_by_email(std::string email);
    // People whose unique `lemlist_linkedin_url` equals the NORMALISED url (the caller normalises).
    awaitable<call_result<std::vector<record>>> find_people_by_linkedin_key(std::string normalized_url);
    // People whose standard `linkedin` text attribute equals `url` exactly (not unique).
    awaitable<call_result<std::vector<record>>> find_people_by_linkedin(std::string url);

    // GET /v2/objects/{object}/records/{id}; a missing record is a call_error with is_not_found().
    awaitable<call_result<record>> get_record(std::string object, std::string record_id);
    // POST /v2/objects/{object}/records. Not replay-safe.
    awaitable<call_result<record>> create_record(std::string object, std::string values_json);
    // PUT /v2/objects/{object}/records?matching_attribute=… (upsert on a unique attribute).
    awaitable<call_result<record>> assert_record(std::string object, std::string matching_attribute,
                                                 std::string values_json);
    // PATCH /v2/objects/{object}/records/{id}: sets the given attributes (multiselects append).
    awaitable<call_result<record>> patch_record(std::string object, std::string record_id, std::string values_json);

    // --- list entries --------------------------------------------------------------------
    // POST /v2/lists/{list}/entries {parent_record_id, parent_object, entry_values}. Not replay-safe.
    awaitable<call_result<entry>> create_entry(std::string list, std::string parent_object,
                                               std::string parent_record_id, std::string entry_values_json);
    // POST /v2/lists/{list}/entries/query {filter, limit, offset}: one page.
    awaitable<call_result<std::vector<entry>>> query_entries(std::string list, std::string filter_json,
                                                             std::size_t limit, std::size_t offset = 0);
    // GET /v2/lists/{list}/entries/{entry_id} (list: slug or id); a missing entry is is_not_found().
    awaitable<call_result<entry>> get_entry(std::string list, std::string entry_id);
    // PATCH /v2/lists/{list}/entries/{entry_id} {entry_values}: sets the given attributes.
    awaitable<call_result<entry>> patch_entry(std::string list, std::string entry_id, std::string entry_values_json);
    // Entries whose text attribute `activity_id` equals `activity_id`: did an uncertain create land?
    awaitable<call_result<std::vector<entry>>> find_entries_by_activity_id(std::string list, std::string activity_id);

    // --- lists ------------------------------------------------------------------------------
    awaitable<call_result<list_info>> get_list(std::string list);          // 404: is_not_found()
    awaitable<call_result<list_info>> create_list(list_definition def);    // 409: is_slug_conflict()

    // --- attributes and select options ------------------------------------------------------
    // GET /v2/{target}/{identifier}/attributes?show_archived=true, every page.
    awaitable<call_result<std::vector<attribute_info>>> list_attributes(target t, std::string identifier);
    awaitable<call_result<attribute_info>> create_attribute(target t, std::string identifier,
                                                            attribute_definition def);
    // GET …/attributes/{attribute}/options?show_archived=true.
    awaitable<call_result<std::vector<select_option>>> list_options(target t, std::string identifier,
                                                                    std::string attribute);
    awaitable<call_result<select_option>> create_option(target t, std::string identifier, std::string attribute,
                                                        std::string title);

    // --- webhooks ---------------------------------------------------------------------------
    // GET /v2/webhooks?limit=&offset=: one page (Attio takes limit 10..100).
    awaitable<call_result<std::vector<webhook_info>>> list_webhooks(std::size_t limit, std::size_t offset);
    // POST /v2/webhooks: the answer carries the signing secret, the only time Attio shows it.
    // Not replay-safe (a second POST makes a second webhook).
    awaitable<call_result<webhook_info>> create_webhook(std::string target_url,
                                                        std::vector<webhook_subscription> subscriptions);
    // PATCH /v2/webhooks/{id}: replaces the subscriptions.
    awaitable<call_result<webhook_info>> update_webhook(std::string webhook_id,
                                                        std::vector<webhook_subscription> subscriptions);

private:
    enum class budget { read, write };
    awaitable<call_result<http::client_response>> call(std::string_view operation, budget b,
                                                       http_proto::verb method, std::string target,
                                                       std::string body, bool replay_safe);
    // Sends, then expects a 2xx whose body `parse` accepts.
    template <class T, class Parse>
    awaitable<call_result<T>> exchange(std::string_view operation, budget b, http_proto::verb method,
                                       std::string target, std::string body, bool replay_safe, Parse parse);

    outbound::gated_caller caller_;
    gates gates_;
    client_options options_;
    std::string authorization_;
};

// `{"filter":<filter_json>,"limit":N,"offset":M}` (exposed for tests).
std::string query_body(std::string_view filter_json, std::size_t limit, std::size_t offset);
// `{"<attribute>":"<value>"}`: Attio's equality shorthand.
std::string equality_filter(std::string_view attribute, std::string_view value);

}  // namespace las::attio
