#include "sync/event_filter.hpp"

namespace las::sync {

event_filter::event_filter(const file_settings& settings)
    : filtering_(settings.events_mode == hook_mode::all), types_(settings.enabled_types.begin(), settings.enabled_types.end()) {
    for (const auto& slug : settings.enabled_categories) {
        if (const auto c = lemlist::category_from_string(slug)) categories_.insert(*c);
    }
}

bool event_filter::wanted(std::string_view type) const {
    if (!filtering_ || types_.contains(type)) return true;
    return categories_.contains(lemlist::classify(type).category);
}

}  // namespace las::sync
