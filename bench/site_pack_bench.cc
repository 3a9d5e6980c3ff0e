// site_pack_bench [--sites] [DIR]: how small the compactor packs real pages of one site with
// a dictionary of the site's other pages, on a dev set (DIR, default ../shared/bench/l3s-gn1;
// ../shared/bench/zyte and readability work too). --sites prints each site's line.
//
// A page's site is its URL's host where ground-truth.json gives one (Zyte), else the host
// most of its absolute links point to (L3S-GN1, Readability give no URL), pages whose most
// linked host is an ad server (first label ad, ads or adserver: click-throughs say nothing
// of the site) left out. Sites with 2 or more pages are kept, and each page is packed with a
// dictionary of its site's other pages (leave one out, at most 16 of them), mean bytes:
//   alone1, alone9:  no dictionary, zstd level 1 (ingest) and 9 (the compactor);
//   learnt1, learnt9+a: a dictionary of 110 KiB learnt by zstd's trainer
//                    (ZDICT_trainFromBuffer), as winnow made them before 2026-12-03; at
//                    level 1, and at level 9 against the page's article (PageCodec::
//                    zstd_article, as the compactor packs). Where it learns none (too few
//                    pages), the page is packed without, as winnow did;
//   made1, made9, made9+a: make_page_dictionary (the other pages' own bytes, the newest
//                    512 KiB), as winnow makes them now; 110K 9+a and 1M 9+a the same with
//                    dictionaries of 110 KiB and 1 MiB;
//   body:            the article's body as archived (packed), for scale.
// And what the 512 KiB dictionaries cost stored, as made and packed as the archives store
// them (pack_stored_dictionary), against what they save a page.
// Bytes are the packed page's; what a database adds per row is not counted.
#include <zdict.h>
#include <zstd.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/ascii.h"
#include "daemon/archive/article_codec.h"
#include "daemon/archive/compress.h"
#include "daemon/ingest/article_row.h"
#include "parsers/extract/extract.h"
#include "tests/page_file.h"

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kDictionaryBytes = 524'288;  // as the daemon's (page_dictionaries.h)
constexpr std::size_t kPagesToTrain = 16;  // at most: all a site's other pages in the dev sets
constexpr std::size_t kMinPages = 2;
constexpr int kLevel = 9;  // the compactor's default

// The host most absolute links (href="http://HOST...") of `page` point to, lower case.
std::string most_linked_host(std::string_view page) {
  std::map<std::string, int> counts;
  std::size_t at = 0;
  while ((at = page.find("href=", at)) != std::string_view::npos) {
    at += 5;
    if (at < page.size() && (page[at] == '"' || page[at] == '\'')) ++at;
    std::string_view rest = page.substr(at);
    std::size_t scheme = 0;
    if (winnow::base::istarts_with(rest, "http://")) scheme = 7;
    else if (winnow::base::istarts_with(rest, "https://")) scheme = 8;
    else continue;
    rest.remove_prefix(scheme);
    const std::size_t end = rest.find_first_of("/\"'> \t\r\n:?#");
    std::string host(rest.substr(0, end));
    if (host.empty()) continue;
    ++counts[winnow::base::to_lower(host)];
  }
  std::string best;
  int most = 0;
  for (const auto& [host, n] : counts)
    if (n > most) best = host, most = n;
  return best;
}

bool is_ad_server(std::string_view host) {
  const std::string_view first = host.substr(0, host.find('.'));
  return first == "ad" || first == "ads" || first == "adserver";
}

// A dictionary learnt by zstd's trainer from `others`, as winnow made them before
// 2026-12-03; empty when it cannot learn (too few samples).
std::string learnt(const std::vector<std::string>& others) {
  std::string joined;
  std::vector<std::size_t> sizes;
  for (const auto& other : others) {
    joined += other;
    sizes.push_back(other.size());
  }
  std::string dictionary(112'640, '\0');
  const std::size_t n =
      ZDICT_trainFromBuffer(dictionary.data(), dictionary.size(), joined.data(), sizes.data(), unsigned(sizes.size()));
  if (ZDICT_isError(n)) return {};
  dictionary.resize(n);
  return dictionary;
}

// Columns: sums of bytes over pages.
constexpr const char* kColumns[] = {"page",   "alone1", "alone9",    "learnt1",     "learnt9+a", "made1",
                                    "made9", "made9+a", "110K 9+a", "1M 9+a",      "body"};
constexpr std::size_t kColumnCount = std::size(kColumns);

struct Sums {
  double bytes[kColumnCount] = {};
  std::size_t pages = 0, untrained = 0, unfinalized = 0;
  void add(const Sums& o) {
    for (std::size_t c = 0; c < kColumnCount; ++c) bytes[c] += o.bytes[c];
    pages += o.pages, untrained += o.untrained, unfinalized += o.unfinalized;
  }
  void print(const std::string& what) const {
    std::printf("%-26s %3zu", what.c_str(), pages);
    for (double b : bytes) std::printf(" %8.0f", b / double(pages));
    if (untrained) std::printf("  (%zu: the trainer learnt none)", untrained);
    if (unfinalized) std::printf("  (%zu: none made)", unfinalized);
    std::printf("\n");
  }
};

// This thread's CPU time: the cores are shared, and wall time counts the other sessions' work.
double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

double others_bytes(const std::vector<std::string>& others) {
  double n = 0;
  for (const auto& o : others) n += double(o.size());
  return n;
}

std::size_t packed_size(const std::string& page, const std::string& dictionary, int level, const std::string& article,
                        double* cpu_s = nullptr) {
  if (dictionary.empty()) return winnow::archive::pack_page(page, nullptr, level, article).bytes.size();
  const winnow::archive::PageDictionary d(1, dictionary);
  const double start = thread_cpu_s();
  const auto packed = winnow::archive::pack_page(page, &d, level, article);
  if (cpu_s) *cpu_s += thread_cpu_s() - start;
  if (winnow::archive::unpack_page(packed.codec, packed.bytes, packed.plain_bytes, &d, article) != page)
    throw std::runtime_error("site_pack_bench: a page does not unpack to itself");
  return packed.bytes.size();
}

// The site of each page: its URL's host where ground-truth.json gives one, else the host
// most of its links point to (ad servers left out).
std::map<std::string, std::vector<std::size_t>> sites(const fs::path& dir,
                                                      const std::vector<std::pair<std::string, std::string>>& pages) {
  boost::json::object truth;
  if (std::ifstream in(dir / "ground-truth.json"); in) {
    std::stringstream json;
    json << in.rdbuf();
    truth = boost::json::parse(json.str()).as_object();
  }
  std::map<std::string, std::vector<std::size_t>> by_site;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    const std::string name = pages[i].first.substr(0, pages[i].first.find('.'));
    std::string host;
    if (const auto* entry = truth.if_contains(name); entry && entry->as_object().contains("url")) {
      const std::string text(entry->as_object().at("url").as_string());
      if (auto url = boost::urls::parse_uri(text)) host = winnow::base::to_lower(url->host());
    } else {
      host = most_linked_host(pages[i].second);
      if (is_ad_server(host)) host.clear();
    }
    if (!host.empty()) by_site[host].push_back(i);
  }
  std::erase_if(by_site, [](const auto& site) { return site.second.size() < kMinPages; });
  return by_site;
}

}  // namespace

int main(int argc, char** argv) {
  const bool each_site = argc > 1 && std::string_view(argv[1]) == "--sites";
  const fs::path dir = argc > 1 + each_site ? fs::path(argv[1 + each_site])
                                            : fs::path(WINNOW_SOURCE_DIR) / "../shared/bench/l3s-gn1";
  std::vector<std::pair<std::string, std::string>> pages;  // name, bytes
  for (const auto& e : fs::directory_iterator(dir / "html")) pages.emplace_back(e.path().filename().string(), "");
  std::sort(pages.begin(), pages.end());
  for (auto& [name, bytes] : pages) bytes = winnow::testing::read_page_file(dir / "html" / name);
  const auto by_site = sites(dir, pages);

  std::printf("site_pack_bench: %zu pages in %s; %zu sites with %zu or more; mean bytes a page:\n", pages.size(),
              dir.lexically_normal().c_str(), by_site.size(), kMinPages);
  std::printf("%-26s %3s", "site", "n");
  for (const char* c : kColumns) std::printf(" %8s", c);
  std::printf("\n");
  Sums all;
  double cpu[4] = {};  // packing CPU of learnt9+a, made9+a, 110K 9+a, 1M 9+a
  double make_cpu = 0, make_input = 0;  // make_page_dictionary's CPU, and the pages it was given
  double made_bytes = 0, stored_bytes = 0, store_cpu = 0, load_cpu = 0;  // the 512 KiB ones, and as the archive stores them
  for (const auto& [site, ids] : by_site) {
    // Each page's article as winnow archives it: its body, and the body's plain bytes.
    std::vector<std::string> articles;
    std::vector<double> bodies;
    for (std::size_t i : ids) {
      winnow::archive::ArticleRow row;
      winnow::ingest::set_extracted_fields(row,
                                           winnow::parsers::extract(pages[i].second, winnow::parsers::ExtractOptions{}));
      const std::string body = winnow::archive::pack_article_body(row);
      bodies.push_back(double(body.size()));
      articles.push_back(winnow::archive::article_body_plain(body));
    }
    Sums sums;
    const std::string none;
    for (std::size_t k = 0; k < ids.size(); ++k) {
      const std::string& page = pages[ids[k]].second;
      std::vector<std::string> others;  // leave one out: the site's other pages, at most 16
      for (std::size_t j = 0; j < ids.size() && others.size() < kPagesToTrain; ++j)
        if (j != k) others.push_back(pages[ids[j]].second);
      const std::string trained = learnt(others);
      const double make_start = thread_cpu_s();
      const std::string made = winnow::archive::make_page_dictionary(others, kDictionaryBytes);
      make_cpu += thread_cpu_s() - make_start;
      make_input += others_bytes(others);
      const double store_start = thread_cpu_s();
      const std::string stored = winnow::archive::pack_stored_dictionary(made);
      store_cpu += thread_cpu_s() - store_start;
      const double load_start = thread_cpu_s();
      if (winnow::archive::unpack_stored_dictionary(stored) != made)
        throw std::runtime_error("site_pack_bench: a stored dictionary does not unpack to itself");
      load_cpu += thread_cpu_s() - load_start;
      stored_bytes += double(stored.size());
      made_bytes += double(made.size());
      const std::string made110k = winnow::archive::make_page_dictionary(others, 112'640);
      const std::string made1m = winnow::archive::make_page_dictionary(others, 1 << 20);
      if (trained.empty()) ++sums.untrained;  // winnow packed such pages without one
      if (made.empty() || made110k.empty() || made1m.empty()) ++sums.unfinalized;
      const double values[kColumnCount] = {
          double(page.size()),
          double(packed_size(page, none, 1, none)),
          double(packed_size(page, none, kLevel, none)),
          double(packed_size(page, trained, 1, none)),
          double(packed_size(page, trained, kLevel, articles[k], &cpu[0])),
          double(packed_size(page, made, 1, none)),
          double(packed_size(page, made, kLevel, none)),
          double(packed_size(page, made, kLevel, articles[k], &cpu[1])),
          double(packed_size(page, made110k, kLevel, articles[k], &cpu[2])),
          double(packed_size(page, made1m, kLevel, articles[k], &cpu[3])),
          bodies[k],
      };
      for (std::size_t c = 0; c < kColumnCount; ++c) sums.bytes[c] += values[c];
      ++sums.pages;
    }
    if (each_site) sums.print(site);
    all.add(sums);
  }
  all.print("all");
  std::printf("CPU a page packing at level %d against the article (dictionary loaded with the page, as the compactor "
              "does): learnt %.0f us (0: none learnt), made of pages: 512 KiB %.0f us, 110 KiB %.0f us, 1 MiB %.0f us\n",
              kLevel, all.pages > all.untrained ? cpu[0] * 1e6 / double(all.pages - all.untrained) : 0.0,
              cpu[1] * 1e6 / double(all.pages),
              cpu[2] * 1e6 / double(all.pages), cpu[3] * 1e6 / double(all.pages));
  std::printf("make_page_dictionary (%zu KiB): %.1f ms of CPU a dictionary, from %.2f MB of pages on average\n",
              kDictionaryBytes / 1024, make_cpu * 1e3 / double(all.pages), make_input / 1e6 / double(all.pages));
  // What a dictionary costs the archive, against what a page packed with it saves: the
  // number of the host's pages after which it has paid for itself.
  const double saved = (all.bytes[2] - all.bytes[7]) / double(all.pages);  // alone9 - made9+a
  std::printf("dictionaries made (%zu KiB at most): %.0f bytes on average, stored packed %.0f (%.1fx smaller, %.2f ms "
              "of CPU, unpacked in %.2f ms); a page packed with one saves %.0f bytes (alone9 - made9+a), so a dictionary pays for itself "
              "after %.1f pages of its host stored as made, %.1f stored packed\n",
              kDictionaryBytes / 1024, made_bytes / double(all.pages), stored_bytes / double(all.pages),
              made_bytes / stored_bytes, store_cpu * 1e3 / double(all.pages), load_cpu * 1e3 / double(all.pages), saved,
              made_bytes / double(all.pages) / saved, stored_bytes / double(all.pages) / saved);
  return 0;
}
