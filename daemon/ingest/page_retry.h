#pragma once
// Pages fetched again because they were no article yet. A bot check, a consent wall, an error
// page served as 200 or an empty page may give way to the article later, so the entry is
// archived from the feed's content with its retry_at set (or, when the feed has no content,
// recorded as seen without an article, with the retry state on its entries row), and ingest
// (retry.cc) fetches the page again when it is due, with a delay growing each time, until the
// page is an article or the tries run out. The policy and the archive side of one retry are
// here.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "daemon/archive/archive.h"
#include "parsers/extract/article.h"

namespace winnow::ingest {

// The verdict of a row whose page failed extraction twice (extraction_journal.h): the feed's
// content stands in, and the page is never extracted again. Not a parsers::PageKind: the
// page may be anything; what is known is that it cannot be read safely.
inline constexpr std::string_view kQuarantined = "quarantined";

struct RetryParams {
  std::int64_t base_delay_s = 3600;  // before the first fetch again
  int factor = 4;                    // each next delay this many times the last: 1 h, 4 h, 16 h
  int max_retries = 3;               // fetches again at most; 0: none
};

// Whether a page of this kind may become an article later: challenge, consent_wall,
// error_page, empty. Pure.
bool is_retryable(parsers::PageKind kind);

// The delay before the next fetch of a page fetched again `retries` times so far, or nullopt
// when no retry is left. Pure.
std::optional<std::int64_t> retry_delay_s(const RetryParams& params, int retries);

enum class RetryOutcome {
  upgraded,     // the page is an article now: it replaced the row in place
  partial,      // a paywalled teaser: the longer of it and the feed's content stays, marked partial
  rescheduled,  // still no article (or no answer): fetched again later
  given_up,     // no more tries, gone for good, or not an article at all: the feed's content stays
  kept,         // the row is the page's article already (or gone): left alone
};
std::ostream& operator<<(std::ostream& out, RetryOutcome outcome);

struct RetrySettled {
  RetryOutcome outcome = RetryOutcome::kept;
  std::string verdict;                  // the row's verdict now
  std::optional<archive::UnixSeconds> retry_at;
  int retries = 0;
};

// Archive thread. Settles one retry of article `id`: `page` is the refetched page's row
// (verdict set) or null when the fetch failed, for good with `gone` (404, 410, robots.txt).
// The page's article replaces the row (dedupe.h upgrade_article, near-duplicates since
// `near_since`); a paywall teaser replaces it when longer than the feed's content (plain-text
// characters), else marks it; any other verdict, or a failed fetch, counts a try. A row that
// is the page's article already is never touched. Throws what the archive throws.
RetrySettled settle_retry(archive::Archive& archive, std::int64_t id, archive::ArticleRow* page, bool gone,
                          const RetryParams& params, archive::UnixSeconds now, archive::UnixSeconds near_since);

// Archive thread. Settles one retry of the page of an entry recorded without an article
// (Archive::record_entry_retry) that found no article to store: `verdict` is what the page is
// now (parsers::to_string), or empty when the fetch failed, for good with `gone` (404, 410,
// robots.txt). A listing or `gone` ends the retries; anything else counts a try. An entry
// that has an article meanwhile, or waits no longer, is left alone (kept). Throws what the
// archive throws.
RetrySettled settle_entry_retry(archive::Archive& archive, std::int64_t feed_id, const std::string& entry_key,
                                const std::string& verdict, bool gone, const RetryParams& params,
                                archive::UnixSeconds now);

// Characters (code points) of UTF-8 `text`: how the feed's content and a teaser are compared.
std::size_t text_chars(std::string_view text);

}  // namespace winnow::ingest
