#pragma once
// `sync-worker provision [--dry-run]`: make the Attio workspace hold what the product writes
// (sync/attio_schema.hpp): the list `lemlist_events` (parent people) with its entry
// attributes, the Person attributes (`lemlist_linkedin_url` unique) and every select option;
// plus the enrollment list of the TOML settings with its attributes (the campaign-id text, the
// per-entry options, the status select and reason text written back: attio_schema.hpp).
//
// Additive and idempotent: what exists is left alone, what is missing is created, a second
// run creates nothing and says so. Drift (our slug with another type, a unique flag that
// differs, an archived attribute or option, a list with another parent) is reported, never
// "fixed" (that would destroy data); the exit code is then non-zero so operators notice.
// `--dry-run` reads only and reports what a run would create.
//
// The worker's `run` calls check_provisioned() first and refuses to consume from a workspace
// that is not provisioned.

#include <cstddef>
#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attio/client.hpp"
#include "core/backoff.hpp"
#include "core/settings.hpp"
#include "core/asio.hpp"
#include "sync/attio_schema.hpp"

namespace las::tools {

enum class provision_step { create_list, create_attribute, create_option, ok, drift, error };
std::string_view to_string(provision_step step);

struct provision_action {
    provision_step step = provision_step::ok;
    std::string subject;  // "list lemlist_events", "attribute people.lemlist_status",
                          // "option lemlist_events.channel = email"
    std::string detail;
    bool applied = false;  // the write was made (never in a dry run)
};

struct provision_report {
    bool dry_run = false;
    std::vector<provision_action> actions;
    std::vector<attribute_mapping> mappings;  // the [[mappings]], resolved (type, options) where they checked out

    std::size_t count(provision_step step) const;
    std::size_t changes() const;  // create_* actions (applied, or planned in a dry run)
    bool has_drift() const { return count(provision_step::drift) > 0; }
    bool has_errors() const { return count(provision_step::error) > 0; }
    // 0: provisioned (or, in a dry run, only creations pending); 1: drift; 2: an API error.
    int exit_code() const;
    // One readable line per action (ok lines only when `verbose`), then a summary line.
    std::vector<std::string> lines(bool verbose = false) const;
};

// The optional enrollment list: entries on it (parent people) trigger enrollments; the
// campaign comes from a text attribute on the entry.
struct enrollment_list_spec {
    std::string list_slug;
    std::string campaign_attribute;
};
// From the TOML settings; nullopt when `enrollment_list` is empty.
std::optional<enrollment_list_spec> enrollment_list_from(const file_settings& settings);

// What provisioning makes, as data.
struct list_spec {
    std::string slug;
    std::string name;
    std::string parent_object;
    std::vector<sync::attribute_spec> attributes;
};
struct schema_spec {
    std::vector<list_spec> lists;
    std::string person_object;
    std::vector<sync::attribute_spec> person_attributes;
};
schema_spec desired_schema(const std::optional<enrollment_list_spec>& enrollment);

// Pure comparison of one attribute with what Attio has (nullptr: absent).
struct attribute_check {
    enum class state { missing, matches, drift } status = state::missing;
    std::string detail;  // for drift: every difference, e.g. "type is number, expected text"
};
attribute_check check_attribute(const sync::attribute_spec& want, const attio::attribute_info* have);

// The options of `want` not among `have` (by exact title) and those present but archived.
struct option_check {
    std::vector<std::string> missing;
    std::vector<std::string> archived;
};
option_check check_options(const sync::attribute_spec& want, std::span<const attio::select_option> have);

struct provision_options {
    bool dry_run = false;
    std::optional<enrollment_list_spec> enrollment;
    // Transient failures (5xx, 429, timeouts, lost answers) are retried with backoff (a 429's
    // Retry-After honoured) for up to this long in all; only then does the run stop on them.
    // `on_wait` hears each pause, in one line: what failed, how long it waits, what is left.
    // A create whose answer was lost is simply sent again: a second create of the same slug
    // answers slug_conflict, which the run already reads as "it is there, check it".
    std::chrono::milliseconds retry_budget{120'000};
    backoff_policy retry_backoff{std::chrono::milliseconds(500), std::chrono::milliseconds(15'000)};  // 1 s, 2 s, 4 s … 15 s
    std::function<void(const std::string&)> on_wait;
    // CONFIG_FILE [[mappings]]: each target must exist with a type that can hold a Lemlist
    // value; a bad one is an `error` action whose subject starts with "CONFIG_FILE mappings[i]".
    std::vector<attribute_mapping> mappings;
};

// Never throws for API answers: an API error ends the run with an `error` action.
awaitable<provision_report> provision(attio::client& attio, provision_options options);

// What `run` needs before it consumes: `problem` unset when the workspace holds everything
// (no creation pending, no drift, every mapping valid), otherwise one line saying what is
// wrong and what to do; `mappings` resolved for the processor.
struct workspace_check {
    std::optional<std::string> problem;
    std::vector<attribute_mapping> mappings;
};
// Transient failures are waited out as in provision(); `on_wait` hears each pause.
awaitable<workspace_check> check_provisioned(attio::client& attio, std::optional<enrollment_list_spec> enrollment,
                                             std::vector<attribute_mapping> mappings = {},
                                             std::function<void(const std::string&)> on_wait = {},
                                             std::chrono::milliseconds retry_budget = std::chrono::seconds(120));

}  // namespace las::tools
