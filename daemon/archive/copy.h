#pragma once
// Copying one archive into another with every id kept: what `winnow migrate` runs to move an
// embedded (SQLite) archive to PostgreSQL (docs/scale-out.md, "Moving an embedded archive to
// PostgreSQL"). Only through the Archive interface: the source is read with its own reading
// functions (articles_after with the raw page), the target written with its import_ methods.
//
// Tables in order: feeds, articles (with their raw pages), entries, webhook endpoints and
// events; then the target's id generators are moved past the copied ids. Each batch is one
// transaction of the target, and every import leaves a row already there alone, so a copy
// that stops anywhere (killed, a lost connection, max_batches) is resumed by running it again:
// where each table goes on is read from the target (its highest ids), no state file is kept.
// Not copied: leases (feeds.lease_owner/lease_until, host_leases), which belong to running
// daemons, and the schema version and search index, which the target keeps its own way.
//
// Synchronous; one thread; `source` and `target` belong to the caller for the call.
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "daemon/archive/archive.h"

namespace winnow::archive {

// The target holds rows that are not a copy of the source (or that a copy cannot have made):
// nothing was written. The message says what was found, fit for the user.
class CopyRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CopyOptions {
  std::size_t article_batch = 200;  // articles per transaction; feeds, entries, events: 10 times as many
  // Stops after this many batches (0: never), as a copy cut short would: for tests of resuming.
  std::int64_t max_batches = 0;
};

enum class CopyTable { feeds, articles, entries, webhooks };

// How a table's copy stands, after each batch: rows of the table in the target (those an
// earlier run copied included) of those in the source, capped to it.
struct CopyProgress {
  CopyTable table = CopyTable::feeds;
  std::int64_t done = 0;
  std::int64_t total = 0;
};

struct CopyReport {
  ArchiveExtent source;         // before the copy
  ArchiveExtent target_before;  // before the copy: not empty when it resumed one
  ArchiveExtent target_after;   // after it
  std::int64_t batches = 0;
  std::int64_t articles_copied = 0;  // in this run
  std::int64_t urls_dropped = 0;     // articles stored without a URL another holds (import_articles)
  bool resumed = false;              // the target held part of this copy already
  bool complete = false;             // false when max_batches stopped it
};

// "feeds", "articles", "entries", "webhooks".
const char* to_string(CopyTable table);

// Throws CopyRefused, writing nothing, when `target` holds anything but an earlier, partial or
// complete, copy of `source`: a feed id with another URL, articles past the source's, an
// article whose URL or archived_at differs at the same id. Cheap: every feed id and URL, and
// a few articles. Returns true when the target is empty.
bool check_copy_target(Archive& source, Archive& target, const ArchiveExtent& source_extent,
                       const ArchiveExtent& target_extent);

// Copies `source` into `target` as said above, after check_copy_target. `progress` (may be
// empty) is called after every batch. Errors of either archive are thrown as they are.
CopyReport copy_archive(Archive& source, Archive& target, const CopyOptions& options,
                        const std::function<void(const CopyProgress&)>& progress);

}  // namespace winnow::archive
