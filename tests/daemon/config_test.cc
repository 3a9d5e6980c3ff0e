#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "daemon/config.h"

using namespace winnow;

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(defaults_without_keys) {
  Config c = parse_config("", "/etc/winnow");
  BOOST_TEST(c.archive_path == "/var/lib/winnow/archive.db");
  BOOST_TEST(c.per_host_concurrency == 2);
  BOOST_TEST(c.min_interval_s == 300);
  BOOST_TEST(c.max_interval_s == 12 * 3600);
  BOOST_TEST(c.max_body_bytes == std::size_t(10) << 20);
  BOOST_TEST(c.obey_robots);
  BOOST_TEST(c.page_retry_delay_s == 3600);
  BOOST_TEST(c.page_max_retries == 3);
  BOOST_TEST(c.max_entries_per_poll == 500u);
  BOOST_TEST(c.compact_level == 9);
  BOOST_TEST(parse_config("[archive]\ncompact_level = 0\n", "/").compact_level == 0);
  BOOST_TEST(c.statement_timeout_s == 30);
  BOOST_TEST(parse_config("[archive]\nstatement_timeout_s = 2.5\n", "/").statement_timeout_s == 2.5);
}

BOOST_AUTO_TEST_CASE(every_section_is_read_and_paths_resolve) {
  Config c = parse_config(R"(
[archive]
path = "data/archive.db"
[feeds]
urls = ["https://a.example/feed", "https://b.example/rss"]
opml = "subs.opml"
[fetch]
user_agent = "winnow/9"
contact = "https://example.org/bot"
connect_timeout_s = 5
total_timeout_s = 30
max_body_mb = 2
max_redirects = 3
max_connections = 50
[politeness]
per_host_concurrency = 4
min_delay_s = 0.5
obey_robots = false
max_backoff_h = 6
[schedule]
min_interval_min = 1
max_interval_h = 2
default_interval_min = 10
[ingest]
retry_delay_min = 30
max_retries = 5
max_entries_per_poll = 50
[extract]
workers = 3
[log]
level = "debug"
)",
                          "/srv/w");
  BOOST_TEST(c.archive_path == "/srv/w/data/archive.db");
  BOOST_TEST(c.opml_path == "/srv/w/subs.opml");
  BOOST_REQUIRE(c.feed_urls.size() == 2u);
  BOOST_TEST(c.feed_urls[1] == "https://b.example/rss");
  BOOST_TEST(c.full_user_agent() == "winnow/9 (+https://example.org/bot)");
  BOOST_TEST(c.connect_timeout_s == 5);
  BOOST_TEST(c.max_body_bytes == std::size_t(2) << 20);
  BOOST_TEST(c.max_redirects == 3);
  BOOST_TEST(c.per_host_concurrency == 4);
  BOOST_TEST(c.min_delay_s == 0.5);
  BOOST_TEST(!c.obey_robots);
  BOOST_TEST(c.max_backoff_s == 6 * 3600);
  BOOST_TEST(c.min_interval_s == 60);
  BOOST_TEST(c.max_interval_s == 7200);
  BOOST_TEST(c.default_interval_s == 600);
  BOOST_TEST(c.page_retry_delay_s == 1800);
  BOOST_TEST(c.page_max_retries == 5);
  BOOST_TEST(c.max_entries_per_poll == 50u);
  BOOST_TEST(c.workers == 3u);
  BOOST_TEST(int(c.log_level) == int(LogLevel::debug));
}

BOOST_AUTO_TEST_CASE(mistakes_are_reported_with_the_line) {
  auto message = [](const char* text) {
    try {
      parse_config(text, "/", "winnowd.toml");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  BOOST_TEST(message("[fetch]\nmax_redirekts = 3\n").find("winnowd.toml:2: unknown key fetch.max_redirekts") == 0u);
  BOOST_TEST(message("[fetch]\nmax_redirects = \"three\"\n").find("must be a number") != std::string::npos);
  BOOST_TEST(message("[politeness]\nper_host_concurrency = 0\n").find("between 1 and 64") != std::string::npos);
  BOOST_TEST(message("[nope]\n").find("unknown section [nope]") != std::string::npos);
  BOOST_TEST(message("[log]\nlevel = \"loud\"\n").find("log.level") != std::string::npos);
  BOOST_TEST(message("[ingest]\nmax_retries = 50\n").find("between 0 and 20") != std::string::npos);
  BOOST_TEST(message("[archive]\ncompact_level = 22\n").find("between 0 and 19") != std::string::npos);
  BOOST_TEST(message("[archive]\nstatement_timeout_s = -1\n").find("statement_timeout_s") != std::string::npos);
  BOOST_TEST(message("[feeds]\nurls = [1, 2]\n").find("strings only") != std::string::npos);
  BOOST_TEST(message("this is not toml").find("winnowd.toml") == 0u);
  BOOST_TEST(message("[schedule]\nmin_interval_min = 600\nmax_interval_h = 1\n").find("longer than") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(network_policy_is_closed_unless_the_file_opens_it) {
  Config closed = parse_config("", "/");
  BOOST_TEST(!closed.allow_private);
  BOOST_TEST(closed.allow_hosts.empty());
  Config open = parse_config(
      "[fetch]\nallow_private = true\nallow_hosts = [\"intranet.example\", \"10.1.2.3\", \"fd00::/8\"]\n", "/");
  BOOST_TEST(open.allow_private);
  BOOST_TEST(open.allow_hosts == (std::vector<std::string>{"intranet.example", "10.1.2.3", "fd00::/8"}));
  try {
    parse_config("[fetch]\nallow_hosts = [\"10.0.0.1/8\"]\n", "/", "winnowd.toml");
    BOOST_FAIL("a network with host bits was accepted");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()) ==
               "winnowd.toml: fetch.allow_hosts: \"10.0.0.1/8\" is no host name, address or CIDR network (\"10.0.0.0/8\", host bits zero)");
  }
}

BOOST_AUTO_TEST_CASE(webhooks_are_read_with_defaults_and_secret_files) {
  const auto dir = std::filesystem::temp_directory_path() / "winnow-config-test-webhooks";
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "hook.secret");
    out << "s3cret from a file\n";
  }
  Config c = parse_config(R"(
[[webhooks]]
url = "https://hooks.example/winnow"
secret = "abc"

[[webhooks]]
url = "http://127.0.0.1:9000/in"
secret_file = "hook.secret"
events = ["feed.failing"]
timeout_s = 2.5
retry_min_s = 0.5
retry_max_s = 60
)",
                          dir);
  std::filesystem::remove_all(dir);
  BOOST_TEST_REQUIRE(c.webhooks.size() == 2u);
  BOOST_TEST(c.webhooks[0].url == "https://hooks.example/winnow");
  BOOST_TEST(c.webhooks[0].secret == "abc");
  BOOST_TEST(c.webhooks[0].events ==
                 (std::vector<std::string>{"article.archived", "article.updated", "feed.failing"}),
             boost::test_tools::per_element());
  BOOST_TEST(c.webhooks[0].timeout_s == 10.0);
  BOOST_TEST(c.webhooks[0].retry_min_s == 1.0);
  BOOST_TEST(c.webhooks[0].retry_max_s == 600.0);
  BOOST_TEST(c.webhooks[1].secret == "s3cret from a file");
  BOOST_TEST(c.webhooks[1].events == std::vector<std::string>{"feed.failing"}, boost::test_tools::per_element());
  BOOST_TEST(c.webhooks[1].timeout_s == 2.5);
  BOOST_TEST(c.webhooks[1].retry_min_s == 0.5);
  BOOST_TEST(c.webhooks[1].retry_max_s == 60.0);
  BOOST_TEST(parse_config("", "/").webhooks.empty());
}

BOOST_AUTO_TEST_CASE(webhook_mistakes_are_reported) {
  auto message = [](const std::string& text) {
    try {
      parse_config(text, "/nonexistent", "winnowd.toml");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto hook = [](const std::string& keys) { return "[[webhooks]]\n" + keys + "\n"; };
  BOOST_TEST(message(hook("url = \"ftp://x.example/\"\nsecret = \"k\"")).find("http:// or https://") !=
             std::string::npos);
  BOOST_TEST(message(hook("secret = \"k\"")).find("http:// or https://") != std::string::npos);
  BOOST_TEST(message(hook("url = \"https://x.example/\"")).find("needs a secret") != std::string::npos);
  BOOST_TEST(message(hook("url = \"https://x.example/\"\nsecret = \"k\"\nsecret_file = \"f\""))
                 .find("not both") != std::string::npos);
  BOOST_TEST(message(hook("url = \"https://x.example/\"\nsecret_file = \"missing\""))
                 .find("cannot read webhook secret_file /nonexistent/missing") != std::string::npos);
  BOOST_TEST(message(hook("url = \"https://x.example/\"\nsecret = \"k\"\nevents = [\"article.deleted\"]"))
                 .find("unknown event \"article.deleted\"") != std::string::npos);
  BOOST_TEST(message(hook("url = \"https://x.example/\"\nsecret = \"k\"\nevents = []")).find("at least one") !=
             std::string::npos);
  BOOST_TEST(message(hook("url = \"https://x.example/\"\nsecret = \"k\"\nsecert = \"k\""))
                 .find("winnowd.toml:4: unknown key webhooks.secert") == 0u);
  BOOST_TEST(message(hook("url = \"https://x.example/\"\nsecret = \"k\"\ntimeout_s = 0")).find("between") !=
             std::string::npos);
  BOOST_TEST(message(hook("url = \"https://x.example/\"\nsecret = \"k\"") +
                     hook("url = \"https://x.example/\"\nsecret = \"j\""))
                 .find("listed twice") != std::string::npos);
  BOOST_TEST(message("[webhooks]\nurl = \"https://x.example/\"\n").find("[[webhooks]]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_file_is_an_error) {
  BOOST_CHECK_THROW(load_config("/nonexistent/winnowd.toml"), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
