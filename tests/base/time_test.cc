#include "base/time.h"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>
#include <utility>

namespace winnow::base {
namespace {

// Prints the parse as RFC 3339 (or "none") so a failed case reads well.
std::string parsed(std::string_view text) {
  auto t = parse_date(text);
  return t ? format_rfc3339(*t) : std::string("none");
}

struct Case {
  const char* text;
  const char* expected;
};

template <std::size_t N>
void check_all(const Case (&cases)[N]) {
  for (const Case& c : cases) BOOST_TEST(parsed(c.text) == c.expected, "for \"" << c.text << '"');
}

const Case kRfc822[] = {
    {"Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 +0000", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 -0000", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 UT", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 UTC", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 Z", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 14:48:21 EST", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jul 2004 15:48:21 EDT", "2004-07-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 13:48:21 CST", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 14:48:21 CDT", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 12:48:21 MST", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 13:48:21 MDT", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 11:48:21 PST", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 12:48:21 PDT", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 20:48:21 +0100", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 14:18:21 -0530", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 21:48:21 +02:00", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 20:48:21 CET", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 21:48:21 GMT+2", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 14:48:21 UTC-05:00", "2004-01-01T19:48:21Z"},
    {"Fri, 02 Jan 2004 04:48:21 JST", "2004-01-01T19:48:21Z"},
};

const Case kBrokenRfc822[] = {
    {"01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},          // no weekday
    {"Mon, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},     // wrong weekday
    {"Thu, 01 Jan 2004 19:48 GMT", "2004-01-01T19:48:00Z"},        // no seconds
    {"Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z"},       // two-digit year
    {"Wed, 01 Jan 97 19:48:21 GMT", "1997-01-01T19:48:21Z"},       // two-digit year, last century
    {"Thu,  1  Jan  2004   19:48:21   GMT", "2004-01-01T19:48:21Z"},  // extra spaces
    {"thu, 01 jan 2004 19:48:21 gmt", "2004-01-01T19:48:21Z"},     // lowercase
    {"THU, 01 JAN 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},     // uppercase
    {"Thu,01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},      // no space after comma
    {"Thursday, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},  // long names
    {"Thu, 01 Jan 2004 19:48:21", "2004-01-01T19:48:21Z"},         // no zone: UTC
    {"Thu, 01 Jan 2004", "2004-01-01T00:00:00Z"},                  // no time
    {"Thu, 1 Jan 2004 9:48:21 GMT", "2004-01-01T09:48:21Z"},       // one-digit hour
    {"Thu, 01 Jan 2004 19:48:21 -0800 (PST)", "2004-01-02T03:48:21Z"},  // comment
    {"Thu, 01-Jan-2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},     // dashes (RFC 850 style)
    {"Thursday, 01-Jan-04 19:48:21 GMT", "2004-01-01T19:48:21Z"},  // RFC 850
    {"Thu, 01 Jan 2004 19:48:21.123 GMT", "2004-01-01T19:48:21Z"}, // fraction
    {"Thu, 01 Jan 2004 19:48:21+0000", "2004-01-01T19:48:21Z"},    // zone glued to time
    {"Thu, 01 Jan. 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},    // dotted month
    {"Thu, 01 Sept 2004 19:48:21 GMT", "2004-09-01T19:48:21Z"},    // "Sept"
    {"Thu Jan  1 19:48:21 2004", "2004-01-01T19:48:21Z"},          // asctime
    {"Thu, 01 Jan 2004 19:48:21 GMT ", "2004-01-01T19:48:21Z"},    // trailing space
    {"\n  Thu, 01 Jan 2004 19:48:21 GMT\n", "2004-01-01T19:48:21Z"},  // surrounding newlines
    {"Sat, 31 Dec 2005 23:59:60 GMT", "2006-01-01T00:00:00Z"},     // leap second folds over
    {"Thu, 01 Jan 2004 07:48:21 PM GMT", "2004-01-01T19:48:21Z"},  // 12-hour clock
};

const Case kIso[] = {
    {"2004-01-01T19:48:21Z", "2004-01-01T19:48:21Z"},
    {"2004-01-01T19:48:21z", "2004-01-01T19:48:21Z"},
    {"2004-01-01t19:48:21Z", "2004-01-01T19:48:21Z"},
    {"2004-01-01T19:48:21+00:00", "2004-01-01T19:48:21Z"},
    {"2004-01-01T20:48:21+01:00", "2004-01-01T19:48:21Z"},
    {"2004-01-01T14:48:21-05:00", "2004-01-01T19:48:21Z"},
    {"2004-01-01T14:48:21-0500", "2004-01-01T19:48:21Z"},
    {"2004-01-01T14:48:21-05", "2004-01-01T19:48:21Z"},
    {"2004-01-01T19:48:21.123456Z", "2004-01-01T19:48:21Z"},
    {"2004-01-01T19:48:21,5Z", "2004-01-01T19:48:21Z"},
    {"2004-01-01 19:48:21Z", "2004-01-01T19:48:21Z"},
    {"2004-01-01 19:48:21", "2004-01-01T19:48:21Z"},
    {"2004-01-01 19:48:21 +0000", "2004-01-01T19:48:21Z"},
    {"2004-01-01 19:48:21 GMT", "2004-01-01T19:48:21Z"},
    {"2004-01-01T19:48Z", "2004-01-01T19:48:00Z"},
    {"2004-01-01T19:48+01:00", "2004-01-01T18:48:00Z"},
    {"20040101T194821Z", "2004-01-01T19:48:21Z"},
    {"20040101T204821+0100", "2004-01-01T19:48:21Z"},
    {"20040101", "2004-01-01T00:00:00Z"},
    {"2004-01-01T00:30:00+01:00", "2003-12-31T23:30:00Z"},  // crosses the year
    {"2004-01-01T24:00:00Z", "2004-01-02T00:00:00Z"},
    {"2004-032", "2004-02-01T00:00:00Z"},  // ordinal date
    {"2000-02-29T12:00:00Z", "2000-02-29T12:00:00Z"},
};

const Case kW3cDtfAndBare[] = {
    {"2004", "2004-01-01T00:00:00Z"},
    {"2004-07", "2004-07-01T00:00:00Z"},
    {"2004-07-16", "2004-07-16T00:00:00Z"},
    {"2004/07/16", "2004-07-16T00:00:00Z"},
    {"2004.07.16", "2004-07-16T00:00:00Z"},
    {"16 July 2004", "2004-07-16T00:00:00Z"},
    {"July 16, 2004", "2004-07-16T00:00:00Z"},
    {"July 16th, 2004", "2004-07-16T00:00:00Z"},
    {"Jul 16 2004", "2004-07-16T00:00:00Z"},
    {"16-Jul-2004", "2004-07-16T00:00:00Z"},
    {"1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"},
    {"1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"},
};

const char* const kNotDates[] = {
    "",
    "   ",
    "yesterday",
    "not a date at all",
    "2004-13-01",
    "2004-02-30",
    "2003-02-29T00:00:00Z",
    "2004-01-01T25:00:00Z",
    "2004-01-01T19:61:00Z",
    "2004-01-01T19:48:21+25:00",
    "2004-01-01T19:48:21 Mars/Olympus",
    "Thu, 32 Jan 2004 19:48:21 GMT",
    "Thu, 01 Foo 2004 19:48:21 GMT",
    "Thu, 01 Jan 2004 19:48:21 XYZT",
    "12345678901234567890",
    "2004-01-01T",
    "Jan 2004",
};

BOOST_AUTO_TEST_SUITE(time)

BOOST_AUTO_TEST_CASE(rfc822_with_named_and_numeric_zones) { check_all(kRfc822); }

BOOST_AUTO_TEST_CASE(rfc822_broken_variants) { check_all(kBrokenRfc822); }

BOOST_AUTO_TEST_CASE(iso8601_and_rfc3339) { check_all(kIso); }

BOOST_AUTO_TEST_CASE(w3cdtf_and_bare_dates) { check_all(kW3cDtfAndBare); }

BOOST_AUTO_TEST_CASE(text_that_is_not_a_date_is_rejected) {
  for (const char* text : kNotDates) {
    BOOST_TEST(parsed(text) == "none", "for \"" << text << "\"");
  }
}

BOOST_AUTO_TEST_CASE(bare_year_is_a_date) { BOOST_TEST(parsed("1234") == "1234-01-01T00:00:00Z"); }

BOOST_AUTO_TEST_CASE(format_rfc3339_known_instants) {
  BOOST_TEST(format_rfc3339(0) == "1970-01-01T00:00:00Z");
  BOOST_TEST(format_rfc3339(-1) == "1969-12-31T23:59:59Z");
  BOOST_TEST(format_rfc3339(1073000901) == "2004-01-01T23:48:21Z");
  BOOST_TEST(format_rfc3339(951782400) == "2000-02-29T00:00:00Z");
  BOOST_TEST(format_rfc3339(253402300799) == "9999-12-31T23:59:59Z");
}

BOOST_AUTO_TEST_CASE(format_http_date_known_instants) {
  BOOST_TEST(format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 7231's example
  BOOST_TEST(format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  BOOST_TEST(format_http_date(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
  BOOST_TEST(format_http_date(-1) == "Wed, 31 Dec 1969 23:59:59 GMT");
}

BOOST_AUTO_TEST_CASE(http_dates_read_back) {
  for (UnixSeconds t = -2208988800; t < 4102444800; t += 86400 * 13 + 3607) {
    auto back = parse_date(format_http_date(t));
    BOOST_REQUIRE(back.has_value());
    BOOST_REQUIRE_EQUAL(*back, t);
  }
}

BOOST_AUTO_TEST_CASE(every_day_of_four_centuries_round_trips) {
  // 1900..2300 covers the 100- and 400-year leap rules both ways.
  for (UnixSeconds t = -2208988800; t < 10413792000; t += 86400 - 7) {
    auto back = parse_date(format_rfc3339(t));
    BOOST_REQUIRE(back.has_value());
    BOOST_REQUIRE_EQUAL(*back, t);
  }
}

BOOST_AUTO_TEST_CASE(does_not_depend_on_the_tz_environment) {
  ::setenv("TZ", "America/New_York", 1);
  BOOST_TEST(parsed("2004-01-01T19:48:21") == "2004-01-01T19:48:21Z");
  BOOST_TEST(parsed("Thu, 01 Jan 2004 19:48:21") == "2004-01-01T19:48:21Z");
  ::unsetenv("TZ");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::base
