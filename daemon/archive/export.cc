#include "daemon/archive/export.h"

#include <boost/json.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include <algorithm>
#include <ctime>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <vector>

#include "base/ascii.h"
#include "base/time.h"
#include "base/url.h"
#include "base/utf8.h"
#include "daemon/archive/article_json.h"
#include "daemon/archive/compress.h"
#include "daemon/archive/digest.h"
#include "daemon/archive/warc_http.h"

namespace winnow::archive {
namespace {

// Articles read per query: enough to amortise the query, few enough that a page of raw
// pages (for WARC) stays a few megabytes.
constexpr std::size_t kPageSize = 128;

// A line of its own for a header: no line breaks inside, nothing a terminal acts on.
std::string one_line(std::string_view s) {
  std::string out = base::without_controls(s);
  std::replace_if(out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return out;
}

void write_jsonl(const ArticleRow& row, std::ostream& out) {
  out << json_line(article_json(row)) << '\n';
}

void write_text(const ArticleRow& row, std::ostream& out) {
  out << "==== winnow article " << row.id << " ====\n"
      << one_line(row.title) << '\n'
      << one_line(row.url) << '\n';
  if (row.published) out << base::format_rfc3339(*row.published) << '\n';
  const std::string text = base::without_controls(row.text);
  out << '\n' << text;
  if (!text.empty() && text.back() != '\n') out << '\n';
  out << '\n';
}

void write_markdown(const ArticleRow& row, std::ostream& out) {
  out << "<!-- winnow article " << row.id << " -->\n"
      << "# " << one_line(row.title.empty() ? row.url : row.title) << "\n\n"
      << '<' << one_line(row.url) << '>';
  if (!row.site_name.empty()) out << " · " << one_line(row.site_name);
  if (row.published) out << " · " << base::format_rfc3339(*row.published);
  out << "\n\n";
  const std::string body = base::without_controls(row.markdown.empty() ? row.text : row.markdown);
  out << body;
  if (!body.empty() && body.back() != '\n') out << '\n';
  out << '\n';
}

// WARC header values are single lines of visible text: percent-encode anything else, so a
// stray CR or LF in a stored URL cannot end the header early.
std::string field_value(std::string_view s) {
  return base::percent_encode(s, [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

class WarcWriter {
 public:
  WarcWriter(std::ostream& out, bool gzip) : out_(out), gzip_(gzip) {}

  // "<urn:uuid:...>" with a random (version 4) UUID.
  std::string new_record_id() { return "<urn:uuid:" + boost::uuids::to_string(uuids_()) + ">"; }

  // `fields`: "Name: value\r\n" lines; Content-Length and the framing are added here.
  void write(const std::string& fields, std::string_view block) {
    std::string record;
    record.reserve(fields.size() + block.size() + 64);
    record += "WARC/1.1\r\n";
    record += fields;
    record += "Content-Length: " + std::to_string(block.size()) + "\r\n\r\n";
    record += block;
    record += "\r\n\r\n";
    if (gzip_)
      out_ << packer_.pack(record);
    else
      out_ << record;
    if (!out_) throw std::runtime_error("export: writing the WARC output failed");
  }

 private:
  std::ostream& out_;
  bool gzip_;
  GzipPacker packer_;
  boost::uuids::random_generator uuids_;
};

std::string write_warcinfo(WarcWriter& warc, const ExportOptions& options, std::int64_t cursor) {
  const std::string id = warc.new_record_id();
  const std::string block =
      "software: " + field_value(options.software) +
      "\r\n"
      "format: WARC File Format 1.1\r\n"
      "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
      "description: articles archived by winnow with id > " +
      std::to_string(cursor) + "\r\n";
  std::string fields = "WARC-Type: warcinfo\r\nWARC-Date: " + base::format_rfc3339(std::time(nullptr)) + "\r\n";
  if (!options.warc_filename.empty()) fields += "WARC-Filename: " + field_value(options.warc_filename) + "\r\n";
  fields += "WARC-Record-ID: " + id + "\r\nContent-Type: application/warc-fields\r\nWARC-Block-Digest: " +
            warc_sha1(block) + "\r\n";
  warc.write(fields, block);
  return id;
}

// The page as a `response` record when its HTTP head was kept, else as a `resource` record
// (file:// pages, and pages archived before heads were kept: no head is made up for them).
// Returns the record's id.
std::string write_warc_page(WarcWriter& warc, const std::string& warcinfo_id, const ArticleRow& row,
                            const std::string& date, const std::string& target) {
  const std::string id = warc.new_record_id();
  const bool is_http = base::istarts_with(row.url, "http:") || base::istarts_with(row.url, "https:");
  const auto http = is_http ? warc_http_head(row.http_head, row.url, row.raw.size()) : std::nullopt;
  std::string fields = "WARC-Type: " + std::string(http ? "response" : "resource") + "\r\nWARC-Date: " + date +
                       "\r\nWARC-Record-ID: " + id + "\r\nContent-Type: ";
  if (http)
    fields += "application/http; msgtype=response";
  else
    fields += row.content_type.empty() ? std::string("application/octet-stream") : one_line(row.content_type);
  fields += "\r\nWARC-Warcinfo-ID: " + warcinfo_id + "\r\nWARC-Target-URI: " + target + "\r\n";
  if (http && !http->protocol.empty()) fields += "WARC-Protocol: " + http->protocol + "\r\n";
  const std::string payload_digest = warc_sha1(row.raw);
  fields += "WARC-Payload-Digest: " + payload_digest + "\r\n";
  if (!http) {
    fields += "WARC-Block-Digest: " + payload_digest + "\r\n";
    warc.write(fields, row.raw);
    return id;
  }
  const std::string block = http->head + row.raw;
  fields += "WARC-Block-Digest: " + warc_sha1(block) + "\r\n";
  warc.write(fields, block);
  return id;
}

void write_warc_article(WarcWriter& warc, const std::string& warcinfo_id, const ArticleRow& row) {
  const std::string date = base::format_rfc3339(row.fetched_at);
  const std::string target = field_value(row.url);
  std::string page_id;
  // A row of feed content may keep the page it was judged on (a challenge, a consent wall):
  // its text is no conversion of that page, so the page is not written.
  if (row.http_status != 0 && row.source == "page") page_id = write_warc_page(warc, warcinfo_id, row, date, target);
  std::string fields = "WARC-Type: conversion\r\nWARC-Target-URI: " + target + "\r\nWARC-Date: " + date +
                       "\r\nWARC-Record-ID: " + warc.new_record_id() + "\r\n";
  if (!page_id.empty()) fields += "WARC-Refers-To: " + page_id + "\r\n";
  fields += "WARC-Warcinfo-ID: " + warcinfo_id + "\r\nWARC-Block-Digest: " + warc_sha1(row.text) +
            "\r\nContent-Type: text/plain\r\n";
  warc.write(fields, row.text);
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "jsonl") return ExportFormat::jsonl;
  if (name == "text") return ExportFormat::text;
  if (name == "markdown") return ExportFormat::markdown;
  if (name == "warc") return ExportFormat::warc;
  return std::nullopt;
}

std::int64_t export_articles(Archive& archive, std::int64_t cursor, ExportFormat format, std::ostream& out,
                             const ExportOptions& options) {
  const bool is_warc = format == ExportFormat::warc;
  std::optional<WarcWriter> warc;
  std::string warcinfo_id;
  if (is_warc) {
    warc.emplace(out, options.gzip);
    warcinfo_id = write_warcinfo(*warc, options, cursor);
  }
  std::size_t left = options.max_articles == 0 ? std::numeric_limits<std::size_t>::max() : options.max_articles;
  while (left > 0) {
    const auto page = archive.articles_after(cursor, std::min(left, kPageSize), options.originals_only, is_warc);
    for (const ArticleRow& row : page) {
      switch (format) {
        case ExportFormat::jsonl: write_jsonl(row, out); break;
        case ExportFormat::text: write_text(row, out); break;
        case ExportFormat::markdown: write_markdown(row, out); break;
        case ExportFormat::warc: write_warc_article(*warc, warcinfo_id, row); break;
      }
      if (!out) throw std::runtime_error("export: writing the output failed");
      cursor = row.id;
    }
    left -= page.size();
    if (page.size() < kPageSize) break;
  }
  out.flush();
  if (!out) throw std::runtime_error("export: writing the output failed");
  return cursor;
}

}  // namespace winnow::archive
