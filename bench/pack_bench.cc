// pack_bench [DIR]: how small raw pages pack with zstd, by level, alone and with a dictionary,
// on the dev set (DIR: ../shared/bench/zyte, with html/ and ground-truth.json), and how fast
// (this thread's CPU time, not wall time).
//   alone:          each page by itself (what pack_page did before dictionaries).
//   one dictionary: learnt from the first 16 pages (by name), used for the other 165: the
//                   daemon_bench farm, where every page is served by one host (127.0.0.1)
//                   but the pages come from 126 different sites.
//   same site:      the 55 sites with two pages in the set: the second packed with the first
//                   as a raw-content dictionary, as a dictionary learnt from a site's earlier
//                   pages holds its template (ground-truth.json gives each page's URL).
//   against its article: as the compactor packs (PageCodec::zstd_article), the history
//                   also holds the article's body (its plain bytes): the page's own text
//                   as winnow extracted it, which the page then refers to.
#include <zdict.h>
#include <zstd.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/archive/article_codec.h"
#include "daemon/ingest/article_row.h"
#include "parsers/extract/extract.h"
#include "tests/page_file.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// This thread's CPU time: the cores are shared, and wall time counts the other sessions' work.
double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

struct Result {
  std::size_t plain = 0, packed = 0, pages = 0;
  double seconds = 0;
};

// Packs `page` at `level`, with `cdict` (as pack_page does) or `raw` (a page as a raw-content
// dictionary, loaded per call: not timed fairly) when given.
std::size_t pack(ZSTD_CCtx* cctx, const std::string& page, int level, const ZSTD_CDict* cdict, const std::string* raw,
                 Result& r) {
  std::string out(ZSTD_compressBound(page.size()), '\0');
  const double start = thread_cpu_s();
  std::size_t n = 0;
  if (cdict) {
    n = ZSTD_compress_usingCDict(cctx, out.data(), out.size(), page.data(), page.size(), cdict);
  } else {
    ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
    if (raw) ZSTD_CCtx_loadDictionary(cctx, raw->data(), raw->size());
    n = ZSTD_compress2(cctx, out.data(), out.size(), page.data(), page.size());
  }
  r.seconds += thread_cpu_s() - start;
  if (ZSTD_isError(n)) throw std::runtime_error(ZSTD_getErrorName(n));
  r.plain += page.size();
  r.packed += n;
  ++r.pages;
  return n;
}

void print(const char* what, int level, const Result& r) {
  std::printf("%-18s level %2d: %3zu pages, mean %6.0f bytes packed (%5.2fx), %6.0f MB/s, %6.0f us CPU a page\n", what,
              level, r.pages, double(r.packed) / double(r.pages), double(r.plain) / double(r.packed),
              double(r.plain) / 1e6 / r.seconds, r.seconds * 1e6 / double(r.pages));
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::path(WINNOW_SOURCE_DIR) / "../shared/bench/zyte";
  std::vector<std::pair<std::string, std::string>> pages;  // name, bytes
  for (const auto& e : fs::directory_iterator(dir / "html")) {
    std::string name = e.path().filename().string();
    name = name.substr(0, name.find('.'));
    pages.emplace_back(name, winnow::testing::read_page_file(e.path()));
  }
  std::sort(pages.begin(), pages.end());
  std::ifstream in(dir / "ground-truth.json");
  std::stringstream json;
  json << in.rdbuf();
  const auto truth = boost::json::parse(json.str()).as_object();
  std::map<std::string, std::vector<std::size_t>> by_host;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    const auto* entry = truth.if_contains(pages[i].first);
    if (!entry) continue;
    auto url = boost::urls::parse_uri(std::string(entry->as_object().at("url").as_string()));
    if (url) by_host[std::string(url->host())].push_back(i);
  }
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);

  // One dictionary, as the daemon learns it for 127.0.0.1: 16 pages, 110 KiB.
  std::string joined;
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < 16; ++i) {
    joined += pages[i].second;
    sizes.push_back(pages[i].second.size());
  }
  std::string dictionary(112'640, '\0');
  const auto train_start = Clock::now();
  const std::size_t n =
      ZDICT_trainFromBuffer(dictionary.data(), dictionary.size(), joined.data(), sizes.data(), unsigned(sizes.size()));
  if (ZDICT_isError(n)) throw std::runtime_error(ZDICT_getErrorName(n));
  dictionary.resize(n);
  std::printf("pack_bench: %zu pages, %zu sites with two; a dictionary of %zu bytes learnt from 16 pages (%.1f MB) "
              "in %.2f s\n",
              pages.size(), std::count_if(by_host.begin(), by_host.end(), [](auto& h) { return h.second.size() > 1; }),
              n, double(joined.size()) / 1e6, std::chrono::duration<double>(Clock::now() - train_start).count());

  // The second page of each site as winnow archives it: its body (packed) and the body's
  // plain bytes, which a page packed against its article refers to.
  std::map<std::size_t, std::string> article_of;
  double body_bytes = 0;
  for (const auto& [host, ids] : by_host) {
    if (ids.size() < 2) continue;
    winnow::parsers::ExtractOptions options;
    winnow::archive::ArticleRow row;
    winnow::ingest::set_extracted_fields(row, winnow::parsers::extract(pages[ids[1]].second, options));
    const std::string body = winnow::archive::pack_article_body(row);
    body_bytes += double(body.size());
    article_of[ids[1]] = winnow::archive::article_body_plain(body);
  }
  std::printf("their articles' bodies (as archived, packed): mean %.0f bytes\n",
              body_bytes / double(article_of.size()));

  for (int level : {1, 3, 6, 9, 19}) {
    Result alone, dict;
    std::unique_ptr<ZSTD_CDict, decltype(&ZSTD_freeCDict)> cdict(
        ZSTD_createCDict(dictionary.data(), dictionary.size(), level), &ZSTD_freeCDict);
    if (level == 1) std::printf("a CDict at level 1 takes %zu bytes\n", ZSTD_sizeof_CDict(cdict.get()));
    for (std::size_t i = 16; i < pages.size(); ++i) {
      pack(cctx.get(), pages[i].second, level, nullptr, nullptr, alone);
      pack(cctx.get(), pages[i].second, level, cdict.get(), nullptr, dict);
    }
    print("alone", level, alone);
    print("one dictionary", level, dict);
    Result site_alone, site, site_cdict, alone_article, site_article;
    for (const auto& [host, ids] : by_host) {
      if (ids.size() < 2) continue;
      pack(cctx.get(), pages[ids[1]].second, level, nullptr, nullptr, site_alone);
      pack(cctx.get(), pages[ids[1]].second, level, nullptr, &pages[ids[0]].second, site);
      const std::string& article = article_of[ids[1]];
      pack(cctx.get(), pages[ids[1]].second, level, nullptr, &article, alone_article);
      const std::string history = pages[ids[0]].second + article;
      pack(cctx.get(), pages[ids[1]].second, level, nullptr, &history, site_article);
      // As pack_page packs with a host's dictionary: a CDict made once (not timed), then used.
      const std::string& first = pages[ids[0]].second;
      std::unique_ptr<ZSTD_CDict, decltype(&ZSTD_freeCDict)> host_cdict(
          ZSTD_createCDict(first.data(), first.size(), level), &ZSTD_freeCDict);
      pack(cctx.get(), pages[ids[1]].second, level, host_cdict.get(), nullptr, site_cdict);
    }
    print("same site, alone", level, site_alone);
    print("same site", level, site);
    print("same site, CDict", level, site_cdict);
    print("alone, article", level, alone_article);
    print("same site, article", level, site_article);
  }
  return 0;
}
