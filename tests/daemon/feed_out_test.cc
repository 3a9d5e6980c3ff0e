// api/feed_out and api/article_html: archived articles as full-text Atom and JSON feeds.
// The Atom is validated against RFC 4287's own schema (tests/fixtures/atom/atom.rng) with
// libxml2, both formats are read back by winnow's feed parser, and hostile text and URLs are
// looked for in the HTML a reader would render, after the feed has been parsed as a reader
// parses it.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <gumbo.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/ascii.h"
#include "base/time.h"
#include "daemon/api/article_html.h"
#include "daemon/api/feed_out.h"
#include "daemon/api/xml_text.h"
#include "daemon/archive/archive.h"
#include "daemon/ingest/article_row.h"
#include "feeds/formats/parse.h"
#include "feeds/text.h"
#include "parsers/extract/article.h"
#include "parsers/extract/extract.h"
#include "parsers/html/document.h"
#include "parsers/render/render.h"

namespace winnow {
namespace {

using api::FeedOutFormat;
using api::FeedOutInfo;
using archive::ArticleRow;

// ---- libxml2, in RAII ----

struct XmlDocFree {
  void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
struct RngParserFree {
  void operator()(xmlRelaxNGParserCtxt* ctxt) const noexcept { xmlRelaxNGFreeParserCtxt(ctxt); }
};
struct RngFree {
  void operator()(xmlRelaxNG* schema) const noexcept { xmlRelaxNGFree(schema); }
};
struct RngValidFree {
  void operator()(xmlRelaxNGValidCtxt* ctxt) const noexcept { xmlRelaxNGFreeValidCtxt(ctxt); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocFree>;
using RngParser = std::unique_ptr<xmlRelaxNGParserCtxt, RngParserFree>;
using Rng = std::unique_ptr<xmlRelaxNG, RngFree>;
using RngValid = std::unique_ptr<xmlRelaxNGValidCtxt, RngValidFree>;

void collect_error(void* errors, xmlErrorPtr error) {
  std::string line = error && error->message ? error->message : "(no message)";
  if (error && error->line > 0) line = "line " + std::to_string(error->line) + ": " + line;
  static_cast<std::vector<std::string>*>(errors)->push_back(line);
}

// Strict XML 1.0: no recovery, no network; nullptr when not well-formed.
XmlDoc parse_xml(const std::string& xml) {
  return XmlDoc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "feed.atom", nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

const std::string kSchemaPath = std::string(WINNOW_SOURCE_DIR) + "/tests/fixtures/atom/atom.rng";

// RFC 4287's schema, loaded once.
const xmlRelaxNG& atom_schema() {
  static const Rng schema = [] {
    std::vector<std::string> errors;
    RngParser parser(xmlRelaxNGNewParserCtxt(kSchemaPath.c_str()));
    BOOST_TEST_REQUIRE(parser != nullptr);
    xmlRelaxNGSetParserStructuredErrors(parser.get(), collect_error, &errors);
    Rng rng(xmlRelaxNGParse(parser.get()));
    BOOST_TEST_REQUIRE(rng != nullptr, "atom.rng does not load: " << (errors.empty() ? "" : errors.front()));
    return rng;
  }();
  return *schema;
}

// What RFC 4287's schema says is wrong with `xml`; empty when it is valid Atom.
std::vector<std::string> atom_schema_errors(const std::string& xml) {
  XmlDoc doc = parse_xml(xml);
  if (!doc) return {"not well-formed XML"};
  std::vector<std::string> errors;
  RngValid valid(xmlRelaxNGNewValidCtxt(const_cast<xmlRelaxNG*>(&atom_schema())));
  xmlRelaxNGSetValidStructuredErrors(valid.get(), collect_error, &errors);
  const int rc = xmlRelaxNGValidateDoc(valid.get(), doc.get());
  if (rc != 0 && errors.empty()) errors.push_back("invalid, rc=" + std::to_string(rc));
  return errors;
}

std::string name_of(const xmlNode* node) { return reinterpret_cast<const char*>(node->name); }

std::string ns_of(const xmlNode* node) {
  return node->ns && node->ns->href ? reinterpret_cast<const char*>(node->ns->href) : "";
}

std::string content_of(const xmlNode* node) {
  xmlChar* text = xmlNodeGetContent(node);
  std::string out = text ? reinterpret_cast<const char*>(text) : "";
  xmlFree(text);
  return out;
}

std::string attribute_of(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  std::string out = value ? reinterpret_cast<const char*>(value) : "";
  xmlFree(value);
  return out;
}

std::vector<const xmlNode*> child_elements(const xmlNode* parent, const std::string& name) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* n = parent->children; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE && (name.empty() || name_of(n) == name)) out.push_back(n);
  return out;
}

// ---- HTML as a browser reads it ----

const std::set<std::string> kAllowedElements = {"html", "head", "body", "p", "br", "h2", "h3", "h4", "h5", "h6",
                                                "ul", "ol", "li", "table", "tbody", "tr", "td", "blockquote",
                                                "pre", "code", "figure", "img", "em"};

// The URL a browser would see in an attribute: no whitespace or controls anywhere, lowercase.
std::string as_browser_reads(std::string_view url) {
  std::string out;
  for (char c : url)
    if (static_cast<unsigned char>(c) > 0x20) out += base::to_lower(c);
  return out;
}

// Everything in `html` (parsed by Gumbo, as a browser parses it) that a sanitized article
// must not hold: an element or attribute off the allow-list, an on* handler, a URL that is
// not absolute http(s).
std::vector<std::string> unsafe_parts(const std::string& html) {
  parsers::HtmlDocument::Options options;
  options.elide = false;  // see <script> as the browser would
  const auto doc = parsers::HtmlDocument::parse(html, options);
  std::vector<std::string> found;
  std::vector<const GumboNode*> stack{&doc.root()};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
    const GumboElement& e = node->v.element;
    const std::string tag = e.tag == GUMBO_TAG_UNKNOWN ? "unknown" : gumbo_normalized_tagname(e.tag);
    if (e.tag_namespace != GUMBO_NAMESPACE_HTML) found.push_back("foreign element " + tag);
    if (!kAllowedElements.count(tag)) found.push_back("element " + tag);
    for (unsigned i = 0; i < e.attributes.length; ++i) {
      const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
      const std::string name = base::to_lower(a->name);
      if (name.rfind("on", 0) == 0) found.push_back("handler " + name);
      if (name != "src" && name != "alt") found.push_back("attribute " + name);
      if (name == "src" || name == "href") {
        const std::string url = as_browser_reads(a->value);
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) found.push_back("url " + std::string(a->value));
      }
    }
    for (unsigned i = 0; i < e.children.length; ++i) stack.push_back(static_cast<const GumboNode*>(e.children.data[i]));
  }
  return found;
}

// ---- Rows ----

// Blocks of every kind the extractor writes, as parsers::to_json writes them: a change of
// that format shows up here.
std::string every_kind_of_block(const std::string& s) {
  parsers::Article article;
  auto add = [&](parsers::BlockKind kind, std::string text) -> parsers::Block& {
    parsers::Block block;
    block.kind = kind;
    block.text = std::move(text);
    article.blocks.push_back(std::move(block));
    return article.blocks.back();
  };
  add(parsers::BlockKind::paragraph, "The harbour council of " + s + " met on Tuesday.\nIt voted late.");
  add(parsers::BlockKind::heading, "What was decided in " + s).level = 2;
  parsers::Block& list = add(parsers::BlockKind::list, "First point\nSecond point");
  list.items = {"First point", "Second point"};
  list.ordered = true;
  parsers::Block& table = add(parsers::BlockKind::table, "Year\tShips\n2025\t41");
  table.rows = {{"Year", "Ships"}, {"2025", "41"}};
  add(parsers::BlockKind::quote, "We will build the new pier.");
  add(parsers::BlockKind::code, "pier --length 120");
  add(parsers::BlockKind::caption, "The harbour at dawn.");
  return boost::json::serialize(parsers::to_json(article, false).at("blocks"));
}

ArticleRow row_number(int n) {
  const std::string s = std::to_string(n);
  ArticleRow row;
  row.id = n;
  row.feed_id = 3;
  row.entry_key = "urn:entry:" + s;
  row.url = "https://news.example/story/" + s;
  row.normalized_url = row.url;
  row.title = "Story number " + s;
  row.authors = "Ann Writer, Bob Editor";
  row.published = 1'700'000'000 + n;
  row.site_name = "News Example";
  row.language = "en";
  row.description = "Story " + s + " in one line.";
  row.image = "/img/" + s + ".jpg";  // relative: resolved against the article's URL
  row.tags = "world, harbours";
  row.text = "The harbour council of " + s + " met on Tuesday.";
  row.blocks_json = every_kind_of_block(s);
  row.fetched_at = 1'700'000'100 + n;
  row.archived_at = 1'700'000'200 + n;
  return row;
}

FeedOutInfo info() {
  FeedOutInfo info;
  info.id = "tag:winnow,2026:feed/3";
  info.title = "News Example (full text)";
  info.description = "Every story of News Example, in full.";
  info.self_url = "http://127.0.0.1:8470/v1/feeds/3/full.atom";
  info.home_url = "https://news.example/";
  info.article_url_base = "http://127.0.0.1:8470/v1/articles/";
  return info;
}

// Three originals and a near-duplicate of the first, in every shape the feed must take.
std::vector<ArticleRow> sample_rows() {
  std::vector<ArticleRow> rows;
  for (int n = 1; n <= 3; ++n) rows.push_back(row_number(n));
  rows[1].modified = 1'700'009'000;
  rows[1].language = "pt_BR";
  rows[2].authors.clear();
  rows[2].site_name.clear();  // no author at all: the feed's stands in
  rows[2].published.reset();
  rows[2].blocks_json = "[]";  // paragraphs of the text instead
  rows[2].text = "First paragraph of three.\n\nSecond paragraph of three.";
  ArticleRow copy = row_number(4);
  copy.duplicate_of = 1;
  rows.push_back(copy);
  return rows;
}

// A reader's view of the Atom entries: the HTML of each entry's content.
std::vector<std::string> atom_contents(const std::string& atom) {
  XmlDoc doc = parse_xml(atom);
  BOOST_TEST_REQUIRE(doc != nullptr);
  std::vector<std::string> out;
  for (const xmlNode* entry : child_elements(xmlDocGetRootElement(doc.get()), "entry"))
    for (const xmlNode* content : child_elements(entry, "content")) out.push_back(content_of(content));
  return out;
}

boost::json::object parse_json(const std::string& text) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(text, error);  // strict: rejects invalid UTF-8 too
  BOOST_TEST_REQUIRE(!error, error.message());
  BOOST_TEST_REQUIRE(value.is_object());
  return value.as_object();
}

BOOST_AUTO_TEST_SUITE(feed_out)

// ---- Atom against RFC 4287 ----

BOOST_AUTO_TEST_CASE(atom_is_valid_against_the_rfc_4287_schema) {
  const std::string atom = api::atom_feed(info(), sample_rows());
  const auto errors = atom_schema_errors(atom);
  BOOST_TEST(errors.empty(), (errors.empty() ? "" : errors.front()) << "\n" << atom);
}

BOOST_AUTO_TEST_CASE(the_schema_rejects_what_is_no_atom) {
  // The schema must be able to say no, or the test above proves nothing.
  const std::string good = api::atom_feed(info(), sample_rows());
  BOOST_TEST(atom_schema_errors(good).empty());
  std::string no_id = good;
  no_id.erase(no_id.find("<id>"), no_id.find("</id>") + 5 - no_id.find("<id>"));
  BOOST_TEST(!atom_schema_errors(no_id).empty());
  std::string bad_date = good;
  bad_date.replace(bad_date.find("<updated>") + 9, 4, "20xx");
  BOOST_TEST(!atom_schema_errors(bad_date).empty());
  std::string bad_lang = good;
  bad_lang.replace(bad_lang.find("xml:lang=\"en\""), 13, "xml:lang=\"e n\"");
  BOOST_TEST(!atom_schema_errors(bad_lang).empty());
  std::string unknown_atom_element = good;
  unknown_atom_element.replace(unknown_atom_element.find("<summary>"), 0, "<bogus/>");
  BOOST_TEST(!atom_schema_errors(unknown_atom_element).empty());
  std::string markup_in_html_content = good;
  markup_in_html_content.replace(markup_in_html_content.find("</content>"), 0, "<p>raw</p>");
  BOOST_TEST(!atom_schema_errors(markup_in_html_content).empty());
  std::string no_title = good;
  no_title.erase(no_title.find("<title>"), no_title.find("</title>") + 8 - no_title.find("<title>"));
  BOOST_TEST(!atom_schema_errors(no_title).empty());
}

BOOST_AUTO_TEST_CASE(atom_keeps_the_rules_the_schema_cannot_say) {
  // RFC 4287's Schematron rules: an author for every entry (its own or the feed's), content
  // or an alternate link in every entry.
  const std::string atom = api::atom_feed(info(), sample_rows());
  XmlDoc doc = parse_xml(atom);
  BOOST_TEST_REQUIRE(doc != nullptr);
  const xmlNode* feed = xmlDocGetRootElement(doc.get());
  BOOST_TEST(ns_of(feed) == "http://www.w3.org/2005/Atom");
  const bool feed_has_author = !child_elements(feed, "author").empty();
  BOOST_TEST(feed_has_author);  // the third row has none of its own
  const auto entries = child_elements(feed, "entry");
  BOOST_TEST_REQUIRE(entries.size() == 4u);
  for (const xmlNode* entry : entries) {
    BOOST_TEST(child_elements(entry, "content").size() == 1u);
    int alternates = 0;
    for (const xmlNode* link : child_elements(entry, "link")) alternates += attribute_of(link, "rel") == "alternate";
    BOOST_TEST(alternates == 1);
  }
  BOOST_TEST(child_elements(entries[0], "author").size() == 2u);
  BOOST_TEST(child_elements(entries[2], "author").empty());
  BOOST_TEST(child_elements(entries[2], "published").empty());
}

BOOST_AUTO_TEST_CASE(an_empty_feed_is_valid_atom_and_json) {
  const std::string atom = api::atom_feed(info(), {});
  BOOST_TEST(atom_schema_errors(atom).empty(), atom);
  BOOST_TEST(atom.find("<updated>1970-01-01T00:00:00Z</updated>") != std::string::npos);
  FeedOutInfo polled = info();
  polled.updated = 1'700'000'000;
  BOOST_TEST(api::atom_feed(polled, {}).find("<updated>2023-11-14T22:13:20Z</updated>") != std::string::npos);
  const auto json = parse_json(api::json_feed(info(), {}));
  BOOST_TEST(json.at("items").as_array().empty());
}

BOOST_AUTO_TEST_CASE(entries_carry_ids_dates_links_and_language) {
  const auto rows = sample_rows();
  const std::string atom = api::atom_feed(info(), rows);
  XmlDoc doc = parse_xml(atom);
  BOOST_TEST_REQUIRE(doc != nullptr);
  const auto entries = child_elements(xmlDocGetRootElement(doc.get()), "entry");
  BOOST_TEST_REQUIRE(entries.size() == rows.size());
  auto text = [](const xmlNode* entry, const char* name) {
    const auto found = child_elements(entry, name);
    return found.empty() ? std::string("(none)") : content_of(found.front());
  };
  BOOST_TEST(text(entries[0], "id") == "tag:winnow,2026:article/1");
  BOOST_TEST(text(entries[0], "updated") == base::format_rfc3339(1'700'000'001));  // published
  BOOST_TEST(text(entries[1], "updated") == base::format_rfc3339(1'700'009'000));  // modified
  BOOST_TEST(text(entries[2], "updated") == base::format_rfc3339(1'700'000'103));  // fetched_at
  BOOST_TEST(text(entries[0], "summary") == "Story 1 in one line.");
  BOOST_TEST(attribute_of(entries[0], "lang") == "en");
  BOOST_TEST(attribute_of(entries[1], "lang") == "pt-BR");
  // The near-duplicate points at its original through the API.
  std::vector<std::string> related;
  for (const xmlNode* link : child_elements(entries[3], "link"))
    if (attribute_of(link, "rel") == "related") related.push_back(attribute_of(link, "href"));
  BOOST_TEST(related == std::vector<std::string>{"http://127.0.0.1:8470/v1/articles/1"});
  std::vector<std::string> terms;
  for (const xmlNode* category : child_elements(entries[0], "category")) terms.push_back(attribute_of(category, "term"));
  BOOST_TEST((terms == std::vector<std::string>{"world", "harbours"}));
}

// ---- JSON Feed 1.1 ----

BOOST_AUTO_TEST_CASE(json_feed_has_what_version_1_1_requires) {
  const auto rows = sample_rows();
  const auto feed = parse_json(api::json_feed(info(), rows));
  BOOST_TEST(feed.at("version").as_string() == "https://jsonfeed.org/version/1.1");
  BOOST_TEST(feed.at("title").as_string() == "News Example (full text)");
  BOOST_TEST(feed.at("home_page_url").as_string() == "https://news.example/");
  BOOST_TEST(feed.at("feed_url").as_string() == "http://127.0.0.1:8470/v1/feeds/3/full.atom");
  const auto& items = feed.at("items").as_array();
  BOOST_TEST_REQUIRE(items.size() == rows.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i].as_object();
    BOOST_TEST(item.at("id").is_string());  // the spec: a string, even for a number
    BOOST_TEST(item.at("id").as_string() == api::entry_id(info(), rows[i]));
    BOOST_TEST((item.contains("content_html") || item.contains("content_text")));
    BOOST_TEST(item.at("content_html").is_string());
    BOOST_TEST(item.at("url").as_string() == rows[i].url);
    BOOST_TEST(item.at("date_published").is_string());
    BOOST_TEST(base::parse_date(item.at("date_published").as_string()).has_value());
    if (item.contains("authors")) {
      for (const auto& author : item.at("authors").as_array()) BOOST_TEST(author.as_object().at("name").is_string());
    }
    if (item.contains("tags")) {
      for (const auto& tag : item.at("tags").as_array()) BOOST_TEST(tag.is_string());
    }
    // Extensions start with an underscore (JSON Feed 1.1, "Extensions").
    const auto& ext = item.at("_winnow").as_object();
    BOOST_TEST(ext.at("article_id").as_int64() == rows[i].id);
    BOOST_TEST(ext.at("verdict").as_string() == "article");
    BOOST_TEST(ext.at("partial").is_bool());
    for (const auto& kv : item) {
      static const std::set<std::string> kKnown = {"id", "url", "title", "content_html", "summary", "image",
                                                   "date_published", "date_modified", "authors", "language",
                                                   "tags", "_winnow"};
      BOOST_TEST(kKnown.count(std::string(kv.key())), kv.key());
    }
  }
  BOOST_TEST(items[0].at("image").as_string() == "https://news.example/img/1.jpg");
  BOOST_TEST(items[1].at("date_modified").as_string() == base::format_rfc3339(1'700'009'000));
  BOOST_TEST(items[1].at("language").as_string() == "pt-BR");
  BOOST_TEST(items[2].at("date_published").as_string() == base::format_rfc3339(1'700'000'103));
  BOOST_TEST(!items[2].as_object().contains("authors"));
  BOOST_TEST(items[0].at("_winnow").at("duplicate_of").is_null());
  BOOST_TEST(items[3].at("_winnow").at("duplicate_of").as_int64() == 1);
  BOOST_TEST(items[3].at("_winnow").at("duplicate_of_url").as_string() == "http://127.0.0.1:8470/v1/articles/1");
}

// ---- Read back by winnow's own feed parser ----

void check_read_back(const feeds::Feed& feed, const std::vector<ArticleRow>& rows) {
  BOOST_TEST(feed.title == "News Example (full text)");
  BOOST_TEST(feed.link == "https://news.example/");
  BOOST_TEST(!feed.bozo, feed.bozo_reason);
  BOOST_TEST_REQUIRE(feed.entries.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const feeds::Entry& entry = feed.entries[i];
    const ArticleRow& row = rows[i];
    BOOST_TEST(entry.id == api::entry_id(info(), row));
    BOOST_TEST(entry.title == row.title);
    BOOST_TEST(entry.link == row.url);
    if (row.published) BOOST_TEST(entry.published.value_or(0) == *row.published);
    if (row.modified) BOOST_TEST(entry.updated.value_or(0) == *row.modified);
    BOOST_TEST(entry.summary == row.description);
    if (!row.authors.empty()) BOOST_TEST(entry.author == row.authors);
    const std::string text = feeds::html_to_text(entry.content);
    if (row.blocks_json == "[]") {
      BOOST_TEST(text == "First paragraph of three. Second paragraph of three.");
    } else {
      const std::string s = std::to_string(row.id);
      const std::vector<std::string> expected_texts = {
          "The harbour council of " + s + " met on Tuesday.", "It voted late.", "What was decided in " + s,
          "First point", "Second point", "2025", "41", "We will build the new pier.", "pier --length 120",
          "The harbour at dawn."};
      for (const std::string& expected : expected_texts)
        BOOST_TEST(text.find(expected) != std::string::npos, expected << " not in: " << text);
      BOOST_TEST(entry.content.find("https://news.example/img/" + s + ".jpg") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(atom_reads_back_through_the_feed_parser) {
  const auto rows = sample_rows();
  feeds::ParseOptions options;
  options.base_url = info().self_url;
  options.content_type = "application/atom+xml";
  auto feed = feeds::parse_feed(api::atom_feed(info(), rows), options);
  BOOST_TEST_REQUIRE(feed.has_value(), feed.error().message());
  BOOST_TEST(feeds::to_string(feed->format) == "atom10");
  BOOST_TEST(feed->self_url == info().self_url);
  check_read_back(*feed, rows);
  // Atom requires an updated date: the entry without any date gets its fetch time.
  BOOST_TEST(feed->entries[2].updated.value_or(0) == rows[2].fetched_at);
}

BOOST_AUTO_TEST_CASE(json_feed_reads_back_through_the_feed_parser) {
  const auto rows = sample_rows();
  feeds::ParseOptions options;
  options.base_url = "http://127.0.0.1:8470/v1/feeds/3/full.json";
  options.content_type = "application/feed+json";
  auto feed = feeds::parse_feed(api::json_feed(info(), rows), options);
  BOOST_TEST_REQUIRE(feed.has_value(), feed.error().message());
  BOOST_TEST(feeds::to_string(feed->format) == "json11");
  check_read_back(*feed, rows);
}

BOOST_AUTO_TEST_CASE(real_pages_extracted_as_ingest_does_make_valid_feeds_that_read_back) {
  // The seed pages (React apps, WordPress, windows-1252 portals), extracted and turned into
  // rows by the same code as ingest: blocks_json exactly as the archive holds it.
  namespace fs = std::filesystem;
  std::vector<fs::path> pages;
  for (const auto& file : fs::directory_iterator(fs::path(WINNOW_SOURCE_DIR) / "tests/fixtures/seeds"))
    if (file.path().extension() == ".html") pages.push_back(file.path());
  std::sort(pages.begin(), pages.end());
  BOOST_TEST_REQUIRE(pages.size() >= 10u);
  std::vector<ArticleRow> rows;
  for (const fs::path& page : pages) {
    std::ifstream in(page, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    parsers::ExtractOptions options;
    options.url = "https://seeds.example/" + page.stem().string() + "/";
    ArticleRow row;
    row.id = static_cast<std::int64_t>(rows.size()) + 1;
    row.url = options.url;
    row.fetched_at = 1'700'000'000;
    ingest::set_extracted_fields(row, parsers::extract(bytes, options));
    rows.push_back(row);
  }
  const std::string atom = api::atom_feed(info(), rows);
  const auto errors = atom_schema_errors(atom);
  BOOST_TEST(errors.empty(), (errors.empty() ? "" : errors.front()));
  for (const std::string& html : atom_contents(atom)) BOOST_TEST(unsafe_parts(html).empty());
  feeds::ParseOptions options;
  options.base_url = info().self_url;
  for (const std::string& document : {atom, api::json_feed(info(), rows)}) {
    auto feed = feeds::parse_feed(document, options);
    BOOST_TEST_REQUIRE(feed.has_value());
    BOOST_TEST_REQUIRE(feed->entries.size() == rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      BOOST_TEST(feed->entries[i].title == base::collapse_whitespace(rows[i].title.empty() ? rows[i].url : rows[i].title));
      // Every paragraph of the article is in the content a reader gets.
      const std::string text = base::collapse_whitespace(feeds::html_to_text(feed->entries[i].content));
      int paragraphs = 0;
      const boost::json::value blocks = boost::json::parse(rows[i].blocks_json);
      for (const auto& block : blocks.as_array()) {
        if (block.at("type").as_string() != "paragraph") continue;
        ++paragraphs;
        const std::string line = base::collapse_whitespace(std::string(block.at("text").as_string()).substr(0, 60));
        const std::string head = line.substr(0, line.rfind(' '));  // whole words only
        BOOST_TEST(text.find(head) != std::string::npos, pages[i] << ": " << head);
      }
      BOOST_TEST(paragraphs > 0, pages[i]);
    }
  }
}

// ---- Article HTML ----

ArticleRow blocks_row(std::string blocks_json) {
  ArticleRow row;
  row.id = 1;
  row.url = "https://news.example/a/b.html";
  row.blocks_json = std::move(blocks_json);
  return row;
}

BOOST_AUTO_TEST_CASE(every_block_kind_has_its_element) {
  ArticleRow row = row_number(7);
  const std::string html = api::article_html(row);
  BOOST_TEST(html ==
             "<figure><img src=\"https://news.example/img/7.jpg\" alt=\"\" /></figure>\n"
             "<p>The harbour council of 7 met on Tuesday.<br />It voted late.</p>\n"
             "<h2>What was decided in 7</h2>\n"
             "<ol>\n<li>First point</li>\n<li>Second point</li>\n</ol>\n"
             "<table><tbody>\n<tr><td>Year</td><td>Ships</td></tr>\n<tr><td>2025</td><td>41</td></tr>\n</tbody></table>\n"
             "<blockquote><p>We will build the new pier.</p></blockquote>\n"
             "<pre><code>pier --length 120</code></pre>\n"
             "<p><em>The harbour at dawn.</em></p>");
  BOOST_TEST(unsafe_parts(html).empty());
}

BOOST_AUTO_TEST_CASE(headings_are_h2_to_h6_and_unknown_blocks_are_paragraphs) {
  const std::string html = api::article_html(blocks_row(
      R"([{"type":"heading","level":1,"text":"One"},{"type":"heading","level":9,"text":"Nine"},)"
      R"({"type":"heading","text":"None"},{"type":"figure3d","text":"Later kind"},{"type":"list","ordered":false,"text":"a\nb"},)"
      R"({"type":"paragraph","text":"   "},{"type":"code","text":"\nx < y"},42,{"text":"no type"}])"));
  BOOST_TEST(html ==
             "<h2>One</h2>\n<h6>Nine</h6>\n<h2>None</h2>\n<p>Later kind</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"
             "<pre><code>\n\nx &lt; y</code></pre>\n<p>no type</p>");
}

BOOST_AUTO_TEST_CASE(no_blocks_falls_back_to_the_paragraphs_of_the_text) {
  for (const char* blocks : {"", "[]", "  ", "not json", "{\"type\":\"paragraph\"}", "[1,2]"}) {
    ArticleRow row = blocks_row(blocks);
    row.text = "First <one> & more.\n\n\n\nSecond\nline.";
    BOOST_TEST(api::article_html(row) == "<p>First &lt;one&gt; &amp; more.</p>\n<p>Second<br />line.</p>", blocks);
  }
  BOOST_TEST(api::article_html(blocks_row("")).empty());
}

BOOST_AUTO_TEST_CASE(safe_url_keeps_http_and_resolves_relative_references) {
  const std::string base = "https://news.example/a/b.html";
  BOOST_TEST(api::safe_url(base, "/img/x.png") == "https://news.example/img/x.png");
  BOOST_TEST(api::safe_url(base, "x.png") == "https://news.example/a/x.png");
  BOOST_TEST(api::safe_url(base, "//cdn.example/x.png") == "https://cdn.example/x.png");
  BOOST_TEST(api::safe_url(base, "  http://other.example/ ") == "http://other.example/");
  BOOST_TEST(api::safe_url("", "/relative/without/base").empty());
  BOOST_TEST(api::safe_url(base, "mailto:ann@news.example").empty());
  BOOST_TEST(api::safe_url(base, "mailto:ann@news.example", true) == "mailto:ann@news.example");
  for (const char* bad :
       {"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "\x01javascript:alert(1)",
        "java\tscript:alert(1)", "java\nscript:alert(1)", "javascript&colon;alert(1)", "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>", "data:image/png;base64,iVBORw0KGgo=", "file:///etc/passwd",
        "http://", "https:///nohost"}) {
    const std::string url = api::safe_url(base, bad);
    const std::string seen = as_browser_reads(url);
    BOOST_TEST((url.empty() || seen.rfind("https://news.example/", 0) == 0), bad << " -> " << url);
  }
}

// ---- Hostile text and URLs ----

const char* const kHostileTexts[] = {
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "\"><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<form action=javascript:alert(1)><input onfocus=alert(1) autofocus></form>",
    "<object data=\"data:text/html,<script>alert(1)</script>\"></object><embed src=x>",
};

const char* const kHostileUrls[] = {
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "java&#x09;script:alert(1)",
    "java&#x0A;script:alert(1)",
    "jav&#x61;script:alert(1)",
    "&#106;avascript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "vbscript:msgbox(1)",
    "x\" onerror=\"alert(1)",
};

std::vector<ArticleRow> hostile_rows() {
  std::vector<ArticleRow> rows;
  int n = 100;
  for (const char* url : kHostileUrls) {
    ArticleRow row = row_number(++n);
    row.image = url;
    rows.push_back(row);
    ArticleRow bad_link = row_number(++n);
    bad_link.url = url;  // an article URL no reader may follow
    bad_link.image = "/img/ok.png";
    rows.push_back(bad_link);
  }
  for (const char* text : kHostileTexts) {
    ArticleRow row = row_number(++n);
    const std::string t = text;
    row.title = t;
    row.authors = t + ", " + t;
    row.description = t;
    row.tags = t;
    row.site_name = t;
    row.language = t;
    boost::json::array blocks;
    for (const char* type : {"paragraph", "heading", "quote", "code", "caption", "figure"})
      blocks.emplace_back(boost::json::object{{"type", type}, {"level", 3}, {"text", t}});
    blocks.emplace_back(boost::json::object{{"type", "list"}, {"ordered", false}, {"items", {t, t}}, {"text", t}});
    blocks.emplace_back(boost::json::object{{"type", "table"}, {"rows", {{t, t}}}, {"text", t}});
    row.blocks_json = boost::json::serialize(blocks);
    rows.push_back(row);
    ArticleRow plain = row;
    plain.id = ++n;
    plain.blocks_json.clear();
    plain.text = t + "\n\n" + t;
    rows.push_back(plain);
  }
  return rows;
}

BOOST_AUTO_TEST_CASE(the_html_checker_sees_what_it_looks_for) {
  // Or the two cases below would pass on anything.
  BOOST_TEST(unsafe_parts("<p>fine <em>text</em></p><img src=\"https://a.example/x.png\" alt=\"\">").empty());
  for (const char* bad : {"<script>alert(1)</script>", "<p onclick=\"x()\">a</p>", "<svg onload=alert(1)>",
                          "<iframe></iframe>", "<img src=\" java\tscript:alert(1)\">", "<img src=\"data:image/png,x\">",
                          "<img src=\"/relative.png\">", "<a href=\"https://a.example/\">link</a>",
                          "<math><mi>x</mi></math>"})
    BOOST_TEST(!unsafe_parts(bad).empty(), bad);
}

BOOST_AUTO_TEST_CASE(hostile_text_and_urls_never_reach_the_html_of_an_atom_reader) {
  const auto rows = hostile_rows();
  const std::string atom = api::atom_feed(info(), rows);
  BOOST_TEST(atom_schema_errors(atom).empty());
  const auto contents = atom_contents(atom);
  BOOST_TEST_REQUIRE(contents.size() == rows.size());
  for (const std::string& html : contents) {
    const auto unsafe = unsafe_parts(html);
    BOOST_TEST(unsafe.empty(), (unsafe.empty() ? "" : unsafe.front()) << " in: " << html);
  }
  // The hostile texts are still there, as text a reader sees.
  BOOST_TEST(feeds::html_to_text(contents[2 * std::size(kHostileUrls)]).find("<script>alert(1)</script>") != std::string::npos);
  // The Atom itself: only Atom elements, no handler attributes, links only to http(s).
  XmlDoc doc = parse_xml(atom);
  BOOST_TEST_REQUIRE(doc != nullptr);
  std::vector<const xmlNode*> stack{xmlDocGetRootElement(doc.get())};
  while (!stack.empty()) {
    const xmlNode* node = stack.back();
    stack.pop_back();
    BOOST_TEST(ns_of(node) == "http://www.w3.org/2005/Atom", name_of(node));
    for (const xmlAttr* a = node->properties; a; a = a->next) {
      const std::string name = reinterpret_cast<const char*>(a->name);
      BOOST_TEST(name.rfind("on", 0) != 0u, name);
      if (name == "href") {
        const std::string url = as_browser_reads(attribute_of(node, "href"));
        BOOST_TEST((url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0), url);
      }
    }
    for (const xmlNode* child : child_elements(node, "")) stack.push_back(child);
  }
}

BOOST_AUTO_TEST_CASE(hostile_text_and_urls_never_reach_the_html_of_a_json_feed_reader) {
  const auto rows = hostile_rows();
  const auto feed = parse_json(api::json_feed(info(), rows));
  const auto& items = feed.at("items").as_array();
  BOOST_TEST_REQUIRE(items.size() == rows.size());
  for (const auto& value : items) {
    const auto& item = value.as_object();
    const std::string html(item.at("content_html").as_string());
    const auto unsafe = unsafe_parts(html);
    BOOST_TEST(unsafe.empty(), (unsafe.empty() ? "" : unsafe.front()) << " in: " << html);
    for (const char* key : {"url", "image"}) {
      if (!item.contains(key)) continue;
      const std::string url = as_browser_reads(item.at(key).as_string());
      BOOST_TEST((url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0), url);
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_bytes_and_forbidden_characters_do_not_break_the_documents) {
  ArticleRow row = row_number(1);
  row.title = std::string("Bell\x07 tab\t form\x0c bad\xff\xfe utf8 \xC0\xAF noncharacter \xEF\xBF\xBE end");
  row.blocks_json = boost::json::serialize(boost::json::array{
      boost::json::object{{"type", "paragraph"}, {"text", std::string("nul\x01 esc\x1b cr\r lf\n fffe \xEF\xBF\xBF.")}}});
  row.authors = std::string("Ann\x00 Writer", 11);
  const std::vector<ArticleRow> rows{row};
  const std::string atom = api::atom_feed(info(), rows);
  BOOST_TEST(atom_schema_errors(atom).empty());  // strict XML 1.0: one bad character fails it
  const std::string json = api::json_feed(info(), rows);
  const auto feed = parse_json(json);  // strict UTF-8
  const std::string title(feed.at("items").at(0).at("title").as_string());
  BOOST_TEST(title == "Bell tab\t form bad\xEF\xBF\xBD\xEF\xBF\xBD utf8 \xEF\xBF\xBD\xEF\xBF\xBD noncharacter  end");
  BOOST_TEST(api::xml_chars("cr\r kept") == "cr\r kept");
  BOOST_TEST(api::escaped("a\r\"b\"\t\n", true) == "a&#13;&quot;b&quot;&#9;&#10;");
}

BOOST_AUTO_TEST_CASE(a_hostile_site_link_of_the_feed_is_left_out) {
  FeedOutInfo hostile = info();
  hostile.home_url = "javascript:alert(1)";
  const std::string atom = api::atom_feed(hostile, sample_rows());
  BOOST_TEST(atom.find("javascript") == std::string::npos);
  BOOST_TEST(atom_schema_errors(atom).empty());
  BOOST_TEST(!parse_json(api::json_feed(hostile, sample_rows())).contains("home_page_url"));
}

// Text made of what breaks XML, JSON, HTML and URL handling, and random bytes.
std::string random_text(std::mt19937& rng) {
  static const std::vector<std::string> kPieces = {
      "<", ">", "&", "\"", "'", "]]>", "<script>", "</p>", "<svg onload=x>", "javascript:", "data:", "&#x09;",
      "&amp;", "\r\n", "\n\n", "\t", "\x01", "\x0b", "\x1b", "\x7f", "\xc2\x85", "\xff", "\xc3", "\xa9", "\xe9",
      "\xed\xa0\x80", "\xef\xbf\xbe", "\xef\xbf\xbf", "\xf4\x90\x80\x80", "\xe2\x80\xa8", "\xf0\x9f\x98\x80",
      std::string(1, '\0'), " ", "word", "http://", "/path", "{", "[", "\"type\":", ",", "\\u0000"};
  std::string out;
  const int n = std::uniform_int_distribution<int>(0, 24)(rng);
  for (int i = 0; i < n; ++i) {
    if (rng() % 4 == 0) out += static_cast<char>(rng() & 0xFF);
    else out += kPieces[rng() % kPieces.size()];
  }
  return out;
}

BOOST_AUTO_TEST_CASE(random_bytes_in_every_field_still_give_valid_safe_documents) {
  std::mt19937 rng(20261202);  // fixed: a failure repeats
  for (int round = 0; round < 40; ++round) {
    std::vector<ArticleRow> rows;
    for (int k = 0; k < 8; ++k) {
      ArticleRow row = row_number(round * 8 + k + 1);
      for (std::string* field : {&row.title, &row.authors, &row.description, &row.tags, &row.site_name,
                                 &row.language, &row.text, &row.verdict, &row.source})
        if (rng() % 2) *field = random_text(rng);
      if (rng() % 2) row.url = (rng() % 2 ? "https://news.example/" : "") + random_text(rng);
      if (rng() % 2) row.image = random_text(rng);
      switch (rng() % 3) {
        case 0: row.blocks_json = random_text(rng); break;
        case 1: {
          boost::json::array blocks;
          for (int b = 0; b < 4; ++b)
            blocks.emplace_back(boost::json::object{{"type", rng() % 2 ? "paragraph" : random_text(rng)},
                                                    {"text", random_text(rng)}, {"items", {random_text(rng)}},
                                                    {"rows", {{random_text(rng)}}}, {"level", int(rng() % 20) - 5}});
          row.blocks_json = boost::json::serialize(blocks);
          break;
        }
        default: break;
      }
      if (rng() % 4 == 0) row.published = static_cast<base::UnixSeconds>(rng()) * 1'000'000'000LL;  // far out of range
      rows.push_back(row);
    }
    FeedOutInfo feed = info();
    feed.title = random_text(rng);
    feed.language = random_text(rng);
    const std::string atom = api::atom_feed(feed, rows);
    const auto errors = atom_schema_errors(atom);
    BOOST_TEST_REQUIRE(errors.empty(), "round " << round << ": " << (errors.empty() ? "" : errors.front()));
    for (const std::string& html : atom_contents(atom)) BOOST_TEST_REQUIRE(unsafe_parts(html).empty(), html);
    const auto json = parse_json(api::json_feed(feed, rows));
    for (const auto& item : json.at("items").as_array())
      BOOST_TEST_REQUIRE(unsafe_parts(std::string(item.at("content_html").as_string())).empty());
  }
}

// ---- Caching ----

BOOST_AUTO_TEST_CASE(the_same_rows_give_the_same_bytes_and_etag) {
  const auto rows = sample_rows();
  BOOST_TEST(api::atom_feed(info(), rows) == api::atom_feed(info(), sample_rows()));
  BOOST_TEST(api::json_feed(info(), rows) == api::json_feed(info(), sample_rows()));
  const std::string etag = api::feed_etag(FeedOutFormat::atom, info(), rows);
  BOOST_TEST(etag == api::feed_etag(FeedOutFormat::atom, info(), sample_rows()));
  BOOST_TEST(etag.size() == 20u);
  BOOST_TEST(etag.front() == '"');
  BOOST_TEST(etag.back() == '"');
  BOOST_TEST(etag.find_first_of(" \\,", 1) == std::string::npos);
  BOOST_TEST(etag != api::feed_etag(FeedOutFormat::json, info(), rows));
}

BOOST_AUTO_TEST_CASE(the_etag_changes_with_any_row_or_the_feed) {
  const auto rows = sample_rows();
  const std::string etag = api::feed_etag(FeedOutFormat::atom, info(), rows);
  std::set<std::string> seen{etag};
  auto changed = [&](auto&& change) {
    auto copy = sample_rows();
    FeedOutInfo i = info();
    change(copy, i);
    const std::string other = api::feed_etag(FeedOutFormat::atom, i, copy);
    // Every change gives an ETag not seen before (and the body really differs).
    BOOST_TEST(seen.insert(other).second);
    BOOST_TEST(api::atom_feed(i, copy) != api::atom_feed(info(), rows));
  };
  changed([](auto& r, auto&) { r[0].title += "!"; });
  changed([](auto& r, auto&) { r[1].blocks_json = "[]"; });  // a reextract, no date moves
  changed([](auto& r, auto&) { r[2].text += " More."; });
  changed([](auto& r, auto&) { r[3].duplicate_of.reset(); });
  changed([](auto& r, auto&) { r[0].modified = 1'700'100'000; });
  changed([](auto& r, auto&) { r[0].fetched_at += 1; r[2].fetched_at += 1; });
  changed([](auto& r, auto&) { r.pop_back(); });
  changed([](auto& r, auto&) { std::swap(r[0], r[1]); });
  changed([](auto& r, auto&) { r.push_back(row_number(9)); });
  changed([](auto&, auto& i) { i.title = "Renamed"; });
  changed([](auto&, auto& i) { i.article_url_base = "http://127.0.0.1:9999/v1/articles/"; });
}

BOOST_AUTO_TEST_CASE(last_modified_is_the_newest_archive_or_fetch_time) {
  auto rows = sample_rows();
  BOOST_TEST(!api::feed_last_modified({}).has_value());
  BOOST_TEST(api::feed_last_modified(rows).value_or("") == base::format_http_date(1'700'000'204));
  rows[0].fetched_at = 1'700'050'000;  // fetched again and replaced in place: archived_at kept
  BOOST_TEST(api::feed_last_modified(rows).value_or("") == "Wed, 15 Nov 2023 12:06:40 GMT");
  BOOST_TEST(api::feed_updated(rows).value_or(0) == 1'700'050'000);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
