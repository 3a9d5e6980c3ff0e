#include "daemon/ingest/reextract.h"

#include <optional>
#include <string>

#include "daemon/ingest/article_row.h"
#include "parsers/extract/extract.h"

namespace winnow::ingest {
namespace {

// Articles read and rewritten per transaction: their raw pages are in memory together, and
// a running winnowd waits for the write lock while a batch is rewritten.
constexpr std::size_t kBatch = 200;

}  // namespace

ReextractCounts reextract(archive::Archive& archive, bool all) {
  ReextractCounts counts;
  std::int64_t cursor = 0;
  const std::int32_t version = parsers::kExtractorVersion;
  for (;;) {
    auto batch = archive.articles_after(cursor, kBatch, false, true);
    if (batch.empty()) break;
    archive.transaction([&] {
      for (auto& row : batch) {
        cursor = row.id;
        if ((!all && row.extractor_version >= version) || row.source != "page" || row.raw.empty()) {
          ++counts.skipped;
          continue;
        }
        parsers::ExtractOptions options;
        options.url = row.url;
        options.content_type = row.content_type;
        parsers::Article article = parsers::extract(row.raw, options);
        if (article.blocks.empty()) {
          ++counts.skipped;
          continue;
        }
        // What the page does not say stays as archived (ingest may have taken it from the feed).
        const std::string title = row.title;
        const std::optional<archive::UnixSeconds> published = row.published;
        set_extracted_fields(row, article);
        if (row.title.empty()) row.title = title;
        if (!row.published) row.published = published;
        archive.update_extraction(row);
        ++counts.updated;
      }
    });
  }
  return counts;
}

}  // namespace winnow::ingest
