#include "tools/provision.hpp"

#include <algorithm>
#include <map>

#include "core/async_sleep.hpp"
#include "core/backoff.hpp"
#include "sync/mapped_value.hpp"

namespace las::tools {
namespace {

using sync::attribute_spec;

constexpr std::string_view managed_note = "Managed by lemlist-attio-sync";
constexpr std::string_view mapping_subject_prefix = "CONFIG_FILE mappings[";

std::string seconds_text(std::chrono::milliseconds d) {
    const auto tenths = (d.count() + 50) / 100;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

std::string humanize(std::string_view slug) {
    std::string out(slug);
    std::replace(out.begin(), out.end(), '_', ' ');
    if (!out.empty() && out.front() >= 'a' && out.front() <= 'z') out.front() = static_cast<char>(out.front() - 'a' + 'A');
    return out;
}

std::string attribute_subject(std::string_view where, std::string_view slug) {
    return "attribute " + std::string(where) + "." + std::string(slug);
}

std::string option_subject(std::string_view where, std::string_view slug, std::string_view title) {
    return "option " + std::string(where) + "." + std::string(slug) + " = " + std::string(title);
}

attio::attribute_definition definition_of(const attribute_spec& spec) {
    attio::attribute_definition def;
    def.api_slug = spec.slug;
    def.title = spec.title;
    def.description = std::string(managed_note);
    def.type = std::string(sync::to_string(spec.type));
    def.is_unique = spec.unique;
    return def;
}

const attio::attribute_info* find_slug(const std::vector<attio::attribute_info>& have, std::string_view slug) {
    const auto it = std::find_if(have.begin(), have.end(), [&](const auto& a) { return a.api_slug == slug; });
    return it == have.end() ? nullptr : &*it;
}

// One provisioning run; lives in the frame of provision(), so its member coroutines may
// refer to it.
class provisioner {
public:
    provisioner(attio::client& attio, const provision_options& options)
        : attio_(attio), backoff_(options.retry_backoff), on_wait_(options.on_wait),
          deadline_(std::chrono::steady_clock::now() + options.retry_budget) {
        report_.dry_run = options.dry_run;
    }

    provision_report take() { return std::move(report_); }

    // Whether the list is there now (planned, in a dry run), or an API error ended the run.
    enum class list_state { exists, planned, failed };

    awaitable<list_state> ensure_list(const list_spec& list) {
        const std::string subject = "list " + list.slug;
        auto found = co_await patiently(subject, [&] { return attio_.get_list(list.slug); });
        if (found) {
            check_list(found.value(), list, subject);
            co_return list_state::exists;
        }
        if (!attio::is_not_found(found.error())) co_return failed(subject, found.error());
        const std::string detail = "\"" + list.name + "\", parent " + list.parent_object + ", workspace access full-access";
        if (report_.dry_run) {
            push(provision_step::create_list, subject, detail, false);
            co_return list_state::planned;
        }
        attio::list_definition def{list.slug, list.name, list.parent_object, "full-access"};
        auto created = co_await patiently(subject, [&] { return attio_.create_list(def); });
        if (created) {
            push(provision_step::create_list, subject, detail, true);
            co_return list_state::exists;
        }
        if (!attio::is_slug_conflict(created.error())) co_return failed(subject, created.error());
        // Someone created it since we looked (another provision run): check theirs.
        auto again = co_await patiently(subject, [&] { return attio_.get_list(list.slug); });
        if (!again) co_return failed(subject, again.error());
        check_list(again.value(), list, subject);
        co_return list_state::exists;
    }

    // The attributes of one object or list. `exists` false: a dry run planned the list, so
    // everything on it is planned too.
    awaitable<bool> ensure_attributes(attio::target target, const std::string& identifier,
                                      const std::vector<attribute_spec>& specs, bool exists) {
        std::vector<attio::attribute_info> have;
        if (exists) {
            auto listed = co_await patiently("attributes of " + identifier, [&] { return attio_.list_attributes(target, identifier); });
            if (!listed) co_return error("attributes of " + identifier, listed.error());
            have = std::move(listed).value();
            listed_[identifier] = have;  // the mapping checks read the same listing
        }
        for (const auto& spec : specs) {
            if (!co_await ensure_attribute(target, identifier, spec, find_slug(have, spec.slug))) co_return false;
        }
        co_return true;
    }

    // Each [[mappings]] target must exist, unarchived, with a type that can hold a Lemlist
    // value; select mappings learn their live options. Resolved mappings go to the report.
    awaitable<void> check_mappings(std::vector<attribute_mapping> mappings, const std::string& events_list) {
        // Per object or list: what ensure_attributes listed (mapping targets are the operator's own
        // attributes, there before this run); nullopt for a list a dry run only planned.
        std::map<std::string, std::optional<std::vector<attio::attribute_info>>> listed(listed_.begin(), listed_.end());
        for (std::size_t i = 0; i < mappings.size(); ++i) {
            auto& m = mappings[i];
            const bool on_entry = m.on == attribute_mapping::target::entry;
            const std::string where = on_entry ? events_list : std::string(sync::people_object);
            const auto target = on_entry ? attio::target::lists : attio::target::objects;
            const std::string subject = std::string(mapping_subject_prefix) + std::to_string(i) + "] (" +
                                        m.lemlist_field + " -> " + where + "." + m.attio_attribute + ")";
            if (sync::is_managed_attribute(on_entry, m.attio_attribute)) {
                error(subject, "`" + m.attio_attribute + "` is written by lemlist-attio-sync itself; map onto an attribute of your own");
                continue;
            }
            if (!listed.contains(where)) {
                auto got = co_await patiently("attributes of " + where, [&] { return attio_.list_attributes(target, where); });
                if (!got && attio::is_not_found(got.error()) && report_.dry_run) {
                    listed[where] = std::nullopt;  // the list is only planned: nothing to check against yet
                } else if (!got) {
                    error(subject, got.error());
                    continue;
                } else {
                    listed[where] = std::move(got).value();
                }
            }
            if (!listed[where]) {
                push(provision_step::ok, subject, "not checked: " + where + " does not exist yet", false);
                continue;
            }
            const auto* have = find_slug(*listed[where], m.attio_attribute);
            if (have == nullptr) {
                error(subject, "no attribute `" + m.attio_attribute + "` on " + where +
                                   " in Attio; create it (text, number, checkbox, timestamp, date, select…) or fix `to`");
                continue;
            }
            if (have->is_archived) {
                error(subject, "attribute `" + m.attio_attribute + "` is archived; unarchive it or fix `to`");
                continue;
            }
            if (!sync::can_map_onto(have->type)) {
                error(subject, "attribute `" + m.attio_attribute + "` is of type " + have->type +
                                   ", which cannot hold a Lemlist value (use text, number, checkbox, timestamp, date or select)");
                continue;
            }
            m.attio_type = have->type;
            m.multiselect = have->is_multiselect;
            if (have->type == "select") {
                auto options = co_await patiently(subject + " options", [&] { return attio_.list_options(target, where, m.attio_attribute); });
                if (!options) {
                    error(subject, options.error());
                    continue;
                }
                for (const auto& o : options.value())
                    if (!o.is_archived) m.option_titles.push_back(o.title);
            }
            push(provision_step::ok, subject, have->type + (have->is_multiselect ? ", multiselect" : ""), false);
            report_.mappings.push_back(m);
        }
    }

private:
    // One Attio call, sent again after transient failures (5xx, 429, timeouts, lost answers)
    // until it succeeds, fails for good, or the run's retry budget would be overspent.
    template <class Call>
    auto patiently(const std::string& what, const Call& call) -> decltype(call()) {
        auto answer = co_await call();
        for (unsigned attempt = 1; !answer && outbound::is_retryable(answer.error().kind); ++attempt) {
            const auto& e = answer.error();
            const auto delay = e.retry_after.value_or(backoff_delay(backoff_, attempt, 1.0));
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
            if (delay > left) {
                answer.error().message += " (still failing after " + std::to_string(attempt) +
                                          " attempt(s); the retry budget is spent)";
                break;
            }
            if (on_wait_) {
                on_wait_("waiting " + seconds_text(delay) + " before retrying " + what + ": " + e.describe() +
                         " (attempt " + std::to_string(attempt + 1) + ", giving up in " + seconds_text(left) + ")");
            }
            co_await async_sleep(delay);
            answer = co_await call();
        }
        co_return answer;
    }

    awaitable<bool> ensure_attribute(attio::target target, const std::string& identifier, const attribute_spec& spec,
                                     const attio::attribute_info* have) {
        const auto subject = attribute_subject(identifier, spec.slug);
        auto check = check_attribute(spec, have);
        if (check.status == attribute_check::state::missing) {
            std::string detail(sync::to_string(spec.type));
            if (spec.unique) detail += ", unique";
            if (report_.dry_run) {
                push(provision_step::create_attribute, subject, detail, false);
                co_return co_await ensure_options(target, identifier, spec, false);
            }
            auto created = co_await patiently(subject, [&] { return attio_.create_attribute(target, identifier, definition_of(spec)); });
            if (created) {
                push(provision_step::create_attribute, subject, detail, true);
                co_return co_await ensure_options(target, identifier, spec, false);
            }
            if (!attio::is_slug_conflict(created.error())) co_return error(subject, created.error());
            // Created concurrently: compare what is there now.
            auto listed = co_await patiently(subject, [&] { return attio_.list_attributes(target, identifier); });
            if (!listed) co_return error(subject, listed.error());
            check = check_attribute(spec, find_slug(listed.value(), spec.slug));
            if (check.status == attribute_check::state::missing) {
                co_return error(subject, "Attio answers slug_conflict but does not list the attribute");
            }
        }
        if (check.status == attribute_check::state::drift) {
            push(provision_step::drift, subject, check.detail, false);
            co_return true;  // its options are left alone too: the attribute is not ours as it stands
        }
        push(provision_step::ok, subject, std::string(sync::to_string(spec.type)) + (spec.unique ? ", unique" : ""),
             false);
        co_return co_await ensure_options(target, identifier, spec, true);
    }

    // `exists` false: the attribute is new (or planned), so it has no options yet.
    awaitable<bool> ensure_options(attio::target target, const std::string& identifier, const attribute_spec& spec,
                                   bool exists) {
        if (spec.type != sync::attribute_type::select || spec.options.empty()) co_return true;
        std::vector<attio::select_option> have;
        if (exists) {
            auto listed = co_await patiently(attribute_subject(identifier, spec.slug) + " options",
                                           [&] { return attio_.list_options(target, identifier, spec.slug); });
            if (!listed) co_return error(attribute_subject(identifier, spec.slug) + " options", listed.error());
            have = std::move(listed).value();
        }
        const auto check = check_options(spec, have);
        for (const auto& title : check.archived) {
            push(provision_step::drift, option_subject(identifier, spec.slug, title),
                 "the option is archived; unarchive it in Attio (events with it would be refused)", false);
        }
        for (const auto& title : check.missing) {
            const auto subject = option_subject(identifier, spec.slug, title);
            if (report_.dry_run) {
                push(provision_step::create_option, subject, {}, false);
                continue;
            }
            auto created = co_await patiently(subject, [&] { return attio_.create_option(target, identifier, spec.slug, title); });
            if (created) {
                push(provision_step::create_option, subject, {}, true);
            } else if (attio::is_slug_conflict(created.error())) {
                push(provision_step::ok, subject, "created concurrently", false);
            } else {
                co_return error(subject, created.error());
            }
        }
        co_return true;
    }

    void check_list(const attio::list_info& have, const list_spec& want, const std::string& subject) {
        const bool parent_ok = std::find(have.parent_objects.begin(), have.parent_objects.end(), want.parent_object) !=
                               have.parent_objects.end();
        if (parent_ok) {
            push(provision_step::ok, subject, "parent " + want.parent_object, false);
            return;
        }
        std::string parents;
        for (const auto& p : have.parent_objects) parents += (parents.empty() ? "" : ",") + p;
        push(provision_step::drift, subject,
             "parent object is " + (parents.empty() ? std::string("unknown") : parents) + ", expected " +
                 want.parent_object + "; not changed (a list's parent cannot be changed: rename or remove that list in Attio)",
             false);
    }

    list_state failed(const std::string& subject, const attio::call_error& e) {
        error(subject, e);
        return list_state::failed;
    }
    bool error(const std::string& subject, const attio::call_error& e) { return error(subject, e.describe()); }
    bool error(const std::string& subject, const std::string& message) {
        push(provision_step::error, subject, message, false);
        return false;
    }

    void push(provision_step step, std::string subject, std::string detail, bool applied) {
        report_.actions.push_back({step, std::move(subject), std::move(detail), applied});
    }

    attio::client& attio_;
    std::map<std::string, std::vector<attio::attribute_info>> listed_;  // attributes per object or list, as listed
    backoff_policy backoff_;
    std::function<void(const std::string&)> on_wait_;
    std::chrono::steady_clock::time_point deadline_;
    provision_report report_;
};

}  // namespace

std::string_view to_string(provision_step step) {
    switch (step) {
        case provision_step::create_list: return "create_list";
        case provision_step::create_attribute: return "create_attribute";
        case provision_step::create_option: return "create_option";
        case provision_step::ok: return "ok";
        case provision_step::drift: return "drift";
        case provision_step::error: return "error";
    }
    return "error";
}

std::size_t provision_report::count(provision_step step) const {
    return static_cast<std::size_t>(
        std::count_if(actions.begin(), actions.end(), [&](const auto& a) { return a.step == step; }));
}

std::size_t provision_report::changes() const {
    return count(provision_step::create_list) + count(provision_step::create_attribute) +
           count(provision_step::create_option);
}

int provision_report::exit_code() const {
    if (has_errors()) return 2;
    if (has_drift()) return 1;
    return 0;
}

std::vector<std::string> provision_report::lines(bool verbose) const {
    std::vector<std::string> out;
    for (const auto& a : actions) {
        std::string verb;
        switch (a.step) {
            case provision_step::create_list:
            case provision_step::create_attribute:
            case provision_step::create_option:
                verb = a.applied ? "created" : (dry_run ? "would create" : "NOT created");
                break;
            case provision_step::ok:
                if (!verbose) continue;
                verb = "ok";
                break;
            case provision_step::drift: verb = "DRIFT"; break;
            case provision_step::error: verb = "ERROR"; break;
        }
        std::string line = verb + " " + a.subject;
        if (!a.detail.empty()) line += a.step == provision_step::ok ? " (" + a.detail + ")" : ": " + a.detail;
        out.push_back(std::move(line));
    }
    const auto n_changes = changes();
    const auto n_drift = count(provision_step::drift);
    std::string summary;
    if (has_errors()) {
        summary = "provisioning stopped on an API error (" + std::to_string(n_changes) +
                  (dry_run ? " change(s) planned before it)" : " change(s) made before it); fix the cause and run it again");
    } else if (dry_run) {
        summary = n_changes == 0 ? "dry run: nothing to change" : "dry run: " + std::to_string(n_changes) + " change(s) would be made";
    } else {
        summary = n_changes == 0 ? "nothing to change: the workspace is already provisioned"
                                 : std::to_string(n_changes) + " change(s) made";
    }
    if (n_drift > 0) {
        summary += "; " + std::to_string(n_drift) + " drift(s) reported and left as they are: fix them in Attio";
    }
    summary += " (" + std::to_string(count(provision_step::ok)) + " item(s) already as expected)";
    out.push_back(std::move(summary));
    return out;
}

std::optional<enrollment_list_spec> enrollment_list_from(const file_settings& settings) {
    if (settings.enrollment_list.empty()) return std::nullopt;
    return enrollment_list_spec{settings.enrollment_list, settings.enrollment_campaign_attribute};
}

schema_spec desired_schema(const std::optional<enrollment_list_spec>& enrollment) {
    schema_spec out;
    out.lists.push_back({std::string(sync::events_list_slug), std::string(sync::events_list_name),
                         std::string(sync::people_object), sync::entry_attributes()});
    if (enrollment) {
        out.lists.push_back({enrollment->list_slug, humanize(enrollment->list_slug), std::string(sync::people_object),
                             sync::enrollment_entry_attributes(enrollment->campaign_attribute)});
    }
    out.person_object = std::string(sync::people_object);
    out.person_attributes = sync::person_attributes();
    return out;
}

attribute_check check_attribute(const sync::attribute_spec& want, const attio::attribute_info* have) {
    attribute_check out;
    if (!have) return out;
    std::vector<std::string> problems;
    const auto want_type = sync::to_string(want.type);
    if (have->type != want_type) problems.push_back("type is " + have->type + ", expected " + std::string(want_type));
    if (have->is_unique != want.unique)
        problems.push_back(want.unique ? "not unique, expected unique" : "unique, expected not unique");
    if (have->is_multiselect) problems.push_back("multiselect, expected single value");
    if (have->is_archived) problems.push_back("archived");
    if (problems.empty()) {
        out.status = attribute_check::state::matches;
        return out;
    }
    out.status = attribute_check::state::drift;
    for (const auto& p : problems) out.detail += (out.detail.empty() ? "" : "; ") + p;
    out.detail += "; not changed (fix it in Attio)";
    return out;
}

option_check check_options(const sync::attribute_spec& want, std::span<const attio::select_option> have) {
    option_check out;
    for (const auto& title : want.options) {
        const auto it = std::find_if(have.begin(), have.end(), [&](const auto& o) { return o.title == title; });
        if (it == have.end()) {
            out.missing.push_back(title);
        } else if (it->is_archived) {
            out.archived.push_back(title);
        }
    }
    return out;
}

awaitable<provision_report> provision(attio::client& attio, provision_options options) {
    const auto schema = desired_schema(options.enrollment);
    provisioner run(attio, options);
    for (const auto& list : schema.lists) {
        const auto state = co_await run.ensure_list(list);
        if (state == provisioner::list_state::failed) co_return run.take();
        const bool exists = state == provisioner::list_state::exists;
        if (!co_await run.ensure_attributes(attio::target::lists, list.slug, list.attributes, exists))
            co_return run.take();
    }
    if (!co_await run.ensure_attributes(attio::target::objects, schema.person_object, schema.person_attributes, true))
        co_return run.take();
    co_await run.check_mappings(options.mappings, schema.lists.front().slug);
    co_return run.take();
}

awaitable<workspace_check> check_provisioned(attio::client& attio, std::optional<enrollment_list_spec> enrollment,
                                             std::vector<attribute_mapping> mappings,
                                             std::function<void(const std::string&)> on_wait,
                                             std::chrono::milliseconds retry_budget) {
    // A named argument: g++ 12 destroys a braced temporary in a co_await expression twice.
    provision_options dry_run;
    dry_run.dry_run = true;
    dry_run.enrollment = std::move(enrollment);
    dry_run.on_wait = std::move(on_wait);
    dry_run.mappings = std::move(mappings);
    dry_run.retry_budget = retry_budget;
    auto report = co_await provision(attio, std::move(dry_run));
    workspace_check out;
    out.mappings = std::move(report.mappings);
    auto first_of = [&](auto pred) -> std::string {
        const auto it = std::find_if(report.actions.begin(), report.actions.end(), pred);
        return it == report.actions.end() ? std::string() : it->subject + (it->detail.empty() ? "" : ": " + it->detail);
    };
    const auto bad_mapping = first_of([](const auto& a) {
        return a.step == provision_step::error && a.subject.starts_with(mapping_subject_prefix);
    });
    if (!bad_mapping.empty()) {
        out.problem = bad_mapping;
    } else if (report.has_errors()) {
        out.problem = "cannot check the Attio workspace (" +
                      first_of([](const auto& a) { return a.step == provision_step::error; }) + ")";
    } else if (report.has_drift()) {
        out.problem = "the Attio workspace differs from what this product writes (" +
                      first_of([](const auto& a) { return a.step == provision_step::drift; }) +
                      "); run `sync-worker provision --dry-run` for the full report";
    } else if (report.changes() > 0) {
        out.problem = "the Attio workspace is not provisioned (" + std::to_string(report.changes()) +
                      " item(s) missing, first: " +
                      first_of([](const auto& a) {
                          return a.step == provision_step::create_list || a.step == provision_step::create_attribute ||
                                 a.step == provision_step::create_option;
                      }) +
                      "); run `sync-worker provision`";
    }
    co_return out;
}

}  // namespace las::tools
