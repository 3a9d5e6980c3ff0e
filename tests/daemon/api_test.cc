// winnowd's HTTP API (daemon/api/api.h) against a real winnowd ingesting a feed farm on
// 127.0.0.1, read with the tests' own client (http_client.h).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "daemon/archive/archive.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/feed_farm.h"
#include "tests/daemon/http_client.h"
#include "tests/daemon/probe.h"
#include "tests/daemon/temp_dir.h"
#include "tests/daemon/winnowd_config.h"

namespace winnow::testing {
namespace {

namespace json = boost::json;
constexpr const char* kToken = "test-token-0123456789";

farm::Story story_of(int feed, int entry) { return farm::make_story(std::uint32_t(5000 + feed * 1000 + entry), 3); }

// A farm of `feeds` x `entries` article pages, and winnowd's configuration for it with the
// API on a free loopback port.
struct ApiFarm {
  ApiFarm(int feeds, int entries, int max_delay_ms = 10)
      : farm({.feeds = feeds, .entries = entries, .server_threads = 4},
             [max_delay_ms](int f, int e) {
               thread_local std::mt19937 delays{std::random_device{}()};
               TestResponse r = farm::html_response(farm::page_html(story_of(f, e)));
               r.delay = std::chrono::milliseconds(delays() % (max_delay_ms + 1));
               return r;
             },
             [this](int f, int e) { return farm::item_for(story_of(f, e), farm.page_url(f, e), false); }),
        total(feeds * entries) {
    config = quick_polling(farm.feed_urls(), 4);
    config.api_listen = "127.0.0.1:0";
    config.log_level = "info";
    config.api_heartbeat_s = 0.5;
  }

  void write() { write_config(config_path, config); }

  // Starts winnowd; the API's address once it listens.
  std::string start() {
    write();
    daemon.emplace(config_path, log_path);
    std::string address;
    BOOST_REQUIRE(wait_for(
        [&] {
          for (const auto& line : daemon->log_lines()) {
            auto at = line.find("api listening address=");
            if (at == std::string::npos) continue;
            address = line.substr(at + 22, line.find(' ', at + 22) - at - 22);
            return true;
          }
          return false;
        },
        10s));
    return address;
  }

  std::int64_t archived() {
    Probe probe(db, Probe::Mode::read_only);
    return probe.find_integer("SELECT count(*) FROM articles").value_or(0);
  }

  std::vector<std::int64_t> archive_ids() {
    Probe probe(db, Probe::Mode::read_only);
    std::vector<std::int64_t> ids;
    for (const auto& id : probe.texts("SELECT id FROM articles ORDER BY id")) ids.push_back(std::stoll(id));
    return ids;
  }

  TempDir dir;
  farm::FeedFarm farm;
  const int total;
  const std::string db = dir.file("archive.db");
  const std::string config_path = dir.file("winnowd.toml");
  const std::string log_path = dir.file("winnowd.log");
  WinnowdConfig config;
  std::optional<Daemon> daemon;
};

std::vector<std::int64_t> ids_of(const json::value& page) {
  std::vector<std::int64_t> ids;
  for (const auto& a : page.at("articles").as_array()) ids.push_back(a.at("id").as_int64());
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(api)

BOOST_AUTO_TEST_CASE(pagination_under_concurrent_ingestion_yields_every_article_once) {
  ApiFarm f(6, 30, 40);
  const auto address = f.start();
  std::vector<std::int64_t> seen;
  std::string cursor = "0";
  int pages_while_ingesting = 0;
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  while (std::chrono::steady_clock::now() < deadline && std::int64_t(seen.size()) < f.total) {
    const bool ingesting = f.archived() < f.total;
    auto r = http_get(address, "/v1/articles?limit=7&after=" + cursor);
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    auto page = r.json();
    auto ids = ids_of(page);
    if (ingesting && !ids.empty()) ++pages_while_ingesting;
    seen.insert(seen.end(), ids.begin(), ids.end());
    const std::string next(page.at("next_cursor").as_string());
    BOOST_TEST(std::stoll(next) >= std::stoll(cursor));
    cursor = next;
    if (ids.empty()) std::this_thread::sleep_for(20ms);
  }
  BOOST_TEST(pages_while_ingesting > 3, "the reads did not overlap ingestion");
  BOOST_TEST(std::is_sorted(seen.begin(), seen.end()));
  BOOST_TEST(std::set<std::int64_t>(seen.begin(), seen.end()).size() == seen.size(), "an article came twice");
  const auto all = f.archive_ids();
  BOOST_TEST(all.size() == std::size_t(f.total));
  BOOST_TEST(seen == all, "the pages missed articles");

  // Filters: one feed's articles, and a verdict no article has.
  auto feeds = http_get(address, "/v1/feeds").json();
  const auto feed_id = feeds.at("feeds").as_array().at(0).at("id").as_int64();
  auto one_feed = http_get(address, "/v1/articles?limit=500&feed=" + std::to_string(feed_id)).json();
  BOOST_TEST(one_feed.at("articles").as_array().size() == 30u);
  for (const auto& a : one_feed.at("articles").as_array()) BOOST_TEST(a.at("feed_id").as_int64() == feed_id);
  auto none = http_get(address, "/v1/articles?verdict=challenge").json();
  BOOST_TEST(none.at("articles").as_array().empty());
  BOOST_TEST(none.at("more").as_bool() == false);
  auto english = http_get(address, "/v1/articles?lang=en&limit=500").json();
  auto any = http_get(address, "/v1/articles?limit=500").json();
  BOOST_TEST(english.at("articles").as_array().size() <= any.at("articles").as_array().size());
  BOOST_TEST(f.daemon->terminate(20s).has_value());
}

BOOST_AUTO_TEST_CASE(stream_resumes_after_a_disconnect_and_across_a_restart_with_no_gap) {
  ApiFarm f(2, 15);
  const auto both_feeds = f.config.feed_urls;
  f.config.feed_urls = {both_feeds[0]};
  auto address = f.start();
  std::vector<std::int64_t> got;
  auto take = [&](SseClient& sse, std::size_t until) {
    while (got.size() < until) {
      auto event = sse.next(30s);
      BOOST_TEST_REQUIRE(event.has_value(), "the stream stalled at " << got.size());
      BOOST_TEST(event->event == "article");
      auto article = json::parse(event->data);
      BOOST_TEST(article.at("id").as_int64() == std::stoll(event->id));
      got.push_back(std::stoll(event->id));
    }
  };
  {
    SseClient sse(address, "/v1/stream?after=0");
    BOOST_TEST_REQUIRE(sse.status() == 200);
    BOOST_TEST(sse.headers().at("content-type").starts_with("text/event-stream"));
    take(sse, 6);
  }  // the client goes away mid-stream
  {
    SseClient sse(address, "/v1/stream", std::to_string(got.back()));
    take(sse, 15);
    // Nothing more to say: heartbeats keep the connection alive.
    BOOST_TEST(!sse.next(1500ms).has_value());
    BOOST_TEST(sse.comments() >= 1);
  }
  BOOST_TEST_REQUIRE(f.daemon->terminate(20s).has_value());
  // The second feed comes in after a restart; the client resumes from its last event.
  f.config.feed_urls = both_feeds;
  address = f.start();
  {
    SseClient sse(address, "/v1/stream?after=0", std::to_string(got.back()));
    take(sse, 30);
  }
  BOOST_TEST(std::is_sorted(got.begin(), got.end()));
  BOOST_TEST(std::set<std::int64_t>(got.begin(), got.end()).size() == got.size(), "an event came twice");
  BOOST_TEST(got == f.archive_ids(), "the stream skipped an article");
  BOOST_TEST(f.daemon->terminate(20s).has_value());
}

BOOST_AUTO_TEST_CASE(writing_endpoints_refuse_requests_without_the_token) {
  ApiFarm f(1, 3);
  // No token configured: writing is off.
  auto address = f.start();
  auto off = http_request(address, "POST", "/v1/feeds", {{"Content-Type", "application/json"}},
                          R"({"url": "http://127.0.0.1:1/feed"})");
  BOOST_TEST(off.status == 403);
  BOOST_TEST(off.json().at("error").at("code").as_string() == "writing_disabled");
  BOOST_TEST_REQUIRE(f.daemon->terminate(20s).has_value());

  f.config.api_token = kToken;
  address = f.start();
  BOOST_TEST_REQUIRE(wait_for([&] { return http_get(address, "/v1/feeds").json().at("feeds").as_array().size() == 1u; }, 10s));
  const std::string new_feed = f.farm.url("/feed/extra");
  const std::string body = R"({"url": ")" + new_feed + R"("})";
  auto missing = http_request(address, "POST", "/v1/feeds", {{"Content-Type", "application/json"}}, body);
  BOOST_TEST(missing.status == 401);
  BOOST_TEST(missing.header("www-authenticate").starts_with("Bearer"));
  auto wrong = http_request(address, "POST", "/v1/feeds",
                            {{"Content-Type", "application/json"}, {"Authorization", "Bearer not-the-token-at-all"}}, body);
  BOOST_TEST(wrong.status == 401);
  BOOST_TEST(wrong.json().at("error").at("code").as_string() == "unauthorized");
  BOOST_TEST(http_request(address, "DELETE", "/v1/feeds/1").status == 401);
  BOOST_TEST(http_request(address, "POST", "/v1/crawl", {{"Content-Type", "application/json"}},
                          R"({"urls": ["http://127.0.0.1:1/"]})").status == 401);
  auto feeds = http_get(address, "/v1/feeds").json().at("feeds").as_array();
  BOOST_TEST(feeds.size() == 1u, "a refused request changed the feed list");

  const Headers auth = {{"Content-Type", "application/json"}, {"Authorization", std::string("Bearer ") + kToken}};
  auto added = http_request(address, "POST", "/v1/feeds", auth, body);
  BOOST_TEST(added.status == 201, added.body);
  const auto id = added.json().at("feeds").at(0).at("id").as_int64();
  BOOST_TEST(http_request(address, "POST", "/v1/feeds", auth, body).status == 200);  // already there
  BOOST_TEST(http_request(address, "POST", "/v1/feeds", auth, R"({"url": "not a url"})").status == 422);
  BOOST_TEST(http_get(address, "/v1/feeds").json().at("feeds").as_array().size() == 2u);
  auto one = http_get(address, "/v1/feeds/" + std::to_string(id));
  BOOST_TEST(one.status == 200);
  BOOST_TEST(one.json().at("url").as_string() == new_feed);
  BOOST_TEST(http_request(address, "POST", "/v1/feeds", auth, "{}").json().at("error").at("code").as_string() == "no_feeds");
  BOOST_TEST(http_request(address, "POST", "/v1/crawl", auth, R"({"urls": []})").status == 422);
  BOOST_TEST(http_request(address, "POST", "/v1/crawl", {auth[1], {"Content-Type", "text/plain"}}, "x").status == 415);
  auto removed = http_request(address, "DELETE", "/v1/feeds/" + std::to_string(id), {auth[1]});
  BOOST_TEST(removed.status == 200, removed.body);
  BOOST_TEST(http_request(address, "DELETE", "/v1/feeds/" + std::to_string(id), {auth[1]}).status == 404);
  // A crawl of a page no feed lists: archived like any article.
  auto crawl = http_request(address, "POST", "/v1/crawl", auth, R"({"urls": [")" + f.farm.page_url(0, 2) + R"("]})");
  BOOST_TEST(crawl.status == 202, crawl.body);
  BOOST_TEST(wait_for([&] { return f.archived() == 3; }, 20s));
  BOOST_TEST(f.daemon->terminate(20s).has_value());
}

BOOST_AUTO_TEST_CASE(articles_come_as_json_text_markdown_and_raw_with_json_errors) {
  ApiFarm f(1, 3);
  const auto address = f.start();
  BOOST_TEST_REQUIRE(wait_for([&] { return f.archived() == 3; }, 30s));
  const auto story = story_of(0, 0);
  const auto id = Probe(f.db, Probe::Mode::read_only)
                      .integer("SELECT id FROM articles WHERE url = '" + f.farm.page_url(0, 0) + "'");
  const std::string path = "/v1/articles/" + std::to_string(id);
  auto as_json = http_get(address, path);
  BOOST_TEST(as_json.status == 200);
  BOOST_TEST(as_json.header("content-type") == "application/json");
  BOOST_TEST(std::string(as_json.json().at("text").as_string()).find(story.paragraphs.front()) != std::string::npos);
  auto as_text = http_get(address, path + "?format=text");
  BOOST_TEST(as_text.header("content-type").starts_with("text/plain"));
  BOOST_TEST(as_text.body.find(story.paragraphs.back()) != std::string::npos);
  auto by_accept = http_get(address, path, {{"Accept", "text/markdown, */*"}});
  BOOST_TEST(by_accept.header("content-type").starts_with("text/markdown"));
  auto raw = http_get(address, path + "/raw");
  BOOST_TEST(raw.status == 200);
  BOOST_TEST(raw.header("content-type").starts_with("text/html"));
  BOOST_TEST(raw.header("content-security-policy") == "sandbox");
  BOOST_TEST(raw.body == farm::page_html(story));

  auto missing = http_get(address, "/v1/articles/999999");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(missing.json().at("error").at("code").as_string() == "not_found");
  BOOST_TEST(http_get(address, "/v1/nothing").json().at("error").at("code").as_string() == "not_found");
  auto bad = http_get(address, "/v1/articles?limit=-1");
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(bad.json().at("error").at("code").as_string() == "bad_parameter");
  BOOST_TEST(http_get(address, "/v1/articles?after=abc").status == 400);
  BOOST_TEST(http_get(address, "/v1/articles?verdict=nonsense").status == 400);
  BOOST_TEST(http_get(address, path + "?format=xml").status == 400);
  BOOST_TEST(http_request(address, "PUT", "/v1/articles").status == 405);

  // Search: plain words are words (a hyphen is no column filter); FTS5 syntax on request,
  // its errors a 400 without SQL.
  const std::string word = story.paragraphs.front().substr(0, story.paragraphs.front().find(' '));
  auto hits = http_get(address, "/v1/search?q=" + word);
  BOOST_TEST(hits.status == 200, hits.body);
  BOOST_TEST(!hits.json().at("hits").as_array().empty());
  BOOST_TEST(http_get(address, "/v1/search?q=self-reliance%20AI%20OR").status == 200);
  auto broken = http_get(address, "/v1/search?syntax=fts5&q=%22unclosed%20AND");
  BOOST_TEST(broken.status == 400);
  BOOST_TEST(broken.json().at("error").at("code").as_string() == "bad_query");
  BOOST_TEST(broken.body.find("SELECT") == std::string::npos);
  BOOST_TEST(broken.body.find("MATCH") == std::string::npos);
  BOOST_TEST(http_get(address, "/healthz").json().at("status").as_string() == "ok");
  BOOST_TEST(http_get(address, "/readyz").status == 200);
  BOOST_TEST(f.daemon->terminate(20s).has_value());
}

BOOST_AUTO_TEST_CASE(malformed_requests_big_bodies_and_a_thousand_idle_connections_do_not_stop_ingestion) {
  ApiFarm f(4, 25, 20);
  f.config.api_token = kToken;
  f.config.api_request_timeout_s = 60;  // the idle ones stay for the whole run
  f.config.api_max_body_kb = 64;
  const auto address = f.start();
  boost::asio::io_context io;
  const auto colon = address.rfind(':');
  const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address(address.substr(0, colon)),
                                                static_cast<unsigned short>(std::stoi(address.substr(colon + 1))));
  std::vector<boost::asio::ip::tcp::socket> idle;
  for (int i = 0; i < 1000; ++i) {
    idle.emplace_back(io);
    idle.back().connect(endpoint);
  }
  // Garbage, a body past the limit, headers past theirs: each refused with a JSON error.
  for (int i = 0; i < 20; ++i) {
    BOOST_TEST(raw_exchange(address, "\x16\x03\x01 garbage\r\n\r\n", 5s).starts_with("HTTP/1.1 400"));
    auto big = raw_exchange(address, "POST /v1/feeds HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                     "Content-Length: 10000000\r\n\r\n" + std::string(100000, '{'), 5s);
    BOOST_TEST(big.starts_with("HTTP/1.1 413"), big.substr(0, 100));
    BOOST_TEST(raw_exchange(address, "GET / HTTP/1.1\r\nX: " + std::string(40000, 'x') + "\r\n\r\n", 5s)
                   .starts_with("HTTP/1.1 431"));
  }
  // Ingestion goes on meanwhile, and the API still answers.
  BOOST_TEST(wait_for([&] { return f.archived() == f.total; }, 60s), "archived " << f.archived() << " of " << f.total);
  BOOST_TEST(http_get(address, "/healthz").status == 200);
  BOOST_TEST(http_get(address, "/v1/articles?limit=1").status == 200);
  BOOST_TEST(f.daemon->running());
  idle.clear();
  BOOST_TEST(f.daemon->terminate(20s).has_value());
}

BOOST_AUTO_TEST_CASE(full_text_feeds_carry_the_archived_articles_and_read_back) {
  ApiFarm f(2, 4);
  const auto address = f.start();
  BOOST_TEST_REQUIRE(wait_for([&] { return f.archived() == 8; }, 30s));
  const auto feed_id = http_get(address, "/v1/feeds").json().at("feeds").at(0).at("id").as_int64();
  const std::string path = "/v1/feeds/" + std::to_string(feed_id) + "/full";
  auto atom = http_get(address, path + ".atom");
  BOOST_TEST_REQUIRE(atom.status == 200, atom.body);
  BOOST_TEST(atom.header("content-type").starts_with("application/atom+xml"));
  const auto etag = atom.header("etag");
  BOOST_TEST(!etag.empty());
  BOOST_TEST(!atom.header("last-modified").empty());
  // A reader polling with the validator gets 304 and no body.
  auto again = http_get(address, path + ".atom", {{"If-None-Match", etag}});
  BOOST_TEST(again.status == 304);
  BOOST_TEST(again.body.empty());
  BOOST_TEST(http_get(address, path + ".atom", {{"If-Modified-Since", atom.header("last-modified")}}).status == 304);

  // `winnow feed parse` reads both back as the feed's four archived articles.
  auto json_feed = http_get(address, path + ".json");
  BOOST_TEST(json_feed.header("content-type").starts_with("application/feed+json"));
  BOOST_TEST(json_feed.json().at("version").as_string() == "https://jsonfeed.org/version/1.1");
  for (const auto& [name, body] : {std::pair{"full.atom", atom.body}, std::pair{"full.json", json_feed.body}}) {
    const std::string file = f.dir.file(name), out = f.dir.file(std::string(name) + ".out");
    std::ofstream(file, std::ios::binary) << body;
    auto status = run_command({WINNOW_PATH, "feed", "parse", file, "--json"}, out, f.dir.file("err"), 20s);
    BOOST_TEST_REQUIRE((status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0), name);
    auto parsed = json::parse(read_file(out));
    const auto& entries = parsed.at("entries").as_array();
    BOOST_TEST(entries.size() == 4u, name);
    for (int e = 0; e < 4; ++e) {
      const auto story = story_of(0, e);
      bool found = false;
      for (const auto& entry : entries)
        if (entry.at("link").as_string() == f.farm.page_url(0, e)) {
          found = true;
          BOOST_TEST(std::string(entry.at("content").as_string()).find(story.paragraphs.back()) != std::string::npos, name);
        }
      BOOST_TEST(found, name << " lacks entry " << e);
    }
  }
  // Two feeds in one, and a feed that is not there.
  auto merged = http_get(address, "/v1/full.atom?feed=1&feed=2");
  BOOST_TEST(merged.status == 200);
  BOOST_TEST(http_get(address, "/v1/feeds/99/full.atom").status == 404);
  BOOST_TEST(f.daemon->terminate(20s).has_value());
}

BOOST_AUTO_TEST_CASE(full_atom_by_url_subscribes_polls_and_serves_with_the_token) {
  ApiFarm f(2, 3);
  f.config.feed_urls = {f.farm.feed_url(0)};
  f.config.api_token = kToken;
  const auto address = f.start();
  const std::string target = "/v1/full.atom?url=" + f.farm.feed_url(1);
  auto feed_count = [&] { return http_get(address, "/v1/feeds").json().at("feeds").as_array().size(); };
  BOOST_TEST_REQUIRE(wait_for([&] { return feed_count() == 1u; }, 10s));
  // Subscribing is a write.
  BOOST_TEST(http_get(address, target).status == 401);
  BOOST_TEST(feed_count() == 1u);
  auto first = http_request(address, "GET", target, {{"Authorization", std::string("Bearer ") + kToken}}, {}, 40s);
  BOOST_TEST_REQUIRE(first.status == 200, first.body);
  for (int e = 0; e < 3; ++e) BOOST_TEST(first.body.find(farm::escape_xml(f.farm.page_url(1, e))) != std::string::npos);
  // Subscribed now: anyone may read it.
  BOOST_TEST(http_get(address, target).status == 200);
  BOOST_TEST(feed_count() == 2u);
  BOOST_TEST(f.daemon->terminate(20s).has_value());
}

BOOST_AUTO_TEST_CASE(hostile_article_markup_never_reaches_the_full_text_feed) {
  // A page whose article carries scripts, handlers, javascript: links and SVG, as an attacker
  // who controls a subscribed site would write it.
  const std::string hostile_paragraph =
      "The council met on Tuesday <script>alert('x')</script> and agreed the budget for the harbour wall, "
      "<img src=x onerror=alert(1)> after a long debate about the cost of the works and the timetable.";
  ApiFarm f(1, 1);
  f.farm.server().route("/evil", [&](const TestRequest&) {
    const auto story = story_of(0, 0);
    std::string page = "<!DOCTYPE html><html lang=en><head><title>Budget agreed</title></head><body><article><h1>Budget agreed</h1>";
    page += "<p>" + hostile_paragraph + "</p>";
    page += "<p><a href=\"javascript:alert(2)\">Read more</a> <svg onload=alert(3)><circle r=1></circle></svg> "
            "<iframe src=\"javascript:alert(4)\"></iframe></p>";
    for (const auto& p : story.paragraphs) page += "<p>" + p + "</p>";
    page += "<p style=\"background:url(javascript:alert(5))\" onclick=\"alert(6)\">" + story.paragraphs[0] + "</p>";
    page += "</article></body></html>";
    return farm::html_response(page);
  });
  farm::Item item = farm::item_for(story_of(0, 0), f.farm.url("/evil"), false);
  f.farm.server().route("/evil-feed", farm::plain_feed(farm::rss("Evil", f.farm.url("/"), {item})));
  f.config.feed_urls = {f.farm.url("/evil-feed")};
  const auto address = f.start();
  BOOST_TEST_REQUIRE(wait_for([&] { return f.archived() == 1; }, 30s));
  for (const auto* format : {"atom", "json"}) {
    auto feed = http_get(address, std::string("/v1/feeds/1/full.") + format);
    BOOST_TEST_REQUIRE(feed.status == 200);
    // Every attack was markup, none of it text: none of it, live or escaped, may be in the feed.
    const std::string& body = feed.body;
    for (const char* bad : {"alert(", "javascript:", "<script", "&lt;script", "<svg", "&lt;svg", "<iframe", "&lt;iframe",
                            "onerror", "onload", "onclick", "style="})
      BOOST_TEST(body.find(bad) == std::string::npos, format << " feed carries " << bad);
    BOOST_TEST(body.find("agreed the budget for the harbour wall") != std::string::npos, format);
  }
  BOOST_TEST(f.daemon->terminate(20s).has_value());
}

BOOST_AUTO_TEST_CASE(show_and_the_api_give_the_same_json_and_metrics_count_the_work) {
  ApiFarm f(1, 3);
  const auto address = f.start();
  BOOST_TEST_REQUIRE(wait_for([&] { return f.archived() == 3; }, 30s));
  for (auto id : f.archive_ids()) {
    const std::string out = f.dir.file("show.json");
    auto status = run_command({WINNOW_PATH, "show", std::to_string(id), "--format", "json", "--archive", f.db}, out,
                              f.dir.file("show.err"), 20s);
    BOOST_TEST_REQUIRE((status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0));
    BOOST_TEST(json::parse(read_file(out)) == http_get(address, "/v1/articles/" + std::to_string(id)).json());
  }
  // The feed too: `feeds list --json` is the API's object plus the entries' retry counts.
  // Compared once its poll is saved (title, site URL), which commits after its articles.
  BOOST_TEST_REQUIRE(wait_for(
      [&] {
        return Probe(f.db, Probe::Mode::read_only).find_integer("SELECT count(*) FROM feeds WHERE last_polled > 0") ==
               std::optional<std::int64_t>(1);
      },
      30s));
  {
    const std::string out = f.dir.file("feeds.json");
    auto status = run_command({WINNOW_PATH, "feeds", "list", "--json", "--archive", f.db}, out, f.dir.file("feeds.err"), 20s);
    BOOST_TEST_REQUIRE((status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0));
    auto listed = json::parse(read_file(out)).as_object();
    for (const char* key : {"entries_waiting", "entries_given_up", "next_entry_retry"}) BOOST_TEST(listed.erase(key) == 1u);
    const auto id = listed.at("id").as_int64();
    auto served = http_get(address, "/v1/feeds/" + std::to_string(id)).json().as_object();
    // next_poll moves with each poll: compared once both say the same poll.
    BOOST_TEST(listed.at("url") == served.at("url"));
    listed.erase("next_poll"), listed.erase("last_polled"), listed.erase("interval_s");
    served.erase("next_poll"), served.erase("last_polled"), served.erase("interval_s");
    BOOST_TEST(listed == served, json::serialize(listed) << " vs " << json::serialize(served));
  }
  auto metrics = http_get(address, "/metrics");
  BOOST_TEST(metrics.status == 200);
  BOOST_TEST(metrics.header("content-type").starts_with("text/plain; version=0.0.4"));
  BOOST_TEST(metrics.body.find("winnow_articles_archived_total{verdict=\"article\",source=\"page\"} 3") !=
                 std::string::npos, metrics.body);
  BOOST_TEST(metrics.body.find("# TYPE winnow_extraction_duration_seconds histogram") != std::string::npos);
  BOOST_TEST(metrics.body.find("winnow_webhook_backlog 0") != std::string::npos);
  BOOST_TEST(f.daemon->terminate(20s).has_value());
}

BOOST_AUTO_TEST_CASE(the_unix_socket_serves_the_same_api) {
  ApiFarm f(1, 2);
  f.config.api_socket = f.dir.file("api.sock");
  f.start();
  BOOST_TEST_REQUIRE(wait_for([&] { return f.archived() == 2; }, 30s));
  auto page = http_get("unix:" + f.dir.file("api.sock"), "/v1/articles").json();
  BOOST_TEST(page.at("articles").as_array().size() == 2u);
  BOOST_TEST_REQUIRE(f.daemon->terminate(20s).has_value());
  BOOST_TEST(!std::filesystem::exists(f.dir.file("api.sock")));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace winnow::testing
