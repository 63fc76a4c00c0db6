#include "attio_emulator/service.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "attio_emulator/render.hpp"
#include "attio_emulator/time_format.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/retry_after.hpp"

namespace las::attio_emulator {

using rapidjson::Value;
using std::chrono::system_clock;

struct service::route {
    std::string_view method;
    std::vector<std::string_view> segments;  // "{name}" captures a segment
    std::string_view name;                   // "POST /v2/objects/{object}/records/query", for stats
    api_response (service::*fn)(call&);
    request_kind kind;
};

struct service::call {
    const api_request& req;
    std::string_view path;
    std::string_view query;
    std::vector<std::string> params;  // path captures, in order
    std::string now;                  // formatted timestamp
    system_clock::time_point now_tp;
    std::optional<rapidjson::Document> doc;
};

namespace {

// --- small helpers ----------------------------------------------------------------------------

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string url_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%' && i + 2 < s.size()) {
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
    return out;
}

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        const auto end = path.find('/', i);
        const auto seg = path.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
        out.push_back(url_decode(seg, false));
        if (end == std::string_view::npos) break;
        i = end + 1;
    }
    return out;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (url_decode(pair.substr(0, eq), true) == name) {
            return eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1), true);
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

std::optional<std::size_t> parse_size(std::string_view s) {
    std::size_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

std::string base64_decode(std::string_view in) {
    std::string out;
    unsigned buf = 0;
    int bits = 0;
    for (const char c : in) {
        int v = -1;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+' || c == '-') v = 62;
        else if (c == '/' || c == '_') v = 63;
        else if (c == '=') break;
        else continue;
        buf = (buf << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buf >> bits) & 0xff));
        }
    }
    return out;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char a = s[i];
        char b = prefix[i];
        if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
        if (a != b) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

api_response error_response(const api_error& e) {
    api_response r;
    r.status = e.status;
    r.body = e.to_json();
    return r;
}

api_response json_response(unsigned status, std::string body) {
    api_response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

// {"data": <what `fill` writes>}
template <class F>
api_response data_response(F&& fill) {
    rapidjson::StringBuffer buf;
    json_writer w(buf);
    w.StartObject();
    w.Key("data");
    fill(w);
    w.EndObject();
    return json_response(200, std::string(buf.GetString(), buf.GetSize()));
}

api_response control_error(unsigned status, std::string_view code, std::string_view message) {
    rapidjson::StringBuffer buf;
    json_writer w(buf);
    w.StartObject();
    w.Key("error");
    write_sv(w, code);
    w.Key("message");
    write_sv(w, message);
    w.EndObject();
    return json_response(status, std::string(buf.GetString(), buf.GetSize()));
}

api_response ok_response() { return json_response(200, "{\"ok\":true}"); }

std::string execution_id() {
    thread_local id_generator gen;
    return gen.next_uuid();
}

constexpr std::string_view body_error = "Body payload validation error.";


struct route_match {
    const service::route* route = nullptr;
    std::vector<std::string> params;
};

route_match match_route(std::string_view method, const std::vector<std::string>& segments) {
    for (const auto& r : service::route_table()) {
        if (r.method != method || r.segments.size() != segments.size()) continue;
        route_match m;
        bool ok = true;
        for (std::size_t i = 0; i < segments.size() && ok; ++i) {
            const auto pat = r.segments[i];
            if (pat.starts_with('{')) {
                if (segments[i].empty()) ok = false;
                else m.params.push_back(segments[i]);
            } else {
                ok = pat == segments[i];
            }
        }
        if (ok) {
            m.route = &r;
            return m;
        }
    }
    return {};
}

// The body as JSON; an empty body is `{}` when `empty_ok`.
result<const Value*, api_error> parse_body(service::call& c, bool empty_ok);

}  // namespace

// ------------------------------------------------------------------------------------------------

const std::vector<service::route>& service::route_table() {
    static const std::vector<route> table = [] {
    struct def {
        std::string_view name;
        api_response (service::*fn)(service::call&);
    };
    // Literal routes before the ones that capture the same position.
    const def defs[] = {
        {"GET /v2/self", &service::get_self},
        {"GET /v2/objects", &service::list_objects},
        {"POST /v2/objects", &service::not_implemented},
        {"POST /v2/objects/records/search", &service::not_implemented},
        {"GET /v2/objects/{object}", &service::get_object},
        {"PATCH /v2/objects/{object}", &service::not_implemented},
        {"POST /v2/objects/{object}/records/query", &service::query_records},
        {"POST /v2/objects/{object}/records", &service::create_record},
        {"PUT /v2/objects/{object}/records", &service::assert_record},
        {"GET /v2/objects/{object}/records/{record_id}", &service::get_record},
        {"PATCH /v2/objects/{object}/records/{record_id}", &service::patch_record},
        {"PUT /v2/objects/{object}/records/{record_id}", &service::put_record},
        {"DELETE /v2/objects/{object}/records/{record_id}", &service::delete_record},
        {"GET /v2/objects/{object}/records/{record_id}/entries", &service::record_entries},
        {"GET /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values", &service::record_values},
        {"GET /v2/{target}/{identifier}/attributes", &service::list_attributes},
        {"POST /v2/{target}/{identifier}/attributes", &service::create_attribute},
        {"GET /v2/{target}/{identifier}/attributes/{attribute}", &service::get_attribute},
        {"PATCH /v2/{target}/{identifier}/attributes/{attribute}", &service::update_attribute},
        {"GET /v2/{target}/{identifier}/attributes/{attribute}/options", &service::list_options},
        {"POST /v2/{target}/{identifier}/attributes/{attribute}/options", &service::create_option},
        {"PATCH /v2/{target}/{identifier}/attributes/{attribute}/options/{option}", &service::update_option},
        {"GET /v2/{target}/{identifier}/attributes/{attribute}/statuses", &service::list_options},
        {"POST /v2/{target}/{identifier}/attributes/{attribute}/statuses", &service::create_option},
        {"PATCH /v2/{target}/{identifier}/attributes/{attribute}/statuses/{status}", &service::update_option},
        {"GET /v2/lists", &service::list_lists},
        {"POST /v2/lists", &service::create_list},
        {"GET /v2/lists/{list}", &service::get_list},
        {"PATCH /v2/lists/{list}", &service::update_list},
        {"POST /v2/lists/{list}/entries/query", &service::query_entries},
        {"POST /v2/lists/{list}/entries", &service::create_entry},
        {"PUT /v2/lists/{list}/entries", &service::assert_entry},
        {"GET /v2/lists/{list}/entries/{entry_id}", &service::get_entry},
        {"PATCH /v2/lists/{list}/entries/{entry_id}", &service::patch_entry},
        {"PUT /v2/lists/{list}/entries/{entry_id}", &service::put_entry},
        {"DELETE /v2/lists/{list}/entries/{entry_id}", &service::delete_entry},
        {"GET /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values", &service::entry_values},
        {"GET /v2/workspace_members", &service::list_members},
        {"GET /v2/workspace_members/{workspace_member_id}", &service::get_member},
        // Real Attio routes the emulator does not implement: 501, not a misleading 404.
        {"GET /v2/notes", &service::not_implemented},
        {"POST /v2/notes", &service::not_implemented},
        {"GET /v2/notes/{note_id}", &service::not_implemented},
        {"DELETE /v2/notes/{note_id}", &service::not_implemented},
        {"GET /v2/tasks", &service::not_implemented},
        {"POST /v2/tasks", &service::not_implemented},
        {"GET /v2/tasks/{task_id}", &service::not_implemented},
        {"PATCH /v2/tasks/{task_id}", &service::not_implemented},
        {"DELETE /v2/tasks/{task_id}", &service::not_implemented},
        {"GET /v2/threads", &service::not_implemented},
        {"GET /v2/threads/{thread_id}", &service::not_implemented},
        {"POST /v2/comments", &service::not_implemented},
        {"GET /v2/comments/{comment_id}", &service::not_implemented},
        {"DELETE /v2/comments/{comment_id}", &service::not_implemented},
        {"GET /v2/meetings", &service::not_implemented},
        {"GET /v2/meetings/{meeting_id}", &service::not_implemented},
        {"GET /v2/meetings/{meeting_id}/call_recordings", &service::not_implemented},
        {"GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}", &service::not_implemented},
        {"GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript", &service::not_implemented},
        {"GET /v2/webhooks", &service::list_webhooks},
        {"POST /v2/webhooks", &service::create_webhook},
        {"GET /v2/webhooks/{webhook_id}", &service::get_webhook},
        {"PATCH /v2/webhooks/{webhook_id}", &service::update_webhook},
        {"DELETE /v2/webhooks/{webhook_id}", &service::delete_webhook},
    };
    std::vector<service::route> out;
    for (const auto& d : defs) {
        service::route r;
        const auto space = d.name.find(' ');
        r.method = d.name.substr(0, space);
        std::string_view path = d.name.substr(space + 1);
        while (!path.empty()) {
            path.remove_prefix(1);  // '/'
            const auto slash = path.find('/');
            r.segments.push_back(path.substr(0, slash));
            if (slash == std::string_view::npos) break;
            path.remove_prefix(slash);
        }
        r.name = d.name;
        r.fn = d.fn;
        // Reads: GETs and the query endpoints (they change nothing); everything else writes.
        const bool query = r.method == "POST" && (d.name.ends_with("/query") || d.name.ends_with("/search"));
        r.kind = (r.method == "GET" || query) ? request_kind::read : request_kind::write;
        out.push_back(std::move(r));
    }
    return out;
    }();
    return table;
}

namespace {

result<const Value*, api_error> parse_body(service::call& c, bool empty_ok) {
    if (!c.doc) {
        std::string_view body = c.req.body;
        if (trim(body).empty()) {
            if (!empty_ok) {
                return fail(validation_error(std::string(body_error), {required_issue({"data"}, "object")}));
            }
            body = "{}";
        }
        auto parsed = json::parse(body);
        if (!parsed) {
            return fail(validation_error(std::string(body_error),
                                         {validation_issue{"invalid_json", {}, "Invalid JSON: " + parsed.error().message, "", ""}}));
        }
        c.doc = std::move(*parsed);
    }
    if (!c.doc->IsObject()) {
        return fail(validation_error(std::string(body_error), {type_issue({}, "object", "other")}));
    }
    return static_cast<const Value*>(&*c.doc);
}

// The body's `data` member, which must be an object.
result<const Value*, api_error> body_data(service::call& c) {
    auto body = parse_body(c, false);
    if (!body) return body;
    const Value* data = json::find(**body, "data");
    if (!data) return fail(validation_error(std::string(body_error), {required_issue({"data"}, "object")}));
    if (!data->IsObject()) return fail(validation_error(std::string(body_error), {type_issue({"data"}, "object", "other")}));
    return data;
}

// data.values (records) — required.
result<const Value*, api_error> body_values(service::call& c) {
    auto data = body_data(c);
    if (!data) return data;
    const Value* values = json::find(**data, "values");
    if (!values) return fail(validation_error(std::string(body_error), {required_issue({"data", "values"}, "object")}));
    return values;
}

// limit / offset of a query body.
result<page, api_error> body_page(const Value& body, std::size_t default_limit) {
    page p;
    p.limit = default_limit;
    for (const char* k : {"limit", "offset"}) {
        const Value* v = json::find(body, k);
        if (!v || v->IsNull()) continue;
        if (!v->IsNumber() || v->GetDouble() < 0 || v->GetDouble() != static_cast<double>(static_cast<std::uint64_t>(v->GetDouble()))) {
            return fail(validation_error(std::string(body_error),
                                         {type_issue({k}, "non-negative integer", v->IsNumber() ? "number" : "other")}));
        }
        (std::string_view(k) == "limit" ? p.limit : p.offset) = static_cast<std::size_t>(v->GetDouble());
    }
    return p;
}

// limit / offset query parameters (GET list routes).
result<page, api_error> query_page(std::string_view query, std::size_t default_limit, std::size_t max_limit) {
    page p;
    p.limit = default_limit;
    for (const char* k : {"limit", "offset"}) {
        const auto v = query_param(query, k);
        if (!v) continue;
        const auto n = parse_size(*v);
        if (!n || (std::string_view(k) == "limit" && (*n == 0 || *n > max_limit))) {
            return fail(validation_error("Invalid query parameter \"" + std::string(k) + "\".",
                                         {validation_issue{"invalid_type", {k}, "Expected an integer in range", "", ""}}));
        }
        (std::string_view(k) == "limit" ? p.limit : p.offset) = *n;
    }
    return p;
}

template <class T>
std::vector<T> slice(const std::vector<T>& all, page p) {
    if (p.offset >= all.size()) return {};
    const auto first = all.begin() + static_cast<std::ptrdiff_t>(p.offset);
    const auto n = std::min(p.limit, static_cast<std::size_t>(all.end() - first));
    return {first, first + static_cast<std::ptrdiff_t>(n)};
}

struct owner_ref {
    attribute_owner* owner = nullptr;
    bool is_list = false;
};

result<owner_ref, api_error> resolve_owner(workspace& ws, const service::call& c) {
    const auto& target = c.params[0];
    const auto& id = c.params[1];
    if (target == "objects") {
        if (auto* o = ws.find_object(id)) return owner_ref{o, false};
        return fail(not_found("Object with slug/ID \"" + id + "\" not found."));
    }
    if (target == "lists") {
        if (auto* l = ws.find_list(id)) return owner_ref{l, true};
        return fail(not_found("List with slug/ID \"" + id + "\" not found."));
    }
    return fail(endpoint_not_found(c.req.method, c.path));
}

result<attribute*, api_error> resolve_attribute(attribute_owner& owner, const std::string& slug_or_id) {
    if (auto* a = owner.find_attribute(slug_or_id)) return a;
    return fail(not_found("Attribute with slug/ID \"" + slug_or_id + "\" not found."));
}

void write_member(json_writer& w, const workspace& ws, std::string_view created_at) {
    const auto& id = ws.identity();
    w.StartObject();
    w.Key("id");
    w.StartObject();
    w.Key("workspace_id");
    write_sv(w, id.workspace_id);
    w.Key("workspace_member_id");
    write_sv(w, id.member_id);
    w.EndObject();
    w.Key("first_name");
    write_sv(w, id.member_first_name);
    w.Key("last_name");
    write_sv(w, id.member_last_name);
    w.Key("avatar_url");
    w.Null();
    w.Key("email_address");
    write_sv(w, id.member_email);
    w.Key("created_at");
    write_sv(w, created_at);
    w.Key("access_level");
    write_sv(w, "admin");
    w.EndObject();
}

}  // namespace

// ------------------------------------------------------------------------------------------------

service::service(service_config config, clock now)
    : config_(std::move(config)),
      now_(now ? std::move(now) : clock([] { return system_clock::now(); })),
      started_(now_()),
      store_(config_.identity, config_.seed),
      webhooks_(config_.seed),
      limiter_(config_.rate_limits),
      faults_(config_.seed) {
    faults_.set_plan(config_.faults);
    store_.reset(false, format_timestamp(started_));
}

api_response service::handle(const api_request& req) {
    const auto now = now_();
    const auto q = req.target.find('?');
    const std::string_view path = req.target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? std::string_view() : req.target.substr(q + 1);
    if (path == "/__emulator" || path.starts_with("/__emulator/")) return handle_control(req, path, query, now);
    return handle_api(req, path, query, now);
}

api_response service::handle_api(const api_request& req, std::string_view path, std::string_view query,
                                  system_clock::time_point now) {
    const auto segments = split_path(path);
    route_match m = match_route(req.method, segments);
    const std::string_view route_name = m.route ? m.route->name : std::string_view("unmatched");
    const auto finish = [&](api_response r) {
        r.headers.emplace_back("x-attio-execution-id", execution_id());
        stats_.request(route_name, r.drop ? 0 : r.status);
        return r;
    };

    // Auth first: Bearer, or Basic with the token as the username (reference §6).
    const std::string_view auth = trim(req.authorization);
    if (auth.empty()) {
        stats_.unauthorized();
        // The observed message starts this way (reference §4); the rest is the emulator's.
        return finish(error_response(unauthorized(
            "The Authorization header was not provided. Please provide an access token as a Bearer token.")));
    }
    std::string token;
    if (iequals_prefix(auth, "bearer ")) {
        token = std::string(trim(auth.substr(7)));
    } else if (iequals_prefix(auth, "basic ")) {
        token = base64_decode(trim(auth.substr(6)));
        token = token.substr(0, token.find(':'));
    }
    if (token.empty() || !crypto::constant_time_equal(token, config_.api_key)) {
        stats_.unauthorized();
        return finish(error_response(unauthorized("The access token provided is invalid.")));
    }

    // Rate limits: reads and writes counted separately per token; a refused request is
    // not processed (reference §4).
    const request_kind kind = m.route ? m.route->kind
                                      : (req.method == "GET" ? request_kind::read : request_kind::write);
    const bool is_write = kind == request_kind::write;
    if (const auto retry = limiter_.admit(token, kind, now)) {
        stats_.rate_limited();
        auto r = error_response(rate_limit_exceeded());
        r.headers.emplace_back("Retry-After", format_http_date(*retry));
        return finish(std::move(r));
    }
    stats_.accepted(is_write);

    // Faults are for the Attio API only (never the control routes, nor stray paths).
    const bool faultable = path == "/v2" || path.starts_with("/v2/");
    const fault_decision fault = faultable ? faults_.decide(is_write, now) : fault_decision{};
    if (fault.latency.count() > 0) stats_.fault("latency");
    const auto faulted = [&](api_response r) {
        r.delay = fault.latency;
        return finish(std::move(r));
    };
    switch (fault.action) {
        case fault_action::none:
        case fault_action::drop_after_write: break;
        case fault_action::burst_429: {
            stats_.fault("burst_429");
            auto r = error_response(rate_limit_exceeded());
            const auto until = faults_.plan().burst_429_until;
            r.headers.emplace_back("Retry-After", format_http_date(std::chrono::ceil<std::chrono::seconds>(until)));
            return faulted(std::move(r));
        }
        case fault_action::drop: {
            stats_.fault("drop");
            api_response r;
            r.drop = true;
            return faulted(std::move(r));
        }
        case fault_action::error_5xx: {
            stats_.fault("error_5xx");
            // Attio's 5xx bodies are undocumented: the standard error shape, type api_error.
            api_error e;
            e.status = fault.status;
            e.type = "api_error";
            e.code = fault.status == 503 ? "service_unavailable" : fault.status == 502 ? "bad_gateway" : "internal_server_error";
            e.message = "Injected fault: the emulator answered " + std::to_string(fault.status) + ".";
            return faulted(error_response(e));
        }
        case fault_action::conflict_409: {
            stats_.fault("conflict_409");
            // Undocumented by Attio (the reference lists only slug_conflict as a 409): the
            // standard error body with an emulator-chosen code.
            api_error e;
            e.status = 409;
            e.code = "concurrent_write_conflict";
            e.message = "Injected fault: a concurrent write conflicted with this request. Please retry.";
            return faulted(error_response(e));
        }
    }

    if (!m.route) return faulted(error_response(endpoint_not_found(req.method, path)));

    call c{req, path, query, std::move(m.params), format_timestamp(now), now, std::nullopt};
    api_response r = dispatch(*m.route, c);
    if (fault.action == fault_action::drop_after_write && r.status < 300) {
        stats_.fault("drop_after_write");
        r.drop = true;
    }
    return faulted(std::move(r));
}

api_response service::dispatch(const route& r, call& c) {
    std::lock_guard lock(store_mutex_);
    return (this->*r.fn)(c);
}

// --- meta -----------------------------------------------------------------------------------

api_response service::get_self(call&) {
    const auto& id = store_.identity();
    rapidjson::StringBuffer buf;
    json_writer w(buf);
    // Not wrapped in `data` (spec).
    w.StartObject();
    w.Key("active");
    w.Bool(true);
    w.Key("scope");
    write_sv(w, "record_permission:read-write object_configuration:read-write list_entry:read-write "
                "list_configuration:read-write user_management:read webhook:read-write");
    w.Key("client_id");
    write_sv(w, id.client_id);
    w.Key("token_type");
    write_sv(w, "Bearer");
    w.Key("exp");
    w.Null();
    w.Key("iat");
    w.Int64(std::chrono::duration_cast<std::chrono::seconds>(started_.time_since_epoch()).count());
    w.Key("sub");
    write_sv(w, id.workspace_id);
    w.Key("aud");
    write_sv(w, id.client_id);
    w.Key("iss");
    write_sv(w, "attio.com");
    w.Key("authorized_by_workspace_member_id");
    write_sv(w, id.member_id);
    w.Key("workspace_id");
    write_sv(w, id.workspace_id);
    w.Key("workspace_name");
    write_sv(w, id.workspace_name);
    w.Key("workspace_slug");
    write_sv(w, id.workspace_slug);
    w.Key("workspace_logo_url");
    w.Null();
    w.EndObject();
    return json_response(200, std::string(buf.GetString(), buf.GetSize()));
}

api_response service::list_members(call&) {
    return data_response([&](json_writer& w) {
        w.StartArray();
        write_member(w, store_, format_timestamp(started_));
        w.EndArray();
    });
}

api_response service::get_member(call& c) {
    if (c.params[0] != store_.identity().member_id) {
        return error_response(not_found("Workspace member with ID \"" + c.params[0] + "\" not found."));
    }
    return data_response([&](json_writer& w) { write_member(w, store_, format_timestamp(started_)); });
}

// --- webhooks ---------------------------------------------------------------------------------

api_response service::list_webhooks(call& c) {
    // The spec: limit between 10 and 100, default 10.
    auto p = query_page(c.query, 10, 100);
    if (!p) return error_response(p.error());
    if (p->limit < 10) {
        return error_response(validation_error("Invalid query parameter \"limit\".",
                                               {validation_issue{"too_small", {"limit"}, "Expected 10 to 100", "", ""}}));
    }
    std::vector<const webhook*> all;
    for (const auto& h : webhooks_.all()) all.push_back(&h);
    const auto shown = slice(all, *p);
    return data_response([&](json_writer& w) {
        w.StartArray();
        for (const auto* h : shown) write_webhook(w, store_.identity().workspace_id, *h, false);
        w.EndArray();
    });
}

api_response service::create_webhook(call& c) {
    auto data = body_data(c);
    if (!data) return error_response(data.error());
    auto h = webhooks_.create(**data, c.now);
    if (!h) return error_response(h.error());
    // The only answer that carries the secret.
    return data_response([&](json_writer& w) { write_webhook(w, store_.identity().workspace_id, **h, true); });
}

api_response service::get_webhook(call& c) {
    const webhook* h = webhooks_.find(c.params[0]);
    if (!h) return error_response(webhook_not_found(c.params[0]));
    return data_response([&](json_writer& w) { write_webhook(w, store_.identity().workspace_id, *h, false); });
}

api_response service::update_webhook(call& c) {
    if (!webhooks_.find(c.params[0])) return error_response(webhook_not_found(c.params[0]));
    auto data = body_data(c);
    if (!data) return error_response(data.error());
    auto h = webhooks_.update(c.params[0], **data);
    if (!h) return error_response(h.error());
    return data_response([&](json_writer& w) { write_webhook(w, store_.identity().workspace_id, **h, false); });
}

api_response service::delete_webhook(call& c) {
    if (auto e = webhooks_.remove(c.params[0])) return error_response(*e);
    return json_response(200, "{}");
}

api_response service::not_implemented(call& c) {
    api_error e;
    e.status = 501;
    e.code = "not_implemented";
    e.message = "The Attio emulator does not implement \"" + std::string(c.req.method) + " " + std::string(c.path) + "\".";
    return error_response(e);
}

// --- objects and attributes ------------------------------------------------------------------

api_response service::list_objects(call&) {
    return data_response([&](json_writer& w) {
        w.StartArray();
        for (const auto& o : store_.objects()) write_object(w, store_, o);
        w.EndArray();
    });
}

api_response service::get_object(call& c) {
    const object_def* o = store_.find_object(c.params[0]);
    if (!o) return error_response(not_found("Object with slug/ID \"" + c.params[0] + "\" not found."));
    return data_response([&](json_writer& w) { write_object(w, store_, *o); });
}

api_response service::list_attributes(call& c) {
    auto owner = resolve_owner(store_, c);
    if (!owner) return error_response(owner.error());
    auto p = query_page(c.query, SIZE_MAX, SIZE_MAX);
    if (!p) return error_response(p.error());
    const bool archived = query_param(c.query, "show_archived").value_or("false") == "true";
    std::vector<const attribute*> all;
    for (const auto& a : owner->owner->attributes) {
        if (archived || !a.is_archived) all.push_back(&a);
    }
    const auto shown = slice(all, *p);
    return data_response([&](json_writer& w) {
        w.StartArray();
        for (const auto* a : shown) write_attribute(w, store_, *owner->owner, *a);
        w.EndArray();
    });
}

api_response service::create_attribute(call& c) {
    auto owner = resolve_owner(store_, c);
    if (!owner) return error_response(owner.error());
    auto data = body_data(c);
    if (!data) return error_response(data.error());
    auto a = store_.create_attribute(*owner->owner, owner->is_list, **data, c.now);
    if (!a) return error_response(a.error());
    return data_response([&](json_writer& w) { write_attribute(w, store_, *owner->owner, **a); });
}

api_response service::get_attribute(call& c) {
    auto owner = resolve_owner(store_, c);
    if (!owner) return error_response(owner.error());
    auto a = resolve_attribute(*owner->owner, c.params[2]);
    if (!a) return error_response(a.error());
    return data_response([&](json_writer& w) { write_attribute(w, store_, *owner->owner, **a); });
}

api_response service::update_attribute(call& c) {
    auto owner = resolve_owner(store_, c);
    if (!owner) return error_response(owner.error());
    auto a = resolve_attribute(*owner->owner, c.params[2]);
    if (!a) return error_response(a.error());
    auto data = body_data(c);
    if (!data) return error_response(data.error());
    auto updated = store_.update_attribute(*owner->owner, owner->is_list, **a, **data);
    if (!updated) return error_response(updated.error());
    return data_response([&](json_writer& w) { write_attribute(w, store_, *owner->owner, **updated); });
}

namespace {
bool statuses_route(const service::call& c) { return c.path.find("/statuses") != std::string_view::npos; }
}  // namespace

api_response service::list_options(call& c) {
    auto owner = resolve_owner(store_, c);
    if (!owner) return error_response(owner.error());
    auto a = resolve_attribute(*owner->owner, c.params[2]);
    if (!a) return error_response(a.error());
    const bool statuses = statuses_route(c);
    if (statuses ? (*a)->type != attribute_type::status : (*a)->type != attribute_type::select) {
        return error_response(validation_error(statuses ? "This attribute is not a status attribute."
                                                        : "This attribute is not a select attribute."));
    }
    const bool archived = query_param(c.query, "show_archived").value_or("false") == "true";
    return data_response([&](json_writer& w) {
        w.StartArray();
        for (const auto& o : (*a)->options) {
            if (archived || !o.is_archived) write_option(w, store_, *owner->owner, **a, o, statuses);
        }
        w.EndArray();
    });
}

api_response service::create_option(call& c) {
    auto owner = resolve_owner(store_, c);
    if (!owner) return error_response(owner.error());
    auto a = resolve_attribute(*owner->owner, c.params[2]);
    if (!a) return error_response(a.error());
    auto data = body_data(c);
    if (!data) return error_response(data.error());
    const bool statuses = statuses_route(c);
    auto o = store_.create_option(**a, **data, statuses);
    if (!o) return error_response(o.error());
    return data_response([&](json_writer& w) { write_option(w, store_, *owner->owner, **a, **o, statuses); });
}

api_response service::update_option(call& c) {
    auto owner = resolve_owner(store_, c);
    if (!owner) return error_response(owner.error());
    auto a = resolve_attribute(*owner->owner, c.params[2]);
    if (!a) return error_response(a.error());
    auto data = body_data(c);
    if (!data) return error_response(data.error());
    const bool statuses = statuses_route(c);
    auto o = store_.update_option(**a, c.params[3], **data, statuses);
    if (!o) return error_response(o.error());
    return data_response([&](json_writer& w) { write_option(w, store_, *owner->owner, **a, **o, statuses); });
}

// --- records --------------------------------------------------------------------------------

api_response service::query_records(call& c) {
    const object_def* o = store_.find_object(c.params[0]);
    if (!o) return error_response(not_found("The referenced object was not found."));
    auto body = parse_body(c, true);
    if (!body) return error_response(body.error());
    auto p = body_page(**body, 500);  // default 500 (spec)
    if (!p) return error_response(p.error());
    auto hits = store_.query_records(*o, json::find(**body, "filter"), json::find(**body, "sorts"), *p);
    if (!hits) return error_response(hits.error());
    return data_response([&](json_writer& w) {
        w.StartArray();
        for (const auto* r : *hits) write_record(w, store_, *o, *r);
        w.EndArray();
    });
}

api_response service::create_record(call& c) {
    const object_def* o = store_.find_object(c.params[0]);
    if (!o) return error_response(not_found("Object with slug/ID \"" + c.params[0] + "\" not found."));
    auto values = body_values(c);
    if (!values) return error_response(values.error());
    auto r = store_.create_record(*o, **values, c.now);
    if (!r) return error_response(r.error());
    return data_response([&](json_writer& w) { write_record(w, store_, *o, **r); });
}

api_response service::assert_record(call& c) {
    const object_def* o = store_.find_object(c.params[0]);
    if (!o) return error_response(not_found("Object with slug/ID \"" + c.params[0] + "\" not found."));
    const auto matching = query_param(c.query, "matching_attribute");
    if (!matching || matching->empty()) {
        return error_response(validation_error("The matching_attribute query parameter is required.",
                                               {required_issue({"matching_attribute"}, "string")}));
    }
    auto values = body_values(c);
    if (!values) return error_response(values.error());
    auto r = store_.assert_record(*o, *matching, **values, c.now);
    if (!r) return error_response(r.error());
    return data_response([&](json_writer& w) { write_record(w, store_, *o, **r); });
}

api_response service::get_record(call& c) {
    const object_def* o = store_.find_object(c.params[0]);
    if (!o) return error_response(not_found("Object with slug/ID \"" + c.params[0] + "\" not found."));
    const record* r = store_.find_record(*o, c.params[1]);
    if (!r) return error_response(not_found("Record with ID \"" + c.params[1] + "\" not found."));
    return data_response([&](json_writer& w) { write_record(w, store_, *o, *r); });
}

api_response service::update_record_with(call& c, write_mode mode) {
    const object_def* o = store_.find_object(c.params[0]);
    if (!o) return error_response(not_found("Object with slug/ID \"" + c.params[0] + "\" not found."));
    if (!store_.find_record(*o, c.params[1])) {
        return error_response(not_found("Record with ID \"" + c.params[1] + "\" not found."));
    }
    auto values = body_values(c);
    if (!values) return error_response(values.error());
    auto r = store_.update_record(*o, c.params[1], **values, mode, c.now);
    if (!r) return error_response(r.error());
    return data_response([&](json_writer& w) { write_record(w, store_, *o, **r); });
}

api_response service::patch_record(call& c) { return update_record_with(c, write_mode::append); }
api_response service::put_record(call& c) { return update_record_with(c, write_mode::overwrite); }

api_response service::delete_record(call& c) {
    const object_def* o = store_.find_object(c.params[0]);
    if (!o) return error_response(not_found("Object with slug/ID \"" + c.params[0] + "\" not found."));
    if (auto e = store_.delete_record(*o, c.params[1])) return error_response(*e);
    return json_response(200, "{}");
}

api_response service::record_values(call& c) {
    const object_def* o = store_.find_object(c.params[0]);
    if (!o) return error_response(not_found("Object with slug/ID \"" + c.params[0] + "\" not found."));
    const record* r = store_.find_record(*o, c.params[1]);
    if (!r) return error_response(not_found("Record with ID \"" + c.params[1] + "\" not found."));
    const attribute* a = o->find_attribute(c.params[2]);
    if (!a) return error_response(not_found("Attribute with slug/ID \"" + c.params[2] + "\" not found."));
    return data_response([&](json_writer& w) { write_values(w, store_, *o, *a, r->values); });
}

api_response service::record_entries(call& c) {
    const object_def* o = store_.find_object(c.params[0]);
    if (!o) return error_response(not_found("Object with slug/ID \"" + c.params[0] + "\" not found."));
    auto p = query_page(c.query, 100, 1000);  // default 100, maximum 1000 (spec)
    if (!p) return error_response(p.error());
    const auto all = store_.entries_of_record(c.params[1]);
    const auto shown = slice(all, *p);
    return data_response([&](json_writer& w) {
        w.StartArray();
        for (const auto& [l, e] : shown) {
            w.StartObject();
            w.Key("list_id");
            write_sv(w, l->id);
            w.Key("list_api_slug");
            write_sv(w, l->api_slug);
            w.Key("entry_id");
            write_sv(w, e->id);
            w.Key("created_at");
            write_sv(w, e->created_at);
            w.EndObject();
        }
        w.EndArray();
    });
}

// --- lists and entries ------------------------------------------------------------------------

api_response service::list_lists(call&) {
    return data_response([&](json_writer& w) {
        w.StartArray();
        for (const auto& l : store_.lists()) write_list(w, store_, l);
        w.EndArray();
    });
}

api_response service::create_list(call& c) {
    auto data = body_data(c);
    if (!data) return error_response(data.error());
    auto l = store_.create_list(**data, c.now);
    if (!l) return error_response(l.error());
    return data_response([&](json_writer& w) { write_list(w, store_, **l); });
}

api_response service::get_list(call& c) {
    const list_def* l = store_.find_list(c.params[0]);
    if (!l) return error_response(not_found("List with slug/ID \"" + c.params[0] + "\" not found."));
    return data_response([&](json_writer& w) { write_list(w, store_, *l); });
}

api_response service::update_list(call& c) {
    list_def* l = store_.find_list(c.params[0]);
    if (!l) return error_response(not_found("List with slug/ID \"" + c.params[0] + "\" not found."));
    auto data = body_data(c);
    if (!data) return error_response(data.error());
    auto updated = store_.update_list(*l, **data);
    if (!updated) return error_response(updated.error());
    return data_response([&](json_writer& w) { write_list(w, store_, **updated); });
}

api_response service::query_entries(call& c) {
    const list_def* l = store_.find_list(c.params[0]);
    if (!l) return error_response(not_found("List with slug/ID \"" + c.params[0] + "\" not found."));
    auto body = parse_body(c, true);
    if (!body) return error_response(body.error());
    auto p = body_page(**body, 500);
    if (!p) return error_response(p.error());
    auto hits = store_.query_entries(*l, json::find(**body, "filter"), json::find(**body, "sorts"), *p);
    if (!hits) return error_response(hits.error());
    return data_response([&](json_writer& w) {
        w.StartArray();
        for (const auto* e : *hits) write_entry(w, store_, *l, *e);
        w.EndArray();
    });
}

api_response service::create_entry(call& c) {
    const list_def* l = store_.find_list(c.params[0]);
    if (!l) return error_response(not_found("Could not find list with slug/ID \"" + c.params[0] + "\"."));
    auto data = body_data(c);
    if (!data) return error_response(data.error());
    auto e = store_.create_entry(*l, **data, c.now);
    if (!e) return error_response(e.error());
    return data_response([&](json_writer& w) { write_entry(w, store_, *l, **e); });
}

api_response service::assert_entry(call& c) {
    const list_def* l = store_.find_list(c.params[0]);
    if (!l) return error_response(not_found("List with slug/ID \"" + c.params[0] + "\" was not found."));
    auto data = body_data(c);
    if (!data) return error_response(data.error());
    auto e = store_.assert_entry(*l, **data, c.now);
    if (!e) return error_response(e.error());
    return data_response([&](json_writer& w) { write_entry(w, store_, *l, **e); });
}

api_response service::get_entry(call& c) {
    const list_def* l = store_.find_list(c.params[0]);
    if (!l) return error_response(not_found("List with slug/ID \"" + c.params[0] + "\" not found."));
    const entry* e = store_.find_entry(*l, c.params[1]);
    if (!e) return error_response(not_found("List entry with ID \"" + c.params[1] + "\" not found."));
    return data_response([&](json_writer& w) { write_entry(w, store_, *l, *e); });
}

api_response service::update_entry_with(call& c, write_mode mode) {
    const list_def* l = store_.find_list(c.params[0]);
    if (!l) return error_response(not_found("List with slug/ID \"" + c.params[0] + "\" not found."));
    if (!store_.find_entry(*l, c.params[1])) {
        return error_response(not_found("List entry with ID \"" + c.params[1] + "\" not found."));
    }
    auto data = body_data(c);
    if (!data) return error_response(data.error());
    auto e = store_.update_entry(*l, c.params[1], **data, mode, c.now);
    if (!e) return error_response(e.error());
    return data_response([&](json_writer& w) { write_entry(w, store_, *l, **e); });
}

api_response service::patch_entry(call& c) { return update_entry_with(c, write_mode::append); }
api_response service::put_entry(call& c) { return update_entry_with(c, write_mode::overwrite); }

api_response service::delete_entry(call& c) {
    const list_def* l = store_.find_list(c.params[0]);
    if (!l) return error_response(not_found("List with slug/ID \"" + c.params[0] + "\" not found."));
    if (auto e = store_.delete_entry(*l, c.params[1])) return error_response(*e);
    return json_response(200, "{}");
}

api_response service::entry_values(call& c) {
    const list_def* l = store_.find_list(c.params[0]);
    if (!l) return error_response(not_found("List with slug/ID \"" + c.params[0] + "\" not found."));
    const entry* e = store_.find_entry(*l, c.params[1]);
    if (!e) return error_response(not_found("List entry with ID \"" + c.params[1] + "\" not found."));
    const attribute* a = l->find_attribute(c.params[2]);
    if (!a) return error_response(not_found("Attribute with slug/ID \"" + c.params[2] + "\" not found."));
    return data_response([&](json_writer& w) { write_values(w, store_, *l, *a, e->values); });
}

// --- control and inspection (no auth, never faulted, not counted) -------------------------------

api_response service::handle_control(const api_request& req, std::string_view path, std::string_view query,
                                     system_clock::time_point now) {
    const std::string_view m = req.method;
    if (path == "/__emulator/health" && m == "GET") return ok_response();

    if (path == "/__emulator/stats" && m == "GET") {
        std::string counters = stats_.to_json();
        rapidjson::StringBuffer buf;
        json_writer w(buf);
        w.StartObject();
        {
            std::lock_guard lock(store_mutex_);
            w.Key("records");
            w.StartObject();
            for (const auto& o : store_.objects()) {
                w.Key(o.api_slug.c_str());
                w.Uint64(store_.record_count(o));
            }
            w.EndObject();
            w.Key("entries");
            w.StartObject();
            for (const auto& l : store_.lists()) {
                w.Key(l.api_slug.c_str());
                w.Uint64(store_.all_entries(l).size());
            }
            w.EndObject();
        }
        w.EndObject();
        // Merge: the counters' members, then the data sizes.
        std::string extra(buf.GetString(), buf.GetSize());
        counters.pop_back();
        counters += ",";
        counters.append(extra, 1, std::string::npos);
        return json_response(200, std::move(counters));
    }

    if (path == "/__emulator/reset" && m == "POST") {
        const bool keep_schema = query_param(query, "keep_schema").value_or("false") == "true";
        {
            std::lock_guard lock(store_mutex_);
            store_.reset(keep_schema, format_timestamp(now));
            if (!keep_schema) webhooks_.clear();  // configuration, like the schema
        }
        stats_.reset();
        limiter_.reset();
        return ok_response();
    }

    if (path == "/__emulator/people" || path == "/__emulator/records") {
        if (m != "GET") return control_error(405, "method_not_allowed", "Use GET.");
        const std::string object_slug = path == "/__emulator/people" ? std::string("people")
                                                                      : query_param(query, "object").value_or("people");
        const auto email = query_param(query, "email");
        std::lock_guard lock(store_mutex_);
        const object_def* o = store_.find_object(object_slug);
        if (!o) return control_error(404, "not_found", "No object \"" + object_slug + "\".");
        const attribute* emails = o->find_attribute("email_addresses");
        std::string wanted;
        if (email) {
            wanted = *email;
            for (auto& ch : wanted) {
                if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
            }
        }
        return data_response([&](json_writer& w) {
            w.StartArray();
            for (const auto* r : store_.all_records(*o)) {
                if (email) {
                    bool hit = false;
                    if (emails) {
                        if (const auto it = r->values.find(emails->id); it != r->values.end()) {
                            for (const auto& v : it->second) hit = hit || std::get<email_data>(v.data).address == wanted;
                        }
                    }
                    if (!hit) continue;
                }
                write_compact_record(w, *o, *r);
            }
            w.EndArray();
        });
    }

    if (path == "/__emulator/entries") {
        if (m != "GET") return control_error(405, "method_not_allowed", "Use GET.");
        const auto list_slug = query_param(query, "list");
        const auto parent = query_param(query, "parent_record_id");
        std::lock_guard lock(store_mutex_);
        std::vector<const list_def*> lists;
        if (list_slug) {
            const list_def* l = store_.find_list(*list_slug);
            if (!l) return control_error(404, "not_found", "No list \"" + *list_slug + "\".");
            lists.push_back(l);
        } else {
            for (const auto& l : store_.lists()) lists.push_back(&l);
        }
        return data_response([&](json_writer& w) {
            w.StartArray();
            for (const auto* l : lists) {
                for (const auto* e : store_.all_entries(*l)) {
                    if (parent && e->parent_record_id != *parent) continue;
                    write_compact_entry(w, *l, *e);
                }
            }
            w.EndArray();
        });
    }

    if (path == "/__emulator/webhooks") {
        // Every webhook with its secret, so a test can sign deliveries as Attio would.
        if (m != "GET") return control_error(405, "method_not_allowed", "Use GET.");
        std::lock_guard lock(store_mutex_);
        return data_response([&](json_writer& w) {
            w.StartArray();
            for (const auto& h : webhooks_.all()) write_webhook(w, store_.identity().workspace_id, h, true);
            w.EndArray();
        });
    }

    if (path == "/__emulator/faults") {
        if (m == "GET") return json_response(200, fault_plan_json(faults_.plan(), now));
        if (m == "DELETE") {
            faults_.set_plan(fault_plan{});
            return json_response(200, fault_plan_json(fault_plan{}, now));
        }
        if (m == "POST") {
            const std::string_view body = trim(req.body).empty() ? std::string_view("{}") : req.body;
            auto doc = json::parse(body);
            if (!doc) return control_error(400, "invalid_json", doc.error().message);
            auto update = parse_fault_plan(*doc, faults_.plan(), now);
            if (!update) return control_error(400, "invalid_fault_plan", update.error());
            if (update->seed) faults_.reseed(*update->seed);
            faults_.set_plan(update->plan);
            return json_response(200, fault_plan_json(update->plan, now));
        }
        return control_error(405, "method_not_allowed", "Use GET, POST or DELETE.");
    }

    if (path == "/__emulator/rate-limit") {
        const auto show = [&] {
            const auto s = limiter_.settings();
            rapidjson::StringBuffer buf;
            json_writer w(buf);
            w.StartObject();
            w.Key("enabled");
            w.Bool(s.enabled);
            w.Key("scale");
            w.Double(s.scale);
            w.Key("reads_per_second");
            w.Uint(limiter_.limit(request_kind::read));
            w.Key("writes_per_second");
            w.Uint(limiter_.limit(request_kind::write));
            w.EndObject();
            return json_response(200, std::string(buf.GetString(), buf.GetSize()));
        };
        if (m == "GET") return show();
        if (m == "POST") {
            auto doc = json::parse(trim(req.body).empty() ? std::string_view("{}") : req.body);
            if (!doc || !doc->IsObject()) return control_error(400, "invalid_json", "The body must be a JSON object.");
            auto s = limiter_.settings();
            if (const auto e = json::get_bool(*doc, "enabled")) s.enabled = *e;
            if (const auto sc = json::get_number(*doc, "scale")) {
                if (*sc <= 0) return control_error(400, "invalid_scale", "scale must be positive.");
                s.scale = *sc;
            }
            limiter_.configure(s);
            limiter_.reset();
            return show();
        }
        return control_error(405, "method_not_allowed", "Use GET or POST.");
    }

    return control_error(404, "not_found", "No emulator route \"" + std::string(m) + " " + std::string(path) + "\".");
}

}  // namespace las::attio_emulator
