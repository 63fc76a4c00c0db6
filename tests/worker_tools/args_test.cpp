// Command-line parsing of the operator tools: reconcile's time window, enroll's record ids.
#include <catch2/catch.hpp>

#include <fstream>

#include "support.hpp"
#include "tools/enroll.hpp"
#include "tools/reconcile.hpp"

using namespace las;
using namespace std::chrono_literals;

namespace {

const sys_ms now = *parse_iso8601("2025-03-10T12:00:00.000Z");

}  // namespace

TEST_CASE("since: ISO-8601 with a zone", "[args]") {
    auto t = tools::parse_time_arg("2025-03-01T08:30:00Z", now, "--since");
    REQUIRE(t.ok());
    CHECK(format_iso8601(*t) == "2025-03-01T08:30:00.000Z");
    auto offset = tools::parse_time_arg("2025-03-01T10:30:00+02:00", now, "--since");
    REQUIRE(offset.ok());
    CHECK(*offset == *t);
}

TEST_CASE("since: a duration back from now", "[args]") {
    CHECK(*tools::parse_time_arg("90s", now, "--since") == now - 90s);
    CHECK(*tools::parse_time_arg("45m", now, "--since") == now - 45min);
    CHECK(*tools::parse_time_arg("24h", now, "--since") == now - 24h);
    CHECK(*tools::parse_time_arg("7d", now, "--since") == now - 168h);
    CHECK(*tools::parse_time_arg("2w", now, "--since") == now - 336h);
}

TEST_CASE("since: refuses anything else with one line naming the option", "[args]") {
    for (const char* bad : {"", "24", "h", "-3h", "3 h", " 3h", "3h ", "3H", "3x", "1.5h", "2025-03-01T08:30:00",
                            "2025-02-30T00:00:00Z", "yesterday", "0h", "99999999d"}) {
        INFO(bad);
        auto t = tools::parse_time_arg(bad, now, "--since");
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().starts_with("--since: "));
        CHECK(t.error().find('\n') == std::string::npos);
    }
}

TEST_CASE("reconcile options: window defaults and checks", "[args]") {
    tools::reconcile_args args;
    args.since = "24h";
    auto o = tools::make_reconcile_options(args, now);
    REQUIRE(o.ok());
    CHECK(o->since == now - 24h);
    CHECK(o->until == now);
    CHECK_FALSE(o->campaign_id);

    args.until = "2025-03-10T11:00:00Z";
    args.campaign_id = "cam_A";
    args.type = "emailsOpened";
    o = tools::make_reconcile_options(args, now);
    REQUIRE(o.ok());
    CHECK(o->until == now - 1h);
    CHECK(o->campaign_id == "cam_A");
    const auto q = tools::page_query(*o, 200);
    CHECK(q.min_date == "2025-03-09T12:00:00.000Z");
    CHECK(q.max_date == "2025-03-10T11:00:00.000Z");
    CHECK(q.offset == 200);
    CHECK(q.limit == 100);
    CHECK(q.type == "emailsOpened");
    CHECK(q.campaign_id == "cam_A");

    args.until = "25h";  // before --since
    o = tools::make_reconcile_options(args, now);
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().find("must be before --until") != std::string::npos);

    args.until = "soon";
    o = tools::make_reconcile_options(args, now);
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().starts_with("--until: "));
}

TEST_CASE("record ids are Attio UUIDs", "[args]") {
    CHECK(tools::is_record_id("891dcbfc-9141-415d-9b2a-2238a6cc012d"));
    CHECK(tools::is_record_id("891DCBFC-9141-415D-9B2A-2238A6CC012D"));
    CHECK_FALSE(tools::is_record_id("891dcbfc9141415d9b2a2238a6cc012d"));
    CHECK_FALSE(tools::is_record_id("891dcbfc-9141-415d-9b2a-2238a6cc012"));
    CHECK_FALSE(tools::is_record_id("891dcbfc-9141-415d-9b2a-2238a6cc012g"));
    CHECK_FALSE(tools::is_record_id(""));
}

TEST_CASE("a record file: comments, blanks, duplicates, invalid ids with line numbers", "[args]") {
    const std::string text =
        "# People to enroll\n"
        "891dcbfc-9141-415d-9b2a-2238a6cc012d\n"
        "\n"
        "   a1b2c3d4-0000-4000-8000-000000000001   # the second one\n"
        "not-a-uuid\n"
        "891DCBFC-9141-415D-9B2A-2238A6CC012D\r\n"
        "\t\n"
        "a1b2c3d4-0000-4000-8000-00000000000z\n"
        "a1b2c3d4-0000-4000-8000-000000000002";  // no final newline
    const auto list = tools::parse_record_file(text);
    REQUIRE(list.ids.size() == 3);
    CHECK(list.ids[0] == "891dcbfc-9141-415d-9b2a-2238a6cc012d");
    CHECK(list.ids[1] == "a1b2c3d4-0000-4000-8000-000000000001");
    CHECK(list.ids[2] == "a1b2c3d4-0000-4000-8000-000000000002");
    REQUIRE(list.problems.size() == 2);
    CHECK(list.problems[0].starts_with("line 5: \"not-a-uuid\""));
    CHECK(list.problems[1].starts_with("line 8: "));
    REQUIRE(list.notes.size() == 1);
    CHECK(list.notes[0] == "line 6: duplicate of line 2, skipped");

    CHECK(tools::parse_record_file("").ids.empty());
    CHECK(tools::parse_record_file("# only a comment\n\n").problems.empty());
}

TEST_CASE("record arguments are checked the same way", "[args]") {
    const auto list = tools::check_record_args({"891dcbfc-9141-415d-9b2a-2238a6cc012d", "x", "891dcbfc-9141-415d-9b2a-2238a6cc012d"});
    CHECK(list.ids.size() == 1);
    REQUIRE(list.problems.size() == 1);
    CHECK(list.problems[0].starts_with("--record #2: \"x\""));
    CHECK(list.notes.size() == 1);
}

TEST_CASE("enroll options: flags from TOML unless given, file or records, every problem listed", "[args]") {
    enrollment_defaults defaults;
    defaults.find_email = true;
    defaults.deduplicate = true;

    tools::enroll_args args;
    args.campaign_id = "cam_Sandbox";
    args.record_ids = {"891dcbfc-9141-415d-9b2a-2238a6cc012d"};
    auto o = tools::make_enroll_options(args, defaults);
    REQUIRE(o.ok());
    CHECK(o->flags.find_email);
    CHECK(o->flags.deduplicate);
    CHECK_FALSE(o->flags.verify_email);

    args.find_email = false;
    args.verify_email = true;
    o = tools::make_enroll_options(args, defaults);
    REQUIRE(o.ok());
    CHECK_FALSE(o->flags.find_email);
    CHECK(o->flags.verify_email);

    tools_test::temp_dir dir;
    const auto file = dir.path() / "ids.txt";
    std::ofstream(file) << "891dcbfc-9141-415d-9b2a-2238a6cc012d\nbad\n";
    tools::enroll_args from_file;
    from_file.campaign_id = "nope";
    from_file.from_file = file.string();
    auto refused = tools::make_enroll_options(from_file, defaults);
    REQUIRE_FALSE(refused.ok());
    REQUIRE(refused.error().size() == 2);  // the campaign and line 2
    CHECK(refused.error()[0].starts_with("--campaign"));
    CHECK(refused.error()[1].find("line 2") != std::string::npos);

    from_file.campaign_id = "cam_X";
    from_file.from_file = (dir.path() / "missing.txt").string();
    refused = tools::make_enroll_options(from_file, defaults);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error()[0].find("cannot read") != std::string::npos);

    tools::enroll_args none;
    none.campaign_id = "cam_X";
    CHECK_FALSE(tools::make_enroll_options(none, defaults).ok());
}

TEST_CASE("progress line", "[args]") {
    tools::enroll_tally t;
    t.enrolled = 100;
    t.duplicate = 12;
    t.rejected = 5;
    t.failed = 3;
    CHECK(t.progress_line(500) == "[120/500] enrolled=100 duplicate=12 rejected=5 failed=3");
}
