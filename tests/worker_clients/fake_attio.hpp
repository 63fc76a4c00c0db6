#pragma once
// A tiny in-memory stand-in for Attio's configuration routes (lists, attributes, select
// options), enough to drive provisioning in unit tests without the emulator. It answers in
// Attio's shapes (`{"data": …}`, error bodies with `code`) and counts the writes it took.

#include <map>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "outbound/gated_caller.hpp"
#include "test_support.hpp"

namespace las::test {

class fake_attio {
public:
    struct attribute {
        std::string slug;
        std::string type;
        bool unique = false;
        bool archived = false;
    };
    struct option {
        std::string title;
        bool archived = false;
    };

    // Seed state.
    void add_list(const std::string& slug, const std::string& parent) { list_parent_[slug] = parent; }
    void add_attribute(const std::string& where, attribute a) { attributes_[where].push_back(std::move(a)); }
    void add_option(const std::string& where_attr, option o) { options_[where_attr].push_back(std::move(o)); }

    std::size_t writes = 0;
    std::size_t reads = 0;
    unsigned force_status = 0;  // when set, every call answers this status
    // A flaky Attio: every `fail_every`-th call answers 503, after doing its work when
    // `fail_after_acting` (a lost answer: the write landed).
    unsigned fail_every = 0;
    bool fail_after_acting = false;
    std::size_t calls = 0;
    std::size_t failures = 0;

    bool has_list(const std::string& slug) const { return list_parent_.count(slug) > 0; }
    const attribute* find_attribute(const std::string& where, const std::string& slug) const {
        const auto it = attributes_.find(where);
        if (it == attributes_.end()) return nullptr;
        for (const auto& a : it->second)
            if (a.slug == slug) return &a;
        return nullptr;
    }
    std::vector<option> options_of(const std::string& where_attr) const {
        const auto it = options_.find(where_attr);
        return it == options_.end() ? std::vector<option>{} : it->second;
    }

    outbound::transport transport() {
        return [this](http::client_request r) -> awaitable<result<http::client_response, http::transport_error>> {
            co_return handle(r);
        };
    }

private:
    static http::client_response error(unsigned status, std::string code, std::string message) {
        return answer(status, R"({"status_code":)" + std::to_string(status) +
                                  R"(,"type":"invalid_request_error","code":)" + json::quoted(code) +
                                  R"(,"message":)" + json::quoted(message) + "}");
    }

    static std::vector<std::string> split(std::string_view path) {
        std::vector<std::string> out;
        std::size_t i = 0;
        while (i < path.size()) {
            const auto j = path.find('/', i);
            const auto end = j == std::string_view::npos ? path.size() : j;
            if (end > i) out.emplace_back(path.substr(i, end - i));
            i = end + 1;
        }
        return out;
    }

    std::string list_json(const std::string& slug) const {
        return R"({"id":{"workspace_id":"w","list_id":"l-)" + slug + R"("},"api_slug":)" + json::quoted(slug) +
               R"(,"name":"n","workspace_access":"full-access","parent_object":[)" + json::quoted(list_parent_.at(slug)) +
               "]}";
    }

    static std::string attribute_json(const attribute& a) {
        return R"({"id":{"workspace_id":"w","object_id":"o","attribute_id":"a-)" + a.slug + R"("},"api_slug":)" +
               json::quoted(a.slug) + R"(,"title":"t","type":)" + json::quoted(a.type) +
               R"(,"is_unique":)" + (a.unique ? "true" : "false") + R"(,"is_multiselect":false,"is_required":false,"is_archived":)" +
               (a.archived ? "true" : "false") + "}";
    }

    static std::string option_json(const option& o) {
        return R"({"id":{"option_id":"o-)" + o.title + R"("},"title":)" + json::quoted(o.title) + R"(,"is_archived":)" +
               (o.archived ? "true" : "false") + "}";
    }

    http::client_response handle(const http::client_request& r) {
        if (force_status) return error(force_status, "unauthorized", "forced");
        const bool fails = fail_every != 0 && ++calls % fail_every == 0;
        if (!fails) return act(r);
        ++failures;
        if (fail_after_acting) act(r);
        return error(503, "service_unavailable", "flaky");
    }

    http::client_response act(const http::client_request& r) {
        const bool get = r.method == http_proto::verb::get;
        (get ? reads : writes) += 1;
        const auto target = std::string_view(r.target);
        const auto q = target.find('?');
        const auto parts = split(target.substr(0, q));
        auto body = json::parse(r.body.empty() ? std::string_view("{}") : std::string_view(r.body));
        const rapidjson::Value* data = body ? json::find(*body, "data") : nullptr;
        auto field = [&](std::string_view k) { return data ? std::string(json::get_string(*data, k).value_or("")) : std::string(); };

        // /v2/lists[/slug]
        if (parts.size() == 2 && parts[1] == "lists" && !get) {
            const auto slug = field("api_slug");
            if (has_list(slug)) return error(409, "slug_conflict", "A list with api_slug \"" + slug + "\" already exists.");
            list_parent_[slug] = field("parent_object");
            return answer(200, R"({"data":)" + list_json(slug) + "}");
        }
        if (parts.size() == 3 && parts[1] == "lists" && get) {
            if (!has_list(parts[2])) return error(404, "not_found", "Could not find list");
            return answer(200, R"({"data":)" + list_json(parts[2]) + "}");
        }
        // /v2/{objects|lists}/{id}/attributes[/{attr}/options]
        if (parts.size() >= 4 && parts[3] == "attributes") {
            const std::string where = parts[2];
            if (parts[1] == "lists" && !has_list(where)) return error(404, "not_found", "Could not find list");
            if (parts.size() == 4 && get) {
                std::string out = R"({"data":[)";
                bool first = true;
                for (const auto& a : attributes_[where]) {
                    out += (first ? "" : ",") + attribute_json(a);
                    first = false;
                }
                return answer(200, out + "]}");
            }
            if (parts.size() == 4) {
                attribute a{field("api_slug"), field("type"), data && json::get_bool(*data, "is_unique").value_or(false)};
                if (find_attribute(where, a.slug)) return error(409, "slug_conflict", "An attribute with the same API slug already exists");
                attributes_[where].push_back(a);
                return answer(200, R"({"data":)" + attribute_json(a) + "}");
            }
            if (parts.size() == 6 && parts[5] == "options") {
                const auto key = where + "." + parts[4];
                if (!find_attribute(where, parts[4])) return error(404, "not_found", "no attribute");
                if (get) {
                    std::string out = R"({"data":[)";
                    bool first = true;
                    for (const auto& o : options_[key]) {
                        out += (first ? "" : ",") + option_json(o);
                        first = false;
                    }
                    return answer(200, out + "]}");
                }
                option o{field("title")};
                for (const auto& existing : options_[key])
                    if (existing.title == o.title) return error(409, "slug_conflict", "There is already another select option");
                options_[key].push_back(o);
                return answer(200, R"({"data":)" + option_json(o) + "}");
            }
        }
        return error(404, "not_found", "Could not find endpoint");
    }

    std::map<std::string, std::vector<attribute>> attributes_;
    std::map<std::string, std::vector<option>> options_;
    std::map<std::string, std::string> list_parent_;
};

}  // namespace las::test
