#pragma once
// The campaign player: generates coherent multi-channel activity for N leads of a campaign
// (the same seed and start time give the same leads, ids and bodies), then plans its
// delivery to the registered hooks, with duplicates and out-of-order deliveries on request.
// Pure: no sockets, no clock; the HTTP layer executes the plan.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "core/result.hpp"
#include "emu/model.hpp"
#include "emu/rng.hpp"
#include "emu/time_util.hpp"

namespace las::lemlist_emu {

// How a play's deliveries are executed. Lemlist's own retry policy is undocumented; the
// emulator retries a failed or non-2xx delivery with exponential backoff
// (retry_base, 2×, 4×, …) up to max_attempts tries in all, then counts it failed.
struct delivery_settings {
    double rate = 0;  // deliveries started per second; 0 = as fast as `concurrency` allows
    std::size_t concurrency = 4;
    int max_attempts = 4;
    std::chrono::milliseconds retry_base{500};
    std::chrono::milliseconds timeout{10'000};  // per attempt
};

struct play_spec {
    std::string campaign_id;  // "" = the first running campaign
    std::size_t leads = 10;
    std::optional<std::size_t> events_per_lead;  // exactly M events per lead when set
    std::vector<std::string> channels;  // email, linkedin, whatsapp, sms, call, api, manual; empty = all
    double duplicate_share = 0.05;      // deliveries sent a second time
    double out_of_order_share = 0.1;    // deliveries swapped with a later event of the same lead
    double linkedin_only_share = 0.1;   // leads without any email
    double third_party_reply_share = 0.02;
    double enrichment_share = 0.05;     // leads that get an enrichmentDone body
    double unknown_type_share = 0.01;   // leads that get one event of an undocumented type
    double pause_share = 0.1;           // leads paused (and usually resumed) mid-sequence
    std::optional<std::uint64_t> seed;
    std::optional<sys_ms> start_time;   // createdAt of the earliest event ≈ this
    delivery_settings delivery;
};

// Reads the JSON body of POST /__emulator/play. Fails with a message naming the bad field.
result<play_spec, std::string> parse_play_spec(const rapidjson::Value& body);

std::vector<std::string_view> all_channels();

struct generated_play {
    std::vector<lead> leads;
    std::vector<event> events;  // createdAt order across leads (ties: lead order)
};

// Generates the leads and their events. `team_id` goes in every body; `play_id` is recorded
// on each event. Lead `seq`/event `seq` are left 0 (the store assigns them).
generated_play generate_play(const play_spec& spec, const campaign& c, std::string_view team_id,
                             std::string_view play_id, std::uint64_t seed, sys_ms start);

struct delivery {
    std::size_t event_index = 0;  // into the event list the plan was made from
    std::string event_id;
    std::string event_type;
    std::string lead_id;
    sys_ms created_at{};
    std::string hook_id;
    std::string target_url;
    std::string body;
    bool duplicate = false;     // a second delivery of a body already planned
    bool out_of_order = false;  // swapped with another event of the same lead
};

struct delivery_plan {
    std::vector<delivery> deliveries;  // in sending order
    std::size_t duplicates = 0;
    std::size_t out_of_order = 0;  // swapped pairs
};

// Does `h` receive `e`? Campaign filter, isFirst filter, then type: none = all, an exact
// type, or a lead-state group (which fires on the lead's first event of the group).
bool hook_matches(const hook& h, const event& e);

// Orders deliveries by event order, one per matching hook (the body carries that hook's
// secret), then swaps some adjacent same-lead pairs and re-sends some bodies.
delivery_plan plan_deliveries(const std::vector<event>& events, const std::vector<hook>& hooks,
                              double duplicate_share, double out_of_order_share, rng& r);

}  // namespace las::lemlist_emu
