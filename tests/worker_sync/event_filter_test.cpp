// Which events land: the [events] filter of mode "all", and when the store's silence proves nothing.
#include <catch2/catch.hpp>

#include "core/time.hpp"
#include "sync/event_filter.hpp"
#include "sync/event_processor.hpp"

using namespace las;
using namespace las::sync;
using namespace std::chrono_literals;

TEST_CASE("mode all drops the disabled categories - per_type wants everything that arrives") {
    file_settings s;
    s.enabled_categories = {"paused", "warmed"};
    s.enabled_types = {"enrichmentDone"};
    const event_filter per_type(s);
    CHECK_FALSE(per_type.filters());
    CHECK(per_type.wanted("emailsOpened"));  // a reconcile or replay asked for it

    s.events_mode = hook_mode::all;
    const event_filter all(s);
    CHECK(all.filters());
    CHECK(all.wanted("paused"));
    CHECK(all.wanted("emailsReplied"));    // warmed
    CHECK(all.wanted("warmed"));           // the group type itself
    CHECK(all.wanted("enrichmentDone"));   // named in types
    CHECK_FALSE(all.wanted("emailsOpened"));  // hooked
    CHECK_FALSE(all.wanted("resumed"));
    CHECK_FALSE(all.wanted("someNewType"));  // other, not enabled
    CHECK(event_filter().wanted("anything"));
}

TEST_CASE("past the window or re-sent history, a first claim proves nothing") {
    const auto now = *parse_iso8601("2026-12-07T12:00:00Z");
    const std::chrono::seconds ttl = 24h;
    CHECK_FALSE(may_predate_store("webhook", now - 1h, now, ttl));
    CHECK_FALSE(may_predate_store("", now - 23h, now, ttl));
    CHECK(may_predate_store("webhook", now - 25h, now, ttl));  // a late webhook, older than the window
    CHECK(may_predate_store("reconcile", now - 1min, now, ttl));
    CHECK(may_predate_store("replay", now - 1min, now, ttl));
}
