#include "daemon/ingest/reextract.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/ingest/article_row.h"
#include "daemon/ingest/dedupe.h"
#include "parsers/extract/extract.h"

namespace winnow::ingest {
namespace {

// Articles read and rewritten per transaction: their raw pages are in memory together, and
// a running winnowd waits for the write lock while a batch is rewritten.
constexpr std::size_t kBatch = 200;

// Extracts `row`'s raw page again and sets its fields when the result is worth storing;
// false (row untouched) when it is not.
bool reextract_row(archive::ArticleRow& row, bool all, std::int32_t version, std::string_view article_kind) {
  // The raw bytes are a page for rows of page text, and for rows of feed content that a
  // page's verdict marks (that page); other rows of feed content keep the feed's HTML.
  const bool raw_is_page = row.source == "page" || row.verdict != article_kind;
  if ((!all && row.extractor_version >= version) || !raw_is_page || row.raw.empty()) return false;
  parsers::ExtractOptions options;
  options.url = row.url;
  options.content_type = row.content_type;
  parsers::Article article = parsers::extract(row.raw, options);
  const parsers::PageKind kind = article.verdict.kind;
  // Never worse: only an article replaces what is stored, or a teaser a teaser of the
  // page. A page whose text was archived keeps it when it now extracts to nothing or to
  // no article; feed content stays unless the page turns out to be an article after all.
  const bool better = kind == parsers::PageKind::article ||
                      (kind == parsers::PageKind::paywall_teaser && row.source == "page" && !is_page_article(row));
  if (article.blocks.empty() || !better) return false;
  // What the page does not say stays as archived (ingest may have taken it from the feed).
  const std::string title = row.title;
  const std::optional<archive::UnixSeconds> published = row.published;
  set_extracted_fields(row, article);
  if (row.title.empty()) row.title = title;
  if (!row.published) row.published = published;
  row.source = "page";
  row.verdict = parsers::to_string(kind);
  row.partial = kind == parsers::PageKind::paywall_teaser;
  if (kind == parsers::PageKind::article) row.retry_at.reset();
  return true;
}

}  // namespace

ReextractCounts reextract(archive::Archive& archive, bool all) {
  ReextractCounts counts;
  std::int64_t cursor = 0;
  const std::int32_t version = parsers::kExtractorVersion;
  const std::string_view article_kind = parsers::to_string(parsers::PageKind::article);
  for (;;) {
    auto batch = archive.articles_after(cursor, kBatch, false, true);
    if (batch.empty()) break;
    // Extracted before the transaction, written in it: the write lock (and on PostgreSQL the
    // commit-order lock every store of every instance waits for) is held for the writes alone,
    // not for 200 extractions.
    std::vector<const archive::ArticleRow*> changed;
    for (auto& row : batch) {
      cursor = row.id;
      if (reextract_row(row, all, version, article_kind)) changed.push_back(&row);
      else ++counts.skipped;
    }
    if (changed.empty()) continue;
    archive.transaction([&] {
      for (const archive::ArticleRow* row : changed) archive.update_extraction(*row);
    });
    counts.updated += changed.size();
  }
  return counts;
}

}  // namespace winnow::ingest
