// export_articles from a real SQLite archive. Debian 12 packages no WARC reader (no warcio,
// no warctools), so the WARC output is re-read here by a strict parser: framing, required
// fields, lengths, digests, record ids and their references.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/archive/digest.h"
#include "daemon/archive/export.h"
#include "daemon/archive/warc_http.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/warc_reader.h"

namespace winnow::archive {
namespace {

using testing::sample_article;
using testing::TempDir;
using testing::read_warc;
using testing::gunzip_members;
using testing::WarcRecord;

// Stores `count` sample articles (the third one a near-duplicate of the first, the fourth
// taken from its feed with no HTTP response, the fifth from its feed because its page was a
// bot check, which it keeps) and returns their ids. Pages keep the HTTP head they were
// received with, except the third (archived before heads were kept) and the sixth (file://):
// the first a plain HTTP/1.1 one, the second an HTTP/2 one whose body came gzipped, every
// other one chunked.
std::vector<std::int64_t> fill(Archive& archive, int count) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < count; ++i) {
    ArticleRow row = sample_article(i);
    if (i == 2) row.duplicate_of = ids.front();
    if (i == 3) {
      row.source = "feed";
      row.http_status = 0;
      row.content_type.clear();
      row.raw.clear();
    }
    if (i == 4) {
      row.source = "feed";
      row.verdict = "challenge";
      row.raw = "<html><head><title>Just a moment...</title></head><body></body></html>";
    }
    if (i == 1) {
      row.url = "https://news.example/with space\r\nInjected: yes";
      row.raw = std::string("binary\0\r\n\r\npayload", 19);
    }
    if (i == 0)
      row.http_head = "HTTP/1.1 200 OK\r\nContent-Type: " + row.content_type + "\r\nContent-Length: " +
                      std::to_string(row.raw.size()) + "\r\nX-Custom: 1\r\n\r\n";
    else if (i == 1)
      row.http_head = "HTTP/2 200 \r\ncontent-type: text/html\r\ncontent-encoding: gzip\r\ncontent-length: 7\r\n\r\n";
    else if (i == 5)
      row.url = "file:///srv/pages/" + std::to_string(i) + ".html";
    else if (i != 2)
      row.http_head = "HTTP/1.1 203 Non-Authoritative Information\r\nTransfer-Encoding: chunked\r\n\r\n";
    ids.push_back(archive.store_article(row));
  }
  return ids;
}

void check_warc(const std::vector<WarcRecord>& records, Archive& archive, const std::vector<std::int64_t>& ids) {
  const std::regex record_id("<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>");
  const std::regex date("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
  std::set<std::string> seen_ids;
  for (const auto& record : records) {
    BOOST_TEST(std::regex_match(record.field("warc-record-id"), record_id), record.field("warc-record-id"));
    BOOST_TEST(seen_ids.insert(record.field("warc-record-id")).second);
    BOOST_TEST(std::regex_match(record.field("warc-date"), date), record.field("warc-date"));
    BOOST_TEST(record.field("warc-block-digest") == warc_sha1(record.block));
  }

  BOOST_TEST_REQUIRE(!records.empty());
  const WarcRecord& info = records.front();
  BOOST_TEST(info.field("warc-type") == "warcinfo");
  BOOST_TEST(info.field("content-type") == "application/warc-fields");
  BOOST_TEST(info.block.find("format: WARC File Format 1.1\r\n") != std::string::npos);

  std::size_t at = 1;
  for (const auto id : ids) {
    const ArticleRow row = archive.article(id, true).value();
    std::string response_id;
    if (row.source == "page") {
      BOOST_TEST_REQUIRE(at < records.size());
      const WarcRecord& page = records[at++];
      BOOST_TEST(page.field("warc-warcinfo-id") == info.field("warc-record-id"));
      // fill() stores fetched_at = 1'700'000'100 + n, 2023-11-14T22:15:00Z + n s, n < 10.
      BOOST_TEST(page.field("warc-date") == "2023-11-14T22:15:0" + std::to_string(row.fetched_at - 1'700'000'100) + "Z");
      const std::string& uri = page.field("warc-target-uri");
      BOOST_TEST(uri.find_first_of(" \r\n") == std::string::npos, uri);
      if (row.url.find(' ') == std::string::npos) BOOST_TEST(uri == row.url);
      if (row.http_head.empty()) {
        // No head kept (archived before, or file://): the page alone, with its own type.
        BOOST_TEST(page.field("warc-type") == "resource");
        BOOST_TEST(page.field("content-type") == row.content_type);
        BOOST_TEST(page.block == row.raw);
        BOOST_TEST(page.field("warc-payload-digest") == warc_sha1(row.raw));
      } else {
        BOOST_TEST(page.field("warc-type") == "response");
        BOOST_TEST(page.field("content-type") == "application/http; msgtype=response");
        const auto [head, payload] = testing::split_http(page.block);
        BOOST_TEST(head == warc_http_head(row.http_head, row.url, row.raw.size()).value().head);
        // The stored body, decoded: its length is what the head says now.
        const std::string length_line = "\r\nContent-Length: " + std::to_string(row.raw.size()) + "\r\n";
        const std::string lower_length_line = "\r\ncontent-length: " + std::to_string(row.raw.size()) + "\r\n";
        BOOST_TEST((head.find(length_line) != std::string::npos || head.find(lower_length_line) != std::string::npos),
                   head);
        BOOST_TEST(payload == row.raw);
        BOOST_TEST(page.field("warc-payload-digest") == warc_sha1(payload));
        BOOST_TEST(page.field("warc-protocol") == (row.http_head.starts_with("HTTP/2") ? "h2" : ""));
      }
      response_id = page.field("warc-record-id");
    }
    BOOST_TEST_REQUIRE(at < records.size());
    const WarcRecord& conversion = records[at++];
    BOOST_TEST(conversion.field("warc-type") == "conversion");
    BOOST_TEST(conversion.field("content-type") == "text/plain");
    BOOST_TEST(conversion.field("warc-refers-to") == response_id);
    BOOST_TEST(conversion.fields.count("warc-refers-to") == (response_id.empty() ? 0u : 1u));
    BOOST_TEST(conversion.block == row.text);
  }
  BOOST_TEST(at == records.size());
}

// Not `export`, which is a keyword and so cannot name the suite's namespace.
BOOST_AUTO_TEST_SUITE(exports)

BOOST_AUTO_TEST_CASE(jsonl_has_one_object_per_article_with_blocks_parsed) {
  TempDir dir;
  auto archive = Archive::open_sqlite(dir.file("archive.db"));
  const auto ids = fill(*archive, 5);
  std::ostringstream out;
  BOOST_TEST(export_articles(*archive, 0, ExportFormat::jsonl, out) == ids.back());
  std::istringstream lines(out.str());
  std::string line;
  std::size_t n = 0;
  while (std::getline(lines, line)) {
    const auto object = boost::json::parse(line).as_object();
    const ArticleRow row = archive->article(ids.at(n)).value();
    BOOST_TEST(object.at("id").as_int64() == row.id);
    BOOST_TEST(object.at("url").as_string() == row.url);
    BOOST_TEST(object.at("canonical_url").as_string() == row.canonical_url);
    BOOST_TEST(object.at("title").as_string() == row.title);
    BOOST_TEST(object.at("authors").as_string() == "Ann Writer, Bob Editor");
    BOOST_TEST(object.at("tags").as_string() == "world, politics");
    BOOST_TEST(object.at("site_name").as_string() == row.site_name);
    BOOST_TEST(object.at("language").as_string() == "en");
    BOOST_TEST(object.at("description").as_string() == row.description);
    BOOST_TEST(object.at("image").as_string() == row.image);
    BOOST_TEST(object.at("text").as_string() == row.text);
    BOOST_TEST(object.at("source").as_string() == row.source);
    BOOST_TEST(object.at("verdict").as_string() == (n == 4 ? "challenge" : "article"));
    BOOST_TEST(object.at("partial").as_bool() == false);
    BOOST_TEST(object.at("feed_id").is_null());  // sample articles come from no feed
    BOOST_TEST(object.at("modified").is_null());
    BOOST_TEST(object.at("published").as_string().starts_with("2023-11-14T22:13:2"));
    BOOST_TEST(object.at("fetched_at").as_string().starts_with("2023-11-14T22:1"));
    const auto& blocks = object.at("blocks").as_array();
    BOOST_TEST_REQUIRE(blocks.size() == 1u);
    BOOST_TEST(blocks[0].at("type").as_string() == "paragraph");
    if (n == 2)
      BOOST_TEST(object.at("duplicate_of").as_int64() == ids.front());
    else
      BOOST_TEST(object.at("duplicate_of").is_null());
    ++n;
  }
  BOOST_TEST(n == ids.size());
}

BOOST_AUTO_TEST_CASE(the_returned_cursor_continues_where_the_export_stopped) {
  TempDir dir;
  auto archive = Archive::open_sqlite(dir.file("archive.db"));
  const auto ids = fill(*archive, 300);  // more than one page of the export's reads
  ExportOptions options;
  options.max_articles = 7;
  std::ostringstream first;
  const auto cursor = export_articles(*archive, 0, ExportFormat::jsonl, first, options);
  BOOST_TEST(cursor == ids[6]);
  options.max_articles = 0;
  options.originals_only = true;
  std::ostringstream rest;
  const auto end = export_articles(*archive, cursor, ExportFormat::jsonl, rest, options);
  BOOST_TEST(end == ids.back());
  std::size_t lines = 0;
  std::istringstream in(rest.str());
  for (std::string line; std::getline(in, line);) {
    ++lines;
    BOOST_TEST(boost::json::parse(line).at("duplicate_of").is_null());
  }
  BOOST_TEST(lines == ids.size() - 7);  // the only duplicate was among the first seven
  std::ostringstream nothing;
  BOOST_TEST(export_articles(*archive, end, ExportFormat::jsonl, nothing) == end);
  BOOST_TEST(nothing.str().empty());
}

BOOST_AUTO_TEST_CASE(text_and_markdown_put_a_header_line_before_each_article) {
  TempDir dir;
  auto archive = Archive::open_sqlite(dir.file("archive.db"));
  const auto ids = fill(*archive, 4);
  std::ostringstream text, markdown;
  export_articles(*archive, 0, ExportFormat::text, text);
  export_articles(*archive, 0, ExportFormat::markdown, markdown);
  for (const auto id : ids) {
    const ArticleRow row = archive->article(id).value();
    const std::string text_header = "==== winnow article " + std::to_string(id) + " ====\n" + row.title + "\n";
    BOOST_TEST(text.str().find(text_header) != std::string::npos, text_header);
    BOOST_TEST(text.str().find(row.text) != std::string::npos);
    const std::string md_header = "<!-- winnow article " + std::to_string(id) + " -->\n# " + row.title + "\n";
    BOOST_TEST(markdown.str().find(md_header) != std::string::npos, md_header);
    BOOST_TEST(markdown.str().find(row.markdown) != std::string::npos);
  }
  // The injected line break in article 1's URL stays inside its line.
  BOOST_TEST(text.str().find("\nInjected: yes") == std::string::npos);
  std::size_t headers = 0;
  for (std::size_t at = 0; (at = text.str().find("==== winnow article ", at)) != std::string::npos; ++at) ++headers;
  BOOST_TEST(headers == ids.size());
}

BOOST_AUTO_TEST_CASE(warc_records_reparse_with_matching_lengths_digests_and_references) {
  TempDir dir;
  auto archive = Archive::open_sqlite(dir.file("archive.db"));
  const auto ids = fill(*archive, 6);
  ExportOptions options;
  options.warc_filename = "winnow-00001.warc";
  std::ostringstream out;
  BOOST_TEST(export_articles(*archive, 0, ExportFormat::warc, out, options) == ids.back());
  const auto records = read_warc(out.str());
  // warcinfo, then response (or resource) + conversion per article but two conversions
  // alone (their text came from the feed: one without HTTP, one whose page was a bot check).
  BOOST_TEST(records.size() == 1 + 2 * ids.size() - 2);
  BOOST_TEST(records.front().field("warc-filename") == "winnow-00001.warc");
  check_warc(records, *archive, ids);
}

BOOST_AUTO_TEST_CASE(warc_gz_is_one_gzip_member_per_record) {
  TempDir dir;
  auto archive = Archive::open_sqlite(dir.file("archive.db"));
  const auto ids = fill(*archive, 6);
  ExportOptions options;
  options.gzip = true;
  std::ostringstream out;
  export_articles(*archive, 0, ExportFormat::warc, out, options);
  const auto members = gunzip_members(out.str());
  std::string whole;
  for (const auto& member : members) {
    BOOST_TEST(read_warc(member).size() == 1u);  // each member is exactly one whole record
    whole += member;
  }
  const auto records = read_warc(whole);
  BOOST_TEST(members.size() == records.size());
  check_warc(records, *archive, ids);
}

BOOST_AUTO_TEST_CASE(an_empty_range_still_makes_a_valid_warc_file) {
  TempDir dir;
  auto archive = Archive::open_sqlite(dir.file("archive.db"));
  std::ostringstream out;
  BOOST_TEST(export_articles(*archive, 41, ExportFormat::warc, out) == 41);
  const auto records = read_warc(out.str());
  BOOST_TEST_REQUIRE(records.size() == 1u);
  BOOST_TEST(records[0].field("warc-type") == "warcinfo");
}

BOOST_AUTO_TEST_CASE(format_names_parse) {
  BOOST_TEST((parse_export_format("jsonl") == ExportFormat::jsonl));
  BOOST_TEST((parse_export_format("warc") == ExportFormat::warc));
  BOOST_TEST((parse_export_format("markdown") == ExportFormat::markdown));
  BOOST_TEST((parse_export_format("text") == ExportFormat::text));
  BOOST_TEST(!parse_export_format("WARC").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
