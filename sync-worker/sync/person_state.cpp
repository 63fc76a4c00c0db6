#include "sync/person_state.hpp"

#include <tuple>

namespace las::sync {
namespace {

using lemlist::event_category;


void advance(std::optional<event_time>& register_, event_time t) {
    if (!register_ || t > *register_) register_ = t;
}

// Empty optionals order before any value, so the comparison is total.
std::tuple<bool, std::string_view> key(const std::optional<std::string>& s) {
    return {s.has_value(), s ? std::string_view(*s) : std::string_view()};
}
std::tuple<bool, std::string_view> key(const std::string& s) { return {true, s}; }

}  // namespace

int status_rank(const std::optional<std::string>& status) {
    if (!status) return -1;
    for (auto category : {event_category::contacted, event_category::hooked, event_category::attracted,
                          event_category::warmed}) {
        if (*status == lemlist::to_string(category)) return *lemlist::lead_state_rank(category);
    }
    return -1;  // an unknown value from Attio is overwritten by any real state
}

bool person_state::paused() const {
    return last_paused_at && (!last_resumed_at || *last_paused_at >= *last_resumed_at);
}

person_state merge(person_state state, const event_facts& e) {
    const auto t = e.occurred_at;

    if (const auto rank = lemlist::lead_state_rank(e.category); rank && *rank > status_rank(state.status)) {
        state.status = std::string(lemlist::to_string(e.category));
    }

    switch (e.category) {
        case event_category::interested:
        case event_category::not_interested: {
            const std::string value(lemlist::to_string(e.category));
            if (!state.interest_at ||
                std::make_tuple(t, key(value)) > std::make_tuple(*state.interest_at, key(state.interest))) {
                state.interest = value;
                state.interest_at = t;
            }
            break;
        }
        case event_category::paused: advance(state.last_paused_at, t); break;
        case event_category::resumed: advance(state.last_resumed_at, t); break;
        case event_category::unsubscribed: advance(state.unsubscribed_at, t); break;
        case event_category::bounced: advance(state.bounced_at, t); break;
        default: break;
    }

    if (!state.last_event_at || std::make_tuple(t, key(e.type)) >
                                    std::make_tuple(*state.last_event_at, key(state.last_event_type))) {
        state.last_event_at = t;
        state.last_event_type = e.type;
    }

    if (e.campaign || e.lead_id) {
        if (!state.last_campaign_at ||
            std::make_tuple(t, key(e.campaign), key(e.lead_id)) >
                std::make_tuple(*state.last_campaign_at, key(state.last_campaign), key(state.lead_id))) {
            state.last_campaign_at = t;
            state.last_campaign = e.campaign;
            state.lead_id = e.lead_id;
        }
    }
    return state;
}

}  // namespace las::sync
