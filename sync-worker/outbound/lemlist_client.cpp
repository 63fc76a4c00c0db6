#include "outbound/lemlist_client.hpp"

#include <algorithm>
#include <set>

#include <openssl/evp.h>

#include "core/json.hpp"
#include "outbound/url_encode.hpp"

namespace las::outbound {
namespace {

std::string base64(std::string_view data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

void add_field(std::string& out, std::string_view key, std::string_view value) {
    if (out.size() > 1) out += ',';
    json::append_quoted(out, key);
    out += ':';
    json::append_quoted(out, value);
}

std::string content_type_of(const http::client_response& r) { return header_of(r, "Content-Type"); }

bool is_success(unsigned status) { return status >= 200 && status < 300; }

}  // namespace

std::string lemlist_authorization(std::string_view api_key) {
    std::string credentials = ":";
    credentials += api_key;
    return "Basic " + base64(credentials);
}

std::string lead_body(const lead_input& lead) {
    std::string out = "{";
    std::set<std::string, std::less<>> used;
    auto put = [&](std::string_view key, const std::optional<std::string>& value) {
        if (!value) return;
        add_field(out, key, *value);
        used.emplace(key);
    };
    put("email", lead.email);
    put("firstName", lead.first_name);
    put("lastName", lead.last_name);
    put("companyName", lead.company_name);
    put("linkedinUrl", lead.linkedin_url);
    put("phone", lead.phone);
    put("icebreaker", lead.icebreaker);
    for (const auto& [key, value] : lead.variables) {
        if (key.empty() || !used.emplace(key).second) continue;  // the typed field wins
        add_field(out, key, value);
    }
    out += '}';
    return out;
}

lemlist_client::lemlist_client(transport send, state::rate_gate& gate, lemlist_options options,
                               call_metrics* metrics)
    : caller_("lemlist", std::move(send), options.policy, metrics),
      gate_(gate),
      options_(std::move(options)),
      authorization_(lemlist_authorization(options_.api_key)) {}

awaitable<call_result<http::client_response>> lemlist_client::call(std::string_view operation,
                                                                   http_proto::verb method, std::string target,
                                                                   std::string body, bool replay_safe) {
    http::client_request request;
    request.method = method;
    request.target = std::move(target);
    request.body = std::move(body);
    request.headers.emplace_back("Authorization", authorization_);
    request.headers.emplace_back("Accept", "application/json");
    // Named, not braced in the co_await: g++ 12 destroys braced aggregate temporaries there twice.
    const call_spec spec{operation, gate_, replay_safe};
    co_return co_await caller_.send(std::move(request), spec);
}

awaitable<call_result<std::vector<lemlist_hook>>> lemlist_client::list_hooks() {
    auto answer = co_await call("list_hooks", http_proto::verb::get, "/api/hooks", {}, true);
    if (!answer) co_return fail(std::move(answer.error()));
    const auto& r = answer.value();
    if (!is_success(r.status)) co_return fail(error_from_answer(r.status, content_type_of(r), r.body, true));
    if (!is_json_answer(content_type_of(r), r.body)) co_return fail(not_json_error(r.status, content_type_of(r), "GET /api/hooks"));
    auto hooks = parse_hooks(r.body);
    if (!hooks) co_return fail(unexpected_answer(r.status, hooks.error()));
    co_return std::move(hooks).value();
}

awaitable<call_result<lemlist_hook>> lemlist_client::create_hook(std::string target_url, std::string type,
                                                                 std::optional<std::string> secret) {
    std::string body = "{";
    add_field(body, "targetUrl", target_url);
    if (!type.empty()) add_field(body, "type", type);
    if (secret) add_field(body, "secret", *secret);
    body += '}';
    // A POST: a lost answer may still have created the hook (unknown_fate); a re-run of the
    // subscription sync sees it and does not create it twice.
    auto answer = co_await call("create_hook", http_proto::verb::post, "/api/hooks", std::move(body), false);
    if (!answer) co_return fail(std::move(answer.error()));
    const auto& r = answer.value();
    if (!is_success(r.status)) co_return fail(error_from_answer(r.status, content_type_of(r), r.body, false));
    if (!is_json_answer(content_type_of(r), r.body)) co_return fail(not_json_error(r.status, content_type_of(r), "POST /api/hooks"));
    auto hook = parse_hook(r.body);
    if (!hook) co_return fail(unexpected_answer(r.status, hook.error()));
    co_return std::move(hook).value();
}

awaitable<call_result<delete_outcome>> lemlist_client::delete_hook(std::string hook_id) {
    auto answer = co_await call("delete_hook", http_proto::verb::delete_, "/api/hooks/" + percent_encode(hook_id), {},
                                true);
    if (!answer) co_return fail(std::move(answer.error()));
    const auto& r = answer.value();
    if (r.status == 404) co_return delete_outcome::already_gone;
    if (!is_success(r.status)) co_return fail(error_from_answer(r.status, content_type_of(r), r.body, true));
    // The documented answer is the deleted hook; the HTML catch-all would mean a wrong route.
    if (!is_json_answer(content_type_of(r), r.body)) co_return fail(not_json_error(r.status, content_type_of(r), "DELETE /api/hooks/{id}"));
    co_return delete_outcome::deleted;
}

awaitable<call_result<std::vector<lemlist_campaign>>> lemlist_client::list_campaigns() {
    const std::size_t limit = std::clamp<std::size_t>(options_.campaign_page_limit, 1, 100);
    std::vector<lemlist_campaign> all;
    std::set<std::string, std::less<>> seen;
    for (std::size_t page = 0; page < options_.max_campaign_pages; ++page) {
        query_string q;
        q.add("version", "v2").add("offset", page * limit).add("limit", limit);
        auto answer = co_await call("list_campaigns", http_proto::verb::get, "/api/campaigns" + q.text(), {}, true);
        if (!answer) co_return fail(std::move(answer.error()));
        const auto& r = answer.value();
        if (!is_success(r.status)) co_return fail(error_from_answer(r.status, content_type_of(r), r.body, true));
        if (!is_json_answer(content_type_of(r), r.body))
            co_return fail(not_json_error(r.status, content_type_of(r), "GET /api/campaigns"));
        auto parsed = parse_campaigns(r.body);
        if (!parsed) co_return fail(unexpected_answer(r.status, parsed.error()));
        std::size_t fresh = 0;
        for (auto& c : parsed->campaigns) {
            if (seen.insert(c.id).second) {
                all.push_back(std::move(c));
                ++fresh;
            }
        }
        // A short page ends the list; so does a page with nothing new (a server that ignores offset).
        if (parsed->campaigns.size() < limit || fresh == 0) break;
        if (parsed->total_pages && static_cast<long>(page + 1) >= *parsed->total_pages) break;
    }
    co_return all;
}

awaitable<call_result<enrollment>> lemlist_client::enroll_lead(std::string campaign_id, lead_input lead,
                                                               enrollment_flags flags) {
    query_string q;
    q.add("deduplicate", flags.deduplicate)
        .add("findEmail", flags.find_email)
        .add("verifyEmail", flags.verify_email)
        .add("findPhone", flags.find_phone)
        .add("linkedinEnrichment", flags.linkedin_enrichment);
    auto answer = co_await call("enroll_lead", http_proto::verb::post,
                                "/api/campaigns/" + percent_encode(campaign_id) + "/leads/" + q.text(),
                                lead_body(lead), false);
    if (!answer) co_return fail(std::move(answer.error()));
    const auto& r = answer.value();
    co_return classify_enrollment(r.status, content_type_of(r), r.body);
}

awaitable<call_result<rapidjson::Document>> lemlist_client::list_activities(activity_query query) {
    query_string q;
    q.add("version", "v2");
    if (query.type) q.add("type", *query.type);
    if (query.campaign_id) q.add("campaignId", *query.campaign_id);
    if (query.lead_id) q.add("leadId", *query.lead_id);
    if (query.min_date) q.add("minDate", *query.min_date);
    if (query.max_date) q.add("maxDate", *query.max_date);
    q.add("offset", query.offset).add("limit", std::clamp<std::size_t>(query.limit, 1, 100));
    auto answer = co_await call("list_activities", http_proto::verb::get, "/api/activities" + q.text(), {}, true);
    if (!answer) co_return fail(std::move(answer.error()));
    const auto& r = answer.value();
    if (!is_success(r.status)) co_return fail(error_from_answer(r.status, content_type_of(r), r.body, true));
    if (!is_json_answer(content_type_of(r), r.body))
        co_return fail(not_json_error(r.status, content_type_of(r), "GET /api/activities"));
    auto doc = parse_activities(r.body);
    if (!doc) co_return fail(unexpected_answer(r.status, doc.error()));
    co_return std::move(doc).value();
}

}  // namespace las::outbound
