#pragma once
// The Lemlist emulator's request handling, without sockets: authentication, the rate
// limiter, the REST routes under /api (campaigns, leads, hooks, activities), the control
// routes under /__emulator, and the SPA catch-all for everything else. The HTTP layer turns
// a Beast request into an api_request, calls handle(), writes the api_response back, and
// runs the delivery job an outcome may carry. Thread-safe (one mutex).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "emu/model.hpp"
#include "emu/play_progress.hpp"
#include "emu/player.hpp"
#include "emu/rate_limiter.hpp"
#include "emu/rng.hpp"
#include "emu/text_util.hpp"
#include "emu/time_util.hpp"

namespace las::lemlist_emu {

struct emulator_options {
    std::vector<std::string> api_keys{"lemlist-sandbox-key"};
    bool rate_limit = true;
    int rate_limit_requests = 20;
    std::chrono::milliseconds rate_limit_window{2000};
    bool plan_gated_hooks = false;       // POST /api/hooks → 402 (§3.4 of the reference)
    bool plan_gated_activities = false;  // GET /api/activities → 402
    std::uint64_t seed = 1;
};

struct api_request {
    std::string method;         // "GET", "POST", …
    std::string target;         // path + query as received
    std::string authorization;  // Authorization header, "" when absent
    std::string body;
};

struct api_response {
    unsigned status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds delay{0};  // injected latency (faults): wait before answering
};

struct api_outcome {
    api_response response;
    std::shared_ptr<play_job> job;                  // webhooks to deliver, if any
    std::optional<std::chrono::milliseconds> wait;  // the client asked to wait for the job
};

// Seeded campaigns have fixed ids so scripts and docs can name them.
inline constexpr std::string_view sandbox_team_id = "tea_SandboxTeam000001";
inline constexpr std::string_view sandbox_campaign_outreach = "cam_SandboxOutreach01";
inline constexpr std::string_view sandbox_campaign_linkedin = "cam_SandboxLinkedIn02";
inline constexpr std::string_view sandbox_campaign_draft = "cam_SandboxLaunch0003";
inline constexpr std::string_view sandbox_campaign_errors = "cam_SandboxErrors0004";

class emulator {
public:
    explicit emulator(emulator_options options, clock_fn clock = system_now);

    api_outcome handle(const api_request& request);

    // Direct access for tests and the command-line player.
    std::vector<campaign> campaigns() const;
    std::vector<hook> hooks() const;
    std::vector<lead> leads() const;
    std::vector<event> events() const;  // createdAt order
    hook add_hook(hook h);              // id/createdAt filled in when empty
    // Generates a play, stores its leads and activities, plans deliveries to the current hooks.
    result<std::shared_ptr<play_job>, std::string> start_play(const play_spec& spec);
    std::vector<std::shared_ptr<play_progress>> jobs() const;
    void reset();

private:
    struct fault_rule {
        std::string path_prefix = "/api/";
        std::string method;  // "" = any
        unsigned status = 0;  // 0 = no status fault (latency only)
        std::string body;
        std::chrono::milliseconds latency{0};
        std::int64_t remaining = -1;  // -1 = unlimited
    };
    api_outcome handle_locked(const api_request& request, std::string& route_label);
    api_outcome handle_api(const api_request& request, const split_target& t, std::string& route_label);
    api_outcome handle_control(const api_request& request, const split_target& t, std::string& route_label);

    // /api routes
    api_response get_campaigns(const split_target& t);
    api_response get_campaign(const std::string& id);
    api_response get_campaign_leads(const std::string& id, const split_target& t);
    api_response create_lead(const std::string& campaign_id, const std::string& path_email, const split_target& t,
                             const std::string& body);
    api_response delete_lead(const std::string& campaign_id, const std::string& lead_or_email, const split_target& t);
    api_outcome pause_lead(const std::string& lead_id, const split_target& t, bool pause);
    api_response get_leads_by_email(const std::string& email, const split_target& t);
    api_response get_lead_query(const split_target& t);
    api_response create_hook(const split_target& t, const std::string& body);
    api_response list_hooks();
    api_response delete_hook(const std::string& id);
    api_response get_activities(const split_target& t);

    // /__emulator routes
    api_outcome control_play(const split_target& t, const std::string& body);
    api_outcome control_insert_activities(const split_target& t, const std::string& body);
    api_response control_events(const split_target& t);
    api_response control_leads();
    api_response control_hooks();
    api_response control_stats();
    api_response control_add_campaign(const std::string& body);
    api_response control_config(const std::string& method, const std::string& body);
    api_response control_faults(const std::string& method, const std::string& body);
    api_response control_deliveries();

    result<std::shared_ptr<play_job>, std::string> start_play_locked(const play_spec& spec);
    std::shared_ptr<play_job> deliver_events_locked(const std::vector<event>& events, std::string kind,
                                                    std::string campaign_id);
    void seed_campaigns();
    void store_lead(lead l);
    void erase_lead(const std::string& id);
    void store_event(event e);
    const campaign* find_campaign(std::string_view id) const;
    lead* find_lead(std::string_view id);
    std::vector<lead*> leads_with_identity(const std::string& identity);
    std::string contact_for(const std::string& identity);
    std::string lead_flat_json(const lead& l, bool with_campaign_name) const;
    std::string lead_v2_json(const lead& l) const;
    std::string lead_nested_json(const lead& l) const;
    std::string activity_json(const event& e) const;
    std::string hook_json(const hook& h, bool with_secret) const;
    std::string campaign_v2_json(const campaign& c) const;
    std::string new_id(std::string_view prefix);
    void record(const std::string& route, unsigned status);

    emulator_options options_;
    clock_fn clock_;
    mutable std::mutex mutex_;
    rng rng_;
    rate_limiter limiter_;
    bool rate_limit_on_;
    bool plan_gated_hooks_;
    bool plan_gated_activities_;

    std::vector<campaign> campaigns_;
    std::map<std::uint64_t, lead> leads_;                       // by seq (creation order)
    std::unordered_map<std::string, std::uint64_t> lead_seq_;   // lead id → seq
    std::unordered_map<std::string, std::vector<std::string>> identity_index_;  // "e:mail" / "l:url" → lead ids
    std::unordered_map<std::string, std::string> contacts_;     // identity → ctc_…
    std::vector<hook> hooks_;
    std::map<std::pair<std::int64_t, std::uint64_t>, event> events_;  // (createdAt ms, seq) → event
    std::unordered_map<std::string, std::pair<std::int64_t, std::uint64_t>> event_keys_;  // _id → key
    std::vector<std::shared_ptr<play_progress>> jobs_;
    std::vector<fault_rule> faults_;
    std::map<std::string, std::map<unsigned, std::uint64_t>> stats_;
    std::uint64_t requests_total_ = 0;
    std::uint64_t rate_limited_ = 0;
    std::uint64_t next_seq_ = 1;
};

// Identity keys used for duplicate detection: "e:" + lower-cased trimmed email, or "l:" +
// the normalised LinkedIn URL when the lead has no email.
std::string email_identity(std::string_view email);
std::string linkedin_identity(std::string_view url);

}  // namespace las::lemlist_emu
