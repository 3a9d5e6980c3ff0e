#include "bench/real_pages.h"

#include "tests/page_file.h"


#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace winnow::bench {
namespace {

namespace fs = std::filesystem;

// Words of the entry-specific sentences added to each page, so that no two archived texts
// are the same.
constexpr std::array<std::string_view, 64> kWords = {
    "council", "river",    "budget",  "minister", "harbour", "station", "market",   "winter",
    "report",  "village",  "bridge",  "school",   "doctors", "farmers", "election", "museum",
    "storm",   "railway",  "tax",     "company",  "police",  "court",   "orchard",  "factory",
    "energy",  "festival", "library", "union",    "airport", "coast",   "forest",   "hospital",
    "said",    "reported", "agreed",  "rejected", "opened",  "closed",  "raised",   "delayed",
    "after",   "before",   "despite", "during",   "across",  "beyond",  "under",    "within",
    "new",     "local",    "annual",  "record",   "early",   "late",    "quiet",    "sudden",
    "plans",   "figures",  "costs",   "crowds",   "talks",   "repairs", "votes",    "results"};
constexpr int kSentenceWords = 8;

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}


std::string lowercase_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

// Replaces every `from` (ASCII case-insensitive) by `to` of the same length.
void overwrite_all(std::string& page, std::string_view from, std::string_view to) {
  const std::string lower = lowercase_ascii(page);
  for (auto at = lower.find(from); at != std::string::npos; at = lower.find(from, at + from.size()))
    page.replace(at, from.size(), to);
}


PageTemplate make_template(std::string page) {
  // The pages name their own canonical URL (JSON-LD "url", <link rel=canonical>, og:url).
  // Served ~110 times each, every copy would then be a URL duplicate of the first and never
  // archived; the bench gives each copy its own canonical link instead. Same lengths, so
  // the page keeps its size.
  overwrite_all(page, "canonical", "canonicax");
  overwrite_all(page, "og:url", "og:urx");
  overwrite_all(page, "\"url\"", "\"urx\"");

  const std::string lower = lowercase_ascii(page);
  std::size_t head_end = 0;
  for (auto at = lower.find("<head"); at != std::string::npos; at = lower.find("<head", at + 5)) {
    char next = at + 5 < lower.size() ? lower[at + 5] : '\0';
    if (next != '>' && next != ' ' && next != '\t' && next != '\n' && next != '\r') continue;  // <header>
    auto close = lower.find('>', at);
    if (close != std::string::npos) head_end = close + 1;
    break;
  }
  std::vector<std::size_t> cuts = {head_end};
  // Paragraph ends, and line breaks for pages that set their text with <br> (some of the
  // Korean and blog pages have no </p> at all).
  for (std::string_view mark : {"</p>", "<br"})
    for (auto at = lower.find(mark, head_end); at != std::string::npos; at = lower.find(mark, at + mark.size()))
      cuts.push_back(at);
  std::sort(cuts.begin() + 1, cuts.end());
  if (cuts.size() == 1) {  // no paragraphs: one sentence before </body>
    auto body_end = lower.rfind("</body");
    cuts.push_back(body_end == std::string::npos || body_end < head_end ? page.size() : body_end);
  }
  PageTemplate t;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    t.pieces.push_back(page.substr(from, cut - from));
    from = cut;
  }
  t.pieces.push_back(page.substr(from));
  return t;
}

// Words that only this entry has, as one sentence per call; the first names the entry.
class EntryWords {
 public:
  EntryWords(int feed, int entry)
      : state_((std::uint64_t(feed) << 32) ^ std::uint64_t(entry) ^ 0x5eedull),
        marker_(" Bench note " + std::to_string(feed) + "-" + std::to_string(entry) + ".") {}

  void append_sentence(std::string& out) {
    if (!marker_.empty()) {
      out += marker_;
      marker_.clear();
    }
    for (int i = 0; i < kSentenceWords; ++i) {
      std::string_view word = kWords[splitmix64(state_) % kWords.size()];
      out += ' ';
      out += i == 0 ? char(word[0] - 'a' + 'A') : word[0];
      out += word.substr(1);
    }
    out += '.';
  }

 private:
  std::uint64_t state_;
  std::string marker_;
};

}  // namespace

std::span<const std::string_view> entry_words() { return kWords; }

std::vector<PageTemplate> load_pages(const fs::path& dir, fs::path& used) {
  std::vector<fs::path> files;
  for (const fs::path& candidate : {dir, fs::path(WINNOW_SOURCE_DIR) / "tests/fixtures/seeds"}) {
    std::error_code ec;
    if (!fs::is_directory(candidate, ec)) continue;
    for (const auto& entry : fs::directory_iterator(candidate)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && (name.ends_with(".html.gz") || name.ends_with(".html")))
        files.push_back(entry.path());
    }
    if (!files.empty()) {
      used = candidate;
      break;
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<PageTemplate> pages;
  for (const auto& f : files) pages.push_back(make_template(winnow::testing::read_page_file(f)));
  return pages;
}

std::string render_page(const PageTemplate& page, int feed, int entry, std::string_view canonical_url) {
  EntryWords words(feed, entry);
  std::string out;
  out.reserve(page.bytes() + page.pieces.size() * 80 + 128);
  for (std::size_t i = 0; i < page.pieces.size(); ++i) {
    if (i == 1)
      out += "<link rel=\"canonical\" href=\"" + std::string(canonical_url) + "\">";
    else if (i > 1)
      words.append_sentence(out);
    out += page.pieces[i];
  }
  return out;
}

}  // namespace winnow::bench
