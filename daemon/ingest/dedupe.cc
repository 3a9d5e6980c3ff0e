#include "daemon/ingest/dedupe.h"

#include <string>

#include "parsers/fingerprint/simhash.h"

namespace winnow::ingest {

std::ostream& operator<<(std::ostream& out, StoreOutcome outcome) {
  switch (outcome) {
    case StoreOutcome::stored: return out << "stored";
    case StoreOutcome::url_duplicate: return out << "url_duplicate";
    case StoreOutcome::near_duplicate: return out << "near_duplicate";
  }
  return out << "StoreOutcome(" << int(outcome) << ")";
}

StoreOutcome dedupe_and_store(archive::Archive& archive, archive::ArticleRow& row, archive::UnixSeconds near_since) {
  for (const std::string* url : {&row.canonical_url, &row.normalized_url}) {
    if (url->empty()) continue;
    if (auto existing = archive.article_by_url(*url)) {
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

}  // namespace winnow::ingest
