#include "daemon/ingest/dedupe.h"

#include <string>

#include "parsers/extract/article.h"
#include "parsers/fingerprint/simhash.h"

namespace winnow::ingest {

std::ostream& operator<<(std::ostream& out, StoreOutcome outcome) {
  switch (outcome) {
    case StoreOutcome::stored: return out << "stored";
    case StoreOutcome::url_duplicate: return out << "url_duplicate";
    case StoreOutcome::near_duplicate: return out << "near_duplicate";
    case StoreOutcome::upgraded: return out << "upgraded";
  }
  return out << "StoreOutcome(" << int(outcome) << ")";
}

bool is_page_article(const archive::ArticleRow& row) {
  return row.source == "page" && row.verdict == parsers::to_string(parsers::PageKind::article) && !row.partial;
}

StoreOutcome dedupe_and_store(archive::Archive& archive, archive::ArticleRow& row, archive::UnixSeconds near_since) {
  for (const std::string* url : {&row.canonical_url, &row.normalized_url}) {
    if (url->empty()) continue;
    if (auto existing = archive.article_by_url(*url)) {
      if (is_page_article(row)) {
        auto stored = archive.article(*existing);
        if (stored && !is_page_article(*stored)) {
          upgrade_article(archive, row, *stored, near_since);
          if (row.feed_id) archive.record_entry(*row.feed_id, row.entry_key, row.id);
          return StoreOutcome::upgraded;
        }
      }
      if (row.feed_id) archive.record_entry(*row.feed_id, row.entry_key, *existing);
      row.id = *existing;
      return StoreOutcome::url_duplicate;
    }
  }
  StoreOutcome outcome = StoreOutcome::stored;
  if (row.fingerprint != 0) {
    auto near = archive.near_duplicates(row.fingerprint, parsers::kNearDuplicateBits, near_since);
    if (!near.empty()) {
      row.duplicate_of = near.front();
      outcome = StoreOutcome::near_duplicate;
    }
  }
  row.id = archive.store_article(row);
  return outcome;
}

void upgrade_article(archive::Archive& archive, archive::ArticleRow& row, const archive::ArticleRow& stored,
                     archive::UnixSeconds near_since) {
  row.id = stored.id;
  row.feed_id = stored.feed_id;
  row.entry_key = stored.entry_key;
  if (row.title.empty()) row.title = stored.title;
  if (!row.published) row.published = stored.published;
  row.retry_at.reset();
  row.retries = stored.retries;
  row.duplicate_of.reset();
  if (row.fingerprint != 0) {
    // Oldest first; only an older article can be the original (the row keeps its place in id
    // order), which also leaves out the row itself.
    auto near = archive.near_duplicates(row.fingerprint, parsers::kNearDuplicateBits, near_since);
    if (!near.empty() && near.front() < stored.id) row.duplicate_of = near.front();
  }
  archive.replace_article(row);
}

}  // namespace winnow::ingest
