// Crawl mode: URLs fetched now, each a feed (polled once, poll.cc) or a page (one job,
// article_job.cc). Loop thread; what is a feed is found out on a worker (parse_on_worker).
#include "daemon/ingest/ingest.h"

#include <boost/asio/post.hpp>

#include <filesystem>

#include "daemon/ingest/ingest_impl.h"
#include "daemon/log.h"

namespace winnow::ingest {

namespace asio = boost::asio;
using detail::fetch_failure;

namespace {

// A local path given to `winnow crawl` becomes a file:// URL.
std::string as_url(const std::string& input) {
  if (input.find("://") != std::string::npos) return input;
  std::error_code ec;
  auto absolute = std::filesystem::absolute(input, ec);
  return "file://" + (ec ? input : absolute.string());
}

}  // namespace

void Ingest::crawl(std::vector<std::string> urls, bool print, std::function<void(const CrawledArticle&)> sink,
                   std::function<void()> done) {
  auto c = std::make_shared<Crawl>();
  c->print = print;
  c->sink = std::move(sink);
  c->done = std::move(done);
  c->pending = urls.size();
  if (urls.empty()) {
    if (c->done) asio::post(loop_, c->done);
    return;
  }
  for (auto& url : urls) crawl_one(c, as_url(url));
}

void Ingest::crawl_one(std::shared_ptr<Crawl> c, std::string url) {
  ++crawls_in_flight_;
  auto fetch_it = [this, c, url] {
    fetch::FetchRequest request;
    request.url = url;
    request.origin = fetch::Origin::operator_given;  // named on the command line
    fetch_limited(url, std::move(request), [this, c, url](fetch::FetchResult r) {
      auto p = std::make_shared<Poll>();
      p->url = url;
      p->crawl = c;
      ++polls_in_flight_;
      p->error = fetch_failure(r);
      if (!p->error.empty()) {
        detail::log_if_blocked(r);
        return finish_poll(p);
      }
      // A feed, or a page? Parse as a feed on a worker; anything that is not one is a page.
      auto page = std::make_shared<fetch::FetchResult>(std::move(r));
      auto body = std::shared_ptr<const std::string>(page, &page->body);  // shares the page's life
      auto parsed = [this, c, p, page](std::shared_ptr<feeds::Feed> feed, const std::string&) {
        if (feed) {
          ++stats_.polls;  // a crawl target that is a feed: polled once (the progress line counts it)
          return on_feed_parsed(p, feed);
        }
        // A page: it becomes one job that counts for this crawl target.
        --polls_in_flight_;
        auto job = std::make_shared<Job>();
        job->url = page->final_url.empty() ? p->url : page->final_url;
        job->crawl = c;
        job->local = p->url.starts_with("file://");
        job->page = std::move(*page);
        start_job(job);
      };
      parse_on_worker(p->url, *page, std::move(body), std::move(parsed));
    });
  };
  if (url.starts_with("file://")) return fetch_it();
  robots_.check(url, [this, c, url, fetch_it](bool allowed, bool for_now) {
    if (allowed) return fetch_it();
    ++stats_.failed;
    // A host that cannot be reached has no robots.txt to say no: name the real cause.
    if (std::string cause = for_now ? robots_.unreachable_cause(url) : std::string(); !cause.empty()) {
      ++stats_.failure_reasons[cause + " (robots.txt unreachable)"];
      log::warning("crawl failed: robots.txt unreachable", {{"url", url}, {"error", cause}});
    } else {
      ++stats_.robots_denied;
      ++stats_.failure_reasons["robots.txt disallows"];
      log::warning("crawl refused by robots.txt", {{"url", url}});
    }
    --crawls_in_flight_;
    if (--c->pending == 0 && c->done) c->done();
    maybe_drained();
  }, fetch::Origin::operator_given);  // named on the command line, like the URL itself
}

}  // namespace winnow::ingest
