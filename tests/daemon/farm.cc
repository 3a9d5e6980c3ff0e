#include "tests/daemon/farm.h"

#include <chrono>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>

namespace winnow::testing::farm {

Story make_story(std::uint32_t seed, int paragraphs) {
  static const char* const kSubjects[] = {
      "The harbour council", "A spokeswoman for the ferry operator", "Local fishermen", "The county surveyor",
      "Residents of the old quarter", "The lifeboat crew", "A retired lighthouse keeper", "The port authority",
      "Teachers at the primary school", "The mayor's office", "Two marine biologists", "The rowing club",
      "Shopkeepers on Quay Street", "The regional water board", "Volunteers from the museum", "The night watchman"};
  static const char* const kVerbs[] = {
      "approved", "questioned", "postponed", "welcomed", "criticised", "measured", "repainted", "inspected",
      "funded", "rejected", "documented", "celebrated", "rebuilt", "mapped", "photographed", "audited"};
  static const char* const kObjects[] = {
      "the new sea wall", "a plan for the north pier", "the winter timetable", "the salt marsh boundary",
      "the cannery's chimney", "an oyster survey", "the tide gauge", "a proposal for cycle lanes",
      "the fish market roof", "the breakwater lamps", "a grant for the lido", "the old customs house",
      "the dredging contract", "a seabird count", "the harbour railway", "the mooring fees"};
  static const char* const kTails[] = {
      "after a long debate on Tuesday", "despite objections from the yacht club", "before the spring tides",
      "for the third year running", "with money left over from the festival", "in a vote of seven to four",
      "while storms battered the coast", "following a petition signed by hundreds", "at a packed meeting",
      "ahead of the summer season", "without consulting the harbourmaster", "as gulls circled overhead"};
  std::mt19937 rng(seed * 2654435761u + 12345u);
  auto pick = [&rng](const auto& list) { return std::string(list[rng() % std::size(list)]); };
  Story story;
  story.title = pick(kSubjects) + " " + pick(kVerbs) + " " + pick(kObjects) + " (" + std::to_string(seed) + ")";
  for (int p = 0; p < paragraphs; ++p) {
    std::string text;
    for (int s = 0; s < 4; ++s) {
      if (!text.empty()) text += ' ';
      text += pick(kSubjects) + " " + pick(kVerbs) + " " + pick(kObjects) + " " + pick(kTails) + ".";
    }
    story.paragraphs.push_back(std::move(text));
  }
  return story;
}

const std::vector<std::string>& noise_phrases() {
  static const std::vector<std::string> phrases = {"Subscribe to our newsletter", "Tide tables for the week ahead",
                                                   "All rights reserved", "Privacy policy", "Most read this week"};
  return phrases;
}

std::string escape_xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string story_html(const Story& story) {
  std::string html;
  for (const auto& p : story.paragraphs) html += "<p>" + escape_xml(p) + "</p>\n";
  return html;
}

std::string page_html(const Story& story, std::string_view charset_meta, std::string_view canonical) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n";
  if (!charset_meta.empty()) html += "<meta charset=\"" + std::string(charset_meta) + "\">\n";
  html += "<title>" + escape_xml(story.title) + " | Harbour Gazette</title>\n";
  html += "<meta property=\"og:title\" content=\"" + escape_xml(story.title) + "\">\n";
  html += "<meta property=\"og:site_name\" content=\"Harbour Gazette\">\n";
  if (!canonical.empty()) html += "<link rel=\"canonical\" href=\"" + escape_xml(canonical) + "\">\n";
  html +=
      "</head>\n<body>\n"
      "<header class=\"site-header\"><a class=\"logo\" href=\"/\">Harbour Gazette</a>\n"
      "<nav class=\"main-nav\"><ul><li><a href=\"/news\">News</a></li><li><a href=\"/sport\">Sport</a></li>"
      "<li><a href=\"/weather\">Weather</a></li><li><a href=\"/opinion\">Opinion</a></li>"
      "<li><a href=\"/newsletter\">Subscribe to our newsletter</a></li></ul></nav>\n</header>\n"
      "<div class=\"layout\">\n<main>\n<article class=\"story\">\n";
  html += "<h1>" + escape_xml(story.title) + "</h1>\n";
  html += "<p class=\"byline\">By <a href=\"/authors/ann\">Ann Writer</a>, harbour correspondent</p>\n";
  html += story_html(story);
  html +=
      "<aside class=\"related\"><h2>Related stories</h2><ul>\n"
      "<li><a href=\"/news/tides\">Tide tables for the week ahead</a></li>\n"
      "<li><a href=\"/news/ferry\">Ferry strike called off at the last minute</a></li>\n"
      "<li><a href=\"/news/gulls\">Why the gulls are getting bolder</a></li>\n"
      "</ul></aside>\n</article>\n</main>\n"
      "<aside class=\"sidebar\"><h2>Most read this week</h2><ol>"
      "<li><a href=\"/news/1\">Pier reopens</a></li><li><a href=\"/news/2\">Storm warning</a></li>"
      "<li><a href=\"/news/3\">Lido petition</a></li></ol></aside>\n</div>\n"
      "<footer class=\"site-footer\"><p>&copy; 2026 Harbour Gazette. All rights reserved.</p>\n"
      "<ul><li><a href=\"/privacy\">Privacy policy</a></li><li><a href=\"/contact\">Contact us</a></li></ul>\n"
      "</footer>\n</body>\n</html>\n";
  return html;
}

std::string verdict_page(const std::string& name) {
  const std::string path = std::string(WINNOW_SOURCE_DIR) + "/tests/fixtures/verdict/" + name;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in || bytes.str().empty()) throw std::runtime_error("cannot read " + path);
  return bytes.str();
}

Item item_for(const Story& story, std::string link, bool with_content) {
  Item item;
  item.title = story.title;
  item.id = "urn:winnow-test:" + link;
  item.link = std::move(link);
  if (with_content) item.content = story_html(story);
  return item;
}

std::string rss_with_a_bad_byte(std::string_view title, std::string_view site, std::vector<Item> items) {
  items.front().title += " caf\xC3\xA9";
  items[1].title += " \x81";
  items.back().title += " \xE2\x80\x94 end";
  return rss(title, site, items);
}

std::string rss(std::string_view title, std::string_view site, const std::vector<Item>& items) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel>\n";
  xml += "<title>" + escape_xml(title) + "</title>\n<link>" + escape_xml(site) + "</link>\n";
  xml += "<description>News from the harbour</description>\n<language>en</language>\n";
  for (const auto& item : items) {
    xml += "<item>\n<title>" + escape_xml(item.title) + "</title>\n";
    xml += "<link>" + escape_xml(item.link) + "</link>\n";
    if (!item.id.empty()) xml += "<guid isPermaLink=\"false\">" + escape_xml(item.id) + "</guid>\n";
    xml += "<pubDate>" + (item.published.empty() ? std::string("Tue, 10 Mar 2026 08:00:00 GMT") : item.published) +
           "</pubDate>\n";
    if (!item.description.empty()) xml += "<description><![CDATA[" + item.description + "]]></description>\n";
    if (!item.content.empty()) xml += "<content:encoded><![CDATA[" + item.content + "]]></content:encoded>\n";
    xml += "</item>\n";
  }
  xml += "</channel>\n</rss>\n";
  return xml;
}

std::string atom(std::string_view title, std::string_view site, const std::vector<Item>& items) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  xml += "<title>" + escape_xml(title) + "</title>\n<id>urn:winnow-test:feed:" + escape_xml(title) + "</id>\n";
  xml += "<link rel=\"alternate\" href=\"" + escape_xml(site) + "\"/>\n<updated>2026-03-10T08:00:00Z</updated>\n";
  for (const auto& item : items) {
    xml += "<entry>\n<title>" + escape_xml(item.title) + "</title>\n";
    xml += "<link rel=\"alternate\" href=\"" + escape_xml(item.link) + "\"/>\n";
    xml += "<id>" + escape_xml(item.id.empty() ? item.link : item.id) + "</id>\n";
    xml += "<updated>2026-03-10T08:00:00Z</updated>\n<author><name>Ann Writer</name></author>\n";
    if (!item.description.empty()) xml += "<summary type=\"html\">" + escape_xml(item.description) + "</summary>\n";
    if (!item.content.empty()) xml += "<content type=\"html\">" + escape_xml(item.content) + "</content>\n";
    xml += "</entry>\n";
  }
  xml += "</feed>\n";
  return xml;
}

TestResponse html_response(std::string body, std::string content_type) {
  TestResponse r;
  r.headers = {{"Content-Type", std::move(content_type)}};
  r.body = std::move(body);
  return r;
}

TestResponse conditional_response(const TestRequest& request, std::string body, std::string content_type,
                                  const std::string& etag, const std::string& last_modified, std::string encoding) {
  TestResponse r;
  r.headers = {{"Content-Type", std::move(content_type)}, {"ETag", etag}, {"Last-Modified", last_modified}};
  if (request.header("if-none-match") == etag || request.header("if-modified-since") == last_modified) {
    r.status = 304;
    return r;
  }
  r.body = std::move(body);
  r.encoding = std::move(encoding);
  return r;
}

TestServer::Handler conditional_feed(std::string body, std::string content_type, std::string etag,
                                     std::string encoding) {
  std::string last_modified = http_date(std::chrono::system_clock::now() - std::chrono::hours(1));
  return [=](const TestRequest& request) {
    return conditional_response(request, body, content_type, etag, last_modified, encoding);
  };
}

TestResponse plain_feed(std::string body, std::string content_type) {
  TestResponse r;
  r.headers = {{"Content-Type", std::move(content_type)}};
  r.body = std::move(body);
  return r;
}

}  // namespace winnow::testing::farm
