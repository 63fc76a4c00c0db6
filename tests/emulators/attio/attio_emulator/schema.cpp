#include "attio_emulator/schema.hpp"

#include <array>
#include <utility>

#include "attio_emulator/ids.hpp"

namespace las::attio_emulator {

namespace {

constexpr std::array<std::pair<attribute_type, std::string_view>, 17> type_names{{
    {attribute_type::text, "text"},
    {attribute_type::number, "number"},
    {attribute_type::checkbox, "checkbox"},
    {attribute_type::currency, "currency"},
    {attribute_type::date, "date"},
    {attribute_type::timestamp, "timestamp"},
    {attribute_type::rating, "rating"},
    {attribute_type::status, "status"},
    {attribute_type::select, "select"},
    {attribute_type::record_reference, "record-reference"},
    {attribute_type::actor_reference, "actor-reference"},
    {attribute_type::location, "location"},
    {attribute_type::domain, "domain"},
    {attribute_type::email_address, "email-address"},
    {attribute_type::phone_number, "phone-number"},
    {attribute_type::interaction, "interaction"},
    {attribute_type::personal_name, "personal-name"},
}};

struct attribute_seed {
    std::string_view slug;
    std::string_view title;
    attribute_type type;
    bool writable = true;
    bool unique = false;
    bool multiselect = false;
};

attribute make_system_attribute(std::string_view owner_slug, const attribute_seed& s, std::string_view created_at) {
    attribute a;
    a.id = stable_uuid(std::string("attribute:") + std::string(owner_slug) + "." + std::string(s.slug));
    a.api_slug = s.slug;
    a.title = s.title;
    a.type = s.type;
    a.is_system = true;
    a.is_writable = s.writable;
    a.is_unique = s.unique;
    a.is_multiselect = s.multiselect;
    a.created_at = created_at;
    return a;
}

}  // namespace

std::string_view to_string(attribute_type t) {
    for (const auto& [type, name] : type_names) {
        if (type == t) return name;
    }
    return "text";
}

std::optional<attribute_type> parse_attribute_type(std::string_view s) {
    for (const auto& [type, name] : type_names) {
        if (name == s) return type;
    }
    return std::nullopt;
}

const select_option* attribute::find_option(std::string_view title_or_id) const {
    for (const auto& o : options) {
        if (o.id == title_or_id || o.title == title_or_id) return &o;
    }
    return nullptr;
}

select_option* attribute::find_option(std::string_view title_or_id) {
    return const_cast<select_option*>(std::as_const(*this).find_option(title_or_id));
}

const attribute* attribute_owner::find_attribute(std::string_view slug_or_id) const {
    for (const auto& a : attributes) {
        if (a.api_slug == slug_or_id || a.id == slug_or_id) return &a;
    }
    return nullptr;
}

attribute* attribute_owner::find_attribute(std::string_view slug_or_id) {
    return const_cast<attribute*>(std::as_const(*this).find_attribute(slug_or_id));
}

workspace_identity default_identity() {
    workspace_identity id;
    id.workspace_id = stable_uuid("workspace");
    id.member_id = stable_uuid("workspace-member:owner");
    id.token_id = stable_uuid("api-token");
    id.client_id = stable_uuid("oauth-client");
    return id;
}

object_def make_people_object(std::string_view created_at) {
    object_def o;
    o.id = stable_uuid("object:people");
    o.api_slug = "people";
    o.singular_noun = "Person";
    o.plural_noun = "People";
    o.web_url_noun = "person";
    o.created_at = created_at;
    // The standard People attributes (reference §2.1); enriched ones are read-only.
    const attribute_seed seeds[] = {
        {"record_id", "Record ID", attribute_type::text, false, true, false},
        {"name", "Name", attribute_type::personal_name},
        {"email_addresses", "Email addresses", attribute_type::email_address, true, true, true},
        {"description", "Description", attribute_type::text},
        {"company", "Company", attribute_type::record_reference},
        {"job_title", "Job title", attribute_type::text},
        {"avatar_url", "Avatar URL", attribute_type::text, false},
        {"phone_numbers", "Phone numbers", attribute_type::phone_number, true, false, true},
        {"primary_location", "Primary location", attribute_type::location},
        {"angellist", "AngelList", attribute_type::text},
        {"facebook", "Facebook", attribute_type::text},
        {"instagram", "Instagram", attribute_type::text},
        {"linkedin", "LinkedIn", attribute_type::text},
        {"twitter", "Twitter", attribute_type::text},
        {"twitter_follower_count", "Twitter follower count", attribute_type::number, false},
        {"first_interaction", "First interaction", attribute_type::interaction, false},
        {"last_interaction", "Last interaction", attribute_type::interaction, false},
        {"created_at", "Created at", attribute_type::timestamp, false},
        {"created_by", "Created by", attribute_type::actor_reference, false},
    };
    for (const auto& s : seeds) o.attributes.push_back(make_system_attribute(o.api_slug, s, created_at));
    o.find_attribute("company")->allowed_object_ids = {stable_uuid("object:companies")};
    return o;
}

object_def make_companies_object(std::string_view created_at) {
    object_def o;
    o.id = stable_uuid("object:companies");
    o.api_slug = "companies";
    o.singular_noun = "Company";
    o.plural_noun = "Companies";
    o.web_url_noun = "company";
    o.created_at = created_at;
    const attribute_seed seeds[] = {
        {"record_id", "Record ID", attribute_type::text, false, true, false},
        {"name", "Name", attribute_type::text},
        {"domains", "Domains", attribute_type::domain, true, true, true},
        {"description", "Description", attribute_type::text},
        {"team", "Team", attribute_type::record_reference, true, false, true},
        {"created_at", "Created at", attribute_type::timestamp, false},
        {"created_by", "Created by", attribute_type::actor_reference, false},
    };
    for (const auto& s : seeds) o.attributes.push_back(make_system_attribute(o.api_slug, s, created_at));
    o.find_attribute("team")->allowed_object_ids = {stable_uuid("object:people")};
    return o;
}

void add_list_system_attributes(list_def& list, std::string_view created_at) {
    const attribute_seed seeds[] = {
        {"created_at", "Created at", attribute_type::timestamp, false},
        {"created_by", "Created by", attribute_type::actor_reference, false},
    };
    for (const auto& s : seeds) {
        auto a = make_system_attribute(list.id, s, created_at);
        list.attributes.push_back(std::move(a));
    }
}

}  // namespace las::attio_emulator
