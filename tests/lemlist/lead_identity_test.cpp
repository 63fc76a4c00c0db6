#include <catch2/catch.hpp>

#include <string>

#include "lemlist/lead_identity.hpp"
#include "sample.hpp"

using namespace las::lemlist;
using las::test::parse_or_throw;

namespace {

lead_identity identity_of(std::string_view json_text) {
    const auto doc = parse_or_throw(json_text);
    return extract_lead_identity(doc);
}

}  // namespace

TEST_CASE("normalize_email trims, lower-cases and refuses junk") {
    CHECK(normalize_email("  Jane.Doe@Example.COM ") == "jane.doe@example.com");
    CHECK(normalize_email("a+tag@sub.example.co.uk") == "a+tag@sub.example.co.uk");
    CHECK(normalize_email("j\xC3\xA9r\xC3\xB4me@example.fr") == "j\xC3\xA9r\xC3\xB4me@example.fr");
    for (const std::string_view junk :
         {"", "   ", "jeanne", "@example.com", "jane@", "jane@example", "jane@.example.com", "jane@example.com.",
          "jane@@example.com", "ja@ne@example.com", "jane doe@example.com", "jane@exa mple.com", "<jane@example.com>",
          "\"jane\"@example.com", "jane@example..com", "jane,joe@example.com", "jane@example.com\x01"}) {
        INFO(junk);
        CHECK_FALSE(normalize_email(junk));
    }
    CHECK_FALSE(normalize_email(std::string(250, 'a') + "@example.com"));  // over 254 bytes
    CHECK_FALSE(normalize_email(std::string("ja\0ne@example.com", 17)));
    CHECK_FALSE(normalize_email("ja\xC3ne@example.com"));
}

TEST_CASE("system fields win over flattened variables") {
    const auto id = identity_of(R"({"type":"emailsOpened",
        "leadEmail":" Lead@Example.com ","email":"other@example.com",
        "leadFirstName":"Ada","firstName":"Ignored","leadLastName":"Lovelace","lastName":"Ignored",
        "leadPhone":"+33 1 02","phone":"+44","leadCompanyName":"Analytical","companyName":"Ignored",
        "companyDomain":"Analytical.Example","jobTitle":" Countess ",
        "linkedinUrl":"https://www.linkedin.com/in/Ada-Lovelace/"})");
    CHECK(id.email == "lead@example.com");
    CHECK(id.first_name == "Ada");
    CHECK(id.last_name == "Lovelace");
    CHECK(id.full_name == "Ada Lovelace");
    CHECK(id.phone == "+33 1 02");
    CHECK(id.company_name == "Analytical");
    CHECK(id.company_domain == "analytical.example");
    CHECK(id.job_title == "Countess");
    CHECK(id.linkedin_url == "https://linkedin.com/in/ada-lovelace");
    CHECK(id.linkedin_raw == "https://www.linkedin.com/in/Ada-Lovelace/");
    CHECK(id.has_match_key());
}

TEST_CASE("flattened variables are used when system fields are absent, blank or junk") {
    const auto id = identity_of(R"({"type":"x","leadEmail":"jeanne","email":"Jeanne@Doe.com",
        "leadFirstName":"  ","firstName":"Jeanne","lastName":"Doe","phone":"+1 555","companyName":"Doe Inc"})");
    CHECK(id.email == "jeanne@doe.com");
    CHECK(id.first_name == "Jeanne");
    CHECK(id.full_name == "Jeanne Doe");
    CHECK(id.phone == "+1 555");
    CHECK(id.company_name == "Doe Inc");
}

TEST_CASE("nested lead.variables of GET /activities records are read") {
    const auto id = identity_of(R"({"type":"emailsOpened","lead":{"_id":"lea_1","variables":{
        "email":"sam@example.com","firstName":"Sam ","lastName":"Taylor","linkedinUrl":"https://www.linkedin.com/in/sam-doe",
        "companyName":"lemlist","companyDomain":"example.com","jobTitle":"Growth","phone":"+1"}}})");
    CHECK(id.email == "sam@example.com");
    CHECK(id.first_name == "Sam");
    CHECK(id.full_name == "Sam Taylor");
    CHECK(id.linkedin_url == "https://linkedin.com/in/sam-doe");
    CHECK(id.company_name == "lemlist");
    CHECK(id.company_domain == "example.com");
    CHECK(id.job_title == "Growth");
    CHECK(id.phone == "+1");
}

TEST_CASE("a LinkedIn value that does not normalise falls back to the next, and is kept raw otherwise") {
    auto id = identity_of(R"({"type":"x","linkedinUrl":"not a url","lead":{"variables":{"linkedinUrl":"linkedin.com/in/bob"}}})");
    CHECK(id.linkedin_url == "https://linkedin.com/in/bob");
    CHECK(id.linkedin_raw == "linkedin.com/in/bob");
    id = identity_of(R"({"type":"x","linkedinUrl":" https://example.com/in/bob "})");
    CHECK_FALSE(id.linkedin_url);
    CHECK(id.linkedin_raw == "https://example.com/in/bob");
    CHECK_FALSE(id.has_match_key());
}

TEST_CASE("only one name makes the full name") {
    CHECK(identity_of(R"({"type":"x","firstName":"Cher"})").full_name == "Cher");
    CHECK(identity_of(R"({"type":"x","lastName":"Doe"})").full_name == "Doe");
    CHECK_FALSE(identity_of(R"({"type":"x"})").full_name);
}

TEST_CASE("fields of the wrong type are ignored, never fatal") {
    const auto id = identity_of(R"({"type":"x","leadEmail":42,"email":["a@b.co"],"leadFirstName":{"a":1},
        "firstName":null,"lastName":true,"linkedinUrl":7,"phone":1.5,"companyName":[],"companyDomain":{},
        "lead":"not an object","data":"nope"})");
    CHECK(id == lead_identity{});
    const auto nested = identity_of(R"({"type":"x","lead":{"variables":["a@b.co"]}})");
    CHECK(nested == lead_identity{});
    CHECK(extract_lead_identity(rapidjson::Value(rapidjson::kArrayType)) == lead_identity{});
    CHECK(extract_lead_identity(rapidjson::Value()) == lead_identity{});
}

TEST_CASE("enrichment data is read only for enrichmentDone, from the first item") {
    const std::string body = R"({"data":[{"id":"enr_1","data":{
        "find_email":{"email":"Bastien@Morpho.xyz","status":"deliverable"},
        "find_phone":{"phone":"+33760769872"},
        "linkedin_enrichment":{"linkedinUrl":"https://www.linkedin.com/in/bvelitchkine","firstName":"Robin",
          "lastName":"Replier","companyName":"Morpho","companyDomain":"morpho.org","occupation":"Growth Engineer"}}},
        {"id":"enr_2","data":{"find_email":{"email":"second@example.com"}}}],"type":"enrichmentDone"})";
    const auto id = identity_of(body);
    CHECK(id.email == "bastien@morpho.xyz");
    CHECK(id.phone == "+33760769872");
    CHECK(id.linkedin_url == "https://linkedin.com/in/bvelitchkine");
    CHECK(id.full_name == "Robin Replier");
    CHECK(id.company_name == "Morpho");
    CHECK(id.company_domain == "morpho.org");
    CHECK(id.job_title == "Growth Engineer");

    // The same data under another type is a custom variable named `data`, not enrichment.
    std::string other = body;
    other.replace(other.find("enrichmentDone"), 14, "emailsOpened");
    CHECK(identity_of(other) == lead_identity{});

    // Broken enrichment shapes yield nothing, without failing.
    for (const std::string_view broken :
         {R"({"type":"enrichmentDone"})", R"({"type":"enrichmentDone","data":[]})",
          R"({"type":"enrichmentDone","data":[1]})", R"({"type":"enrichmentDone","data":[{"data":[]}]})",
          R"({"type":"enrichmentDone","data":[{"data":{"find_email":"x","linkedin_enrichment":[]}}]})",
          R"({"type":"enrichmentDone","data":{"0":{}}})"}) {
        INFO(broken);
        CHECK(identity_of(broken) == lead_identity{});
    }
}
