#include "tools/enroll.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "core/async_sleep.hpp"
#include "core/backoff.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "sync/enrollment_pipeline.hpp"
#include "sync/enrollment_batch.hpp"
#include "sync/enrollment_job.hpp"
#include "sync/enrollment_processor.hpp"

namespace las::tools {
namespace {

using clock = std::chrono::steady_clock;
constexpr auto progress_every = std::chrono::seconds(2);

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// Adds `id` found at `where` ("line 3", "--record #2") to `out`.
void take(record_list& out, std::map<std::string, std::string, std::less<>>& first_seen, std::string_view id,
          const std::string& where) {
    if (!is_record_id(id)) {
        out.problems.push_back(where + ": \"" + std::string(id) + "\" is not an Attio record id (a UUID)");
        return;
    }
    std::string normal(id);
    std::transform(normal.begin(), normal.end(), normal.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (auto it = first_seen.find(normal); it != first_seen.end()) {
        out.notes.push_back(where + ": duplicate of " + it->second + ", skipped");
        return;
    }
    first_seen.emplace(normal, where);
    out.ids.push_back(std::move(normal));
}

std::string describe(const sync::person_contact& c, const std::optional<std::string>& company) {
    std::string out;
    auto add = [&](std::string_view key, const std::optional<std::string>& v) {
        if (!v) return;
        if (!out.empty()) out += ' ';
        out += key;
        out += '=';
        out += *v;
    };
    add("email", c.email);
    add("first_name", c.first_name);
    add("last_name", c.last_name);
    add("linkedin", c.linkedin_url);
    add("phone", c.phone);
    add("company", company);
    return out.empty() ? std::string("(nothing)") : out;
}

std::string flags_text(const outbound::enrollment_flags& f) {
    auto b = [](bool v) { return v ? "true" : "false"; };
    return std::string("findEmail=") + b(f.find_email) + " verifyEmail=" + b(f.verify_email) + " findPhone=" +
           b(f.find_phone) + " linkedinEnrichment=" + b(f.linkedin_enrichment) + " deduplicate=" + b(f.deduplicate);
}

int dry_run(runtime& rt, sync::enrollment_processor& processor, const enroll_options& options) {
    auto& lemlist = rt.lemlist("enroll");
    int exit_code = 0;
    auto campaigns = rt.run(lemlist.list_campaigns());
    if (!campaigns) {
        std::cout << "could not list Lemlist campaigns: " << campaigns.error().describe() << "\n";
        exit_code = 1;
    } else {
        const auto it = std::find_if(campaigns->begin(), campaigns->end(),
                                     [&](const auto& c) { return c.id == options.campaign_id; });
        if (it == campaigns->end()) {
            std::cout << "campaign " << options.campaign_id << " is not one of the team's " << campaigns->size()
                      << " Lemlist campaigns\n";
            exit_code = 1;
        } else {
            std::cout << "campaign " << it->id << ": " << it->name << " (" << it->status << ")\n";
        }
    }
    std::vector<sync::lead_preview> previews(options.record_ids.size());
    rt.run([&]() -> awaitable<bool> {
        co_await sync::for_each_bounded(previews.size(), options.concurrency, [&](std::size_t i) -> awaitable<void> {
            previews[i] = co_await processor.preview(options.record_ids[i], options.flags);
        });
        co_return true;
    }());
    std::size_t ready = 0;
    for (const auto& p : previews) {
        if (p.problem) {
            std::cout << "cannot enroll " << p.record_id << ": " << *p.problem << "\n";
        } else {
            ++ready;
            std::cout << "would enroll " << p.record_id << ": " << describe(p.contact, p.company_name) << "\n";
        }
    }
    std::cout << "dry run: " << ready << " of " << previews.size() << " records would be sent to Lemlist ("
              << flags_text(options.flags) << "); nothing was written\n";
    std::cout.flush();
    return ready == previews.size() ? exit_code : 1;
}

}  // namespace

bool is_record_id(std::string_view id) {
    if (id.size() != 36) return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? id[i] != '-' : !std::isxdigit(static_cast<unsigned char>(id[i]))) return false;
    }
    return true;
}

record_list parse_record_file(std::string_view text) {
    record_list out;
    std::map<std::string, std::string, std::less<>> first_seen;
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++line_no;
        if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        line = trim(line);
        if (!line.empty()) take(out, first_seen, line, "line " + std::to_string(line_no));
    }
    return out;
}

record_list check_record_args(const std::vector<std::string>& ids) {
    record_list out;
    std::map<std::string, std::string, std::less<>> first_seen;
    for (std::size_t i = 0; i < ids.size(); ++i)
        take(out, first_seen, trim(ids[i]), "--record #" + std::to_string(i + 1));
    return out;
}

result<enroll_options, std::vector<std::string>> make_enroll_options(const enroll_args& args,
                                                                     const enrollment_defaults& defaults) {
    std::vector<std::string> problems;
    enroll_options o;
    o.campaign_id = args.campaign_id;
    if (!sync::is_campaign_id(args.campaign_id))
        problems.push_back("--campaign: \"" + args.campaign_id + "\" is not a Lemlist campaign id (cam_…)");
    record_list records;
    if (args.from_file && !args.record_ids.empty()) {
        problems.push_back("give --record or --from-file, not both");
    } else if (args.from_file) {
        std::ifstream in(*args.from_file, std::ios::binary);
        if (!in) {
            problems.push_back("--from-file: cannot read " + *args.from_file);
        } else {
            std::ostringstream text;
            text << in.rdbuf();
            records = parse_record_file(text.str());
            for (auto& p : records.problems) problems.push_back(*args.from_file + ": " + p);
            if (records.ids.empty() && records.problems.empty())
                problems.push_back("--from-file: " + *args.from_file + " holds no record ids");
        }
    } else if (!args.record_ids.empty()) {
        records = check_record_args(args.record_ids);
        for (auto& p : records.problems) problems.push_back(std::move(p));
    } else {
        problems.push_back("give the records to enroll: --record ID… or --from-file F");
    }
    if (args.concurrency == 0 || args.concurrency > 64) problems.push_back("--concurrency: 1..64");
    if (!problems.empty()) return fail(std::move(problems));
    o.notes = std::move(records.notes);
    o.record_ids = std::move(records.ids);
    o.flags = sync::flags_from(defaults);
    if (args.find_email) o.flags.find_email = *args.find_email;
    if (args.verify_email) o.flags.verify_email = *args.verify_email;
    if (args.find_phone) o.flags.find_phone = *args.find_phone;
    if (args.linkedin_enrichment) o.flags.linkedin_enrichment = *args.linkedin_enrichment;
    if (args.deduplicate) o.flags.deduplicate = *args.deduplicate;
    o.icebreaker = args.icebreaker;
    o.dry_run = args.dry_run;
    o.concurrency = args.concurrency;
    return o;
}

std::string enroll_tally::progress_line(std::size_t total) const {
    return "[" + std::to_string(done()) + "/" + std::to_string(total) + "] enrolled=" + std::to_string(enrolled) +
           " duplicate=" + std::to_string(duplicate) + " rejected=" + std::to_string(rejected) +
           " failed=" + std::to_string(failed);
}

int enroll_command(runtime& rt, const enroll_options& options) {
    if (!sync::is_campaign_id(options.campaign_id)) {
        std::cerr << "sync-worker: --campaign: \"" << options.campaign_id << "\" is not a Lemlist campaign id (cam_…)\n";
        return 2;
    }
    if (options.record_ids.empty()) {
        std::cerr << "sync-worker: no record ids to enroll\n";
        return 2;
    }
    for (const auto& note : options.notes) std::cout << "note: " << note << "\n";
    auto& attio = rt.attio("enroll");
    auto& lemlist = rt.lemlist("enroll");
    sync::enrollment_processor processor(attio, lemlist, *rt.state().idempotency, rt.blocking());
    if (options.dry_run) return dry_run(rt, processor, options);

    // One job id per run: a record is claimed under it, so a crash and a re-run start afresh
    // (Lemlist's own duplicate answer then says what landed the first time).
    const std::string job_id = "cli_" + crypto::random_hex(8);
    const std::size_t total = options.record_ids.size();
    std::cout << "enrolling " << total << " record" << (total == 1 ? "" : "s") << " into " << options.campaign_id
              << " (" << flags_text(options.flags) << "), job " << job_id << "\n";
    std::cout.flush();

    enroll_tally tally;
    auto last_progress = clock::now();
    rt.run([&]() -> awaitable<bool> {
        co_await sync::for_each_bounded(total, options.concurrency, [&](std::size_t i) -> awaitable<void> {
            sync::record_request request{job_id, options.campaign_id, options.record_ids[i], options.flags,
                                         options.icebreaker};
            sync::record_outcome o;
            for (unsigned attempt = 1;; ++attempt) {
                o = co_await processor.process(request);
                const bool again = o.what == sync::record_outcome::kind::retry ||
                                   o.what == sync::record_outcome::kind::deferred;
                if (!again) break;
                if (attempt >= options.attempts) {
                    o.status = sync::enrollment_status::failed;
                    o.message = "gave up after " + std::to_string(attempt) + " attempts: " + o.message;
                    o.written_back = co_await processor.mark_failed(o);
                    break;
                }
                const backoff_policy steps{options.retry_base, options.retry_base * 32};
                auto wait = backoff_delay(steps, attempt - 1, 1.0);
                if (o.retry_after) wait = std::max(wait, *o.retry_after);
                co_await async_sleep(wait);
            }
            o.record_id = request.record_id;
            // A verdict Attio would not take (write-back refused) counts as a failure.
            const bool clean = o.what == sync::record_outcome::kind::done;
            const auto status = o.status.value_or(sync::enrollment_status::failed);
            if (!clean) ++tally.failed;
            else if (status == sync::enrollment_status::enrolled) ++tally.enrolled;
            else if (status == sync::enrollment_status::duplicate) ++tally.duplicate;
            else if (status == sync::enrollment_status::rejected) ++tally.rejected;
            else ++tally.failed;
            if (!clean || status != sync::enrollment_status::enrolled) {
                std::cout << (clean ? sync::to_string(status) : std::string_view("failed")) << " " << o.record_id;
                if (!clean && status != sync::enrollment_status::failed) std::cout << " (Lemlist: " << sync::to_string(status) << ")";
                if (!o.message.empty()) std::cout << ": " << o.message;
                if (!o.written_back) std::cout << " [not written on the Person]";
                std::cout << "\n";
            }
            if (clock::now() - last_progress >= progress_every) {
                last_progress = clock::now();
                std::cout << tally.progress_line(total) << "\n";
                std::cout.flush();
            }
        });
        co_return true;
    }());
    std::cout << tally.progress_line(total) << "\n";
    std::cout << "enroll: " << tally.enrolled << " enrolled, " << tally.duplicate << " duplicate, " << tally.rejected
              << " rejected, " << tally.failed << " failed of " << total << "\n";
    std::cout.flush();
    return tally.failed == 0 ? 0 : 1;
}

enrollment_consumer::enrollment_consumer(runtime& rt, const amqp::connection_settings& broker,
                                         amqp::publisher& publisher) {
    const auto& settings = rt.settings();
    if (!settings.lemlist_api_key) {
        log::warn("enrollments.disabled", {{"queue", amqp::attio_enrollments_name},
                                           {"reason", "LEMLIST_API_KEY is not set: enrollment jobs wait in the queue"}});
        return;
    }
    processor_ = std::make_unique<sync::enrollment_processor>(rt.attio("run"), rt.lemlist("run"),
                                                              *rt.state().idempotency, rt.blocking());
    sync::enrollment_pipeline_settings ps;
    ps.max_attempts = settings.max_attempts;
    ps.defaults = settings.file.enrollment;
    ps.enrollment_list = settings.file.enrollment_list;
    ps.campaign_attribute = settings.file.enrollment_campaign_attribute;
    pipeline_ = std::make_unique<sync::enrollment_pipeline>(rt.io(), broker, publisher, *processor_, rt.attio("run"),
                                                            rt.registry(), ps);
    pipeline_->track_jobs(*rt.state().jobs, rt.blocking());  // for GET /v1/enrollments/{job_id}
    pipeline_->start();
    log::info("enrollments.running", {{"queue", amqp::attio_enrollments_name}, {"prefetch", ps.prefetch}});
}

enrollment_consumer::~enrollment_consumer() { stop(std::chrono::milliseconds(0)); }

void enrollment_consumer::stop(std::chrono::milliseconds drain) {
    if (pipeline_) pipeline_->stop(drain);
}

bool enrollment_consumer::ready() const { return !pipeline_ || pipeline_->consuming(); }

}  // namespace las::tools
