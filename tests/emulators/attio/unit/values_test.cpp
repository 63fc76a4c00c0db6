#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "attio_emulator/values.hpp"

using namespace las::attio_emulator;

namespace {

struct no_refs : reference_resolver {
    object_def companies = make_companies_object("2026-01-01T00:00:00.000000000Z");
    std::string known_company = "11111111-1111-4111-8111-111111111111";
    const object_def* object_by_slug_or_id(std::string_view s) const override {
        return s == "companies" || s == companies.id ? &companies : nullptr;
    }
    bool record_exists(const object_def&, std::string_view id) const override { return id == known_company; }
    std::optional<std::string> find_by_unique_value(const object_def&, const attribute&, const stored_value& v) const override {
        if (value_key(v) == "attio.com") return known_company;
        return std::nullopt;
    }
    bool member_exists(std::string_view id) const override { return id == "member-1"; }
    std::optional<std::string> member_by_email(std::string_view e) const override {
        if (e == "owner@x.test") return std::string("member-1");
        return std::nullopt;
    }
};

struct fixture {
    no_refs refs;
    object_def people = make_people_object("2026-01-01T00:00:00.000000000Z");
    write_context ctx{refs, "2026-01-01T00:00:00.000000000Z", {"api-token", "token-1"}};

    const attribute& attr(std::string_view slug) { return *people.find_attribute(slug); }

    las::result<std::vector<stored_value>, api_error> coerce(const attribute& a, const char* json) {
        rapidjson::Document d;
        d.Parse(json);
        REQUIRE_FALSE(d.HasParseError());
        return coerce_input(a, d, ctx);
    }

    // The first value rendered in Attio's read shape.
    rapidjson::Document render(const attribute& a, const stored_value& v) {
        rapidjson::StringBuffer buf;
        json_writer w(buf);
        write_value(w, a, v, render_context{"ws", people.id});
        rapidjson::Document d;
        d.Parse(buf.GetString());
        return d;
    }
};

attribute custom(attribute_type t, bool multiselect = false) {
    attribute a;
    a.id = "attr-1";
    a.api_slug = "custom";
    a.type = t;
    a.is_multiselect = multiselect;
    return a;
}

}  // namespace

TEST_CASE_METHOD(fixture, "text accepts a string or {value}, and renders with the common value fields") {
    auto a = coerce(attr("linkedin"), R"("https://linkedin.com/in/johnsmith")");
    REQUIRE(a.ok());
    auto b = coerce(attr("linkedin"), R"({"value":"x"})");
    REQUIRE(b.ok());
    CHECK(std::get<text_data>(b->front().data).value == "x");
    const auto out = render(attr("linkedin"), a->front());
    CHECK(std::string(out["value"].GetString()) == "https://linkedin.com/in/johnsmith");
    CHECK(std::string(out["attribute_type"].GetString()) == "text");
    CHECK(out["active_until"].IsNull());
    CHECK(std::string(out["active_from"].GetString()) == "2026-01-01T00:00:00.000000000Z");
    CHECK(std::string(out["created_by_actor"]["type"].GetString()) == "api-token");
    CHECK(std::string(out["created_by_actor"]["id"].GetString()) == "token-1");

    auto bad = coerce(attr("linkedin"), "42");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == "validation_type");
    CHECK(bad.error().message == "An invalid value was passed to attribute with slug \"linkedin\".");
    REQUIRE(bad.error().validation_errors.size() == 1);
    CHECK(bad.error().validation_errors[0].received == "number");
}

TEST_CASE_METHOD(fixture, "personal-name: all three fields required in the object form - string form is Last, First") {
    auto ok = coerce(attr("name"), R"([{"first_name":"John","last_name":"Smith","full_name":"John Smith"}])");
    REQUIRE(ok.ok());
    auto missing = coerce(attr("name"), R"({"first_name":"John"})");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().status == 400);
    CHECK(missing.error().code == "validation_type");
    CHECK(missing.error().message == "An invalid value was passed to attribute with slug \"name\".");
    REQUIRE(missing.error().validation_errors.size() == 2);
    CHECK(missing.error().validation_errors[0].path.back() == "last_name");
    CHECK(missing.error().validation_errors[1].path.back() == "full_name");

    auto str = coerce(attr("name"), R"("Smith, John")");
    REQUIRE(str.ok());
    const auto& n = std::get<name_data>(str->front().data);
    CHECK(n.first == "John");
    CHECK(n.last == "Smith");
    CHECK(n.full == "John Smith");
    auto first_only = coerce(attr("name"), R"("Cher")");
    REQUIRE(first_only.ok());
    CHECK(std::get<name_data>(first_only->front().data).first == "Cher");
    CHECK(std::get<name_data>(first_only->front().data).last.empty());
}

TEST_CASE_METHOD(fixture, "email addresses: multiselect wants an array - stored lowercase with derived parts") {
    auto scalar = coerce(attr("email_addresses"), R"("john@example.com")");
    REQUIRE_FALSE(scalar.ok());
    CHECK(scalar.error().code == "validation_type");

    auto ok = coerce(attr("email_addresses"), R"(["John.Smith+news@Mail.Example.co.uk",{"email_address":"b@x.io"}])");
    REQUIRE(ok.ok());
    REQUIRE(ok->size() == 2);
    const auto out = render(attr("email_addresses"), ok->front());
    CHECK(std::string(out["original_email_address"].GetString()) == "John.Smith+news@Mail.Example.co.uk");
    CHECK(std::string(out["email_address"].GetString()) == "john.smith+news@mail.example.co.uk");
    CHECK(std::string(out["email_domain"].GetString()) == "mail.example.co.uk");
    CHECK(std::string(out["email_root_domain"].GetString()) == "example.co.uk");
    CHECK(std::string(out["email_local_specifier"].GetString()) == "john.smith");
    CHECK(std::string(out["attribute_type"].GetString()) == "email-address");

    CHECK_FALSE(coerce(attr("email_addresses"), R"(["not-an-email"])").ok());
}

TEST_CASE_METHOD(fixture, "phone numbers: the string form must start with + - the object form may carry a country") {
    auto no_plus = coerce(attr("phone_numbers"), R"(["5558675309"])");
    REQUIRE_FALSE(no_plus.ok());
    CHECK(no_plus.error().code == "validation_type");

    auto plus = coerce(attr("phone_numbers"), R"(["+1 (555) 867-5309"])");
    REQUIRE(plus.ok());
    const auto out = render(attr("phone_numbers"), plus->front());
    CHECK(std::string(out["phone_number"].GetString()) == "+15558675309");
    CHECK(std::string(out["country_code"].GetString()) == "US");
    CHECK(std::string(out["original_phone_number"].GetString()) == "+1 (555) 867-5309");

    auto national = coerce(attr("phone_numbers"), R"([{"original_phone_number":"06 12 34 56 78","country_code":"FR"}])");
    REQUIRE(national.ok());
    CHECK(std::get<phone_data>(national->front().data).number == "+33612345678");
    auto null_cc = coerce(attr("phone_numbers"), R"([{"original_phone_number":"+447911123456","country_code":null}])");
    REQUIRE(null_cc.ok());
    CHECK(std::get<phone_data>(null_cc->front().data).country_code == std::optional<std::string>("GB"));
    CHECK_FALSE(coerce(attr("phone_numbers"), R"([{"original_phone_number":"0612345678"}])").ok());
    CHECK_FALSE(coerce(attr("phone_numbers"), R"(["+12"])").ok());
}

TEST_CASE_METHOD(fixture, "checkbox accepts booleans, \"true\"/\"false\" and {value}, never null") {
    const auto a = custom(attribute_type::checkbox);
    for (const char* in : {"true", R"("true")", R"({"value":true})", "[true]"}) {
        auto r = coerce(a, in);
        REQUIRE(r.ok());
        CHECK(std::get<bool_data>(r->front().data).value);
    }
    auto f = coerce(a, R"("false")");
    REQUIRE(f.ok());
    CHECK_FALSE(std::get<bool_data>(f->front().data).value);
    CHECK_FALSE(coerce(a, "null").ok());
    CHECK_FALSE(coerce(a, R"("yes")").ok());
    CHECK_FALSE(coerce(a, "[true,false]").ok());
}

TEST_CASE_METHOD(fixture, "timestamps and dates are coerced to their canonical forms") {
    const auto t = custom(attribute_type::timestamp);
    auto r = coerce(t, R"("2023-01-02T13:00+02:00")");
    REQUIRE(r.ok());
    CHECK(std::get<text_data>(r->front().data).value == "2023-01-02T11:00:00.000000000Z");
    auto wrapped = coerce(t, R"({"value":"2023"})");
    REQUIRE(wrapped.ok());
    CHECK(std::get<text_data>(wrapped->front().data).value == "2023-01-01T00:00:00.000000000Z");
    CHECK_FALSE(coerce(t, R"("soon")").ok());
    const auto d = custom(attribute_type::date);
    auto dr = coerce(d, R"("2023-01-02T23:00:00-10:00")");
    REQUIRE(dr.ok());
    CHECK(std::get<text_data>(dr->front().data).value == "2023-01-03");
}

TEST_CASE_METHOD(fixture, "select: by title or option id - an unknown option is value_not_found") {
    auto a = custom(attribute_type::select);
    a.options.push_back({"opt-1", "Contacted"});
    a.options.push_back({"opt-2", "Hooked"});
    auto by_title = coerce(a, R"("Hooked")");
    REQUIRE(by_title.ok());
    CHECK(std::get<option_data>(by_title->front().data).option_id == "opt-2");
    auto by_object = coerce(a, R"({"option":"opt-1"})");
    REQUIRE(by_object.ok());
    CHECK(std::get<option_data>(by_object->front().data).option_id == "opt-1");
    auto unknown = coerce(a, R"("In Progress")");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == "value_not_found");
    CHECK(unknown.error().message == "Cannot find select attribute with select option title \"In Progress\".");

    const auto out = render(a, by_title->front());
    CHECK(std::string(out["option"]["title"].GetString()) == "Hooked");
    CHECK(std::string(out["option"]["id"]["option_id"].GetString()) == "opt-2");
    CHECK(std::string(out["option"]["id"]["attribute_id"].GetString()) == "attr-1");
    CHECK(out["option"]["is_archived"].IsFalse());
    CHECK(std::string(out["attribute_type"].GetString()) == "select");
}

TEST_CASE_METHOD(fixture, "numbers, ratings and single values") {
    const auto n = custom(attribute_type::number);
    auto r = coerce(n, "[{\"value\":3.1415}]");
    REQUIRE(r.ok());
    CHECK(std::get<number_data>(r->front().data).value == Approx(3.1415));
    CHECK_FALSE(coerce(n, R"("3")").ok());
    CHECK_FALSE(coerce(n, "[1,2]").ok());  // not multiselect
    auto cleared = coerce(n, "null");
    REQUIRE(cleared.ok());
    CHECK(cleared->empty());
    const auto rating = custom(attribute_type::rating);
    CHECK(coerce(rating, "5").ok());
    CHECK_FALSE(coerce(rating, "6").ok());
}

TEST_CASE_METHOD(fixture, "record references by id or by a unique attribute of the target") {
    auto by_id = coerce(attr("company"), R"([{"target_object":"companies","target_record_id":"11111111-1111-4111-8111-111111111111"}])");
    REQUIRE(by_id.ok());
    CHECK(std::get<record_ref_data>(by_id->front().data).target_object == "companies");
    auto by_domain = coerce(attr("company"), R"([{"target_object":"companies","domains":[{"domain":"https://attio.com/about"}]}])");
    REQUIRE(by_domain.ok());
    CHECK(std::get<record_ref_data>(by_domain->front().data).target_record_id == refs.known_company);
    auto missing = coerce(attr("company"), R"([{"target_object":"companies","target_record_id":"22222222-2222-4222-8222-222222222222"}])");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "value_not_found");
}

TEST_CASE_METHOD(fixture, "location needs all ten fields") {
    auto ok = coerce(attr("primary_location"),
                     R"({"line_1":null,"line_2":null,"line_3":null,"line_4":null,"locality":"Paris","region":null,)"
                     R"("postcode":null,"country_code":"FR","latitude":null,"longitude":null})");
    REQUIRE(ok.ok());
    auto partial = coerce(attr("primary_location"), R"({"locality":"Paris"})");
    REQUIRE_FALSE(partial.ok());
    CHECK(partial.error().validation_errors.size() == 9);
}

TEST_CASE("domains are normalised and their root derived") {
    CHECK(normalise_domain("https://App.Attio.com/path?q=1") == std::optional<std::string>("app.attio.com"));
    CHECK_FALSE(normalise_domain("not a domain"));
    CHECK(root_domain_of("app.attio.com") == "attio.com");
    CHECK(root_domain_of("attio.com") == "attio.com");
    CHECK(root_domain_of("shop.example.co.uk") == "example.co.uk");
    CHECK(country_for_number("+447911123456") == std::optional<std::string>("GB"));
    CHECK(country_for_number("+353861234567") == std::optional<std::string>("IE"));
}
