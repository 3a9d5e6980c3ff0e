// The life of one entry (or crawled page): robots.txt, the page fetch (host budget, then a
// page slot), extraction and the page's verdict, or the feed's own content instead; then the
// duplicate checks and the write, or giving up. A retry (retry.cc) goes the same way up to
// the verdict, then to finish_retry (an entry's page that is an article now: to store). Loop
// thread; extraction runs on a worker and the write on the archive thread, each posting its
// answer back to the loop.
#include "daemon/ingest/ingest.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>

#include "daemon/ingest/article_row.h"
#include "daemon/ingest/dedupe.h"
#include "daemon/ingest/ingest_impl.h"
#include "daemon/ingest/ingest_metrics.h"
#include "daemon/ingest/page_retry.h"
#include "daemon/log.h"
#include "parsers/charset/sniff.h"
#include "parsers/extract/extract.h"
#include "parsers/url/normalize.h"

namespace winnow::ingest {

namespace asio = boost::asio;
using archive::Archive;
using archive::ArticleRow;
using detail::fetch_failure;
using detail::now_s;

namespace {

bool is_permanent_status(long status) { return status == 404 || status == 410 || status == 451; }

// Fills an ArticleRow from an extracted article. Runs on a worker thread.
ArticleRow to_row(const parsers::Article& a, const std::string& url, const fetch::FetchResult* page) {
  ArticleRow row;
  set_extracted_fields(row, a);
  row.url = url;
  row.normalized_url = parsers::normalize_url(url);
  row.fetched_at = now_s();
  if (page) {
    row.http_status = int(page->status);
    row.content_type = page->content_type;
    row.http_head = page->http_head;  // for the WARC response record (archive/export.h)
  }
  return row;
}

}  // namespace

archive::PackedPage Ingest::pack_raw_page(const std::string& url, std::string_view body) {
  const std::string host = budget_key(url);
  auto dictionary = page_dictionaries_->find(host);
  archive::PackedPage packed = archive::pack_page(body, dictionary.get());
  if (dictionary) return packed;
  const auto samples = page_dictionaries_->keep_sample(host, body);
  if (samples.empty()) return packed;
  std::string bytes = archive::make_page_dictionary(samples, page_dictionaries_->limits().dictionary_bytes);
  if (bytes.empty()) {
    log::info("no page dictionary learnt for host", {{"host", host}, {"pages", samples.size()}});
    return packed;
  }
  // Added for the workers once committed: a page may name it only when it is stored.
  auto stored = std::make_shared<std::shared_ptr<const archive::PageDictionary>>();
  archive_.post(
      [host, bytes = std::move(bytes), stored](Archive& a) {
        const std::int64_t id = a.add_page_dictionary(host, bytes);
        if (id > 0) *stored = std::make_shared<const archive::PageDictionary>(id, bytes);
      },
      [host, stored, dictionaries = page_dictionaries_](std::exception_ptr error) {
        if (error || !*stored) return;
        dictionaries->add(host, *stored);
        log::info("page dictionary learnt", {{"host", host}, {"id", (*stored)->id()},
                                             {"bytes", (*stored)->bytes().size()}});
      });
  return packed;
}

void Ingest::start_job(std::shared_ptr<Job> job) {
  ++jobs_in_flight_;
  note_depths();
  if (job->page) {  // a page crawled directly: extract what was fetched
    auto page = std::move(*job->page);
    job->page.reset();
    return on_page(job, std::move(page));
  }
  if (job->url.empty() || (job->url.find("://") == std::string::npos)) {
    return use_feed_content(job, "entry has no link");
  }
  // A remote feed may only send us to the web: a file:// (or ftp:, data:, ...) link in it
  // must not read this machine's files into the archive.
  if (!job->url.starts_with("http://") && !job->url.starts_with("https://") &&
      !(job->local && job->url.starts_with("file://"))) {
    return use_feed_content(job, "link scheme not allowed");
  }
  if (journal_.quarantined(job->url)) {  // not even fetched: its extraction failed twice
    auto row = std::make_shared<ArticleRow>();
    row->verdict = std::string(kQuarantined);
    return on_judged(job, row, parsers::PageKind::empty);
  }
  robots_.check(job->url, [this, job](bool allowed, bool for_now) {
    if (!allowed) {
      ++stats_.robots_denied;
      // Refused only while robots.txt is unreachable: without feed content the entry waits.
      return use_feed_content(job, for_now ? "robots.txt unreachable" : "robots.txt disallows", !for_now);
    }
    fetch_page(job);
  });
}

void Ingest::fetch_page(std::shared_ptr<Job> job) {
  fetch::FetchRequest request;
  request.url = job->url;
  request.accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";
  std::string host = budget_key(job->url);
  // The host's turn first, then a page slot: a slow host's queue never holds slots while
  // it waits out its delay.
  auto start = [this, job, host, request = std::move(request)]() mutable {
    hold_page_slot([this, job, host, request = std::move(request)]() mutable {
      job->holds_page = true;
      fetcher_.fetch(std::move(request), [this, job, host](fetch::FetchResult r) {
        if (host != "file") hosts_.release(host, r.error == fetch::FetchErrc::ok ? r.status : 0, r.retry_after_s);
        if (metrics_) metrics_->fetched(FetchKind::page, r);
        on_page(job, std::move(r));
      });
    });
  };
  if (host == "file") return start();
  acquire_host(host, [this, job, start = std::move(start)](bool held) mutable {
    if (!held) return abandon(job);  // another daemon kept the host: the next poll tries again
    start();
  });
}

void Ingest::on_page(std::shared_ptr<Job> job, fetch::FetchResult r) {
  if (cancelled_ || r.error == fetch::FetchErrc::cancelled) return abandon(job);
  if (std::string why = fetch_failure(r); !why.empty()) {
    ++stats_.pages_failed;
    log::debug("page fetch failed", {{"url", job->url}, {"error", why}});
    // A refused address is a verdict on the link, not a passing failure: asking again on
    // every retry would only log it again.
    bool permanent = (r.error == fetch::FetchErrc::ok && is_permanent_status(r.status)) || detail::log_if_blocked(r);
    if (job->is_retry()) return finish_retry(job, nullptr, why, permanent);
    if (!job->entry.content.empty() || !job->entry.summary.empty()) return use_feed_content(job, why, permanent);
    return give_up(job, why, permanent);
  }
  ++stats_.pages_fetched;
  if (auto binary = parsers::binary_body(r.content_type, r.body)) {
    // A PDF, an image, an archive: never archived as text, and it stays what it is.
    const std::string why = "page is not text: " + *binary;
    log::info("page is not text", {{"url", job->url}, {"content_type", r.content_type}, {"reason", *binary}});
    if (job->is_retry()) return finish_retry(job, nullptr, why, true);
    return use_feed_content(job, why, true);
  }
  auto page = std::make_shared<fetch::FetchResult>(std::move(r));
  asio::post(workers_, [this, alive = std::weak_ptr<bool>(alive_), job, page] {
    parsers::ExtractOptions options;
    options.url = page->final_url.empty() ? job->url : page->final_url;
    options.content_type = page->content_type;
    parsers::Article article;
    const bool quarantined = !extract_guarded(job->url, page->body, options, article);
    // An "article" without a block has nothing to archive either.
    parsers::PageKind kind = article.blocks.empty() && article.verdict.kind == parsers::PageKind::article
                                 ? parsers::PageKind::empty
                                 : article.verdict.kind;
    auto row = std::make_shared<ArticleRow>(to_row(article, options.url, page.get()));
    // Packed here, on a worker, rather than by the single archive thread.
    row->raw_packed = pack_raw_page(options.url, page->body);
    row->verdict = quarantined ? std::string(kQuarantined) : std::string(parsers::to_string(kind));
    row->partial = kind == parsers::PageKind::paywall_teaser;
    asio::post(loop_, [this, alive, job, row, kind] {
      if (alive.expired()) return;
      on_judged(job, row, kind);
    });
  });
}

void Ingest::on_judged(std::shared_ptr<Job> job, std::shared_ptr<ArticleRow> page, parsers::PageKind kind) {
  using parsers::PageKind;
  ++stats_.verdicts[page->verdict];
  const std::string why = "page is " + page->verdict;
  if (page->verdict == kQuarantined) {
    // For good: the feed's content stands in, marked, and the page is never extracted again.
    ++stats_.quarantined;
    log::warning("page quarantined: its extraction failed twice; the feed's content stands in",
                 {{"url", job->url}});
    if (job->is_retry()) return finish_retry(job, page, why, true);
    return use_feed_content(job, why, true, page);
  }
  if (job->retry_of) return finish_retry(job, page, why, false);
  if (kind == PageKind::article) return store(job, std::move(*page));
  // A teaser is all there is without the feed's content: it is kept, marked partial.
  const bool is_teaser = kind == PageKind::paywall_teaser && !page->text.empty();
  if (job->entry_retry) return is_teaser ? store(job, std::move(*page)) : finish_retry(job, page, why, false);
  const bool has_feed_content = !job->entry.content.empty() || !job->entry.summary.empty();
  // Without content to stand in, a subscribed feed's entry waits for its page as seen; a
  // crawled feed's entries have no entries row to wait in.
  const bool waits = is_retryable(kind) && !has_feed_content && job->feed_id;
  // 0: no retry (the kind stays what it is, or retries are off).
  const std::int64_t retry_in_s = is_retryable(kind) ? retry_delay_s(options_.retry, 0).value_or(0) : 0;
  if ((has_feed_content || waits) && retry_in_s > 0)
    log::info("page is not an article", {{"url", job->url}, {"verdict", page->verdict}, {"retry_in_s", retry_in_s}});
  else
    log::info("page is not an article",
              {{"url", job->url}, {"verdict", page->verdict}, {"kept", has_feed_content ? "feed" : "nothing"}});
  if (kind == PageKind::paywall_teaser && !has_feed_content)
    return is_teaser ? store(job, std::move(*page)) : give_up(job, why, false);
  if (waits) return wait_for_page(job, *page, retry_in_s);
  if (retry_in_s > 0) page->retry_at = now_s() + retry_in_s;  // for the feed's content that stands in
  // A listing page stays one; the other kinds may show the article at the next poll.
  use_feed_content(job, why, kind == PageKind::not_article, page);
}

bool Ingest::extract_guarded(const std::string& key, std::string_view bytes, const parsers::ExtractOptions& options,
                             parsers::Article& article) {
  if (journal_.quarantined(key)) return false;
  std::string failure;
  // use_feed_content() keys a feed entry's content so; anything else is a page.
  const bool feed_content = key.starts_with("feed-content ");
  try {
    ExtractionJournal::Extracting marked(journal_, key);
    const auto started = std::chrono::steady_clock::now();
    article = parsers::extract(bytes, options);
    if (metrics_)
      metrics_->extracted(feed_content, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (article.unparsed) failure = article.verdict.signals.empty() ? "unparsed" : article.verdict.signals.front();
  } catch (const std::exception& e) {  // std::bad_alloc above all: the page, not the process, fails
    article = parsers::Article();
    article.verdict = {parsers::PageKind::empty, "extraction failed", {}};
    failure = e.what();
  }
  if (failure.empty()) return true;
  if (metrics_) metrics_->extraction_failed();
  const int failures = journal_.record_failure(key);
  asio::post(loop_, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (!alive.expired()) ++stats_.extraction_failures;
  });
  const bool quarantine = failures >= ExtractionJournal::kQuarantineAfter;
  log::warning(quarantine ? "extraction failed again: page quarantined" : "extraction failed",
               {{"url", options.url}, {"key", key}, {"error", failure}, {"failures", failures}});
  return !quarantine;
}

void Ingest::use_feed_content(std::shared_ptr<Job> job, const std::string& why, bool permanent,
                              std::shared_ptr<ArticleRow> judged) {
  if (cancelled_) return abandon(job);
  // A retry has the feed's content archived already (or none): it only settles the retry.
  if (job->is_retry()) return finish_retry(job, nullptr, why, permanent);
  const std::string& html = !job->entry.content.empty() ? job->entry.content : job->entry.summary;
  if (html.empty()) return give_up(job, why, permanent);
  ++stats_.feed_fallbacks;
  auto content = std::make_shared<std::string>("<html><body><article>" + html + "</article></body></html>");
  asio::post(workers_, [this, alive = std::weak_ptr<bool>(alive_), job, content, why, permanent, judged] {
    parsers::ExtractOptions options;
    options.url = job->url;
    parsers::Article article;
    // Feed content can be as hostile as a page: counted under its own key, and once
    // quarantined it is not extracted again either (the entry is then given up).
    extract_guarded("feed-content " + job->url, *content, options, article);
    if (article.metadata.title.empty() || article.metadata.title == job->entry.title) article.metadata.title = job->entry.title;
    auto row = std::make_shared<ArticleRow>(to_row(article, job->url, nullptr));
    row->source = "feed";
    row->raw = *content;
    row->content_type = "text/html; charset=utf-8";
    if (!row->published && job->entry.published) row->published = job->entry.published;
    if (row->authors.empty()) row->authors = job->entry.author;
    bool empty = article.blocks.empty();
    if (judged) {
      // The page's verdict marks the row. Its bytes are kept as the raw page (what the site
      // answered, for `show --raw`, and for reextract should a later extractor find the
      // article in it), never as the text.
      row->verdict = judged->verdict;
      row->partial = judged->partial;
      row->retry_at = judged->retry_at;
      row->raw.clear();
      row->raw_packed = judged->raw_packed;
      row->http_status = judged->http_status;
      row->content_type = judged->content_type;
      row->http_head = judged->http_head;
      row->charset = judged->charset;
      // A teaser's own text wins unless the feed says more.
      if (judged->partial && !judged->text.empty() && (empty || text_chars(judged->text) >= text_chars(row->text))) {
        row = judged;
        empty = false;
      }
    }
    asio::post(loop_, [this, alive, job, row, empty, why, permanent] {
      if (alive.expired()) return;
      if (empty) return give_up(job, why + "; feed content is empty", permanent);
      store(job, std::move(*row));
    });
  });
}

void Ingest::wait_for_page(std::shared_ptr<Job> job, const ArticleRow& judged, std::int64_t retry_in_s) {
  if (cancelled_) return abandon(job);
  auto entry = std::make_shared<archive::EntryRetry>();
  entry->feed_id = *job->feed_id;
  entry->entry_key = job->entry_key;
  entry->url = job->url;
  entry->title = job->entry.title;
  entry->published = job->entry.published;
  entry->verdict = judged.verdict;
  if (retry_in_s > 0) entry->retry_at = now_s() + retry_in_s;
  // Written before the job is done, so the poll saves the feed's validators only after it.
  archive_.post([entry](Archive& a) { a.record_entry_retry(*entry); },
                [this, &loop = loop_, alive = std::weak_ptr<bool>(alive_), job, entry](std::exception_ptr error) {
                  asio::post(loop, [this, alive, job, entry, error] {
                    if (alive.expired()) return;
                    if (archive::is_storage_full(error)) return abandon(job);  // reported once, by the worker
                    if (error) {
                      const std::string what = log::describe(error);
                      log::error("archive write failed", {{"url", job->url}, {"error", what}});
                      return give_up(job, "archive: " + what, false);
                    }
                    if (!entry->retry_at) entry_given_up(*job, entry->verdict, 0, "page is " + entry->verdict);
                    job_done(job);
                  });
                });
}

void Ingest::store(std::shared_ptr<Job> job, ArticleRow row) {
  if (cancelled_) return abandon(job);
  // Entry metadata fills what the page did not say.
  if (row.title.empty()) row.title = job->entry.title;
  if (!row.published && job->entry.published) row.published = job->entry.published;
  row.feed_id = job->feed_id;
  row.entry_key = job->entry_key.empty() ? row.normalized_url : job->entry_key;
  if (row.url.empty()) row.url = job->url;
  if (job->crawl && job->crawl->print) {
    if (job->crawl->sink) job->crawl->sink(CrawledArticle{std::move(row), false});
    ++stats_.archived;
    return job_done(job);
  }
  auto shared_row = std::make_shared<ArticleRow>(std::move(row));
  auto outcome = std::make_shared<StoreOutcome>(StoreOutcome::stored);
  std::int64_t window = options_.near_duplicate_window_s;
  // The fields dedupe_and_store sets, as they came: a batch run again after a deadlock
  // (archive_worker.h) starts from them, not from what the rolled-back run left.
  struct Given {
    std::int64_t id;
    std::optional<std::int64_t> feed_id, duplicate_of;
    std::string entry_key, title;
    std::optional<archive::UnixSeconds> published, retry_at;
    int retries;
  };
  const Given given{shared_row->id,    shared_row->feed_id,   shared_row->duplicate_of, shared_row->entry_key,
                    shared_row->title, shared_row->published, shared_row->retry_at,     shared_row->retries};
  archive_.post(
      [shared_row, outcome, window, given](Archive& a) {
        ArticleRow& r = *shared_row;
        r.id = given.id;
        r.feed_id = given.feed_id;
        r.duplicate_of = given.duplicate_of;
        r.entry_key = given.entry_key;
        r.title = given.title;
        r.published = given.published;
        r.retry_at = given.retry_at;
        r.retries = given.retries;
        *outcome = dedupe_and_store(a, r, now_s() - window);
      },
      [this, &loop = loop_, alive = std::weak_ptr<bool>(alive_), job, shared_row, outcome](std::exception_ptr error) {
        asio::post(loop, [this, alive, job, shared_row, outcome, error] {
          if (alive.expired()) return;
          // Not written, and fetched again after the restart; the worker reported it once.
          if (archive::is_storage_full(error)) return abandon(job);
          if (error) {
            const std::string what = log::describe(error);
            log::error("archive write failed", {{"url", job->url}, {"error", what}});
            return give_up(job, "archive: " + what, false);
          }
          if (*outcome == StoreOutcome::url_duplicate) ++stats_.url_duplicates;
          else ++stats_.archived;
          if (metrics_) metrics_->stored(*outcome, shared_row->verdict, shared_row->source);
          if (*outcome == StoreOutcome::upgraded)
            log::info("article replaced what was archived", {{"id", shared_row->id}, {"url", job->url}});
          if (*outcome == StoreOutcome::near_duplicate) ++stats_.near_duplicates;
          if (job->entry_retry) {
            ++stats_.retries_upgraded;
            if (metrics_) metrics_->retried(RetryOutcome::upgraded);
            log::info("page retried and archived as an article", {{"id", shared_row->id}, {"url", job->url}});
          }
          if (*outcome != StoreOutcome::url_duplicate)
            log::info("archived", {{"id", shared_row->id}, {"url", job->url}, {"source", shared_row->source},
                                   {"verdict", shared_row->verdict}});
          if (job->crawl && job->crawl->sink)
            job->crawl->sink(CrawledArticle{*shared_row, *outcome == StoreOutcome::url_duplicate ||
                                                             *outcome == StoreOutcome::near_duplicate});
          job_done(job);
        });
      });
}

void Ingest::give_up(std::shared_ptr<Job> job, const std::string& reason, bool permanent) {
  if (cancelled_) return abandon(job);
  if (job->is_retry()) return finish_retry(job, nullptr, reason, permanent);
  ++stats_.failed;
  ++stats_.failure_reasons[reason.substr(0, reason.find(':'))];
  log::warning("entry not archived", {{"url", job->url}, {"reason", reason}, {"permanent", permanent ? "yes" : "no"}});
  if (permanent && job->feed_id) {
    // Gone for good: remember the entry so it is not fetched at every poll.
    archive_.post([feed_id = *job->feed_id, key = job->entry_key](Archive& a) { a.record_entry(feed_id, key, std::nullopt); });
  } else if (job->poll) {
    job->poll->keep_validators = true;  // try again at the next poll
  }
  job_done(job);
}

void Ingest::abandon(std::shared_ptr<Job> job) {
  if (job->poll) job->poll->keep_validators = true;
  job_done(job);
}

void Ingest::job_done(const std::shared_ptr<Job>& job) {
  --jobs_in_flight_;
  if (job->retry_of) retrying_.erase(*job->retry_of);
  if (job->entry_retry) entries_retrying_.erase({*job->feed_id, job->entry_key});
  if (job->holds_page) {
    job->holds_page = false;
    release_page_slot();
  }
  note_depths();
  if (job->poll && --job->poll->pending == 0) finish_poll(job->poll);
  else if (!job->poll && job->crawl) {
    if (--job->crawl->pending == 0 && job->crawl->done) job->crawl->done();
    --crawls_in_flight_;
  }
  maybe_drained();
}

void Ingest::hold_page_slot(std::function<void()> go) {
  if (pages_held_ < std::max<std::size_t>(1, options_.max_pages_in_memory)) {
    ++pages_held_;
    note_depths();
    go();
  } else {
    page_waiters_.push_back(std::move(go));
    note_depths();
  }
}

void Ingest::release_page_slot() {
  if (!page_waiters_.empty()) {
    // The slot passes straight to the next fetch.
    asio::post(loop_, std::move(page_waiters_.front()));
    page_waiters_.pop_front();
  } else if (pages_held_ > 0) {
    --pages_held_;
  }
}

}  // namespace winnow::ingest
