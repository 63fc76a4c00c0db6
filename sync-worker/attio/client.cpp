#include "attio/client.hpp"

#include <set>

#include "core/json.hpp"
#include "outbound/url_encode.hpp"
#include "sync/attio_schema.hpp"

namespace las::attio {
namespace {

using outbound::percent_encode;
using outbound::query_string;

bool is_success(unsigned status) { return status >= 200 && status < 300; }

std::string records_path(std::string_view object) { return "/v2/objects/" + percent_encode(object) + "/records"; }
std::string list_path(std::string_view list) { return "/v2/lists/" + percent_encode(list); }
std::string attributes_path(target t, std::string_view identifier) {
    return "/v2/" + std::string(to_string(t)) + "/" + percent_encode(identifier) + "/attributes";
}
std::string options_path(target t, std::string_view identifier, std::string_view attribute) {
    return attributes_path(t, identifier) + "/" + percent_encode(attribute) + "/options";
}

std::string values_body(std::string_view values_json) {
    std::string out = "{\"data\":{\"values\":";
    out += values_json.empty() ? std::string_view("{}") : values_json;
    out += "}}";
    return out;
}

constexpr std::size_t attribute_page = 100;
constexpr std::size_t max_attribute_pages = 50;

}  // namespace

std::string query_body(std::string_view filter_json, std::size_t limit, std::size_t offset) {
    std::string out = "{";
    if (!filter_json.empty()) {
        out += "\"filter\":";
        out += filter_json;
        out += ',';
    }
    out += "\"limit\":" + std::to_string(limit) + ",\"offset\":" + std::to_string(offset) + "}";
    return out;
}

std::string equality_filter(std::string_view attribute, std::string_view value) {
    std::string out = "{";
    json::append_quoted(out, attribute);
    out += ':';
    json::append_quoted(out, value);
    out += '}';
    return out;
}

client::client(outbound::transport send, gates g, client_options options, outbound::call_metrics* metrics)
    : caller_("attio", std::move(send), options.policy, metrics),
      gates_(g),
      options_(std::move(options)),
      authorization_("Bearer " + options_.api_key) {}

awaitable<call_result<http::client_response>> client::call(std::string_view operation, budget b,
                                                           http_proto::verb method, std::string target,
                                                           std::string body, bool replay_safe) {
    http::client_request request;
    request.method = method;
    request.target = std::move(target);
    request.body = std::move(body);
    request.headers.emplace_back("Authorization", authorization_);
    request.headers.emplace_back("Accept", "application/json");
    auto& gate = b == budget::read ? gates_.reads : gates_.writes;
    // Named, not braced in the co_await: g++ 12 destroys braced aggregate temporaries there twice.
    const outbound::call_spec spec{operation, gate, replay_safe};
    co_return co_await caller_.send(std::move(request), spec);
}

template <class T, class Parse>
awaitable<call_result<T>> client::exchange(std::string_view operation, budget b, http_proto::verb method,
                                           std::string target, std::string body, bool replay_safe, Parse parse) {
    auto answer = co_await call(operation, b, method, std::move(target), std::move(body), replay_safe);
    if (!answer) co_return fail(std::move(answer.error()));
    const auto& r = answer.value();
    if (!is_success(r.status)) co_return fail(error_from_answer(r.status, r.body, replay_safe));
    auto parsed = parse(r.body);
    if (!parsed) co_return fail(unexpected_answer(r.status, std::string(operation) + ": " + parsed.error()));
    co_return std::move(parsed).value();
}

// --- records ---------------------------------------------------------------------------

awaitable<call_result<std::vector<record>>> client::query_records(std::string object, std::string filter_json,
                                                                  std::size_t limit, std::size_t offset) {
    co_return co_await exchange<std::vector<record>>("query_records", budget::read, http_proto::verb::post,
                                                     records_path(object) + "/query",
                                                     query_body(filter_json, limit, offset), true,
                                                     parse_record_list);
}

awaitable<call_result<std::vector<record>>> client::find_people_by_email(std::string email) {
    co_return co_await query_records(std::string(sync::people_object), equality_filter("email_addresses", email),
                                     options_.query_limit);
}

awaitable<call_result<std::vector<record>>> client::find_people_by_linkedin_key(std::string normalized_url) {
    co_return co_await query_records(std::string(sync::people_object),
                                     equality_filter(sync::person_attr::linkedin_url, normalized_url),
                                     options_.query_limit);
}

awaitable<call_result<std::vector<record>>> client::find_people_by_linkedin(std::string url) {
    co_return co_await query_records(std::string(sync::people_object), equality_filter("linkedin", url),
                                     options_.query_limit);
}

awaitable<call_result<record>> client::get_record(std::string object, std::string record_id) {
    co_return co_await exchange<record>("get_record", budget::read, http_proto::verb::get,
                                        records_path(object) + "/" + percent_encode(record_id), {}, true,
                                        parse_record_answer);
}

awaitable<call_result<record>> client::create_record(std::string object, std::string values_json) {
    co_return co_await exchange<record>("create_record", budget::write, http_proto::verb::post, records_path(object),
                                        values_body(values_json), false, parse_record_answer);
}

awaitable<call_result<record>> client::assert_record(std::string object, std::string matching_attribute,
                                                     std::string values_json) {
    query_string q;
    q.add("matching_attribute", matching_attribute);
    co_return co_await exchange<record>("assert_record", budget::write, http_proto::verb::put,
                                        records_path(object) + q.text(), values_body(values_json), true,
                                        parse_record_answer);
}

awaitable<call_result<record>> client::patch_record(std::string object, std::string record_id,
                                                    std::string values_json) {
    co_return co_await exchange<record>("patch_record", budget::write, http_proto::verb::patch,
                                        records_path(object) + "/" + percent_encode(record_id),
                                        values_body(values_json), true, parse_record_answer);
}

// --- list entries ------------------------------------------------------------------------

awaitable<call_result<entry>> client::create_entry(std::string list, std::string parent_object,
                                                   std::string parent_record_id, std::string entry_values_json) {
    std::string body = "{\"data\":{\"parent_record_id\":";
    json::append_quoted(body, parent_record_id);
    body += ",\"parent_object\":";
    json::append_quoted(body, parent_object);
    body += ",\"entry_values\":";
    body += entry_values_json.empty() ? std::string_view("{}") : std::string_view(entry_values_json);
    body += "}}";
    co_return co_await exchange<entry>("create_entry", budget::write, http_proto::verb::post,
                                       list_path(list) + "/entries", std::move(body), false, parse_entry_answer);
}

awaitable<call_result<std::vector<entry>>> client::query_entries(std::string list, std::string filter_json,
                                                                 std::size_t limit, std::size_t offset) {
    co_return co_await exchange<std::vector<entry>>("query_entries", budget::read, http_proto::verb::post,
                                                    list_path(list) + "/entries/query",
                                                    query_body(filter_json, limit, offset), true, parse_entry_list);
}

awaitable<call_result<entry>> client::get_entry(std::string list, std::string entry_id) {
    co_return co_await exchange<entry>("get_entry", budget::read, http_proto::verb::get,
                                       list_path(list) + "/entries/" + percent_encode(entry_id), {}, true,
                                       parse_entry_answer);
}

awaitable<call_result<entry>> client::patch_entry(std::string list, std::string entry_id,
                                                  std::string entry_values_json) {
    std::string body = "{\"data\":{\"entry_values\":";
    body += entry_values_json.empty() ? std::string_view("{}") : std::string_view(entry_values_json);
    body += "}}";
    co_return co_await exchange<entry>("patch_entry", budget::write, http_proto::verb::patch,
                                       list_path(list) + "/entries/" + percent_encode(entry_id), std::move(body), true,
                                       parse_entry_answer);
}

awaitable<call_result<std::vector<entry>>> client::find_entries_by_activity_id(std::string list,
                                                                               std::string activity_id) {
    co_return co_await query_entries(std::move(list), equality_filter(sync::entry_attr::activity_id, activity_id),
                                     options_.query_limit);
}

// --- lists -------------------------------------------------------------------------------

awaitable<call_result<list_info>> client::get_list(std::string list) {
    co_return co_await exchange<list_info>("get_list", budget::read, http_proto::verb::get, list_path(list), {}, true,
                                           parse_list_answer);
}

awaitable<call_result<list_info>> client::create_list(list_definition def) {
    // A POST, but a replay cannot duplicate: the slug is unique (a second one is a slug_conflict).
    co_return co_await exchange<list_info>("create_list", budget::write, http_proto::verb::post, "/v2/lists",
                                           list_body(def), true, parse_list_answer);
}

// --- attributes and options ----------------------------------------------------------------

awaitable<call_result<std::vector<attribute_info>>> client::list_attributes(target t, std::string identifier) {
    std::vector<attribute_info> all;
    std::set<std::string, std::less<>> seen;
    for (std::size_t page = 0; page < max_attribute_pages; ++page) {
        query_string q;
        q.add("limit", attribute_page).add("offset", page * attribute_page).add("show_archived", true);
        auto one = co_await exchange<std::vector<attribute_info>>("list_attributes", budget::read,
                                                                  http_proto::verb::get,
                                                                  attributes_path(t, identifier) + q.text(), {},
                                                                  true, parse_attribute_list);
        if (!one) co_return fail(std::move(one.error()));
        std::size_t fresh = 0;
        const std::size_t size = one->size();
        for (auto& a : one.value()) {
            const std::string key = a.attribute_id.empty() ? a.api_slug : a.attribute_id;
            if (seen.insert(key).second) {
                all.push_back(std::move(a));
                ++fresh;
            }
        }
        // A short page ends the list; so does a page with nothing new (a server ignoring offset).
        if (size < attribute_page || fresh == 0) break;
    }
    co_return all;
}

awaitable<call_result<attribute_info>> client::create_attribute(target t, std::string identifier,
                                                                attribute_definition def) {
    // Unique slug per target: a replay answers slug_conflict, never a duplicate.
    co_return co_await exchange<attribute_info>("create_attribute", budget::write, http_proto::verb::post,
                                                attributes_path(t, identifier), attribute_body(def), true,
                                                parse_attribute_answer);
}

awaitable<call_result<std::vector<select_option>>> client::list_options(target t, std::string identifier,
                                                                        std::string attribute) {
    query_string q;
    q.add("show_archived", true);
    co_return co_await exchange<std::vector<select_option>>("list_options", budget::read, http_proto::verb::get,
                                                            options_path(t, identifier, attribute) + q.text(), {},
                                                            true, parse_option_list);
}

awaitable<call_result<select_option>> client::create_option(target t, std::string identifier, std::string attribute,
                                                            std::string title) {
    std::string body = "{\"data\":{\"title\":";
    json::append_quoted(body, title);
    body += "}}";
    // Titles are unique per attribute: a replay answers slug_conflict.
    co_return co_await exchange<select_option>("create_option", budget::write, http_proto::verb::post,
                                               options_path(t, identifier, attribute), std::move(body), true,
                                               parse_option_answer);
}

// --- webhooks ------------------------------------------------------------------------------

awaitable<call_result<std::vector<webhook_info>>> client::list_webhooks(std::size_t limit, std::size_t offset) {
    query_string q;
    q.add("limit", limit).add("offset", offset);
    co_return co_await exchange<std::vector<webhook_info>>("list_webhooks", budget::read, http_proto::verb::get,
                                                           "/v2/webhooks" + q.text(), {}, true, parse_webhook_list);
}

awaitable<call_result<webhook_info>> client::create_webhook(std::string target_url,
                                                            std::vector<webhook_subscription> subscriptions) {
    co_return co_await exchange<webhook_info>("create_webhook", budget::write, http_proto::verb::post, "/v2/webhooks",
                                              webhook_body(target_url, subscriptions), false, parse_webhook_answer);
}

awaitable<call_result<webhook_info>> client::update_webhook(std::string webhook_id,
                                                            std::vector<webhook_subscription> subscriptions) {
    co_return co_await exchange<webhook_info>("update_webhook", budget::write, http_proto::verb::patch,
                                              "/v2/webhooks/" + percent_encode(webhook_id),
                                              webhook_body({}, subscriptions), true, parse_webhook_answer);
}

}  // namespace las::attio
