#include "emu/emulator.hpp"

#include <algorithm>
#include <cctype>

#include "core/json.hpp"
#include "emu/event_types.hpp"
#include "emu/json_out.hpp"

namespace las::lemlist_emu {

namespace {

constexpr std::string_view json_type = "application/json; charset=utf-8";
constexpr std::string_view text_type = "text/plain; charset=utf-8";
constexpr std::string_view html_type = "text/html; charset=utf-8";

// What an unknown route answers: the web app's HTML with 200 (Lemlist's SPA catch-all).
constexpr std::string_view spa_html =
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>lemlist</title>"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"></head>"
    "<body><noscript>You need to enable JavaScript to run this app.</noscript><div id=\"root\"></div>"
    "<script src=\"/static/js/main.js\"></script></body></html>";

constexpr std::string_view plan_gated_text = "route is available starting emailPro plan";
// The field report gives only the status; the body text is ours (UNCONFIRMED).
constexpr std::string_view duplicate_target_text = "A webhook with this targetUrl already exists";

api_response text(unsigned status, std::string_view body) {
    api_response r;
    r.status = status;
    r.content_type = std::string(text_type);
    r.body = std::string(body);
    return r;
}

api_response json_response(std::string body, unsigned status = 200) {
    api_response r;
    r.status = status;
    r.content_type = std::string(json_type);
    r.body = std::move(body);
    return r;
}

// Control routes are ours, so their errors are JSON.
api_response control_error(unsigned status, std::string_view code, std::string_view message) {
    json_out o;
    o.begin_object().field("error", code).field("message", message).end_object();
    return json_response(o.take(), status);
}

api_outcome outcome(api_response r) {
    api_outcome o;
    o.response = std::move(r);
    return o;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

struct credentials {
    enum class kind { missing, malformed, key } k = kind::missing;
    std::string key;
};

credentials read_credentials(const std::string& authorization, const query_params& q) {
    const std::string a = trim_ascii(authorization);
    if (a.size() > 6 && to_lower_ascii(a.substr(0, 6)) == "basic ") {
        const auto decoded = base64_decode(trim_ascii(a.substr(6)));
        if (!decoded) return {credentials::kind::malformed, {}};
        const auto colon = decoded->find(':');
        if (colon == std::string::npos) return {credentials::kind::malformed, {}};
        std::string pass = decoded->substr(colon + 1);
        if (pass.empty()) return {credentials::kind::missing, {}};
        return {credentials::kind::key, std::move(pass)};
    }
    // Any other scheme (Bearer …) carries no Basic credentials: Lemlist reads Basic only.
    if (auto token = q.get("access_token"); token && !token->empty()) return {credentials::kind::key, *token};
    return {credentials::kind::missing, {}};
}

enum class api_route {
    campaigns_list, campaign_get, campaign_leads_list, lead_create, lead_delete, lead_pause, lead_start,
    leads_by_email, lead_query, hooks_create, hooks_list, hooks_delete, activities_list
};

struct matched_route {
    api_route route;
    std::string label;
};

std::optional<matched_route> match_api(std::string_view method, const std::vector<std::string>& s) {
    // s[0] == "api"
    const std::size_t n = s.size();
    const auto is = [&](std::size_t i, std::string_view v) { return i < n && s[i] == v; };
    if (method == "GET") {
        if (n == 2 && is(1, "campaigns")) return matched_route{api_route::campaigns_list, "GET /api/campaigns"};
        if (n == 3 && is(1, "campaigns")) return matched_route{api_route::campaign_get, "GET /api/campaigns/{campaignId}"};
        if (n == 4 && is(1, "campaigns") && is(3, "leads"))
            return matched_route{api_route::campaign_leads_list, "GET /api/campaigns/{campaignId}/leads"};
        if (n == 2 && is(1, "leads")) return matched_route{api_route::lead_query, "GET /api/leads"};
        if (n == 3 && is(1, "leads")) return matched_route{api_route::leads_by_email, "GET /api/leads/{email}"};
        if (n == 2 && is(1, "hooks")) return matched_route{api_route::hooks_list, "GET /api/hooks"};
        if (n == 2 && is(1, "activities")) return matched_route{api_route::activities_list, "GET /api/activities"};
    } else if (method == "POST") {
        if ((n == 4 || n == 5) && is(1, "campaigns") && is(3, "leads"))
            return matched_route{api_route::lead_create, "POST /api/campaigns/{campaignId}/leads"};
        if (n == 4 && is(1, "leads") && is(2, "pause")) return matched_route{api_route::lead_pause, "POST /api/leads/pause/{leadId}"};
        if (n == 4 && is(1, "leads") && is(2, "start")) return matched_route{api_route::lead_start, "POST /api/leads/start/{leadId}"};
        if (n == 2 && is(1, "hooks")) return matched_route{api_route::hooks_create, "POST /api/hooks"};
    } else if (method == "DELETE") {
        if (n == 5 && is(1, "campaigns") && is(3, "leads"))
            return matched_route{api_route::lead_delete, "DELETE /api/campaigns/{campaignId}/leads/{leadIdOrEmail}"};
        if (n == 3 && is(1, "hooks")) return matched_route{api_route::hooks_delete, "DELETE /api/hooks/{hookId}"};
    }
    return std::nullopt;
}

// Parses an optional JSON object body ("" → {}). nullopt when it is not a JSON object.
std::optional<rapidjson::Document> object_body(const std::string& body) {
    if (trim_ascii(body).empty()) {
        rapidjson::Document d;
        d.SetObject();
        return d;
    }
    auto parsed = json::parse(body);
    if (!parsed || !parsed->IsObject()) return std::nullopt;
    return std::move(parsed.value());
}

std::optional<bool> json_bool(const rapidjson::Value* v) {
    if (!v) return std::nullopt;
    if (v->IsBool()) return v->GetBool();
    if (v->IsString()) {
        const auto l = to_lower_ascii(std::string_view(v->GetString(), v->GetStringLength()));
        return l == "true" || l == "1";
    }
    if (v->IsNumber()) return v->GetDouble() != 0;
    return std::nullopt;
}

std::optional<std::size_t> parse_count(const std::optional<std::string>& v) {
    if (!v || v->empty() || v->size() > 9) return std::nullopt;
    if (!std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    return static_cast<std::size_t>(std::stoul(*v));
}

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string slug(std::string_view s) {
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) && c < 128) out.push_back(static_cast<char>(std::tolower(c)));
        else if ((ch == ' ' || ch == '-') && !out.empty() && out.back() != '-') out.push_back('-');
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

std::string zap_json(const std::string& zap) {
    if (!zap.empty() && zap.size() < 16 && std::all_of(zap.begin(), zap.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return zap;
    return json::quoted(zap);
}

}  // namespace

std::string email_identity(std::string_view email) { return "e:" + to_lower_ascii(trim_ascii(email)); }

std::string linkedin_identity(std::string_view url) {
    std::string u = to_lower_ascii(trim_ascii(url));
    for (const std::string_view scheme : {"https://", "http://"})
        if (starts_with(u, scheme)) u.erase(0, scheme.size());
    if (starts_with(u, "www.")) u.erase(0, 4);
    if (const auto q = u.find_first_of("?#"); q != std::string::npos) u.erase(q);
    while (!u.empty() && (u.back() == '/' || u.back() == ',')) u.pop_back();
    return "l:" + u;
}

emulator::emulator(emulator_options options, clock_fn clock)
    : options_(std::move(options)),
      clock_(std::move(clock)),
      rng_(options_.seed),
      limiter_(options_.rate_limit_requests, options_.rate_limit_window),
      rate_limit_on_(options_.rate_limit),
      plan_gated_hooks_(options_.plan_gated_hooks),
      plan_gated_activities_(options_.plan_gated_activities) {
    seed_campaigns();
}

void emulator::seed_campaigns() {
    const sender sam{"usr_SandboxSender0001", "Sam Sender", "sam.sender@sandbox-sender.example", "usm_SandboxMailbox001"};
    const sender alex{"usr_SandboxSender0002", "Alex Sender", "alex.sender@sandbox-sender.example", "usm_SandboxMailbox002"};
    const std::string owner = "usr_SandboxOwner00001";
    const std::string owner_email = "owner@sandbox-team.example";
    const auto make = [&](std::string_view id, std::string name, std::string status, std::vector<std::string> labels,
                          std::vector<std::string> errors, const char* created, std::vector<sender> senders, int n) {
        campaign c;
        c.id = std::string(id);
        c.name = std::move(name);
        c.status = std::move(status);
        c.labels = std::move(labels);
        c.errors = std::move(errors);
        c.created_at = *parse_iso8601(created);
        c.created_by = owner;
        c.creator_email = owner_email;
        c.sequence_id = "seq_SandboxSeq000000" + std::to_string(n);
        c.senders = std::move(senders);
        return c;
    };
    campaigns_.clear();
    campaigns_.push_back(make(sandbox_campaign_outreach, "Sales Outreach 2025", "running", {}, {},
                              "2025-02-05T09:00:07.541Z", {sam, alex}, 1));
    campaigns_.push_back(make(sandbox_campaign_linkedin, "🫅🏻🐘Bauma 2025", "running", {"Events"}, {},
                              "2025-01-20T10:12:44.120Z", {alex}, 2));
    campaigns_.push_back(make(sandbox_campaign_draft, "Product Launch Campaign", "draft", {}, {},
                              "2025-10-27T07:01:04.058Z", {sam}, 3));
    campaigns_.push_back(make(sandbox_campaign_errors, "Customer Onboarding", "paused", {"CRM"},
                              {"One of your sender has no email provider.", "Your campaign have an invalid sender mailbox"},
                              "2023-01-27T14:58:52.482Z", {}, 4));
}

std::string emulator::new_id(std::string_view prefix) { return rng_.id(prefix); }

void emulator::record(const std::string& route, unsigned status) {
    ++requests_total_;
    ++stats_[route][status];
    if (status == 429) ++rate_limited_;
}

api_outcome emulator::handle(const api_request& request) {
    std::lock_guard lock(mutex_);
    std::string route = "SPA catch-all";
    auto out = handle_locked(request, route);
    record(route, out.response.status);
    return out;
}

api_outcome emulator::handle_locked(const api_request& request, std::string& route_label) {
    const auto t = parse_target(request.target);
    if (!t.segments.empty() && t.segments[0] == "__emulator") {
        route_label = "control " + request.method + " " + t.path;
        return handle_control(request, t, route_label);
    }
    if (!t.segments.empty() && t.segments[0] == "api" && match_api(request.method, t.segments))
        return handle_api(request, t, route_label);
    api_response r;
    r.content_type = std::string(html_type);
    r.body = std::string(spa_html);
    return outcome(std::move(r));
}

api_outcome emulator::handle_api(const api_request& request, const split_target& t, std::string& route_label) {
    const auto m = *match_api(request.method, t.segments);
    route_label = m.label;
    const auto& s = t.segments;
    const auto cred = read_credentials(request.authorization, t.query);

    std::vector<std::pair<std::string, std::string>> rate_headers;
    if (rate_limit_on_) {
        const std::string key = cred.k == credentials::kind::key ? cred.key
                                : cred.k == credentials::kind::malformed ? std::string("(malformed)")
                                                                        : std::string("(anonymous)");
        const auto d = limiter_.acquire(key, clock_());
        rate_headers = {{"Retry-After", std::to_string(d.retry_after_s)},
                        {"X-RateLimit-Limit", std::to_string(d.limit)},
                        {"X-RateLimit-Remaining", std::to_string(d.remaining)},
                        {"X-RateLimit-Reset", js_date_string(d.reset_at)}};
        if (!d.allowed) {
            auto r = text(429, "Too many requests, please try again later.");
            r.headers = rate_headers;
            return outcome(std::move(r));
        }
    }
    const auto finish = [&](api_outcome o) {
        for (auto& h : rate_headers) o.response.headers.push_back(h);
        return o;
    };

    std::chrono::milliseconds delay{0};
    for (auto& f : faults_) {
        if (f.remaining == 0 || !starts_with(t.path, f.path_prefix) || (!f.method.empty() && f.method != request.method))
            continue;
        if (f.remaining > 0) --f.remaining;
        delay = f.latency;
        if (f.status != 0) {
            auto r = text(f.status, f.body.empty() ? std::string_view("Internal server error") : std::string_view(f.body));
            r.delay = delay;
            return finish(outcome(std::move(r)));
        }
        break;
    }

    api_outcome out;
    if (cred.k == credentials::kind::missing) {
        out = outcome(text(400, "No API key provided"));
    } else if (cred.k == credentials::kind::malformed ||
               std::find(options_.api_keys.begin(), options_.api_keys.end(), cred.key) == options_.api_keys.end()) {
        out = outcome(text(401, "The authentication you supplied is incorrect"));
    } else {
        switch (m.route) {
            case api_route::campaigns_list: out = outcome(get_campaigns(t)); break;
            case api_route::campaign_get: out = outcome(get_campaign(s[2])); break;
            case api_route::campaign_leads_list: out = outcome(get_campaign_leads(s[2], t)); break;
            case api_route::lead_create: out = outcome(create_lead(s[2], s.size() == 5 ? s[4] : std::string{}, t, request.body)); break;
            case api_route::lead_delete: out = outcome(delete_lead(s[2], s[4], t)); break;
            case api_route::lead_pause: out = pause_lead(s[3], t, true); break;
            case api_route::lead_start: out = pause_lead(s[3], t, false); break;
            case api_route::leads_by_email: out = outcome(get_leads_by_email(s[2], t)); break;
            case api_route::lead_query: out = outcome(get_lead_query(t)); break;
            case api_route::hooks_create: out = outcome(create_hook(t, request.body)); break;
            case api_route::hooks_list: out = outcome(list_hooks()); break;
            case api_route::hooks_delete: out = outcome(delete_hook(s[2])); break;
            case api_route::activities_list: out = outcome(get_activities(t)); break;
        }
    }
    out.response.delay = delay;
    return finish(std::move(out));
}

// ---------------------------------------------------------------------------------------------
// Campaigns

std::string emulator::campaign_v2_json(const campaign& c) const {
    json_out o;
    o.begin_object().field("_id", c.id).field("name", c.name);
    o.key("labels").begin_array();
    for (const auto& l : c.labels) o.str(l);
    o.end_array();
    o.field("createdAt", iso8601(c.created_at)).field("createdBy", c.created_by).field("status", c.status);
    if (!c.errors.empty()) {
        o.field("hasError", true).key("errors").begin_array();
        for (const auto& e : c.errors) o.str(e);
        o.end_array();
    }
    o.end_object();
    return o.take();
}

const campaign* emulator::find_campaign(std::string_view id) const {
    for (const auto& c : campaigns_)
        if (c.id == id) return &c;
    return nullptr;
}

api_response emulator::get_campaigns(const split_target& t) {
    const auto& q = t.query;
    std::vector<const campaign*> list;
    const auto status = q.get("status");
    const auto created_by = q.get("createdBy");
    for (const auto& c : campaigns_) {
        if (status && !status->empty()) {
            if (*status == "errors" ? c.errors.empty() : c.status != *status) continue;
        }
        if (created_by && !created_by->empty() && c.created_by != *created_by) continue;
        list.push_back(&c);
    }
    const bool desc = q.get("sortOrder").value_or("") == "desc";
    std::stable_sort(list.begin(), list.end(), [&](const campaign* a, const campaign* b) {
        return desc ? a->created_at > b->created_at : a->created_at < b->created_at;
    });
    std::size_t limit = std::min<std::size_t>(parse_count(q.get("limit")).value_or(100), 100);
    if (limit == 0) limit = 100;
    const auto page = parse_count(q.get("page"));
    std::size_t offset = parse_count(q.get("offset")).value_or(0);
    if (page) offset = (std::max<std::size_t>(*page, 1) - 1) * limit;
    const bool v2 = q.get("version").value_or("") == "v2" || page.has_value();

    json_out o;
    if (page) o.begin_object().key("campaigns");
    o.begin_array();
    for (std::size_t i = offset; i < list.size() && i < offset + limit; ++i) {
        const auto& c = *list[i];
        if (v2) {
            o.raw(campaign_v2_json(c));
        } else {
            // v1 (no version): the legacy minimal shape.
            o.begin_object().field("_id", c.id).field("name", c.name);
            if (!c.labels.empty()) {
                o.key("labels").begin_array();
                for (const auto& l : c.labels) o.str(l);
                o.end_array();
            }
            o.end_object();
        }
    }
    o.end_array();
    if (page) {
        const std::size_t total_pages = (list.size() + limit - 1) / limit;
        const std::size_t current = std::max<std::size_t>(*page, 1);
        o.key("pagination").begin_object().field("totalRecords", list.size()).field("currentPage", current);
        o.key("nextPage");
        if (current < total_pages) o.unum(current + 1);
        else o.null();
        o.field("totalPage", total_pages).end_object().end_object();
    }
    return json_response(o.take());
}

api_response emulator::get_campaign(const std::string& id) {
    const auto* c = find_campaign(id);
    if (!c) return text(404, "Campaign not found");
    json_out o;
    o.begin_object().field("_id", c->id).field("name", c->name).field("createdAt", iso8601(c->created_at))
        .field("status", c->status);
    o.key("creator").begin_object().field("userId", c->created_by).field("userEmail", c->creator_email).end_object();
    o.key("senders").begin_array();
    for (const auto& snd : c->senders)
        o.begin_object().field("id", snd.user_id).field("email", snd.email).field("sendUserMailboxId", snd.mailbox_id).end_object();
    o.end_array().end_object();
    return json_response(o.take());
}

// ---------------------------------------------------------------------------------------------
// Leads

lead* emulator::find_lead(std::string_view id) {
    const auto it = lead_seq_.find(std::string(id));
    if (it == lead_seq_.end()) return nullptr;
    const auto l = leads_.find(it->second);
    return l == leads_.end() ? nullptr : &l->second;
}

std::vector<lead*> emulator::leads_with_identity(const std::string& identity) {
    std::vector<lead*> out;
    const auto it = identity_index_.find(identity);
    if (it == identity_index_.end()) return out;
    for (const auto& id : it->second)
        if (auto* l = find_lead(id)) out.push_back(l);
    return out;
}

std::string emulator::contact_for(const std::string& identity) {
    if (identity.empty()) return new_id("ctc");
    auto& c = contacts_[identity];
    if (c.empty()) c = new_id("ctc");
    return c;
}

namespace {
std::string identity_of(const lead& l) {
    const auto email = l.var("email");
    if (!trim_ascii(email).empty()) return email_identity(email);
    const auto li = l.var("linkedinUrl");
    if (!trim_ascii(li).empty()) return linkedin_identity(li);
    return {};
}
}  // namespace

void emulator::store_lead(lead l) {
    if (auto* existing = find_lead(l.id)) {
        // Upsert (a replayed play): keep the original seq.
        l.seq = existing->seq;
        erase_lead(l.id);
    }
    if (l.seq == 0) l.seq = next_seq_++;
    const auto identity = identity_of(l);
    if (!identity.empty()) {
        identity_index_[identity].push_back(l.id);
        if (!contacts_.count(identity)) contacts_[identity] = l.contact_id;
    }
    lead_seq_[l.id] = l.seq;
    leads_.emplace(l.seq, std::move(l));
}

void emulator::erase_lead(const std::string& id) {
    const auto it = lead_seq_.find(id);
    if (it == lead_seq_.end()) return;
    const auto l = leads_.find(it->second);
    if (l != leads_.end()) {
        const auto identity = identity_of(l->second);
        if (auto idx = identity_index_.find(identity); idx != identity_index_.end()) {
            auto& ids = idx->second;
            ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
            if (ids.empty()) identity_index_.erase(idx);
        }
        leads_.erase(l);
    }
    lead_seq_.erase(it);
}

std::string emulator::lead_flat_json(const lead& l, bool with_campaign_name) const {
    json_out o;
    o.begin_object();
    const campaign* c = find_campaign(l.campaign_id);
    if (with_campaign_name) {
        o.field("campaignId", l.campaign_id);
        if (c) o.field("campaignName", c->name);
    }
    for (const auto& v : l.variables) o.key(v.name).raw(v.json);
    o.field("_id", l.id).field("isPaused", l.paused);
    if (!with_campaign_name) o.field("campaignId", l.campaign_id);
    o.field("contactId", l.contact_id);
    if (!with_campaign_name) o.field_if("emailStatus", l.email_status);
    o.end_object();
    return o.take();
}

std::string emulator::lead_nested_json(const lead& l) const {
    json_out o;
    o.begin_object().field("_id", l.id).field("isPaused", l.paused).field("state", l.state)
        .field("personalized", false).field("source", l.source);
    o.key("variables").begin_object();
    for (const auto& v : l.variables) o.key(v.name).raw(v.json);
    o.end_object();
    o.field("contactId", l.contact_id);
    o.key("enrichment").begin_object().field_if("emailStatus", l.email_status).end_object();
    o.end_object();
    return o.take();
}

std::string emulator::lead_v2_json(const lead& l) const {
    const campaign* c = find_campaign(l.campaign_id);
    json_out o;
    o.begin_object().field("_id", l.id).field("updatedAt", iso8601(l.updated_at)).field("isPaused", l.paused)
        .field("state", l.state).field("status", l.status).field("personalized", false).field("source", l.source);
    o.key("variables").begin_object();
    for (const auto& v : l.variables) o.key(v.name).raw(v.json);
    o.end_object();
    o.field("contactId", l.contact_id);
    o.key("enrichment").begin_object().field_if("emailStatus", l.email_status).end_object();
    o.key("campaign").begin_object().field("id", l.campaign_id);
    if (c) o.field("name", c->name).field("status", c->status);
    o.end_object();
    o.key("sendingUser").begin_object().end_object();
    o.end_object();
    return o.take();
}

api_response emulator::create_lead(const std::string& campaign_id, const std::string& path_email,
                                   const split_target& t, const std::string& body) {
    auto doc = object_body(body);
    if (!doc) return text(400, "Bad params (the body must be a JSON object)");

    lead l;
    std::string given_contact;
    for (auto it = doc->MemberBegin(); it != doc->MemberEnd(); ++it) {
        std::string name(it->name.GetString(), it->name.GetStringLength());
        if (name == "contactId" && it->value.IsString()) {
            given_contact = it->value.GetString();
            continue;
        }
        l.set_var(std::move(name), json::to_string(it->value));
    }
    if (!path_email.empty() && trim_ascii(l.var("email")).empty()) l.set_string_var("email", path_email);

    if (!starts_with(campaign_id, "cam_")) {
        // Field-observed quirk: an id without the cam_ prefix answers 200 and creates nothing.
        json_out o;
        o.begin_object().field("campaignId", campaign_id);
        for (const auto& v : l.variables) o.key(v.name).raw(v.json);
        o.field("_id", new_id("lea")).field("isPaused", false).field("contactId", new_id("ctc")).end_object();
        return json_response(o.take());
    }
    const campaign* c = find_campaign(campaign_id);
    if (!c) return text(404, "Campaign not found");

    const auto& q = t.query;
    const std::string first = l.var("firstName"), last = l.var("lastName");
    // Enrichment, kept deterministic: derived from what the lead already has.
    if (query_bool(q, "findEmail").value_or(false) && trim_ascii(l.var("email")).empty() && !first.empty()) {
        std::string domain = to_lower_ascii(trim_ascii(l.var("companyDomain")));
        if (domain.empty() && !l.var("companyName").empty()) domain = slug(l.var("companyName")) + ".com";
        if (!domain.empty()) {
            const std::string local = slug(first) + (last.empty() ? "" : "." + slug(last));
            if (!local.empty()) {
                l.set_string_var("email", local + "@" + domain);
                l.email_status = "deliverable";
            }
        }
    }
    if (query_bool(q, "verifyEmail").value_or(false) && !trim_ascii(l.var("email")).empty()) {
        const auto e = to_lower_ascii(l.var("email"));
        if (e.find('@') == std::string::npos || e.find("invalid") != std::string::npos ||
            e.find("bounce") != std::string::npos)
            l.email_status = "undeliverable";
        else if (e.find("catchall") != std::string::npos || e.find("catch-all") != std::string::npos)
            l.email_status = "risky";
        else
            l.email_status = "deliverable";
    }
    if (query_bool(q, "findPhone").value_or(false) && trim_ascii(l.var("phone")).empty() && !first.empty()) {
        const auto h = fnv1a(first + " " + last + " " + l.var("companyName"));
        l.set_string_var("phone", "+1 555 01" + std::to_string(10 + h % 90));
    }
    if (query_bool(q, "linkedinEnrichment").value_or(false) && trim_ascii(l.var("linkedinUrl")).empty() &&
        !first.empty()) {
        const auto h = fnv1a(first + " " + last + " " + l.var("companyName"));
        l.set_string_var("linkedinUrl", "https://www.linkedin.com/in/" + slug(first + " " + last) + "-" +
                                            std::to_string(100000 + h % 900000) + "/");
    }

    const std::string identity = identity_of(l);
    if (!identity.empty()) {
        const auto same = leads_with_identity(identity);
        if (std::any_of(same.begin(), same.end(), [&](const lead* x) { return x->campaign_id == campaign_id; }))
            return text(400, "Lead already in the campaign");
        if (query_bool(q, "deduplicate").value_or(false) && starts_with(identity, "e:") && !same.empty())
            return text(409, "Lead already in other campaign");
    }

    l.id = new_id("lea");
    l.campaign_id = campaign_id;
    l.contact_id = starts_with(given_contact, "ctc_") ? given_contact : contact_for(identity);
    if (!identity.empty()) contacts_.try_emplace(identity, l.contact_id);
    l.created_at = l.updated_at = clock_();
    l.state = "scanned";
    l.status = "review";
    l.source = "api";
    const std::string response = lead_flat_json(l, true);
    store_lead(std::move(l));
    return json_response(response);
}

api_response emulator::get_campaign_leads(const std::string& id, const split_target& t) {
    if (!find_campaign(id)) return text(404, "Campaign not found");
    const auto state = t.query.get("state");
    std::size_t limit = std::min<std::size_t>(parse_count(t.query.get("limit")).value_or(100), 500);
    if (limit == 0) limit = 100;
    json_out o;
    o.begin_array();
    std::size_t n = 0;
    for (auto it = leads_.rbegin(); it != leads_.rend() && n < limit; ++it) {
        const auto& l = it->second;
        if (l.campaign_id != id || (state && !state->empty() && l.state != *state)) continue;
        o.begin_object().field("_id", l.id).field("contactId", l.contact_id).field("state", l.state).end_object();
        ++n;
    }
    o.end_array();
    return json_response(o.take());
}

api_response emulator::delete_lead(const std::string& campaign_id, const std::string& lead_or_email,
                                   const split_target& t) {
    if (!find_campaign(campaign_id)) return text(404, "Campaign not found");
    lead* target = nullptr;
    const bool by_id = starts_with(lead_or_email, "lea_");
    if (by_id) {
        target = find_lead(lead_or_email);
        if (target && target->campaign_id != campaign_id) target = nullptr;
    } else {
        for (auto* l : leads_with_identity(email_identity(lead_or_email)))
            if (l->campaign_id == campaign_id) target = l;
    }
    if (!target) return text(404, "Lead not found");
    if (by_id && t.query.get("action").value_or("") == "remove") {
        const std::string body = lead_flat_json(*target, false);
        erase_lead(target->id);
        return json_response(body);
    }
    target->status = "unsubscribed";
    target->state = "emailsUnsubscribed";
    target->updated_at = clock_();
    if (by_id) return json_response(lead_flat_json(*target, false));
    json_out o;
    o.begin_object().field("email", target->var("email")).field("_id", target->id).field("isPaused", target->paused)
        .field("campaignId", target->campaign_id).field("contactId", target->contact_id).end_object();
    return json_response(o.take());
}

api_outcome emulator::pause_lead(const std::string& lead_id, const split_target& t, bool pause) {
    lead* l = find_lead(lead_id);
    const auto only = t.query.get("campaignId");
    if (!l || (only && !only->empty() && l->campaign_id != *only)) return outcome(text(404, "Lead not found"));
    l->paused = pause;
    l->status = pause ? "paused" : "running";
    l->updated_at = clock_();
    const campaign* c = find_campaign(l->campaign_id);

    // The action is an activity too, delivered to the hooks (userName "api", as Lemlist records it).
    event e;
    e.id = new_id("act");
    e.type = pause ? "paused" : "resumed";
    e.created_at = l->updated_at;
    e.campaign_id = l->campaign_id;
    e.lead_id = l->id;
    e.lead_email = l->var("email");
    e.linkedin_url = l->var("linkedinUrl");
    e.is_first = false;
    json_out o;
    o.begin_object().field("_id", e.id).field("type", e.type).field("userName", "api").field("bot", false)
        .field("createdAt", iso8601(e.created_at));
    if (c) o.field("name", c->name);
    o.field_if("leadFirstName", l->var("firstName")).field_if("leadLastName", l->var("lastName"))
        .field_if("leadEmail", e.lead_email).field_if("leadCompanyName", l->var("companyName"))
        .field("leadId", l->id).field("contactId", l->contact_id).field("campaignId", l->campaign_id)
        .field("teamId", sandbox_team_id);
    o.key("metaData").begin_object().field("teamId", sandbox_team_id).field("campaignId", l->campaign_id)
        .field("leadId", l->id).field("type", e.type).end_object();
    if (c) o.field("campaignName", c->name);
    o.end_object();
    e.fields = object_members(o.view());
    json_out vars;
    vars.begin_object();
    for (const auto& v : l->variables) vars.key(v.name).raw(v.json);
    vars.end_object();
    e.variables = object_members(vars.view());
    e.play_id = "api";
    e.origin_lead_id = l->id;

    const std::string body = "[" + lead_flat_json(*l, false) + "]";
    std::vector<event> one{e};
    store_event(std::move(e));
    api_outcome out = outcome(json_response(body));
    out.job = deliver_events_locked(one, "api", l->campaign_id);
    return out;
}

api_response emulator::get_leads_by_email(const std::string& email, const split_target& t) {
    auto found = leads_with_identity(email_identity(email));
    if (found.empty()) return text(404, "Lead not found");
    std::sort(found.begin(), found.end(), [](const lead* a, const lead* b) { return a->seq > b->seq; });
    if (t.query.get("version").value_or("") != "v2") return json_response(lead_flat_json(*found.front(), false));
    json_out o;
    o.begin_array();
    for (const auto* l : found) o.raw(lead_v2_json(*l));
    o.end_array();
    return json_response(o.take());
}

api_response emulator::get_lead_query(const split_target& t) {
    const lead* l = nullptr;
    if (auto email = t.query.get("email"); email && !email->empty()) {
        auto found = leads_with_identity(email_identity(*email));
        for (const auto* x : found)
            if (!l || x->seq > l->seq) l = x;
    } else if (auto id = t.query.get("id"); id && !id->empty()) {
        l = find_lead(*id);
    } else {
        return text(400, "Bad params (email or id is required)");
    }
    if (!l) return text(404, "Lead not found");
    return json_response(lead_flat_json(*l, false));
}

// ---------------------------------------------------------------------------------------------
// Hooks

std::string emulator::hook_json(const hook& h, bool with_secret) const {
    json_out o;
    o.begin_object().field("_id", h.id).field("targetUrl", h.target_url).field("createdAt", iso8601(h.created_at));
    if (!h.zap_id.empty()) o.key("zapId").raw(zap_json(h.zap_id));
    o.field_if("type", h.type).field_if("campaignId", h.campaign_id);
    if (h.is_first) o.field("isFirst", *h.is_first);
    if (with_secret) o.field_if("secret", h.secret);
    o.end_object();
    return o.take();
}

api_response emulator::create_hook(const split_target& t, const std::string& body) {
    if (plan_gated_hooks_) return text(402, plan_gated_text);
    auto doc = object_body(body);
    if (!doc) return text(400, "Bad params (the body must be a JSON object)");
    const auto target = json::get_string(*doc, "targetUrl");
    if (!target || trim_ascii(*target).empty()) return text(400, "Bad params (targetUrl is required)");
    if (!split_url(trim_ascii(*target))) return text(400, "Bad params (targetUrl must be a URL)");
    hook h;
    h.target_url = trim_ascii(*target);
    // Field report (reference §3.2): the uniqueness key is targetUrl alone, whatever the type.
    if (std::any_of(hooks_.begin(), hooks_.end(), [&](const hook& other) { return other.target_url == h.target_url; }))
        return text(409, duplicate_target_text);
    if (const auto* type = json::find(*doc, "type"); type && !type->IsNull()) {
        if (!type->IsString()) return text(400, "Bad params (type must be a string)");
        h.type = type->GetString();
        if (!h.type.empty() && !is_documented_type(h.type)) return text(400, "Bad params (unknown type " + h.type + ")");
    }
    if (auto c = json::get_string(*doc, "campaignId")) h.campaign_id = std::string(*c);
    else if (auto cq = t.query.get("campaignId")) h.campaign_id = *cq;
    if (auto f = json_bool(json::find(*doc, "isFirst"))) h.is_first = f;
    else if (auto fq = query_bool(t.query, "isFirst")) h.is_first = fq;
    if (const auto* z = json::find(*doc, "zapId"); z && (z->IsString() || z->IsNumber()))
        h.zap_id = z->IsString() ? std::string(z->GetString()) : json::to_string(*z);
    else if (auto zq = t.query.get("zapId")) h.zap_id = *zq;
    if (auto secret = json::get_string(*doc, "secret")) h.secret = std::string(*secret);
    h.id = new_id("hoo");
    h.created_at = clock_();
    hooks_.push_back(h);
    return json_response(hook_json(h, false));
}

hook emulator::add_hook(hook h) {
    std::lock_guard lock(mutex_);
    if (h.id.empty()) h.id = new_id("hoo");
    if (h.created_at == sys_ms{}) h.created_at = clock_();
    hooks_.push_back(h);
    return h;
}

api_response emulator::list_hooks() {
    json_out o;
    o.begin_array();
    for (const auto& h : hooks_) o.raw(hook_json(h, false));
    o.end_array();
    return json_response(o.take());
}

api_response emulator::delete_hook(const std::string& id) {
    const auto it = std::find_if(hooks_.begin(), hooks_.end(), [&](const hook& h) { return h.id == id; });
    if (it == hooks_.end()) return text(404, "Webhook not found");
    const std::string body = hook_json(*it, false);
    hooks_.erase(it);
    return json_response(body);
}

// ---------------------------------------------------------------------------------------------
// Activities

void emulator::store_event(event e) {
    if (!e.id.empty()) {
        if (const auto it = event_keys_.find(e.id); it != event_keys_.end()) {
            // Same _id again (a replayed seed): replace, keep the original order.
            e.seq = it->second.second;
            events_.erase(it->second);
            event_keys_.erase(it);
        }
    }
    if (e.seq == 0) e.seq = next_seq_++;
    const auto key = std::make_pair(to_unix_ms(e.created_at), e.seq);
    if (!e.id.empty()) event_keys_[e.id] = key;
    events_.emplace(key, std::move(e));
}

std::string emulator::activity_json(const event& e) const {
    std::string lead_member;
    if (!e.lead_id.empty()) {
        const auto it = lead_seq_.find(e.lead_id);
        if (it != lead_seq_.end()) {
            const auto l = leads_.find(it->second);
            if (l != leads_.end()) lead_member = "\"lead\":" + lead_nested_json(l->second);
        }
    }
    return join_members({e.fields, lead_member});
}

api_response emulator::get_activities(const split_target& t) {
    if (plan_gated_activities_) return text(402, plan_gated_text);
    const auto& q = t.query;
    if (q.get("version").value_or("") != "v2") return text(400, "Bad params (version=v2 is mandatory)");
    std::size_t limit = 100;
    if (auto l = q.get("limit"); l && !l->empty()) {
        const auto n = parse_count(l);
        if (!n) return text(400, "Bad params (limit must be a positive integer)");
        limit = std::clamp<std::size_t>(*n, 1, 100);
    }
    std::size_t offset = 0;
    if (auto off = q.get("offset"); off && !off->empty()) {
        const auto n = parse_count(off);
        if (!n) return text(400, "Bad params (offset must be a non-negative integer)");
        offset = *n;
    }
    std::optional<sys_ms> min_date, max_date;
    for (const auto& [primary, alias, target] :
         {std::tuple{"minDate", "startDate", &min_date}, std::tuple{"maxDate", "endDate", &max_date}}) {
        auto v = q.get(primary);
        if (!v || v->empty()) v = q.get(alias);
        if (v && !v->empty()) {
            const auto parsed = parse_date_param(*v);
            if (!parsed) return text(400, std::string("Bad params (") + primary + " must be Unix seconds or an ISO 8601 date)");
            *target = parsed;
        }
    }
    if (min_date && max_date && !(*max_date > *min_date)) return text(400, "Bad params (maxDate must be greater than minDate)");
    const auto type = q.get("type");
    const auto campaign = q.get("campaignId");
    const auto lead_id = q.get("leadId");
    const auto is_first = query_bool(q, "isFirst");

    json_out o;
    o.begin_array();
    std::size_t skipped = 0, n = 0;
    for (auto it = events_.rbegin(); it != events_.rend() && n < limit; ++it) {
        const auto& e = it->second;
        if (!e.is_activity) continue;
        if (type && !type->empty() && e.type != *type && !(is_group_type(*type) && group_contains(*type, e.type))) continue;
        if (campaign && !campaign->empty() && e.campaign_id != *campaign) continue;
        if (lead_id && !lead_id->empty() && e.lead_id != *lead_id) continue;
        if (is_first && e.is_first != *is_first) continue;
        if (min_date && e.created_at < *min_date) continue;
        if (max_date && e.created_at > *max_date) continue;
        if (skipped < offset) {
            ++skipped;
            continue;
        }
        o.raw(activity_json(e));
        ++n;
    }
    o.end_array();
    return json_response(o.take());
}

// ---------------------------------------------------------------------------------------------
// Plays and deliveries

std::shared_ptr<play_job> emulator::deliver_events_locked(const std::vector<event>& evs, std::string kind,
                                                          std::string campaign_id) {
    rng r = rng_.fork(next_seq_);
    auto plan = plan_deliveries(evs, hooks_, 0.0, 0.0, r);
    if (plan.deliveries.empty()) return nullptr;
    job_summary s;
    s.id = new_id("job");
    s.kind = std::move(kind);
    s.campaign_id = std::move(campaign_id);
    s.generated = evs.size();
    s.hooks = hooks_.size();
    s.planned = plan.deliveries.size();
    auto job = std::make_shared<play_job>();
    job->deliveries = std::move(plan.deliveries);
    job->progress = std::make_shared<play_progress>(std::move(s));
    jobs_.push_back(job->progress);
    return job;
}

result<std::shared_ptr<play_job>, std::string> emulator::start_play(const play_spec& spec) {
    std::lock_guard lock(mutex_);
    return start_play_locked(spec);
}

result<std::shared_ptr<play_job>, std::string> emulator::start_play_locked(const play_spec& spec) {
    const campaign* c = nullptr;
    if (!spec.campaign_id.empty()) {
        c = find_campaign(spec.campaign_id);
        if (!c) return fail("campaign " + spec.campaign_id + " not found");
    } else {
        for (const auto& x : campaigns_)
            if (x.status == "running") {
                c = &x;
                break;
            }
        if (!c) return fail(std::string("no running campaign; pass campaign_id"));
    }
    const std::uint64_t seed = spec.seed.value_or(rng_.next());
    const sys_ms now = clock_();
    const sys_ms start = spec.start_time.value_or(
        std::chrono::time_point_cast<std::chrono::seconds>(now - std::chrono::hours(72)));
    const std::string play_id = new_id("ply");
    auto generated = generate_play(spec, *c, sandbox_team_id, play_id, seed, start);

    for (auto& l : generated.leads) store_lead(std::move(l));
    rng plan_rng = rng(seed).fork(0xD15C0);
    auto plan = plan_deliveries(generated.events, hooks_, spec.duplicate_share, spec.out_of_order_share, plan_rng);

    job_summary s;
    s.id = play_id;
    s.kind = "play";
    s.campaign_id = c->id;
    s.leads = spec.leads;
    s.generated = generated.events.size();
    s.hooks = hooks_.size();
    s.planned = plan.deliveries.size();
    s.duplicates_planned = plan.duplicates;
    s.out_of_order_pairs = plan.out_of_order;
    s.seed = seed;
    for (auto& e : generated.events) store_event(std::move(e));

    auto job = std::make_shared<play_job>();
    job->deliveries = std::move(plan.deliveries);
    job->settings = spec.delivery;
    job->progress = std::make_shared<play_progress>(std::move(s));
    jobs_.push_back(job->progress);
    return job;
}

std::vector<std::shared_ptr<play_progress>> emulator::jobs() const {
    std::lock_guard lock(mutex_);
    return jobs_;
}

// ---------------------------------------------------------------------------------------------
// Control routes

api_outcome emulator::handle_control(const api_request& request, const split_target& t, std::string& route_label) {
    const auto& s = t.segments;
    const std::string& m = request.method;
    const std::string what = s.size() > 1 ? s[1] : std::string{};
    route_label = "control " + m + " /__emulator/" + what;
    if (what == "play" && s.size() == 2 && m == "POST") return control_play(t, request.body);
    if (what == "play" && s.size() == 3 && m == "GET") {
        for (const auto& p : jobs_)
            if (p->summary().id == s[2]) return outcome(json_response(p->to_json()));
        return outcome(control_error(404, "not_found", "no play or delivery job " + s[2]));
    }
    if (what == "deliveries" && s.size() == 2 && m == "GET") return outcome(control_deliveries());
    if (what == "events" && s.size() == 2 && m == "GET") return outcome(control_events(t));
    if (what == "activities" && s.size() == 2 && m == "POST") return control_insert_activities(t, request.body);
    if (what == "leads" && s.size() == 2 && m == "GET") return outcome(control_leads());
    if (what == "hooks" && s.size() == 2 && m == "GET") return outcome(control_hooks());
    if (what == "stats" && s.size() == 2 && m == "GET") return outcome(control_stats());
    if (what == "campaigns" && s.size() == 2 && m == "GET") {
        json_out o;
        o.begin_array();
        for (const auto& c : campaigns_) o.raw(campaign_v2_json(c));
        o.end_array();
        return outcome(json_response(o.take()));
    }
    if (what == "campaigns" && s.size() == 2 && m == "POST") return outcome(control_add_campaign(request.body));
    if (what == "config" && s.size() == 2 && (m == "GET" || m == "POST")) return outcome(control_config(m, request.body));
    if (what == "faults" && s.size() == 2 && (m == "GET" || m == "POST" || m == "DELETE"))
        return outcome(control_faults(m, request.body));
    if (what == "reset" && s.size() == 2 && m == "POST") {
        for (const auto& p : jobs_) p->cancel();
        // reset() takes the lock itself; do the work inline here instead.
        campaigns_.clear();
        leads_.clear();
        lead_seq_.clear();
        identity_index_.clear();
        contacts_.clear();
        hooks_.clear();
        events_.clear();
        event_keys_.clear();
        jobs_.clear();
        faults_.clear();
        stats_.clear();
        requests_total_ = 0;
        rate_limited_ = 0;
        limiter_.clear();
        rate_limit_on_ = options_.rate_limit;
        plan_gated_hooks_ = options_.plan_gated_hooks;
        plan_gated_activities_ = options_.plan_gated_activities;
        seed_campaigns();
        return outcome(json_response("{\"reset\":true}"));
    }
    return outcome(control_error(404, "not_found", "unknown control route " + m + " " + t.path));
}

void emulator::reset() {
    api_request r{"POST", "/__emulator/reset", "", ""};
    handle(r);
    std::lock_guard lock(mutex_);
    stats_.clear();
    requests_total_ = 0;
}

api_outcome emulator::control_play(const split_target& t, const std::string& body) {
    auto doc = object_body(body);
    if (!doc) return outcome(control_error(400, "bad_request", "the play body must be a JSON object"));
    auto spec = parse_play_spec(*doc);
    if (!spec) return outcome(control_error(400, "bad_request", spec.error()));
    auto job = start_play_locked(*spec);
    if (!job) return outcome(control_error(404, "not_found", job.error()));
    api_outcome out = outcome(json_response((*job)->progress->to_json()));
    out.job = *job;
    if (auto w = t.query.get("wait"); w && !w->empty() && *w != "false" && *w != "0") {
        const auto secs = parse_count(w);
        out.wait = std::chrono::seconds(secs ? std::min<std::size_t>(*secs, 3600) : 600);
    }
    return out;
}

api_outcome emulator::control_insert_activities(const split_target& t, const std::string& body) {
    auto parsed = json::parse(body);
    if (!parsed) return outcome(control_error(400, "bad_request", "body is not JSON: " + parsed.error().message));
    const rapidjson::Value* list = &*parsed;
    bool deliver = query_bool(t.query, "deliver").value_or(false);
    if (parsed->IsObject() && json::find(*parsed, "activities")) {
        list = json::find(*parsed, "activities");
        if (auto d = json::get_bool(*parsed, "deliver")) deliver = *d;
    }
    std::vector<const rapidjson::Value*> items;
    if (list->IsArray()) {
        for (const auto& v : list->GetArray()) items.push_back(&v);
    } else {
        items.push_back(list);
    }
    const sys_ms now = clock_();
    std::vector<event> evs;
    for (const auto* v : items) {
        if (!v->IsObject()) return outcome(control_error(400, "bad_request", "each activity must be a JSON object"));
        const auto type = json::get_string(*v, "type");
        if (!type || type->empty()) return outcome(control_error(400, "bad_request", "each activity needs a string type"));
        event e;
        e.type = std::string(*type);
        e.id = std::string(json::get_string(*v, "_id").value_or(""));
        const auto created = json::get_string(*v, "createdAt");
        e.created_at = created ? parse_iso8601(*created).value_or(now) : now;
        e.campaign_id = std::string(json::get_string(*v, "campaignId").value_or(""));
        e.lead_id = std::string(json::get_string(*v, "leadId").value_or(""));
        e.lead_email = std::string(json::get_string(*v, "leadEmail").value_or(""));
        e.linkedin_url = std::string(json::get_string(*v, "linkedinUrl").value_or(""));
        e.is_first = json::get_bool(*v, "isFirst").value_or(false);
        e.state_change = true;  // history unknown: a group hook receives every member type
        e.is_activity = e.type != "enrichmentDone";
        json_out o;
        o.begin_object();
        for (auto m = v->MemberBegin(); m != v->MemberEnd(); ++m) {
            const std::string_view name(m->name.GetString(), m->name.GetStringLength());
            if (name == "secret") continue;  // a hook's secret is added per delivery
            o.key(name).raw(json::to_string(m->value));
        }
        o.end_object();
        e.fields = object_members(o.view());
        e.play_id = "insert";
        evs.push_back(std::move(e));
    }
    std::shared_ptr<play_job> job;
    if (deliver) job = deliver_events_locked(evs, "insert", {});
    json_out o;
    o.begin_object().field("inserted", evs.size()).key("ids").begin_array();
    for (const auto& e : evs) o.str(e.id);
    o.end_array();
    if (job) o.field("job_id", job->progress->summary().id).field("planned", job->progress->summary().planned);
    o.end_object();
    for (auto& e : evs) store_event(std::move(e));
    api_outcome out = outcome(json_response(o.take()));
    out.job = job;
    if (job && query_bool(t.query, "wait").value_or(false)) out.wait = std::chrono::seconds(600);
    return out;
}

api_response emulator::control_events(const split_target& t) {
    const auto play = t.query.get("play");
    const std::size_t offset = parse_count(t.query.get("offset")).value_or(0);
    const std::size_t limit = parse_count(t.query.get("limit")).value_or(SIZE_MAX);
    std::size_t total = 0, n = 0;
    json_out o;
    o.begin_object().key("events").begin_array();
    for (const auto& [key, e] : events_) {
        if (play && !play->empty() && e.play_id != *play) continue;
        ++total;
        if (total <= offset || n >= limit) continue;
        ++n;
        o.begin_object().field("seq", static_cast<std::size_t>(e.seq)).field("play_id", e.play_id);
        o.field_if("_id", e.id).field("type", e.type).field("createdAt", iso8601(e.created_at));
        o.field_if("campaignId", e.campaign_id).field_if("leadId", e.lead_id).field_if("leadEmail", e.lead_email)
            .field_if("linkedinUrl", e.linkedin_url);
        o.field_if("originLeadId", e.origin_lead_id);
        o.field("isFirst", e.is_first).field("is_activity", e.is_activity);
        o.key("body").raw(e.webhook_body());
        o.end_object();
    }
    o.end_array().field("total", total).end_object();
    return json_response(o.take());
}

api_response emulator::control_leads() {
    json_out o;
    o.begin_array();
    for (const auto& [seq, l] : leads_) {
        o.begin_object().field("_id", l.id).field("campaignId", l.campaign_id).field("contactId", l.contact_id)
            .field("isPaused", l.paused).field("state", l.state).field("status", l.status).field("source", l.source)
            .field_if("emailStatus", l.email_status).field("createdAt", iso8601(l.created_at))
            .field("updatedAt", iso8601(l.updated_at));
        o.key("variables").begin_object();
        for (const auto& v : l.variables) o.key(v.name).raw(v.json);
        o.end_object().end_object();
    }
    o.end_array();
    return json_response(o.take());
}

api_response emulator::control_hooks() {
    json_out o;
    o.begin_array();
    for (const auto& h : hooks_) o.raw(hook_json(h, true));
    o.end_array();
    return json_response(o.take());
}

api_response emulator::control_stats() {
    std::size_t activities = 0;
    for (const auto& [k, e] : events_)
        if (e.is_activity) ++activities;
    json_out o;
    o.begin_object().field("requests_total", static_cast<std::size_t>(requests_total_))
        .field("rate_limited", static_cast<std::size_t>(rate_limited_));
    o.key("by_route").begin_object();
    for (const auto& [route, statuses] : stats_) {
        o.key(route).begin_object();
        for (const auto& [status, n] : statuses) o.field(std::to_string(status), static_cast<std::size_t>(n));
        o.end_object();
    }
    o.end_object();
    o.field("campaigns", campaigns_.size()).field("leads", leads_.size()).field("hooks", hooks_.size())
        .field("activities", activities).field("events", events_.size()).field("jobs", jobs_.size());
    o.end_object();
    return json_response(o.take());
}

api_response emulator::control_add_campaign(const std::string& body) {
    auto doc = object_body(body);
    if (!doc) return control_error(400, "bad_request", "the body must be a JSON object");
    campaign c;
    c.id = std::string(json::get_string(*doc, "_id").value_or(""));
    if (c.id.empty()) c.id = new_id("cam");
    if (find_campaign(c.id)) return control_error(409, "conflict", "campaign " + c.id + " exists");
    c.name = std::string(json::get_string(*doc, "name").value_or("Sandbox campaign"));
    c.status = std::string(json::get_string(*doc, "status").value_or("running"));
    if (const auto* labels = json::find(*doc, "labels"); labels && labels->IsArray())
        for (const auto& l : labels->GetArray())
            if (l.IsString()) c.labels.emplace_back(l.GetString());
    if (const auto* errors = json::find(*doc, "errors"); errors && errors->IsArray())
        for (const auto& e : errors->GetArray())
            if (e.IsString()) c.errors.emplace_back(e.GetString());
    c.created_at = clock_();
    c.created_by = "usr_SandboxOwner00001";
    c.creator_email = "owner@sandbox-team.example";
    c.sequence_id = new_id("seq");
    c.senders.push_back({"usr_SandboxSender0001", "Sam Sender", "sam.sender@sandbox-sender.example", "usm_SandboxMailbox001"});
    campaigns_.push_back(c);
    return json_response(campaign_v2_json(c));
}

api_response emulator::control_config(const std::string& method, const std::string& body) {
    if (method == "POST") {
        auto doc = object_body(body);
        if (!doc) return control_error(400, "bad_request", "the body must be a JSON object");
        if (auto v = json::get_bool(*doc, "rate_limit")) rate_limit_on_ = *v;
        if (auto v = json::get_bool(*doc, "plan_gated_hooks")) plan_gated_hooks_ = *v;
        if (auto v = json::get_bool(*doc, "plan_gated_activities")) plan_gated_activities_ = *v;
    }
    json_out o;
    o.begin_object().field("rate_limit", rate_limit_on_).field("rate_limit_requests", limiter_.limit())
        .field("rate_limit_window_ms", static_cast<std::int64_t>(limiter_.window().count()))
        .field("plan_gated_hooks", plan_gated_hooks_).field("plan_gated_activities", plan_gated_activities_)
        .field("seed", static_cast<std::size_t>(options_.seed)).end_object();
    return json_response(o.take());
}

api_response emulator::control_faults(const std::string& method, const std::string& body) {
    if (method == "DELETE") {
        faults_.clear();
    } else if (method == "POST") {
        auto doc = object_body(body);
        if (!doc) return control_error(400, "bad_request", "the body must be a JSON object");
        fault_rule f;
        if (auto p = json::get_string(*doc, "path_prefix")) f.path_prefix = std::string(*p);
        if (auto m = json::get_string(*doc, "method")) f.method = std::string(*m);
        if (auto st = json::get_int(*doc, "status")) {
            if (*st != 0 && (*st < 200 || *st > 599)) return control_error(400, "bad_request", "status must be 200..599");
            f.status = static_cast<unsigned>(*st);
        }
        if (auto b = json::get_string(*doc, "body")) f.body = std::string(*b);
        if (auto l = json::get_int(*doc, "latency_ms"); l && *l > 0) f.latency = std::chrono::milliseconds(std::min<std::int64_t>(*l, 120'000));
        if (auto c = json::get_int(*doc, "count")) f.remaining = *c;
        if (f.status == 0 && f.latency.count() == 0) return control_error(400, "bad_request", "give status and/or latency_ms");
        faults_.push_back(std::move(f));
    }
    json_out o;
    o.begin_array();
    for (const auto& f : faults_) {
        o.begin_object().field("path_prefix", f.path_prefix).field_if("method", f.method)
            .field("status", static_cast<int>(f.status)).field_if("body", f.body)
            .field("latency_ms", static_cast<std::int64_t>(f.latency.count())).field("remaining", f.remaining).end_object();
    }
    o.end_array();
    return json_response(o.take());
}

api_response emulator::control_deliveries() {
    std::size_t planned = 0, delivered = 0, failed = 0, dups = 0, ooo = 0, generated = 0;
    json_out o;
    o.begin_object().key("jobs").begin_array();
    for (const auto& p : jobs_) {
        o.raw(p->to_json());
        planned += p->summary().planned;
        generated += p->summary().generated;
        delivered += p->delivered();
        failed += p->failed();
        dups += p->duplicates_sent();
        ooo += p->out_of_order_sent();
    }
    o.end_array();
    o.key("totals").begin_object().field("generated", generated).field("planned", planned).field("delivered", delivered)
        .field("failed", failed).field("duplicates_sent", dups).field("out_of_order_sent", ooo).end_object();
    o.end_object();
    return json_response(o.take());
}

// ---------------------------------------------------------------------------------------------
// Direct accessors

std::vector<campaign> emulator::campaigns() const {
    std::lock_guard lock(mutex_);
    return campaigns_;
}

std::vector<hook> emulator::hooks() const {
    std::lock_guard lock(mutex_);
    return hooks_;
}

std::vector<lead> emulator::leads() const {
    std::lock_guard lock(mutex_);
    std::vector<lead> out;
    for (const auto& [seq, l] : leads_) out.push_back(l);
    return out;
}

std::vector<event> emulator::events() const {
    std::lock_guard lock(mutex_);
    std::vector<event> out;
    for (const auto& [k, e] : events_) out.push_back(e);
    return out;
}

}  // namespace las::lemlist_emu
