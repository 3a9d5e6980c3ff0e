#pragma once
// The archive row of an extracted article: one place that turns a parsers::Article into the
// fields of an ArticleRow, for ingest and for `winnow reextract`. Pure; any thread.
#include "daemon/archive/archive.h"
#include "parsers/extract/article.h"

namespace winnow::ingest {

// Sets every field of `row` that extraction produces: canonical URL (normalized), metadata,
// text, Markdown, blocks and removal reasons as JSON, fingerprint, charset and extractor
// version. Fields the page did not provide (no title, no date, ...) are set empty; callers
// that know better (the feed entry, the row archived before) fill them afterwards.
void set_extracted_fields(archive::ArticleRow& row, const parsers::Article& article);

}  // namespace winnow::ingest
