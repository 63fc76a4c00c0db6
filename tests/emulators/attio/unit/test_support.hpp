#pragma once
// Helpers for the emulator's unit tests: a fake clock and a service driven in-process.

#include <chrono>
#include <memory>
#include <string>

#include <rapidjson/document.h>

#include "attio_emulator/service.hpp"
#include "core/json.hpp"

namespace attio_test {

using namespace las::attio_emulator;
using std::chrono::system_clock;

// A settable clock; starts at 2026-01-01T00:00:00.250Z (inside a second, so window
// boundaries are exercised on purpose, not by accident).
struct fake_clock {
    std::shared_ptr<system_clock::time_point> now =
        std::make_shared<system_clock::time_point>(system_clock::time_point(std::chrono::seconds(1767225600)) +
                                                   std::chrono::milliseconds(250));
    service::clock fn() const {
        auto p = now;
        return [p] { return *p; };
    }
    void advance(std::chrono::milliseconds d) const { *now += d; }
};

struct reply {
    unsigned status = 0;
    rapidjson::Document json;
    api_response raw;

    const rapidjson::Value& data() const { return json["data"]; }
    std::string code() const { return json.HasMember("code") ? json["code"].GetString() : ""; }
    std::string header(const std::string& name) const {
        for (const auto& [k, v] : raw.headers) {
            if (k == name) return v;
        }
        return "";
    }
};

struct harness {
    fake_clock clock;
    std::unique_ptr<service> svc;
    std::string key = "test-key";

    explicit harness(bool rate_limits = false, std::uint64_t seed = 42) {
        service_config cfg;
        cfg.api_key = key;
        cfg.rate_limits.enabled = rate_limits;
        cfg.seed = seed;
        svc = std::make_unique<service>(cfg, clock.fn());
    }

    reply call(const std::string& method, const std::string& target, const std::string& body = "",
               const std::string& auth = "default") const {
        const std::string authorization = auth == "default" ? "Bearer " + key : auth;
        reply r;
        r.raw = svc->handle(api_request{method, target, authorization, body});
        r.status = r.raw.status;
        if (!r.raw.body.empty()) r.json.Parse(r.raw.body.c_str());
        return r;
    }

    // POST /v2/objects/people/records with these values (JSON text); returns the record id.
    std::string create_person(const std::string& values_json) const {
        auto r = call("POST", "/v2/objects/people/records", R"({"data":{"values":)" + values_json + "}}");
        if (r.status != 200) return "ERROR " + r.raw.body;
        return r.data()["id"]["record_id"].GetString();
    }

    void create_events_list() const {
        call("POST", "/v2/lists",
             R"({"data":{"name":"Lemlist events","api_slug":"lemlist_events","parent_object":"people",)"
             R"("workspace_access":"full-access","workspace_member_access":[]}})");
        add_list_attribute("activity_id", "text");
        add_list_attribute("event_type", "text");
        add_list_attribute("channel", "select");
        add_list_attribute("sequence_step", "number");
        add_list_attribute("occurred_at", "timestamp");
        call("POST", "/v2/lists/lemlist_events/attributes/channel/options", R"({"data":{"title":"email"}})");
        call("POST", "/v2/lists/lemlist_events/attributes/channel/options", R"({"data":{"title":"linkedin"}})");
    }

    reply add_list_attribute(const std::string& slug, const std::string& type, bool multiselect = false) const {
        return add_attribute("lists/lemlist_events", slug, type, multiselect);
    }

    reply add_attribute(const std::string& owner, const std::string& slug, const std::string& type,
                        bool multiselect = false, bool unique = false) const {
        return call("POST", "/v2/" + owner + "/attributes",
                    R"({"data":{"title":")" + slug + R"(","description":null,"api_slug":")" + slug +
                        R"(","type":")" + type + R"(","is_required":false,"is_unique":)" + (unique ? "true" : "false") +
                        R"(,"is_multiselect":)" + (multiselect ? "true" : "false") + R"(,"config":{}}})");
    }
};

// The email addresses of a record's values, in order.
inline std::vector<std::string> emails_of(const rapidjson::Value& record) {
    std::vector<std::string> out;
    for (const auto& v : record["values"]["email_addresses"].GetArray()) out.emplace_back(v["email_address"].GetString());
    return out;
}

}  // namespace attio_test
