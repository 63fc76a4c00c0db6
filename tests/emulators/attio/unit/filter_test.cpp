#include <catch2/catch.hpp>

#include <set>

#include "test_support.hpp"

using namespace attio_test;

namespace {

struct people_fixture : harness {
    std::string ada, alan, grace;
    people_fixture() {
        add_attribute("objects/people", "lemlist_lead_id", "text");
        add_attribute("objects/people", "lemlist_score", "number");
        add_attribute("objects/people", "lemlist_paused", "checkbox");
        ada = create_person(R"({"email_addresses":["Ada@Analytical.org","ada@example.com"],"name":"Lovelace, Ada",)"
                            R"("linkedin":"https://linkedin.com/in/ada","lemlist_lead_id":"lea_1","lemlist_score":10,"lemlist_paused":true})");
        alan = create_person(R"({"email_addresses":["alan@bletchley.uk"],"name":"Turing, Alan",)"
                             R"("linkedin":"https://www.linkedin.com/in/alan-turing","lemlist_score":3})");
        grace = create_person(R"({"name":"Hopper, Grace","job_title":"Rear Admiral"})");
    }

    std::set<std::string> ids(const std::string& filter) const {
        auto r = call("POST", "/v2/objects/people/records/query", R"({"filter":)" + filter + "}");
        std::set<std::string> out;
        if (r.status != 200) {
            out.insert("HTTP " + std::to_string(r.status) + " " + r.code());
            return out;
        }
        for (const auto& rec : r.data().GetArray()) out.insert(rec["id"]["record_id"].GetString());
        return out;
    }
    std::set<std::string> of(std::initializer_list<std::string> x) const { return {x}; }
};

}  // namespace

TEST_CASE_METHOD(people_fixture, "shorthand email filter matches case-insensitively, any of the addresses") {
    REQUIRE(ada.size() == 36);
    CHECK(ids(R"({"email_addresses":"ada@analytical.org"})") == of({ada}));
    CHECK(ids(R"({"email_addresses":"ADA@EXAMPLE.COM"})") == of({ada}));
    CHECK(ids(R"({"email_addresses":"nobody@example.com"})").empty());
}

TEST_CASE_METHOD(people_fixture, "verbose filters on email fields") {
    CHECK(ids(R"({"email_addresses":{"email_address":{"$eq":"Alan@Bletchley.uk"}}})") == of({alan}));
    CHECK(ids(R"({"email_addresses":{"email_domain":{"$eq":"example.com"}}})") == of({ada}));
    CHECK(ids(R"({"email_addresses":{"$in":["alan@bletchley.uk","ada@example.com"]}})") == of({ada, alan}));
    CHECK(ids(R"({"email_addresses":{"$contains":"bletchley"}})") == of({alan}));
    CHECK(ids(R"({"email_addresses":{"$not_empty":true}})") == of({ada, alan}));
    CHECK(ids(R"({"email_addresses":{"$not_empty":false}})") == of({grace}));
}

TEST_CASE_METHOD(people_fixture, "linkedin is a text attribute: $eq is exact, $contains matches a part") {
    CHECK(ids(R"({"linkedin":"https://linkedin.com/in/ada"})") == of({ada}));
    CHECK(ids(R"({"linkedin":"https://linkedin.com/in/ADA"})").empty());
    CHECK(ids(R"({"linkedin":{"$contains":"linkedin.com/in/alan-turing"}})") == of({alan}));
    CHECK(ids(R"({"linkedin":{"$starts_with":"https://www."}})") == of({alan}));
    CHECK(ids(R"({"linkedin":{"$ends_with":"/ada"}})") == of({ada}));
}

TEST_CASE_METHOD(people_fixture, "custom attributes created on people are filterable") {
    CHECK(ids(R"({"lemlist_lead_id":"lea_1"})") == of({ada}));
    CHECK(ids(R"({"lemlist_score":{"$gte":3}})") == of({ada, alan}));
    CHECK(ids(R"({"lemlist_score":{"$gt":3,"$lte":10}})") == of({ada}));
    CHECK(ids(R"({"lemlist_paused":true})") == of({ada}));
}

TEST_CASE_METHOD(people_fixture, "logical operators and names") {
    CHECK(ids(R"({"$or":[{"name":"Ada Lovelace"},{"name":{"last_name":{"$eq":"Turing"}}}]})") == of({ada, alan}));
    CHECK(ids(R"({"$and":[{"name":{"first_name":{"$starts_with":"a"}}},{"lemlist_score":3}]})") == of({alan}));
    CHECK(ids(R"({"$not":{"email_addresses":{"$not_empty":true}}})") == of({grace}));
    CHECK(ids(R"({"job_title":"Rear Admiral","name":"Grace Hopper"})") == of({grace}));
    CHECK(ids("{}") == of({ada, alan, grace}));
    CHECK(ids(R"({"record_id":{"$in":[")" + ada + R"(",")" + grace + R"("]}})") == of({ada, grace}));
}

TEST_CASE_METHOD(people_fixture, "bad filters are 400 filter_error") {
    CHECK(ids(R"({"no_such_attribute":"x"})") == of({"HTTP 400 filter_error"}));
    CHECK(ids(R"({"email_addresses":{"$regex":"x"}})") == of({"HTTP 400 filter_error"}));
    CHECK(ids(R"({"lemlist_score":{"$contains":"1"}})") == of({"HTTP 400 filter_error"}));
    CHECK(ids(R"({"lemlist_paused":{"$gt":true}})") == of({"HTTP 400 filter_error"}));
    CHECK(ids(R"({"$and":{"name":"x"}})") == of({"HTTP 400 filter_error"}));
    CHECK(ids(R"({"email_addresses":{"bogus_field":"x"}})") == of({"HTTP 400 filter_error"}));
    CHECK(ids(R"("ada")") == of({"HTTP 400 filter_error"}));
}

TEST_CASE_METHOD(people_fixture, "limit and offset in the body - sorts") {
    auto r = call("POST", "/v2/objects/people/records/query",
                  R"({"sorts":[{"direction":"desc","attribute":"name","field":"last_name"}],"limit":2,"offset":0})");
    REQUIRE(r.status == 200);
    REQUIRE(r.data().Size() == 2);
    CHECK(std::string(r.data()[0]["id"]["record_id"].GetString()) == alan);   // Turing
    CHECK(std::string(r.data()[1]["id"]["record_id"].GetString()) == ada);    // Lovelace
    auto page2 = call("POST", "/v2/objects/people/records/query",
                      R"({"sorts":[{"direction":"desc","attribute":"name","field":"last_name"}],"limit":2,"offset":2})");
    REQUIRE(page2.data().Size() == 1);
    CHECK(std::string(page2.data()[0]["id"]["record_id"].GetString()) == grace);
    auto bad = call("POST", "/v2/objects/people/records/query", R"({"limit":-1})");
    CHECK(bad.status == 400);
    CHECK(bad.code() == "validation_type");
}

TEST_CASE("list entries filter on entry attributes, parent_record and parent paths") {
    harness h;
    h.create_events_list();
    const auto ada = h.create_person(R"({"email_addresses":["ada@example.com"]})");
    const auto alan = h.create_person(R"({"email_addresses":["alan@other.org"]})");
    const auto add = [&](const std::string& parent, const std::string& activity, const std::string& channel) {
        auto r = h.call("POST", "/v2/lists/lemlist_events/entries",
                        R"({"data":{"parent_record_id":")" + parent + R"(","parent_object":"people","entry_values":{"activity_id":")" +
                            activity + R"(","channel":")" + channel + R"("}}})");
        REQUIRE(r.status == 200);
        return std::string(r.data()["id"]["entry_id"].GetString());
    };
    const auto e1 = add(ada, "act_1", "email");
    const auto e2 = add(ada, "act_2", "linkedin");
    const auto e3 = add(alan, "act_3", "email");
    const auto query = [&](const std::string& filter) {
        auto r = h.call("POST", "/v2/lists/lemlist_events/entries/query", R"({"filter":)" + filter + "}");
        std::set<std::string> out;
        if (r.status != 200) {
            out.insert("HTTP " + std::to_string(r.status) + " " + r.code());
            return out;
        }
        for (const auto& e : r.data().GetArray()) out.insert(e["id"]["entry_id"].GetString());
        return out;
    };
    using S = std::set<std::string>;
    CHECK(query(R"({"activity_id":"act_2"})") == S{e2});
    CHECK(query(R"({"activity_id":{"$in":["act_1","act_3"]}})") == S{e1, e3});
    CHECK(query(R"({"channel":"email"})") == S{e1, e3});
    CHECK(query(R"({"parent_record":")" + ada + R"("})") == S{e1, e2});
    CHECK(query(R"({"parent_record":{"target_record_id":")" + alan + R"("}})") == S{e3});
    CHECK(query(R"({"$and":[{"parent_record":{"target_record_id":{"$eq":")" + ada + R"("}}},{"channel":"linkedin"}]})") == S{e2});
    CHECK(query(R"({"path":[["lemlist_events","parent_record"],["people","email_addresses"]],"constraints":{"email_domain":"other.org"}})") ==
          S{e3});
    CHECK(query(R"({"path":[["lemlist_events","parent_record"],["people","email_addresses"]],"constraints":"ADA@example.com"})") ==
          S{e1, e2});
    // `parent_record_id` is a field of the entry, not an attribute: not filterable.
    CHECK(query(R"({"parent_record_id":")" + ada + R"("})") == S{"HTTP 400 filter_error"});
    CHECK(query(R"({"path":[["people","parent_record"],["people","email_addresses"]],"constraints":"x"})") ==
          S{"HTTP 400 filter_error"});
}

TEST_CASE_METHOD(people_fixture, "indexed equality queries follow updates and deletes") {
    auto both = call("POST", "/v2/objects/people/records/query",
                     R"({"filter":{"email_addresses":{"$in":["ada@analytical.org","ada@example.com"]}}})");
    REQUIRE(both.status == 200);
    CHECK(both.data().Size() == 1);  // one record, though both keys hit it

    REQUIRE(call("PUT", "/v2/objects/people/records/" + ada, R"({"data":{"values":{"linkedin":"https://linkedin.com/in/ada2","email_addresses":["ada@new.org"]}}})")
                .status == 200);
    CHECK(ids(R"({"linkedin":"https://linkedin.com/in/ada"})").empty());
    CHECK(ids(R"({"linkedin":"https://linkedin.com/in/ada2"})") == of({ada}));
    CHECK(ids(R"({"email_addresses":"ada@example.com"})").empty());
    CHECK(ids(R"({"email_addresses":"ada@new.org"})") == of({ada}));
    // A shared non-unique value finds every holder, in creation order.
    REQUIRE(call("PATCH", "/v2/objects/people/records/" + grace, R"({"data":{"values":{"linkedin":"https://linkedin.com/in/ada2"}}})")
                .status == 200);
    auto shared = call("POST", "/v2/objects/people/records/query", R"({"filter":{"linkedin":"https://linkedin.com/in/ada2"}})");
    REQUIRE(shared.data().Size() == 2);
    CHECK(std::string(shared.data()[0]["id"]["record_id"].GetString()) == ada);
    CHECK(std::string(shared.data()[1]["id"]["record_id"].GetString()) == grace);
    REQUIRE(call("DELETE", "/v2/objects/people/records/" + ada).status == 200);
    CHECK(ids(R"({"linkedin":"https://linkedin.com/in/ada2"})") == of({grace}));
    CHECK(ids(R"({"email_addresses":"ada@new.org"})").empty());
}
