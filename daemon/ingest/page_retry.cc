#include "daemon/ingest/page_retry.h"

#include <algorithm>
#include <cmath>

#include "base/utf8.h"
#include "daemon/ingest/dedupe.h"

namespace winnow::ingest {

using parsers::PageKind;

namespace {

// A page fetched again that is still no article (`verdict`, empty when the fetch failed): a
// listing or a page gone ends its retries, anything else counts a try. Updates the marks.
RetryOutcome no_article_yet(const std::string& verdict, bool gone, const RetryParams& params, archive::UnixSeconds now,
                            std::optional<archive::UnixSeconds>& retry_at, int& retries) {
  if (gone || verdict == parsers::to_string(PageKind::not_article)) {
    retry_at.reset();
    return RetryOutcome::given_up;
  }
  ++retries;
  const auto delay = retry_delay_s(params, retries);
  retry_at = delay ? std::optional<archive::UnixSeconds>(now + *delay) : std::nullopt;
  return delay ? RetryOutcome::rescheduled : RetryOutcome::given_up;
}

}  // namespace

bool is_retryable(PageKind kind) {
  return kind == PageKind::challenge || kind == PageKind::consent_wall || kind == PageKind::error_page ||
         kind == PageKind::empty;
}

std::optional<std::int64_t> retry_delay_s(const RetryParams& params, int retries) {
  if (retries < 0 || retries >= params.max_retries) return std::nullopt;
  // A year at most, however the options multiply out.
  constexpr double kLongest = 365.0 * 24 * 3600;
  const double delay = double(std::max<std::int64_t>(1, params.base_delay_s)) *
                       std::pow(double(std::max(1, params.factor)), double(retries));
  return std::int64_t(std::min(delay, kLongest));
}

std::ostream& operator<<(std::ostream& out, RetryOutcome outcome) {
  switch (outcome) {
    case RetryOutcome::upgraded: return out << "upgraded";
    case RetryOutcome::partial: return out << "partial";
    case RetryOutcome::rescheduled: return out << "rescheduled";
    case RetryOutcome::given_up: return out << "given_up";
    case RetryOutcome::kept: return out << "kept";
  }
  return out << "RetryOutcome(" << int(outcome) << ")";
}

std::size_t text_chars(std::string_view text) {
  return std::size_t(std::count_if(text.begin(), text.end(), [](char c) { return !base::is_utf8_continuation(c); }));
}

RetrySettled settle_retry(archive::Archive& archive, std::int64_t id, archive::ArticleRow* page, bool gone,
                          const RetryParams& params, archive::UnixSeconds now, archive::UnixSeconds near_since) {
  RetrySettled settled;
  auto stored = archive.article(id);
  if (!stored) return settled;
  settled.verdict = stored->verdict;
  settled.retries = stored->retries;
  // Never worse: the page's article, once archived, stays whatever a later fetch says.
  if (is_page_article(*stored)) return settled;

  const auto is = [&](PageKind kind) { return page && page->verdict == parsers::to_string(kind); };
  if (is(PageKind::article) ||
      (is(PageKind::paywall_teaser) && text_chars(page->text) >= text_chars(stored->text))) {
    upgrade_article(archive, *page, *stored, near_since);
    settled.outcome = is(PageKind::article) ? RetryOutcome::upgraded : RetryOutcome::partial;
    settled.verdict = page->verdict;
    return settled;
  }
  if (page) stored->verdict = page->verdict;
  if (is(PageKind::paywall_teaser)) {
    // The feed's content is longer than the teaser: it stays, marked as a paywalled article.
    stored->partial = true;
    stored->retry_at.reset();
    settled.outcome = RetryOutcome::partial;
  } else {
    settled.outcome = no_article_yet(page ? page->verdict : std::string(), gone, params, now, stored->retry_at,
                                     stored->retries);
  }
  archive.update_verdict(*stored);
  settled.verdict = stored->verdict;
  settled.retry_at = stored->retry_at;
  settled.retries = stored->retries;
  return settled;
}

RetrySettled settle_entry_retry(archive::Archive& archive, std::int64_t feed_id, const std::string& entry_key,
                                const std::string& verdict, bool gone, const RetryParams& params,
                                archive::UnixSeconds now) {
  RetrySettled settled;
  auto entry = archive.entry_retry(feed_id, entry_key);
  if (!entry || !entry->retry_at) return settled;
  if (!verdict.empty()) entry->verdict = verdict;
  settled.outcome = no_article_yet(verdict, gone, params, now, entry->retry_at, entry->retries);
  archive.record_entry_retry(*entry);
  settled.verdict = entry->verdict;
  settled.retry_at = entry->retry_at;
  settled.retries = entry->retries;
  return settled;
}

}  // namespace winnow::ingest
