#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "lemlist/linkedin_url.hpp"

using las::lemlist::normalize_linkedin_url;

namespace {

struct row {
    std::string input;
    std::optional<std::string> expected;
};

void check_rows(std::initializer_list<row> rows) {
    for (const auto& r : rows) {
        INFO("input: [" << r.input << "]");
        CHECK(normalize_linkedin_url(r.input) == r.expected);
    }
}

const std::string john = "https://linkedin.com/in/john-doe";

}  // namespace

TEST_CASE("scheme, host, case and trailing noise collapse to one form") {
    check_rows({
        {"https://www.linkedin.com/in/john-doe", john},
        {"https://www.linkedin.com/in/john-doe/", john},
        {"http://www.linkedin.com/in/john-doe", john},
        {"HTTPS://WWW.LINKEDIN.COM/IN/JOHN-DOE", john},
        {"https://linkedin.com/in/John-Doe", john},
        {"www.linkedin.com/in/john-doe", john},
        {"linkedin.com/in/john-doe", john},
        {"//linkedin.com/in/john-doe", john},
        {"https://fr.linkedin.com/in/john-doe", john},
        {"https://m.linkedin.com/in/john-doe", john},
        {"https://de.linkedin.com/in/john-doe/?originalSubdomain=de", john},
        {"https://www.linkedin.com:443/in/john-doe", john},
        {"https://www.linkedin.com./in/john-doe", john},
        {"https://www.linkedin.com/in/john-doe?trk=public_profile", john},
        {"https://www.linkedin.com/in/john-doe#experience", john},
        {"https://www.linkedin.com/in/john-doe///", john},
        {"https://www.linkedin.com//in//john-doe", john},
        {"  https://www.linkedin.com/in/john-doe  ", john},
        {"\thttps://www.linkedin.com/in/john-doe\r\n", john},
        {"https://www.linkedin.com/in/john-doe,", john},
        {"https://www.linkedin.com/in/john-doe/.", john},
        {"https://www.linkedin.com/in/john-doe);", john},
        {"<https://www.linkedin.com/in/john-doe>", john},
        {"\"https://www.linkedin.com/in/john-doe\"", john},
        {"(linkedin.com/in/john-doe)", john},
        {"https://www.linkedin.com/in/john-doe/details/experience/", john},
        {"https://www.linkedin.com/in/john-doe/en", john},
        {"https://www.linkedin.com/mwlite/in/john-doe", john},
    });
}

TEST_CASE("percent-escapes are decoded only where that cannot change meaning") {
    check_rows({
        {"https://www.linkedin.com/in/john%2Ddoe", john},           // '-' is unreserved
        {"https://www.linkedin.com/in/%4Aohn-doe", john},           // 'J', then lower-cased
        {"https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa", "https://linkedin.com/in/jos\xC3\xA9-garc\xC3\xAD" "a"},
        {"https://www.linkedin.com/in/jos\xC3\xA9-garc\xC3\xAD" "a", "https://linkedin.com/in/jos\xC3\xA9-garc\xC3\xAD" "a"},
        {"https://www.linkedin.com/in/a%2fb", "https://linkedin.com/in/a%2Fb"},  // a slash stays escaped
        {"https://www.linkedin.com/in/a%20b", "https://linkedin.com/in/a%20b"},
        {"https://www.linkedin.com/in/a%zzb", std::nullopt},  // malformed escape
        {"https://www.linkedin.com/in/ab%4", std::nullopt},
        {"https://www.linkedin.com/in/ab%", std::nullopt},
        {"https://www.linkedin.com/in/%C3", std::nullopt},    // decodes to invalid UTF-8
        {"https://www.linkedin.com/in/%FF%FE", std::nullopt},
    });
}

TEST_CASE("Sales Navigator and member URN ids keep their case") {
    const std::string lead = "https://linkedin.com/sales/lead/ACwAAExampleSalesNavLeadId000000000000";
    check_rows({
        // The real Lemlist sample, trailing comma included.
        {"https://www.linkedin.com/sales/lead/ACwAAExampleSalesNavLeadId000000000000,", lead},
        {"https://www.linkedin.com/sales/lead/ACwAAExampleSalesNavLeadId000000000000,NAME_SEARCH,abCD", lead},
        {"https://www.linkedin.com/sales/lead/ACwAAExampleSalesNavLeadId000000000000,NAME_SEARCH,abCD?_ntb=x", lead},
        {"https://www.linkedin.com/sales/people/ACwAAExampleSalesNavLeadId000000000000,NAME_SEARCH,x", lead},
        {"https://www.linkedin.com/sales/lead/ACwAAExampleSalesNavLeadId000000000000%2CNAME_SEARCH%2Cx", lead},
        {"HTTPS://WWW.LINKEDIN.COM/SALES/LEAD/ACwAAExampleSalesNavLeadId000000000000", lead},
        {"https://www.linkedin.com/sales/lead/,NAME_SEARCH", std::nullopt},
        {"https://www.linkedin.com/sales/lead/%41CwAA", std::nullopt},  // an id is never escaped
        {"https://www.linkedin.com/sales/lead/", std::nullopt},
        {"https://www.linkedin.com/sales/company/79870097", std::nullopt},
        {"https://www.linkedin.com/in/ACoAACkgPjUB7DlgnIaFSwNn6QJzRuQ4JbiHqFQ",
         "https://linkedin.com/in/ACoAACkgPjUB7DlgnIaFSwNn6QJzRuQ4JbiHqFQ"},
    });
    // Ids differing only in case are different people.
    CHECK(normalize_linkedin_url("linkedin.com/sales/lead/ACwAAabc") !=
          normalize_linkedin_url("linkedin.com/sales/lead/ACwAAABC"));
}

TEST_CASE("legacy public profiles are kept whole, lower-cased") {
    check_rows({
        {"http://www.linkedin.com/pub/John-Doe/12/345/6AB/", "https://linkedin.com/pub/john-doe/12/345/6ab"},
        {"https://www.linkedin.com/pub/dir/John/Doe", std::nullopt},  // a directory search
    });
}

TEST_CASE("anything that is not one LinkedIn member is refused") {
    check_rows({
        {"", std::nullopt},
        {"   ", std::nullopt},
        {",", std::nullopt},
        {"https://www.linkedin.com", std::nullopt},
        {"https://www.linkedin.com/", std::nullopt},
        {"https://www.linkedin.com/in/", std::nullopt},
        {"https://www.linkedin.com/in", std::nullopt},
        {"https://www.linkedin.com/in/?x=1", std::nullopt},
        {"https://www.linkedin.com/company/morpho-association/", std::nullopt},
        {"https://www.linkedin.com/feed/", std::nullopt},
        {"https://www.linkedin.com/profile/view?id=12345", std::nullopt},
        {"https://www.linkedin.com/school/x", std::nullopt},
        {"https://example.com/in/john-doe", std::nullopt},
        {"https://notlinkedin.com/in/john-doe", std::nullopt},
        {"https://linkedin.com.evil.example/in/john-doe", std::nullopt},
        {"https://linkedin.co/in/john-doe", std::nullopt},
        {"https://lnkd.in/abc", std::nullopt},
        {"https://www.linkedin.com@evil.example/in/john-doe", std::nullopt},
        {"https://user:pw@www.linkedin.com/in/john-doe", std::nullopt},
        {"https://www.linkedin.com:abc/in/john-doe", std::nullopt},
        {"https://www..linkedin.com/in/john-doe", std::nullopt},
        {"https://.linkedin.com/in/john-doe", std::nullopt},
        {"https://ww_w.linkedin.com/in/john-doe", std::nullopt},
        {"ftp://www.linkedin.com/in/john-doe", std::nullopt},
        {"javascript://www.linkedin.com/in/john-doe", std::nullopt},
        {"mailto:john@linkedin.com", std::nullopt},
        {"https://www.linkedin.com/in/john doe", std::nullopt},  // whitespace inside
        {std::string("https://www.linkedin.com/in/jo\0hn", 33), std::nullopt},
        {"https://www.linkedin.com/in/jo\x7Fhn", std::nullopt},
        {"https://www.linkedin.com/in/jo\xC3\x28hn", std::nullopt},  // invalid UTF-8
        {"john-doe", std::nullopt},
        {"in/john-doe", std::nullopt},
    });
}

TEST_CASE("normalisation is idempotent") {
    for (const std::string_view input :
         {"https://fr.linkedin.com/in/John-Doe/?trk=x", "linkedin.com/sales/lead/ACwAAabc,NAME_SEARCH,z",
          "https://www.linkedin.com/in/jos%C3%A9%2Fx", "http://www.linkedin.com/pub/A/1/2/3"}) {
        INFO(input);
        const auto once = normalize_linkedin_url(input);
        REQUIRE(once);
        CHECK(normalize_linkedin_url(*once) == once);
    }
}

TEST_CASE("huge inputs are handled") {
    const std::string slug(100'000, 'a');
    CHECK(normalize_linkedin_url("https://www.linkedin.com/in/" + slug) == "https://linkedin.com/in/" + slug);
    CHECK_FALSE(normalize_linkedin_url(std::string(100'000, '/')));
    CHECK_FALSE(normalize_linkedin_url(std::string(100'000, '%')));
}
