// The five seed documents of the project, rebuilt as real pages (WordPress themes, div-soup
// React apps, windows-1252 pages) in tests/fixtures/seeds/: every article snippet is kept,
// every noise snippet is gone, and syndicated copies are kept once.
#include <boost/json.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parsers/extract/extract.h"
#include "parsers/render/render.h"

using namespace winnow::parsers;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::path(WINNOW_SOURCE_DIR) / "tests/fixtures/seeds";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Collapses every run of whitespace (newlines included) to one space.
std::string squash(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

std::vector<std::string> page_files() {
  std::vector<std::string> files;
  json::value index = json::parse(slurp(kDir / "index.json"));
  for (const auto& page : index.at("pages").as_array()) files.emplace_back(page.at("file").as_string());
  return files;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(seeds)

BOOST_DATA_TEST_CASE(seed_page_keeps_article_and_drops_noise, boost::unit_test::data::make(page_files()), file) {
  json::value index = json::parse(slurp(kDir / "index.json"));
  json::value expectations = json::parse(slurp(kDir / "expectations.json"));
  const json::object* page = nullptr;
  for (const auto& p : index.at("pages").as_array())
    if (p.at("file").as_string() == file) page = &p.as_object();
  BOOST_REQUIRE(page);
  const json::object& expect = expectations.at(page->at("seed").as_string()).as_object();

  ExtractOptions options;
  options.url = std::string(page->at("url").as_string());
  options.content_type = std::string(page->at("content_type").as_string());
  Article article = extract(slurp(kDir / file), options);
  std::string text = squash(to_plain_text(article));

  for (const auto& s : expect.at("with").as_array()) {
    std::string snippet = squash(std::string_view(s.as_string()));
    BOOST_TEST(count(text, snippet) >= 1u, file << ": article text missing: " << snippet);
  }
  for (const auto& s : expect.at("without").as_array()) {
    std::string snippet = squash(std::string_view(s.as_string()));
    BOOST_TEST(count(text, snippet) == 0u, file << ": noise kept: " << snippet);
  }
  for (const auto& s : expect.at("once").as_array()) {
    std::string snippet = squash(std::string_view(s.as_string()));
    BOOST_TEST(count(text, snippet) == 1u, file << ": not exactly once: " << snippet);
  }
  if (!expect.at("title").as_string().empty())
    BOOST_TEST(article.metadata.title == std::string(expect.at("title").as_string()), file << ": title");
}

BOOST_AUTO_TEST_SUITE_END()
