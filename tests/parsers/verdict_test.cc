// The page verdict on pages written for the test in the markup those systems serve
// (tests/fixtures/verdict/KIND-what.html: a bot check, a consent wall, a paywall teaser, an
// error page served as a page, a section front, an empty page) and on articles that look like
// them (a cookie banner, a "subscribe" footer, a story about 404 pages, a three-paragraph brief).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "parsers/extract/extract.h"
#include "parsers/extract/markers.h"
#include "parsers/extract/phrases.h"
#include "parsers/html/document.h"

using namespace winnow::parsers;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::path(WINNOW_SOURCE_DIR) / "tests/fixtures/verdict";

constexpr PageKind kKinds[] = {PageKind::article,        PageKind::not_article, PageKind::challenge,
                               PageKind::consent_wall,   PageKind::paywall_teaser, PageKind::error_page,
                               PageKind::empty};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The kind a fixture's name starts with ("not_article-section-front.html").
PageKind expected_kind(const std::string& name) {
  for (PageKind k : kKinds)
    if (name.starts_with(std::string(to_string(k)) + "-")) return k;
  BOOST_FAIL("fixture " << name << " names no kind");
  return PageKind::article;
}

std::vector<fs::path> fixtures() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kDir))
    if (entry.path().extension() == ".html") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

PageVerdict verdict_of(const std::string& html) { return extract(html, ExtractOptions{}).verdict; }

PageVerdict verdict_of_fixture(const std::string& name) { return verdict_of(slurp(kDir / name)); }

bool has_signal(const PageVerdict& v, const std::string& signal) {
  return std::find(v.signals.begin(), v.signals.end(), signal) != v.signals.end();
}

std::string describe(const PageVerdict& v) {
  std::string out = std::string(to_string(v.kind)) + " (" + v.reason + ")";
  for (const auto& s : v.signals) out += " " + s;
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(verdict)

BOOST_AUTO_TEST_CASE(every_fixture_is_judged_as_its_name_says) {
  std::map<PageKind, int> per_kind;
  for (const fs::path& file : fixtures()) {
    const std::string name = file.filename().string();
    PageKind want = expected_kind(name);
    ++per_kind[want];
    PageVerdict got = verdict_of(slurp(file));
    BOOST_TEST(got.kind == want, name << ": " << describe(got));
  }
  // Two pages at least of each kind, and more articles that look like the other kinds.
  for (PageKind k : kKinds) BOOST_TEST(per_kind[k] >= 2, to_string(k) << " has " << per_kind[k] << " fixtures");
  BOOST_TEST(per_kind[PageKind::article] >= 4);
}

BOOST_AUTO_TEST_CASE(every_verdict_has_a_reason_and_name_value_signals) {
  for (const fs::path& file : fixtures()) {
    PageVerdict v = verdict_of(slurp(file));
    BOOST_TEST(!v.reason.empty(), file.filename());
    BOOST_TEST(v.signals.size() >= 5u, file.filename());
    for (const auto& s : v.signals) BOOST_TEST((s.find('=') != std::string::npos && s.front() != '='), s);
    BOOST_TEST(v.signals.front().starts_with("kept_chars="), file.filename());
  }
}

BOOST_AUTO_TEST_CASE(a_bot_check_names_its_title_and_noscript) {
  PageVerdict v = verdict_of_fixture("challenge-just-a-moment.html");
  BOOST_TEST(v.kind == PageKind::challenge);
  BOOST_TEST(has_signal(v, "challenge_title=just a moment"), describe(v));
  BOOST_TEST(has_signal(v, "noscript=javascript_and_cookies"), describe(v));
}

BOOST_AUTO_TEST_CASE(a_bot_check_with_no_text_is_a_challenge_not_an_empty_page) {
  PageVerdict v = verdict_of_fixture("challenge-nur-einen-moment.html");
  BOOST_TEST(v.kind == PageKind::challenge, describe(v));
  BOOST_TEST(v.reason.find("no text") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_paywall_teaser_names_the_call_that_cuts_it) {
  PageVerdict v = verdict_of_fixture("paywall_teaser-subscribe-to-continue.html");
  BOOST_TEST(v.kind == PageKind::paywall_teaser);
  BOOST_TEST(has_signal(v, "accessible_for_free=false"), describe(v));
  BOOST_TEST(has_signal(v, "paywall_call=subscribe to continue reading"), describe(v));
}

BOOST_AUTO_TEST_CASE(a_complete_article_of_a_paywalled_site_stays_an_article) {
  PageVerdict v = verdict_of_fixture("article-paywalled-but-complete.html");
  BOOST_TEST(v.kind == PageKind::article, describe(v));
  BOOST_TEST(has_signal(v, "accessible_for_free=false"), describe(v));
}

BOOST_AUTO_TEST_CASE(an_error_page_in_german_names_its_title) {
  PageVerdict v = verdict_of_fixture("error_page-seite-nicht-gefunden.html");
  BOOST_TEST(v.kind == PageKind::error_page);
  BOOST_TEST(has_signal(v, "error_title=seite nicht gefunden"), describe(v));
}

BOOST_AUTO_TEST_CASE(a_short_brief_titled_not_found_stays_an_article) {
  PageVerdict v = verdict_of(
      "<html><head><title>Missing kayaker not found after night search</title>"
      "<meta property=\"article:published_time\" content=\"2024-06-01T08:00:00Z\"></head><body><article>"
      "<h1>Missing kayaker not found after night search</h1>"
      "<p>Rescue crews searched the bay through the night for a kayaker reported missing on Friday evening.</p>"
      "<p>Police said the search would resume at first light with a helicopter and two boats.</p>"
      "<p>The kayaker, a man in his forties, set off from the northern beach shortly after five.</p>"
      "</article></body></html>");
  BOOST_TEST(v.kind == PageKind::article, describe(v));
}

BOOST_AUTO_TEST_CASE(a_section_front_counts_its_teasers) {
  PageVerdict v = verdict_of_fixture("not_article-section-front.html");
  BOOST_TEST(v.kind == PageKind::not_article);
  BOOST_TEST(has_signal(v, "teasers=20"), describe(v));
  BOOST_TEST(has_signal(v, "page_type=CollectionPage"), describe(v));
}

BOOST_AUTO_TEST_CASE(an_article_says_how_much_text_it_has) {
  PageVerdict v = verdict_of_fixture("article-short-news-brief.html");
  BOOST_TEST(v.kind == PageKind::article);
  BOOST_TEST(v.reason.find("3 paragraphs") != std::string::npos, v.reason);
  BOOST_TEST(has_signal(v, "prose_blocks=3"), describe(v));
}

BOOST_AUTO_TEST_CASE(a_brief_under_a_long_consent_notice_stays_an_article) {
  PageVerdict v = verdict_of_fixture("article-brief-with-cookie-dialog-it.html");
  BOOST_TEST(v.kind == PageKind::article, describe(v));
}

BOOST_AUTO_TEST_CASE(a_dated_article_about_consent_stays_an_article) {
  PageVerdict v = verdict_of_fixture("article-about-cookie-consent-fine-en.html");
  BOOST_TEST(v.kind == PageKind::article, describe(v));
}

BOOST_AUTO_TEST_CASE(a_wall_whose_notice_the_extractor_kept_is_a_consent_wall) {
  PageVerdict v = verdict_of_fixture("consent_wall-famille-de-marques-fr.html");
  BOOST_TEST(v.kind == PageKind::consent_wall, describe(v));
  BOOST_TEST(v.reason.find("article text is a consent notice") != std::string::npos, v.reason);
}

BOOST_AUTO_TEST_CASE(the_offer_box_under_a_paywall_call_does_not_hide_the_cut) {
  PageVerdict v = verdict_of_fixture("paywall_teaser-plus-artikel-de.html");
  BOOST_TEST(v.kind == PageKind::paywall_teaser, describe(v));
  BOOST_TEST(has_signal(v, "paywall_call=lesen sie weiter mit"), describe(v));
}

BOOST_AUTO_TEST_CASE(a_dated_brief_titled_page_introuvable_stays_an_article) {
  PageVerdict v = verdict_of_fixture("article-brief-titled-page-introuvable-fr.html");
  BOOST_TEST(v.kind == PageKind::article, describe(v));
}

BOOST_AUTO_TEST_CASE(a_page_with_nothing_of_its_own_over_teasers_is_a_listing) {
  PageVerdict v = verdict_of_fixture("not_article-video-hub-it.html");
  BOOST_TEST(v.kind == PageKind::not_article, describe(v));
}

BOOST_AUTO_TEST_CASE(markers_read_class_words_service_paths_and_noscript) {
  HtmlDocument doc = HtmlDocument::parse(
      "<html><head><title> Just   a moment </title></head><body>"
      "<h1><span>Checking</span> your browser</h1>"
      "<div class=\"cf-turnstile\"></div><form id=\"challenge-form\" action=\"/?__cf_chl_f_tk=x\"></form>"
      "<iframe src=\"https://www.captcha.example/recaptcha/api2/anchor\"></iframe>"
      "<div id=\"onetrust-banner-sdk\"></div><div class=\"CybotCookiebotDialog\"></div>"
      "<div class=\"qc-cmp2-container\"></div><div class=\"cookie-banner\"></div>"
      "<div class=\"paywall\"></div><section class=\"subscriber-only\"></section>"
      "<div class=\"cmp-text\"></div><div class=\"cookie-recipe\"></div><div class=\"margin-bottom\"></div>"
      "<article></article><article></article>"
      "<noscript><p>Enable JavaScript and cookies to continue</p></noscript></body></html>");
  PageMarkers m = scan_markers(doc);
  BOOST_TEST(m.challenge == 3);  // cf-turnstile, challenge-form, the captcha frame
  BOOST_TEST(m.consent == 4);    // onetrust, Cookiebot, cmp2, cookie banner; not AEM's cmp-text
  BOOST_TEST(m.paywall == 2);
  BOOST_TEST(m.article_elements == 2);
  BOOST_TEST(m.noscript_javascript);
  BOOST_TEST(m.noscript_cookies);
  BOOST_TEST(m.title == "Just a moment");
  BOOST_TEST(m.first_h1 == "Checking your browser");
}

BOOST_AUTO_TEST_CASE(fold_case_makes_latin_and_cyrillic_capitals_small) {
  BOOST_TEST(fold_case("Página No Encontrada") == "página no encontrada");
  BOOST_TEST(fold_case("ŁÓDŹ") == "łódź");
  BOOST_TEST(fold_case("Страница НЕ найдена") == "страница не найдена");
  BOOST_TEST(fold_case("ページが見つかりません") == "ページが見つかりません");
}

BOOST_AUTO_TEST_CASE(has_404_wants_a_number_of_its_own) {
  BOOST_TEST(has_404("Error 404 - Not found"));
  BOOST_TEST(has_404("404"));
  BOOST_TEST(!has_404("Route 4041 closed"));
  BOOST_TEST(!has_404("12404 visitors"));
}

BOOST_AUTO_TEST_SUITE_END()
