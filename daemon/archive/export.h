#pragma once
// Export of archived articles for consumers that follow the archive with a cursor (the last
// article id they saw): JSON Lines, plain text, Markdown, or WARC 1.1 as Common Crawl writes
// it (a warcinfo record, then per article a `response` record holding the fetched page and a
// `conversion` record holding the clean text). The response record holds the status line and
// headers as received, framing fields masked to fit the decoded body (warc_http.h); a page
// without a kept HTTP head (file://, or archived before schema 7) is a `resource` record.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/archive/archive.h"

namespace winnow::archive {

enum class ExportFormat {
  jsonl,     // one JSON object per line, as article_json() makes it (article_json.h)
  text,      // per article a header line "==== winnow article <id> ====", title, URL, text
  markdown,  // per article a header line "<!-- winnow article <id> -->", "# title", markdown
  warc,      // WARC/1.1; see ExportOptions::gzip for .warc.gz
};

// "jsonl", "text", "markdown" or "warc"; nullopt for anything else.
std::optional<ExportFormat> parse_export_format(std::string_view name);

struct ExportOptions {
  std::size_t max_articles = 0;  // at most this many per call; 0: all there are
  bool originals_only = false;   // skip near-duplicates (articles with duplicate_of)
  // WARC only: every record compressed as a gzip member of its own, which is what a
  // .warc.gz is (readers can seek to any record's offset).
  bool gzip = false;
  std::string warc_filename;     // WARC-Filename of the warcinfo record; left out when empty
  std::string software = "winnow";
};

// Writes the articles with id > `cursor`, in id order, to `out`, and returns the last id
// written (`cursor` itself when there was none): the consumer's next cursor. A WARC export
// always starts with its warcinfo record, so each call makes one complete WARC file.
// An article whose text came from the feed (source "feed") gets only a conversion record,
// without WARC-Refers-To, even when it keeps the page that was judged no article.
//
// Reads through `archive` on the calling thread. For a long export use an Archive of its own
// rather than a job on ArchiveWorker, whose batch would hold the write lock meanwhile.
// Throws what the archive throws, and std::runtime_error when `out` fails or (jsonl) an
// article's blocks_json is not JSON.
std::int64_t export_articles(Archive& archive, std::int64_t cursor, ExportFormat format, std::ostream& out,
                             const ExportOptions& options = {});

}  // namespace winnow::archive
