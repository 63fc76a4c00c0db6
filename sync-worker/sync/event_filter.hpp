#pragma once
// Which Lemlist events land in Attio. With one hook per enabled type (`[events] mode =
// "per_type"`) Lemlist sends only those, and everything that arrives is wanted (a reconcile
// or replay asked for it). With the one all-events hook (`mode = "all"`) Lemlist sends every
// type, and the worker drops the disabled ones here: acked, no Attio call.

#include <set>
#include <string>
#include <string_view>

#include "core/settings.hpp"
#include "lemlist/event_type.hpp"

namespace las::sync {

class event_filter {
public:
    event_filter() = default;  // wants everything
    // Categories are validated by the settings' users (subscriptions); unknown ones are ignored here.
    explicit event_filter(const file_settings& settings);

    bool wanted(std::string_view type) const;
    bool filters() const { return filtering_; }

private:
    bool filtering_ = false;
    std::set<lemlist::event_category> categories_;
    std::set<std::string, std::less<>> types_;
};

}  // namespace las::sync
