#include "emu/player.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <cctype>
#include <functional>

#include "core/json.hpp"
#include "emu/event_types.hpp"
#include "emu/json_out.hpp"

namespace las::lemlist_emu {

namespace {

using ms = std::chrono::milliseconds;
constexpr std::int64_t minute = 60'000;
constexpr std::int64_t hour = 60 * minute;

constexpr std::array<std::string_view, 7> channel_names{"email", "linkedin", "whatsapp", "sms", "call", "api", "manual"};

struct company_info {
    std::string_view name;
    std::string_view domain;
    std::string_view industry;
};

constexpr std::array<company_info, 14> companies{{
    {"Acme Robotics", "acme-robotics.example", "Industrial Automation"},
    {"Globex", "globex.example", "Energy"},
    {"Initech", "initech.example", "Software Development"},
    {"Umbrella Logistics", "umbrella-logistics.example", "Logistics"},
    {"Hooli", "hooli.example", "Technology"},
    {"Stark Industries", "stark-industries.example", "Manufacturing"},
    {"Wayne Enterprises", "wayne.example", "Conglomerate"},
    {"Soylent Foods", "soylent.example", "Food & Beverages"},
    {"Massive Dynamic", "massive-dynamic.example", "Research"},
    {"Pied Piper", "piedpiper.example", "Software Development"},
    {"Tyrell Systems", "tyrell.example", "Biotechnology"},
    {"Vandelay Industries", "vandelay.example", "Import & Export"},
    {"Bauma Maschinenbau GmbH", "bauma-maschinenbau.example", "Machinery"},
    {"Café Lumière SAS", "cafe-lumiere.example", "Hospitality"},
}};

constexpr std::array<std::string_view, 30> first_names{
    "Jonas", "Maria", "Sam",   "Léa",    "Chloé",  "Mateo",  "Aarav",  "Yuki",  "Olivia", "Noah",
    "Emma",  "Lucas", "Zoë",   "Björn",  "Ana",    "Wei",    "Fatima", "Liam",  "Sofía",  "Jürgen",
    "Amélie", "Kofi", "Ingrid", "Rafael", "Priya", "Tomás",  "Hannah", "Oskar", "Elif",   "Mia"};

constexpr std::array<std::string_view, 25> last_names{
    "Schmidt", "Dupont",  "Taylor",    "García", "Müller",    "Nguyen", "Rossi",    "Kowalski", "O'Brien",
    "Søndergaard", "Fernández", "Novak", "Kim",  "Okafor",    "Laurent", "Andersson", "Silva",   "Yamamoto",
    "Dubois",  "Van der Berg", "Haddad", "Costa", "Ivanova", "Moreau",  "Patel"};

constexpr std::array<std::string_view, 10> job_titles{
    "Head of Sales",   "VP Marketing", "RevOps Lead",       "GTM Engineer",
    "CTO",             "Founder & CEO", "Leiter Wartung und Instandhaltung", "Directrice commerciale",
    "Account Executive", "Growth Manager"};

constexpr std::array<std::string_view, 6> unknown_types{"meetingBooked", "emailsForwarded", "linkedinCommentDone",
                                                        "signalScored",  "skipped",         "opportunitiesDone"};

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

// Lower-case ASCII for email local parts and URL slugs: common Latin accents folded, other
// characters (spaces, apostrophes, hyphens) dropped.
std::string ascii_fold(std::string_view s) {
    static const std::array<std::pair<std::string_view, std::string_view>, 26> table{{
        {"é", "e"}, {"è", "e"}, {"ê", "e"}, {"ë", "e"}, {"á", "a"}, {"à", "a"}, {"â", "a"},
        {"ä", "a"}, {"ã", "a"}, {"å", "a"}, {"í", "i"}, {"ï", "i"}, {"ó", "o"}, {"ö", "o"},
        {"ô", "o"}, {"ø", "o"}, {"ú", "u"}, {"ü", "u"}, {"ñ", "n"}, {"ç", "c"}, {"ß", "ss"},
        {"É", "e"}, {"Ö", "o"}, {"Ü", "u"}, {"Ø", "o"}, {"Å", "a"},
    }};
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        bool matched = false;
        for (const auto& [from, to] : table) {
            if (s.substr(i, from.size()) == from) {
                out += to;
                i += from.size();
                matched = true;
                break;
            }
        }
        if (matched) continue;
        const auto c = static_cast<unsigned char>(s[i]);
        if (std::isalnum(c) && c < 128) out.push_back(static_cast<char>(std::tolower(c)));
        ++i;
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

enum class step_kind { email, linkedin_visit, linkedin_invite, linkedin_message, whatsapp, sms, call, api };

struct step {
    step_kind kind;
    int index = 0;         // sequenceStep (0-based)
    int email_number = 0;  // 0 for the opener, 1.. for follow-ups
    std::string step_id;
    std::string template_id;
    std::string template_name;
    std::string subject;   // email steps; "{company}" is replaced per lead
};

bool is_email_channel(step_kind k) { return k == step_kind::email; }

std::vector<step> build_sequence(const campaign& c, const std::set<std::string, std::less<>>& channels) {
    rng r(fnv1a(c.id) ^ 0x5E0C0E11CEULL);
    const auto has = [&](std::string_view ch) { return channels.count(ch) > 0; };
    static constexpr std::array<std::string_view, 3> subjects{"Quick question about {company}",
                                                              "Re: Quick question about {company}",
                                                              "Last try: {company} x lemlist"};
    static constexpr std::array<std::string_view, 3> email_templates{"Opener", "Follow-up", "Break-up"};
    std::vector<step> seq;
    int email_number = 0;
    const auto add = [&](step_kind k, std::string_view name) {
        step s{k};
        s.index = static_cast<int>(seq.size());
        s.step_id = r.id("stp");
        s.template_id = r.id("etp");
        s.template_name = std::string(name);
        if (k == step_kind::email) {
            s.email_number = email_number;
            s.subject = std::string(subjects[static_cast<std::size_t>(email_number)]);
            s.template_name = std::string(email_templates[static_cast<std::size_t>(email_number)]);
            ++email_number;
        }
        seq.push_back(std::move(s));
    };
    if (has("linkedin")) add(step_kind::linkedin_visit, "linkedinVisit");
    if (has("email")) add(step_kind::email, "");
    if (has("linkedin")) add(step_kind::linkedin_invite, "linkedinInvite");
    if (has("email")) add(step_kind::email, "");
    if (has("whatsapp")) add(step_kind::whatsapp, "whatsappMessage");
    if (has("linkedin")) add(step_kind::linkedin_message, "linkedinSend");
    if (has("sms")) add(step_kind::sms, "sms");
    if (has("call")) add(step_kind::call, "aircall");
    if (has("api")) add(step_kind::api, "api");
    if (has("email")) add(step_kind::email, "");
    return seq;
}

struct profile {
    std::string first, last, email, company, domain, industry, job, linkedin_url, phone, picture;
    bool linkedin_only = false;
};

profile make_profile(rng& r, const play_spec& spec, bool linkedin_enabled, std::string_view play_tag,
                     std::size_t index) {
    profile p;
    p.first = std::string(r.pick(first_names));
    p.last = std::string(r.pick(last_names));
    const auto& co = r.pick(companies);
    p.company = std::string(co.name);
    p.domain = std::string(co.domain);
    p.industry = std::string(co.industry);
    p.job = std::string(r.pick(job_titles));
    p.linkedin_only = linkedin_enabled && r.chance(spec.linkedin_only_share);
    const std::string tag = std::string(play_tag) + std::to_string(index);
    if (!p.linkedin_only) p.email = ascii_fold(p.first) + "." + ascii_fold(p.last) + "." + tag + "@" + p.domain;
    // Lemlist keeps an imported email as it was typed: every fourth lead's has capitals
    // ("Jane.Doe.p13@Example.com"). Decided by position, not the generator, so the draws of
    // every other field stay what they were.
    if (!p.email.empty() && index % 4 == 3) {
        p.email[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(p.email[0])));
        const auto at = p.email.find('@');
        if (at + 1 < p.email.size())
            p.email[at + 1] = static_cast<char>(std::toupper(static_cast<unsigned char>(p.email[at + 1])));
        if (const auto dot = p.email.find('.'); dot + 1 < at)
            p.email[dot + 1] = static_cast<char>(std::toupper(static_cast<unsigned char>(p.email[dot + 1])));
    }
    if (linkedin_enabled && (p.linkedin_only || r.chance(0.75))) {
        const std::string slug = ascii_fold(p.first) + "-" + ascii_fold(p.last) + "-" + tag;
        const double form = r.unit();
        if (form < 0.55) {
            p.linkedin_url = "https://www.linkedin.com/in/" + slug + "/";
        } else if (form < 0.70) {
            // Same profile as typed by a human: no www, capitalised slug, no trailing slash.
            std::string cap = slug;
            if (!cap.empty()) cap[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(cap[0])));
            p.linkedin_url = "https://linkedin.com/in/" + cap;
        } else if (form < 0.80) {
            p.linkedin_url = "http://www.linkedin.com/in/" + slug + "?utm_source=share&utm_medium=member_desktop";
        } else {
            // Sales Navigator ids, with the stray punctuation real exports carry.
            p.linkedin_url = "https://www.linkedin.com/sales/lead/ACwAA" + r.alnum(34) +
                             (r.chance(0.5) ? std::string(",") : ",NAME_SEARCH," + r.alnum(4));
        }
        if (r.chance(0.05)) p.linkedin_url += " ";
    }
    if (r.chance(0.5)) {
        switch (r.below(3)) {
            case 0: p.phone = "+33 6 " + std::to_string(r.between(10, 99)) + " " + std::to_string(r.between(10, 99)) +
                              " " + std::to_string(r.between(10, 99)) + " " + std::to_string(r.between(10, 99)); break;
            case 1: p.phone = "+1 (415) 555-0" + std::to_string(r.between(100, 199)); break;
            default: p.phone = "+49 151 " + std::to_string(r.between(1000000, 9999999)); break;
        }
    }
    if (r.chance(0.3)) p.picture = "https://app.lemlist.com/api/files/Files/lip_" + lower(r.alnum(32)) + ".jpg";
    return p;
}

lead make_lead(rng& r, const profile& p, const campaign& c, sys_ms created) {
    lead l;
    l.id = r.id("lea");
    l.campaign_id = c.id;
    l.contact_id = r.id("ctc");
    l.created_at = created;
    l.updated_at = created;
    l.source = "api";
    if (!p.email.empty()) l.set_string_var("email", p.email);
    l.set_string_var("firstName", p.first);
    l.set_string_var("lastName", p.last);
    l.set_string_var("companyName", p.company);
    l.set_string_var("companyDomain", p.domain);
    l.set_string_var("jobTitle", p.job);
    if (!p.linkedin_url.empty()) l.set_string_var("linkedinUrl", p.linkedin_url);
    if (!p.phone.empty()) l.set_string_var("phone", p.phone);
    if (!p.picture.empty()) l.set_string_var("picture", p.picture);
    // Custom variables: arbitrary names, mixed case, spaces (as in real bodies).
    if (r.chance(0.6)) l.set_string_var("industry", p.industry);
    if (r.chance(0.4)) l.set_string_var("Gender", r.chance(0.5) ? "male" : "female");
    if (r.chance(0.3)) l.set_string_var("labels", r.chance(0.5) ? "Outreach; Personal" : "Inbound");
    if (r.chance(0.3)) l.set_string_var("occupation", p.job);
    if (r.chance(0.2)) l.set_string_var("Company name", p.company);
    if (r.chance(0.2)) l.set_var("employees", std::to_string(r.between(5, 5000)));
    return l;
}

// Keys a flattened lead variable must not shadow in a webhook body.
const std::unordered_set<std::string_view>& system_keys() {
    static const std::unordered_set<std::string_view> keys{
        "_id", "type", "isFirst", "stopped", "createdAt", "bot", "teamId", "leadId", "campaignId", "sequenceId",
        "sequenceStep", "stepId", "emailTemplateId", "createdBy", "sendUserId", "totalSequenceStep", "name",
        "sendUserName", "sendUserEmail", "sendUserMailboxId", "leadFirstName", "leadLastName", "leadEmail",
        "leadCompanyName", "leadPhone", "leadPicture", "contactId", "relatedSentAt", "metaData", "campaignName",
        "sequenceTested", "emailTemplateName", "secret", "subject", "emailId", "messageId", "to", "cc", "bcc",
        "fromEmail", "messagePreview", "text", "html", "errorMessage", "userId", "userName", "lead",
        "isThirdPartyReply", "sendUserMailboxProviderId", "data"};
    return keys;
}

std::string flattened_variables(const lead& l) {
    json_out o;
    o.begin_object();
    for (const auto& v : l.variables) {
        if (system_keys().count(v.name)) continue;
        o.key(v.name).raw(v.json);
    }
    o.end_object();
    return object_members(o.view());
}

enum class shape { campaign_event, third_party_reply, enrichment };

struct draft {
    std::string type;
    sys_ms t{};
    const step* s = nullptr;
    std::string extra;  // type-specific members
    std::optional<sys_ms> related_sent_at;
    shape kind = shape::campaign_event;
    bool stopped = false;
    std::string lead_email_override;  // enrichment: the email found
};

class journey {
public:
    journey(const play_spec& spec, const std::set<std::string, std::less<>>& channels, const std::vector<step>& seq,
            const profile& p, const sender& snd, rng& r, sys_ms start)
        : spec_(spec), channels_(channels), seq_(seq), p_(p), snd_(snd), r_(r), t_(start) {}

    std::vector<draft> run() {
        const int steps = static_cast<int>(seq_.size());
        const int pause_at = r_.chance(spec_.pause_share) && steps > 1 ? static_cast<int>(r_.between(1, steps - 1)) : -1;
        int unknown_at = r_.chance(spec_.unknown_type_share) ? static_cast<int>(r_.between(0, std::max(0, steps - 1))) : -1;
        third_party_ = !p_.email.empty() && r_.chance(spec_.third_party_reply_share);

        if (!p_.email.empty() && r_.chance(spec_.enrichment_share)) enrichment();
        for (const auto& s : seq_) {
            if (!alive_) break;
            if (s.index == unknown_at) {
                unknown_event();
                unknown_at = -1;
            }
            if (s.index == pause_at) {
                pause();
                if (!alive_) break;
            }
            advance(s.index == 0 ? minute : hour, s.index == 0 ? 30 * minute : 6 * hour);
            switch (s.kind) {
                case step_kind::email: email_step(s); break;
                case step_kind::linkedin_visit: linkedin_visit(s); break;
                case step_kind::linkedin_invite: linkedin_invite(s); break;
                case step_kind::linkedin_message: linkedin_message(s); break;
                case step_kind::whatsapp: whatsapp(s); break;
                case step_kind::sms: sms(s); break;
                case step_kind::call: call(s); break;
                case step_kind::api: api(s); break;
            }
        }
        if (unknown_at >= 0) unknown_event();  // the sequence stopped before that step
        if (spec_.events_per_lead) {
            const std::size_t m = *spec_.events_per_lead;
            if (drafts_.size() > m) drafts_.resize(m);
            while (drafts_.size() < m) pad();
        } else if (drafts_.empty()) {
            pad();
        }
        return std::move(drafts_);
    }

private:
    void advance(std::int64_t lo_ms, std::int64_t hi_ms) { t_ += ms(r_.between(lo_ms, hi_ms)); }

    draft& add(std::string type, const step* s, std::string extra = {}) {
        draft d;
        d.type = std::move(type);
        d.t = t_;
        d.s = s;
        d.extra = std::move(extra);
        drafts_.push_back(std::move(d));
        return drafts_.back();
    }

    void unknown_event() {
        advance(5 * minute, 2 * hour);
        add(std::string(r_.pick(unknown_types)), nullptr);
    }

    bool has_channel(std::string_view ch) const { return channels_.count(ch) > 0; }

    std::string subject_for(const step& s) const {
        std::string subject = s.subject;
        if (const auto pos = subject.find("{company}"); pos != std::string::npos) subject.replace(pos, 9, p_.company);
        return subject;
    }

    std::string recipients(bool with_cc, bool with_bcc) {
        json_out o;
        o.begin_object();
        o.key("to").begin_array().begin_object().field("address", lower(p_.email)).field("name", p_.first + " " + p_.last).end_object().end_array();
        if (with_cc) o.key("cc").begin_array().begin_object().field("address", "assistant@" + p_.domain).field("name", "").end_object().end_array();
        if (with_bcc) o.key("bcc").begin_array().begin_object().field("address", "archive@crm.sandbox.example").field("name", "").end_object().end_array();
        o.end_object();
        return object_members(o.view());
    }

    std::string members(const std::function<void(json_out&)>& fill) {
        json_out o;
        o.begin_object();
        fill(o);
        o.end_object();
        return object_members(o.view());
    }

    std::string message_id() { return "<" + lower(r_.alnum(24)) + "@mail.sandbox.example>"; }

    void interest(std::string_view prefix, const step* s) {
        const double x = r_.unit();
        if (x >= 0.85) return;
        advance(10 * minute, 8 * hour);
        const bool positive = x < 0.6;
        const bool manual = has_channel("manual") && (prefix.empty() || r_.chance(0.5));
        std::string type = manual ? (positive ? "manualInterested" : "manualNotInterested")
                                  : std::string(prefix) + (positive ? "Interested" : "NotInterested");
        if (manual) {
            add(std::move(type), nullptr, members([&](json_out& o) { o.field("userId", snd_.user_id).field("userName", snd_.name); }));
        } else {
            add(std::move(type), s);
        }
    }

    void enrichment() {
        advance(10'000, 10 * minute);
        const std::string enr_id = r_.id("enr");
        const bool phone = !p_.phone.empty() && r_.chance(0.5);
        const bool linkedin = r_.chance(0.5);
        auto extra = members([&](json_out& o) {
            o.key("data").begin_array().begin_object().field("id", enr_id).key("data").begin_object();
            o.key("find_email").begin_object().field("email", p_.email).field("status", "deliverable").end_object();
            if (phone) o.key("find_phone").begin_object().field("phone", p_.phone).end_object();
            if (linkedin) {
                o.key("linkedin_enrichment").begin_object().key("positionGroups").begin_array().begin_object();
                o.key("company").begin_object().field("name", p_.company).field("domain", p_.domain).field("industry", p_.industry).end_object();
                o.key("profilePositions").begin_array().begin_object().field("title", p_.job).field("companyName", p_.company).end_object().end_array();
                o.end_object().end_array().end_object();
            }
            o.end_object().end_object().end_array();
            o.field("type", "enrichmentDone");
        });
        auto& d = add("enrichmentDone", nullptr, std::move(extra));
        d.kind = shape::enrichment;
        d.lead_email_override = p_.email;
    }

    void pause() {
        advance(10 * minute, 4 * hour);
        const bool by_api = r_.chance(0.5);
        const auto who = [&](json_out& o) {
            if (by_api) o.field("userName", "api");
            else o.field("userId", snd_.user_id).field("userName", snd_.name);
        };
        add("paused", nullptr, members(who));
        if (r_.chance(0.7)) {
            advance(hour, 24 * hour);
            add("resumed", nullptr, members(who));
        } else {
            alive_ = false;  // paused for good: the sequence stops here
        }
    }

    void email_step(const step& s) {
        if (p_.email.empty() || !email_ok_) return;
        last_email_step_ = &s;
        const std::string subject = subject_for(s);
        const std::string email_id = r_.id("eml");
        if (r_.chance(0.02)) {
            add("emailsFailed", &s, members([&](json_out& o) {
                o.field("subject", subject).field("emailId", email_id)
                    .field("errorMessage", "421 4.7.0 Try again later, closing connection.");
            }));
            return;
        }
        const bool cc = r_.chance(0.1);
        const bool bcc = r_.chance(0.15);
        const std::string rcpt = recipients(cc, bcc);
        add("emailsSent", &s, members([&](json_out& o) {
            o.field("subject", subject).field("emailId", email_id).field("messageId", message_id());
        }) + "," + rcpt);
        const sys_ms sent_at = t_;
        last_sent_at_ = sent_at;
        if (s.email_number == 0 && r_.chance(0.04)) {
            advance(10'000, 10 * minute);
            auto& d = add("emailsBounced", &s, members([&](json_out& o) {
                o.field("subject", subject).field("emailId", email_id)
                    .field("errorMessage", "550 5.1.1 The email account that you tried to reach does not exist.");
            }) + "," + recipients(false, false));
            d.related_sent_at = sent_at;
            email_ok_ = false;
            return;
        }
        if (third_party_ && !third_party_done_) {
            third_party_done_ = true;
            advance(30 * minute, 6 * hour);
            third_party_reply(s, subject);
        }
        if (r_.chance(0.6)) {
            const auto opens = r_.between(1, 3);
            for (std::int64_t i = 0; i < opens; ++i) {
                advance(2 * minute, 3 * hour);
                add("emailsOpened", &s, members([&](json_out& o) { o.field("emailId", email_id); })).related_sent_at = sent_at;
            }
            if (r_.chance(0.3)) {
                advance(minute, 20 * minute);
                add("emailsClicked", &s, members([&](json_out& o) { o.field("emailId", email_id); })).related_sent_at = sent_at;
            }
            if (r_.chance(0.03)) {
                advance(minute, hour);
                add("emailsUnsubscribed", &s, members([&](json_out& o) { o.field("emailId", email_id); })).related_sent_at = sent_at;
                alive_ = false;
                return;
            }
        }
        if (r_.chance(0.12)) {
            advance(10 * minute, 24 * hour);
            const std::string preview = "Hi " + snd_.name.substr(0, snd_.name.find(' ')) +
                                        ", thanks for reaching out. Happy to talk next week about " + p_.company + ".";
            auto& d = add("emailsReplied", &s, members([&](json_out& o) {
                o.field("emailId", email_id).field("messageId", message_id()).field("fromEmail", lower(p_.email))
                    .field("subject", "Re: " + subject).field("messagePreview", preview).field("text", preview + "\n\n> " + subject)
                    .field("html", "<div dir=\"ltr\">" + preview + "</div>")
                    .field("sendUserMailboxProviderId", snd_.email);
                o.key("to").begin_array().begin_object().field("address", lower(snd_.email)).field("name", snd_.name).end_object().end_array();
            }));
            d.related_sent_at = sent_at;
            d.stopped = true;
            alive_ = false;
            interest("emails", &s);
        }
    }

    void third_party_reply(const step& s, const std::string& subject) {
        const std::string from = "office." + ascii_fold(p_.last) + "@" + p_.domain;
        const std::string preview = p_.first + " is out of the office until next month. I handle " + p_.company +
                                    "'s vendor requests in the meantime.";
        auto& d = add("emailsReplied", &s, members([&](json_out& o) {
            o.field("isThirdPartyReply", true).field("emailId", r_.id("eml")).field("messageId", message_id())
                .field("fromEmail", from).field("subject", "Re: " + subject).field("messagePreview", preview)
                .field("text", preview);
            o.key("to").begin_array().begin_object().field("address", lower(snd_.email)).field("name", snd_.name).end_object().end_array();
        }));
        d.kind = shape::third_party_reply;
    }

    void linkedin_visit(const step& s) {
        if (p_.linkedin_url.empty()) return;
        if (r_.chance(0.03)) {
            add("linkedinVisitFailed", &s, members([](json_out& o) { o.field("errorMessage", "LinkedIn profile not found"); }));
            return;
        }
        add("linkedinVisitDone", &s);
    }

    void linkedin_invite(const step& s) {
        if (p_.linkedin_url.empty()) return;
        if (r_.chance(0.05)) {
            add("linkedinInviteFailed", &s, members([](json_out& o) { o.field("errorMessage", "Invitation limit reached"); }));
            return;
        }
        add("linkedinInviteDone", &s);
        const sys_ms sent_at = t_;
        if (r_.chance(0.45)) {
            advance(hour, 48 * hour);
            add("linkedinInviteAccepted", &s).related_sent_at = sent_at;
            connected_ = true;
        }
    }

    void linkedin_message(const step& s) {
        if (!connected_) return;
        if (r_.chance(0.03)) {
            add("linkedinSendFailed", &s, members([](json_out& o) { o.field("errorMessage", "Message could not be sent"); }));
            return;
        }
        add("linkedinSent", &s);
        const sys_ms sent_at = t_;
        if (r_.chance(0.5)) {
            advance(5 * minute, 12 * hour);
            add("linkedinOpened", &s).related_sent_at = sent_at;
            if (r_.chance(0.25)) {
                advance(5 * minute, 12 * hour);
                auto& d = add("linkedinReplied", &s, members([&](json_out& o) {
                    o.field("messagePreview", "Thanks " + snd_.name.substr(0, snd_.name.find(' ')) + ", let's connect.");
                }));
                d.related_sent_at = sent_at;
                d.stopped = true;
                alive_ = false;
                interest("linkedin", &s);
            }
        }
    }

    void whatsapp(const step& s) {
        if (p_.phone.empty()) return;
        if (r_.chance(0.05)) {
            add("whatsappMessageFailed", &s, members([](json_out& o) { o.field("errorMessage", "Number is not on WhatsApp"); }));
            return;
        }
        add("whatsappMessageSent", &s);
        const sys_ms sent_at = t_;
        if (!r_.chance(0.9)) return;
        advance(10'000, 10 * minute);
        add("whatsappMessageDelivered", &s).related_sent_at = sent_at;
        if (!r_.chance(0.6)) return;
        advance(minute, 6 * hour);
        add("whatsappMessageOpened", &s).related_sent_at = sent_at;
        if (r_.chance(0.15)) {
            advance(minute, 6 * hour);
            auto& d = add("whatsappReplied", &s);
            d.related_sent_at = sent_at;
            d.stopped = true;
            alive_ = false;
            interest("", &s);
        }
    }

    void sms(const step& s) {
        if (p_.phone.empty()) return;
        if (r_.chance(0.04)) {
            add("smsFailed", &s, members([](json_out& o) { o.field("errorMessage", "Invalid phone number"); }));
            return;
        }
        add("smsSent", &s);
        const sys_ms sent_at = t_;
        if (!r_.chance(0.9)) return;
        advance(5'000, 5 * minute);
        add("smsDelivered", &s).related_sent_at = sent_at;
        if (r_.chance(0.08)) {
            advance(minute, 6 * hour);
            auto& d = add("smsReplied", &s);
            d.related_sent_at = sent_at;
            d.stopped = true;
            alive_ = false;
            interest("", &s);
        }
    }

    void call(const step& s) {
        if (p_.phone.empty()) return;
        add("aircallCreated", &s);
        advance(minute, 15 * minute);
        add("aircallEnded", &s);
        advance(10'000, 5 * minute);
        add("aircallDone", &s);
        if (r_.chance(0.5)) {
            advance(minute, 10 * minute);
            add("callRecordingDone", &s);
            if (r_.chance(0.6)) {
                advance(minute, 10 * minute);
                add("callTranscriptDone", &s);
            }
        }
        const double x = r_.unit();
        if (x < 0.15) {
            advance(minute, hour);
            add("aircallInterested", &s);
        } else if (x < 0.25) {
            advance(minute, hour);
            add("aircallNotInterested", &s);
        }
    }

    void api(const step& s) {
        if (r_.chance(0.05)) {
            add("apiFailed", &s, members([](json_out& o) { o.field("errorMessage", "Target responded 500"); }));
            return;
        }
        add("apiDone", &s);
    }

    // Filler so a lead has exactly events_per_lead events: engagement that can repeat.
    void pad() {
        advance(minute, 3 * hour);
        if (!p_.email.empty() && email_ok_ && last_email_step_ != nullptr) {
            add("emailsOpened", last_email_step_).related_sent_at = last_sent_at_;
        } else if (!p_.linkedin_url.empty()) {
            const step* visit = nullptr;
            for (const auto& s : seq_)
                if (s.kind == step_kind::linkedin_visit) visit = &s;
            add("linkedinVisitDone", visit);
        } else {
            const step* api_step = nullptr;
            for (const auto& s : seq_)
                if (s.kind == step_kind::api) api_step = &s;
            add("apiDone", api_step);
        }
    }

    const play_spec& spec_;
    const std::set<std::string, std::less<>>& channels_;
    const std::vector<step>& seq_;
    const profile& p_;
    const sender& snd_;
    rng& r_;
    sys_ms t_;
    std::vector<draft> drafts_;
    bool alive_ = true;
    bool email_ok_ = true;
    bool connected_ = false;
    bool third_party_ = false;
    bool third_party_done_ = false;
    const step* last_email_step_ = nullptr;
    std::optional<sys_ms> last_sent_at_;
};

struct render_context {
    const campaign& c;
    std::string_view team_id;
    const sender& snd;
    const profile& p;
    const lead& l;
    int total_steps;
};

event render(const draft& d, const render_context& ctx, bool is_first, rng& r) {
    event e;
    e.type = d.type;
    e.created_at = d.t;
    e.is_first = is_first;
    if (d.kind == shape::enrichment) {
        e.is_activity = false;
        e.fields = d.extra;
        e.lead_email = d.lead_email_override;
        return e;
    }
    e.id = r.id("act");
    const std::string task_id = r.id("tsk");
    json_out o;
    o.begin_object();
    o.field("_id", e.id).field("type", d.type);
    if (d.kind == shape::third_party_reply) {
        o.field("isFirst", false).field("createdAt", iso8601(d.t)).field("bot", false).field("teamId", ctx.team_id);
        o.field("sendUserId", ctx.snd.user_id).field("sendUserName", ctx.snd.name).field("sendUserEmail", ctx.snd.email)
            .field("sendUserMailboxId", ctx.snd.mailbox_id);
        o.end_object();
        e.fields = join_members({object_members(o.view()), d.extra,
                                 "\"metaData\":{\"teamId\":" + json::quoted(ctx.team_id) + ",\"type\":\"emailsReplied\"}"});
        e.fields = object_members(e.fields);
        return e;
    }
    e.campaign_id = ctx.c.id;
    e.lead_id = ctx.l.id;
    e.lead_email = ctx.p.email;
    e.linkedin_url = ctx.p.linkedin_url;
    o.field("isFirst", is_first);
    if (d.s) o.field("stopped", d.stopped);
    o.field("createdAt", iso8601(d.t)).field("bot", false).field("teamId", ctx.team_id).field("leadId", ctx.l.id)
        .field("campaignId", ctx.c.id);
    if (d.s) {
        o.field("sequenceId", ctx.c.sequence_id).field("sequenceStep", d.s->index).field("stepId", d.s->step_id)
            .field("emailTemplateId", d.s->template_id);
    }
    // Step events carry the sender; lead-level actions (pause, manual marks) the acting user.
    if (d.s) {
        o.field("createdBy", ctx.c.created_by).field("sendUserId", ctx.snd.user_id);
        o.field("totalSequenceStep", ctx.total_steps - 1);
    }
    o.field("name", ctx.c.name);
    if (d.s) o.field("sendUserName", ctx.snd.name).field("sendUserEmail", ctx.snd.email);
    if (d.s && is_email_channel(d.s->kind)) o.field("sendUserMailboxId", ctx.snd.mailbox_id);
    o.field("leadFirstName", ctx.p.first).field("leadLastName", ctx.p.last);
    o.field_if("leadEmail", ctx.p.email);
    o.field("leadCompanyName", ctx.p.company);
    o.field_if("leadPhone", ctx.p.phone);
    o.field_if("leadPicture", ctx.p.picture);
    o.field("contactId", ctx.l.contact_id);
    if (d.related_sent_at) o.field("relatedSentAt", iso8601(*d.related_sent_at));
    o.end_object();
    std::string head = object_members(o.view());

    json_out tail;
    tail.begin_object();
    tail.key("metaData").begin_object().field("teamId", ctx.team_id).field("campaignId", ctx.c.id)
        .field("leadId", ctx.l.id).field("type", d.type);
    if (d.s) tail.field("createdBy", ctx.c.created_by).field("taskId", task_id);
    tail.end_object();
    tail.field("campaignName", ctx.c.name);
    if (d.s) {
        tail.field("sequenceTested", "A");
        if (!d.s->template_name.empty()) tail.field("emailTemplateName", d.s->template_name);
    }
    tail.end_object();
    e.fields = object_members(join_members({head, d.extra, object_members(tail.view())}));
    return e;
}

void apply_final_state(lead& l, const std::vector<event>& events) {
    bool unsubscribed = false, replied = false, bounced = false;
    std::string interest;
    std::optional<bool> paused;
    for (const auto& e : events) {
        if (e.campaign_id.empty()) continue;
        if (e.type == "paused") paused = true;
        else if (e.type == "resumed") paused = false;
        else if (is_documented_type(e.type)) l.state = e.type;
        if (e.type == "emailsUnsubscribed") unsubscribed = true;
        if (group_contains("warmed", e.type)) replied = true;
        if (e.type == "emailsBounced") bounced = true;
        if (group_contains("interested", e.type)) interest = "interested";
        if (group_contains("notInterested", e.type)) interest = "notInterested";
        l.updated_at = e.created_at;
    }
    l.paused = paused.value_or(false);
    if (unsubscribed) l.status = "unsubscribed";
    else if (!interest.empty()) l.status = interest;
    else if (l.paused) l.status = "paused";
    else if (replied || bounced) l.status = "done";
    else l.status = "running";
    if (bounced) l.email_status = "undeliverable";
}

}  // namespace

std::vector<std::string_view> all_channels() { return {channel_names.begin(), channel_names.end()}; }

result<play_spec, std::string> parse_play_spec(const rapidjson::Value& body) {
    if (!body.IsObject()) return fail(std::string("the play body must be a JSON object"));
    play_spec spec;
    const auto get_count = [&](std::string_view key, std::size_t lo, std::size_t hi) -> result<std::optional<std::size_t>, std::string> {
        const auto* v = json::find(body, key);
        if (!v || v->IsNull()) return std::optional<std::size_t>{};
        if (!v->IsUint64() || v->GetUint64() < lo || v->GetUint64() > hi)
            return fail(std::string(key) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
        return std::optional<std::size_t>(static_cast<std::size_t>(v->GetUint64()));
    };
    const auto get_share = [&](std::string_view key, double& out) -> std::optional<std::string> {
        const auto* v = json::find(body, key);
        if (!v || v->IsNull()) return std::nullopt;
        if (!v->IsNumber() || v->GetDouble() < 0 || v->GetDouble() > 1) return std::string(key) + " must be a number in [0, 1]";
        out = v->GetDouble();
        return std::nullopt;
    };

    if (auto c = json::get_string(body, "campaign_id")) spec.campaign_id = std::string(*c);
    else if (auto c2 = json::get_string(body, "campaignId")) spec.campaign_id = std::string(*c2);

    auto leads = get_count("leads", 1, 100'000);
    if (!leads) return fail(leads.error());
    if (*leads) spec.leads = **leads;
    auto per_lead = get_count("events_per_lead", 1, 1000);
    if (!per_lead) return fail(per_lead.error());
    spec.events_per_lead = *per_lead;
    const std::size_t expected = spec.leads * spec.events_per_lead.value_or(10);
    if (expected > 500'000) return fail(std::string("leads × events_per_lead is capped at 500,000 events per play"));

    if (const auto* ch = json::find(body, "channels"); ch && !ch->IsNull()) {
        if (!ch->IsArray()) return fail(std::string("channels must be an array of strings"));
        for (const auto& item : ch->GetArray()) {
            if (!item.IsString()) return fail(std::string("channels must be an array of strings"));
            std::string name(item.GetString(), item.GetStringLength());
            if (name == "aircall") name = "call";
            if (std::find(channel_names.begin(), channel_names.end(), name) == channel_names.end())
                return fail("unknown channel '" + name + "' (email, linkedin, whatsapp, sms, call, api, manual)");
            spec.channels.push_back(std::move(name));
        }
        if (spec.channels.empty()) return fail(std::string("channels must not be empty"));
    }

    for (const auto& [key, target] : std::initializer_list<std::pair<std::string_view, double*>>{
             {"duplicate_share", &spec.duplicate_share},
             {"out_of_order_share", &spec.out_of_order_share},
             {"linkedin_only_share", &spec.linkedin_only_share},
             {"third_party_reply_share", &spec.third_party_reply_share},
             {"enrichment_share", &spec.enrichment_share},
             {"unknown_type_share", &spec.unknown_type_share},
             {"pause_share", &spec.pause_share}}) {
        if (auto err = get_share(key, *target)) return fail(std::move(*err));
    }

    if (const auto* v = json::find(body, "seed"); v && !v->IsNull()) {
        if (v->IsUint64()) spec.seed = v->GetUint64();
        else if (v->IsString() && v->GetStringLength() > 0 &&
                 std::all_of(v->GetString(), v->GetString() + v->GetStringLength(), [](char c) { return c >= '0' && c <= '9'; }))
            spec.seed = std::stoull(v->GetString());
        else return fail(std::string("seed must be a non-negative integer"));
    }
    if (const auto* v = json::find(body, "start_time"); v && !v->IsNull()) {
        std::optional<sys_ms> t;
        if (v->IsString()) t = parse_date_param(std::string_view(v->GetString(), v->GetStringLength()));
        else if (v->IsNumber()) t = from_unix_ms(static_cast<std::int64_t>(v->GetDouble() * 1000));
        if (!t) return fail(std::string("start_time must be an ISO 8601 date or Unix seconds"));
        spec.start_time = t;
    }
    if (const auto* v = json::find(body, "rate"); v && !v->IsNull()) {
        if (!v->IsNumber() || v->GetDouble() < 0) return fail(std::string("rate must be a number >= 0 (events per second; 0 = unpaced)"));
        spec.delivery.rate = v->GetDouble();
    }
    auto conc = get_count("concurrency", 1, 256);
    if (!conc) return fail(conc.error());
    if (*conc) spec.delivery.concurrency = **conc;
    auto attempts = get_count("max_attempts", 1, 10);
    if (!attempts) return fail(attempts.error());
    if (*attempts) spec.delivery.max_attempts = static_cast<int>(**attempts);
    auto base = get_count("retry_base_ms", 0, 60'000);
    if (!base) return fail(base.error());
    if (*base) spec.delivery.retry_base = ms(static_cast<std::int64_t>(**base));
    auto timeout = get_count("timeout_ms", 100, 300'000);
    if (!timeout) return fail(timeout.error());
    if (*timeout) spec.delivery.timeout = ms(static_cast<std::int64_t>(**timeout));
    return spec;
}

generated_play generate_play(const play_spec& spec, const campaign& c, std::string_view team_id,
                             std::string_view play_id, std::uint64_t seed, sys_ms start) {
    std::set<std::string, std::less<>> channels;
    if (spec.channels.empty()) channels.insert(channel_names.begin(), channel_names.end());
    else channels.insert(spec.channels.begin(), spec.channels.end());
    const bool linkedin = channels.count("linkedin") > 0;
    const auto seq = build_sequence(c, channels);

    static const sender fallback{"usr_SandboxSender0001", "Sam Sender", "sam.sender@sandbox-sender.example",
                                 "usm_SandboxMailbox001"};
    const rng root(seed);
    rng tag_rng = root.fork(0xA11CE);
    const std::string play_tag = lower(tag_rng.alnum(5));

    generated_play out;
    out.leads.reserve(spec.leads);
    struct keyed {
        sys_ms t;
        std::size_t lead;
        std::size_t order;
        event e;
    };
    std::vector<keyed> all;
    for (std::size_t i = 0; i < spec.leads; ++i) {
        rng r = root.fork(i + 1);
        const profile p = make_profile(r, spec, linkedin, play_tag, i);
        const sender& snd = c.senders.empty() ? fallback : r.pick(c.senders);
        const sys_ms lead_start = start + ms(r.between(0, 6 * hour));
        lead l = make_lead(r, p, c, lead_start);
        journey j(spec, channels, seq, p, snd, r, lead_start);
        const auto drafts = j.run();

        const render_context ctx{c, team_id, snd, p, l, static_cast<int>(seq.size())};
        const std::string vars = flattened_variables(l);
        std::set<std::string, std::less<>> seen_types, seen_groups;
        std::vector<event> lead_events;
        lead_events.reserve(drafts.size());
        for (const auto& d : drafts) {
            const bool first = d.kind == shape::campaign_event && seen_types.insert(d.type).second;
            event e = render(d, ctx, first, r);
            if (d.kind == shape::campaign_event) {
                e.variables = vars;
                if (const auto g = group_of(e.type); !g.empty()) e.state_change = seen_groups.insert(std::string(g)).second;
            }
            e.play_id = std::string(play_id);
            e.origin_lead_id = l.id;
            lead_events.push_back(std::move(e));
        }
        apply_final_state(l, lead_events);
        for (std::size_t k = 0; k < lead_events.size(); ++k)
            all.push_back({lead_events[k].created_at, i, k, std::move(lead_events[k])});
        out.leads.push_back(std::move(l));
    }
    std::stable_sort(all.begin(), all.end(), [](const keyed& a, const keyed& b) {
        if (a.t != b.t) return a.t < b.t;
        if (a.lead != b.lead) return a.lead < b.lead;
        return a.order < b.order;
    });
    out.events.reserve(all.size());
    for (auto& k : all) out.events.push_back(std::move(k.e));
    return out;
}

bool hook_matches(const hook& h, const event& e) {
    if (!h.campaign_id.empty() && h.campaign_id != e.campaign_id) return false;
    if (h.is_first.value_or(false) && !e.is_first) return false;
    if (h.type.empty() || h.type == e.type) return true;
    if (is_group_type(h.type)) return e.state_change && group_contains(h.type, e.type);
    return false;
}

delivery_plan plan_deliveries(const std::vector<event>& events, const std::vector<hook>& hooks,
                              double duplicate_share, double out_of_order_share, rng& r) {
    delivery_plan plan;
    auto& d = plan.deliveries;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        for (const auto& h : hooks) {
            if (!hook_matches(h, e)) continue;
            delivery x;
            x.event_index = i;
            x.event_id = e.id;
            x.event_type = e.type;
            x.lead_id = e.lead_id;
            x.created_at = e.created_at;
            x.hook_id = h.id;
            x.target_url = h.target_url;
            x.body = e.webhook_body(h.secret);
            d.push_back(std::move(x));
        }
    }
    // Out of order: move a later event of the same lead (same hook) in front of an earlier one.
    constexpr std::size_t window = 64;
    for (std::size_t p = 0; p < d.size(); ++p) {
        if (d[p].out_of_order || d[p].lead_id.empty() || !r.chance(out_of_order_share)) continue;
        const std::size_t end = std::min(d.size(), p + 1 + window);
        for (std::size_t q = p + 1; q < end; ++q) {
            if (d[q].lead_id == d[p].lead_id && d[q].hook_id == d[p].hook_id && !d[q].out_of_order &&
                d[q].created_at > d[p].created_at) {
                std::rotate(d.begin() + static_cast<std::ptrdiff_t>(p), d.begin() + static_cast<std::ptrdiff_t>(q),
                            d.begin() + static_cast<std::ptrdiff_t>(q) + 1);
                d[p].out_of_order = true;
                d[p + 1].out_of_order = true;
                ++plan.out_of_order;
                break;
            }
        }
    }
    // Duplicates: the same body again, a few deliveries later.
    struct slot {
        double key;
        delivery x;
    };
    std::vector<slot> slots;
    slots.reserve(d.size() + d.size() / 8 + 1);
    for (std::size_t p = 0; p < d.size(); ++p) {
        if (r.chance(duplicate_share)) {
            delivery copy = d[p];
            copy.duplicate = true;
            slots.push_back({static_cast<double>(p + static_cast<std::size_t>(r.between(1, 16))) + 0.5, std::move(copy)});
            ++plan.duplicates;
        }
        slots.push_back({static_cast<double>(p), std::move(d[p])});
    }
    std::stable_sort(slots.begin(), slots.end(), [](const slot& a, const slot& b) { return a.key < b.key; });
    d.clear();
    for (auto& s : slots) d.push_back(std::move(s.x));
    return plan;
}

}  // namespace las::lemlist_emu
