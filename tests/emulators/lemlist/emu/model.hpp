#pragma once
// The emulator's records: campaigns, leads, hooks and events (activities / webhook bodies).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emu/time_util.hpp"

namespace las::lemlist_emu {

struct sender {
    std::string user_id;     // usr_…
    std::string name;
    std::string email;
    std::string mailbox_id;  // usm_…
};

struct campaign {
    std::string id;    // cam_…
    std::string name;
    std::string status = "running";  // running, draft, archived, ended, paused, errors
    std::vector<std::string> labels;
    std::vector<std::string> errors;  // non-empty → hasError
    sys_ms created_at{};
    std::string created_by;  // usr_…
    std::string creator_email;
    std::string sequence_id;  // seq_…
    std::vector<sender> senders;
};

// One lead variable; the value is kept as JSON text so any JSON value round-trips.
struct variable {
    std::string name;
    std::string json;
};

struct lead {
    std::string id;  // lea_…
    std::string campaign_id;
    std::string contact_id;  // ctc_…
    std::vector<variable> variables;  // in the order given
    bool paused = false;
    std::string state = "scanned";   // last lead state (scanned, emailsOpened, …)
    std::string status = "running";  // review, running, paused, done, interested, notInterested, unsubscribed
    std::string source = "api";
    std::string email_status;        // enrichment.emailStatus, "" when unknown
    sys_ms created_at{};
    sys_ms updated_at{};
    std::uint64_t seq = 0;  // creation order

    // The string value of a variable, "" when absent or not a string.
    std::string var(std::string_view name) const;
    void set_var(std::string name, std::string json);
    void set_string_var(std::string name, std::string_view value);
};

struct hook {
    std::string id;  // hoo_…
    std::string target_url;
    std::string type;         // "" = all events
    std::string campaign_id;  // "" = all campaigns
    std::optional<bool> is_first;
    std::string zap_id;
    std::string secret;       // never returned by the API
    sys_ms created_at{};
};

// One generated or inserted event. The body is kept as member lists so it can be rendered
// as a webhook body (flattened lead variables + the hook's secret) or as a v2 activity
// record (nested `lead` object) without re-parsing.
struct event {
    std::string id;  // _id (act_…); "" for bodies without one (enrichmentDone)
    std::string type;
    sys_ms created_at{};
    std::string campaign_id;  // "" when absent from the body
    std::string lead_id;      // "" when absent
    std::string lead_email;   // "" when absent (LinkedIn-only leads)
    std::string linkedin_url;
    bool is_first = false;
    bool state_change = false;  // first event of its lead-state group for this lead
    bool is_activity = true;    // listed by GET /activities
    std::string fields;         // system members, no braces
    std::string variables;      // flattened lead variables, no braces ("" when none)
    std::string play_id;        // the play that generated it ("insert" / "api" otherwise)
    std::string origin_lead_id; // the lead it was generated for, even when the body names none
    std::uint64_t seq = 0;      // store order

    // The JSON body POSTed to a hook: system fields, flattened variables, then `secret` when set.
    std::string webhook_body(std::string_view secret = {}) const;
};

}  // namespace las::lemlist_emu
