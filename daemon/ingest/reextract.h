#pragma once
// Re-extraction: runs this build's extractor again over the pages the archive kept, so that
// articles made by an older extractor get its improvements without a fetch. Ids stay; a
// consumer following the export cursor does not see the change.
#include <cstddef>

#include "daemon/archive/archive.h"

namespace winnow::ingest {

struct ReextractCounts {
  std::size_t updated = 0;  // articles whose extraction was replaced
  // Up to date, built from the feed, without raw page, or extracted to nothing or to no
  // article (kept as archived).
  std::size_t skipped = 0;
};

// Walks every article of `archive` in id order, a transaction per batch, and re-extracts
// those with a page kept (source "page", or feed content marked with the verdict of the page
// it kept) whose extractor_version is older than parsers::kExtractorVersion, or all of them
// with `all`. Never worse: the new extraction replaces the row only when the page is an
// article (then source "page", verdict "article", no retry left), or a paywall teaser of a
// row that was one; a page that extracts to nothing or to anything else keeps what it had.
// A title or date the page does not give stays as archived (it may have come from the feed).
// Runs on the calling thread with `archive` of its own: not as an ArchiveWorker job, whose
// batch would hold the write lock all along. Throws what the archive throws.
ReextractCounts reextract(archive::Archive& archive, bool all);

}  // namespace winnow::ingest
