#pragma once
// Re-extraction: runs this build's extractor again over the pages the archive kept, so that
// articles made by an older extractor get its improvements without a fetch. Ids stay; a
// consumer following the export cursor does not see the change.
#include <cstddef>

#include "daemon/archive/archive.h"

namespace winnow::ingest {

struct ReextractCounts {
  std::size_t updated = 0;  // articles whose extraction was replaced
  std::size_t skipped = 0;  // up to date, built from the feed, without raw page, or extracted to nothing
};

// Walks every article of `archive` in id order, a transaction per batch, and re-extracts
// those built from their page (source "page", raw bytes kept) whose extractor_version is
// older than parsers::kExtractorVersion, or all of them with `all`. A page that extracts to
// nothing keeps what it had; a title or date the page does not give stays as archived (it
// may have come from the feed). Runs on the calling thread with `archive` of its own: not
// as an ArchiveWorker job, whose batch would hold the write lock all along. Throws what the
// archive throws.
ReextractCounts reextract(archive::Archive& archive, bool all);

}  // namespace winnow::ingest
