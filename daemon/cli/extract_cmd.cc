// `winnow extract`: one page to text/Markdown/JSON, or a directory of saved pages to JSON Lines.
#include <zlib.h>

#include <boost/json.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "base/ascii.h"
#include "daemon/cli/args.h"
#include "daemon/cli/markdown_out.h"
#include "daemon/cli/verbs.h"
#include "parsers/extract/extract.h"
#include "parsers/render/render.h"

namespace winnow::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using parsers::Article;

namespace po = boost::program_options;

constexpr const char* kExtractExitCodes =
    "exit status for one page: 0 an article; 10 not_article (home, section, tag or search page),\n"
    "11 challenge (a bot check), 12 consent_wall, 13 paywall_teaser, 14 error_page (\"not found\"\n"
    "served as a page), 15 empty; 1 the input could not be read or is not a page; 2 bad usage.\n"
    "With --input-dir: 0 every page read, 1 some failed, 3 every page failed; each line carries\n"
    "its page's \"verdict\".\n";

Command extract_command() {
  Command c("extract",
            "[FILE|-] [--url URL] [--content-type CT] [--format text|markdown|json] [--explain] [--removed]\n"
            "--input-dir DIR [--jobs N] [--format text|markdown|json] [--urls FILE]",
            "Extracts the article from a saved page (FILE, or standard input with '-' or no FILE).\n"
            "With --input-dir, every file of DIR (.gz decompressed) becomes a JSON line on standard\n"
            "output: {\"id\", \"url\", \"title\", \"authors\", \"published\", \"modified\",\n"
            "\"language\", \"verdict\", \"text\", \"ms\"}, the id the file name without .html, .htm,\n"
            "\".xhtml or .gz; with --explain also \"region\" and \"trace\" (every block, kept or not).\n"
            "Every extraction says what the page is (its verdict: a line in --explain, \"verdict\" in JSON).",
            kExtractExitCodes);
  c.options()("url", po::value<std::string>()->value_name("URL"), "the page's address, to resolve links")(
      "content-type", po::value<std::string>()->value_name("CT"), "the Content-Type it was served with, for its charset")(
      "format", po::value<std::string>()->value_name("F"), "text (default), markdown, or json (metadata + typed blocks)")(
      "explain", po::bool_switch(), "show every block of the page, kept or removed, with its reason")(
      "removed", po::bool_switch(), "with --format json: also list the removed blocks and reasons")(
      "input-dir", po::value<std::string>()->value_name("DIR"), "every file of DIR to JSON Lines")(
      "jobs", po::value<std::string>()->value_name("N"), "pages extracted in parallel with --input-dir, 1 to 256 (default: cores)")(
      "urls", po::value<std::string>()->value_name("FILE"), "ID<TAB>URL lines naming each page's URL (default: $PAGE_URLS)")(
      "tune", po::value<std::vector<std::string>>()->composing()->value_name("NAME=VALUE"),
      "set one of the extractor's tuned numbers (for bench/quality; repeatable)");
  add_markdown_switches(c, true);
  c.positionals(0, 1);
  return c;
}

// Inputs larger than this are refused rather than read: 64 MiB is six times the
// default extraction cap, which already cuts pages at 16 MiB.
constexpr std::uintmax_t kMaxInputBytes = 64u << 20;

struct GzFileClose {
  void operator()(gzFile f) const noexcept { gzclose(f); }
};
using GzFile = std::unique_ptr<std::remove_pointer_t<gzFile>, GzFileClose>;

// Reads a file, decompressing it when its name ends in .gz. Throws on I/O errors.
std::string read_file(const fs::path& path) {
  if (path.extension() == ".gz") {
    GzFile file(gzopen(path.c_str(), "rb"));
    if (!file) throw std::runtime_error("cannot open " + path.string());
    std::string out;
    char buffer[1 << 16];
    int n;
    while ((n = gzread(file.get(), buffer, sizeof buffer)) > 0) {
      out.append(buffer, std::size_t(n));
      if (out.size() > kMaxInputBytes) throw std::runtime_error(path.string() + ": larger than 64 MiB decompressed");
    }
    if (n < 0) throw std::runtime_error(path.string() + ": corrupt gzip data");
    return out;
  }
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) throw std::runtime_error("cannot read " + path.string() + ": " + ec.message());
  if (size > kMaxInputBytes) throw std::runtime_error(path.string() + ": larger than 64 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::string out(size, '\0');
  in.read(out.data(), std::streamsize(size));
  out.resize(std::size_t(in.gcount()));
  return out;
}

std::string read_stdin() {
  std::string out;
  char buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, stdin)) > 0) {
    out.append(buffer, n);
    if (out.size() > kMaxInputBytes) throw std::runtime_error("standard input: larger than 64 MiB");
  }
  return out;
}

// Refuses input that is not a page at all; returns an error message or empty.
std::string check_input(std::string_view bytes) {
  if (bytes.empty()) return "input is empty";
  std::string_view head = bytes.substr(0, 4096);
  bool utf16 = head.starts_with("\xff\xfe") || head.starts_with("\xfe\xff");
  // Text, whatever its encoding, has almost no control characters; binary data has many.
  auto controls = std::count_if(head.begin(), head.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 && u != '\t' && u != '\n' && u != '\r' && u != '\f';
  });
  if (!utf16 && controls * 20 > std::ptrdiff_t(head.size())) return "input looks binary, not HTML";
  return {};
}

// The exit status for a page's verdict; see kUsage.
int exit_status(parsers::PageKind kind) {
  switch (kind) {
    case parsers::PageKind::article: return 0;
    case parsers::PageKind::not_article: return 10;
    case parsers::PageKind::challenge: return 11;
    case parsers::PageKind::consent_wall: return 12;
    case parsers::PageKind::paywall_teaser: return 13;
    case parsers::PageKind::error_page: return 14;
    case parsers::PageKind::empty: return 15;
  }
  return 0;
}

std::string plain_text(Article article, const MarkdownSwitches& md) {
  if (!md.options.tables) std::erase_if(article.blocks, [](const parsers::Block& b) { return b.kind == parsers::BlockKind::table; });
  return parsers::to_plain_text(article);
}

std::string render(const Article& article, const std::string& format, bool with_removed, const MarkdownSwitches& md) {
  if (format == "markdown") return render_markdown(article, md);
  if (format == "json") return json::serialize(parsers::to_json(article, with_removed));
  return plain_text(article, md);
}

void print_explain(const Article& article) {
  std::printf("verdict: %s (%s)\n", std::string(to_string(article.verdict.kind)).c_str(),
              article.verdict.reason.c_str());
  for (const auto& s : article.verdict.signals) std::printf("  %s\n", s.c_str());
  std::printf("region: %s\ntitle: %s\ncandidates:\n", article.region.c_str(), article.metadata.title.c_str());
  for (const auto& c : article.candidates) std::printf("  %s\n", c.c_str());
  std::printf("\n");
  for (const auto& t : article.trace) {
    std::string snippet = t.text.substr(0, 110);
    std::replace(snippet.begin(), snippet.end(), '\n', ' ');
    std::string verdict = t.kept ? "KEEP" : "drop " + std::string(to_string(t.reason));
    std::printf("%-20s %5d ld=%.2f  %s  | %s\n", verdict.c_str(), t.chars, t.link_density, t.path.c_str(),
                snippet.c_str());
  }
}

std::unordered_map<std::string, std::string> read_url_map(const std::string& path) {
  std::unordered_map<std::string, std::string> urls;
  if (path.empty()) return urls;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open url list " + path);
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    if (tab != std::string::npos) urls.emplace(line.substr(0, tab), line.substr(tab + 1));
  }
  return urls;
}

// The file name without the known extensions: "bbc.co.uk_news_01.html.gz" ->
// "bbc.co.uk_news_01". Other dots are part of the id.
std::string page_id(const fs::path& path) {
  std::string name = path.filename().string();
  for (const char* ext : {".gz", ".html", ".htm", ".xhtml"}) {
    if (name.size() > std::strlen(ext) && base::to_lower(std::string_view(name).substr(name.size() - std::strlen(ext))) == ext) name.resize(name.size() - std::strlen(ext));
  }
  return name;
}

// The --tune NAME=VALUE options over the shipped numbers. Throws on an unknown name or bad value.
parsers::Tuning tuning_from(const Args& args) {
  parsers::Tuning tuning;
  for (const std::string& assignment : args.all("tune")) {
    auto eq = assignment.find('=');
    std::size_t used = 0;
    double value = 0;
    try {
      if (eq != std::string::npos) value = std::stod(assignment.substr(eq + 1), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (eq == std::string::npos || used == 0 || used != assignment.size() - eq - 1 ||
        !tuning.set(std::string_view(assignment).substr(0, eq), value))
      throw UsageError("--tune " + assignment + ": expected NAME=NUMBER, NAME one of: " +
                                  tuning.describe());
  }
  return tuning;
}

int run_directory(const Args& args, const std::string& format) {
  fs::path dir = *args.get("input-dir");
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file()) files.push_back(entry.path());
  if (ec) throw std::runtime_error("cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::string url_file = args.get_or("urls", "");
  if (url_file.empty())
    if (const char* env = std::getenv("PAGE_URLS")) url_file = env;
  const auto urls = read_url_map(url_file);

  const bool explain = args.has("explain");
  const parsers::Tuning tuning = tuning_from(args);
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  jobs = unsigned(args.number("jobs", jobs, 1, 256));
  const MarkdownSwitches md = markdown_switches(args);

  // Lines are printed in file order as soon as every earlier one is done.
  std::mutex mutex;
  std::map<std::size_t, std::string> ready;
  std::size_t next_to_print = 0;
  std::atomic<std::size_t> next_file{0};
  std::atomic<int> failures{0};
  auto worker = [&] {
    for (std::size_t i; (i = next_file++) < files.size();) {
      std::string id = page_id(files[i]);
      json::object line{{"id", id}};
      auto url_it = urls.find(id);
      std::string url = url_it == urls.end() ? std::string() : url_it->second;
      line["url"] = url;
      try {
        std::string bytes = read_file(files[i]);
        if (std::string problem = check_input(bytes); !problem.empty()) throw std::runtime_error(problem);
        auto start = std::chrono::steady_clock::now();
        parsers::ExtractOptions options;
        options.url = url;
        options.explain = explain;
        options.tuning = tuning;
        Article article = parsers::extract(bytes, options);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        const auto& m = article.metadata;
        line["title"] = m.title;
        json::array authors;
        for (const auto& a : m.authors) authors.emplace_back(a);
        line["authors"] = std::move(authors);
        line["published"] = m.published.empty() ? json::value(nullptr) : json::value(m.published);
        line["modified"] = m.modified.empty() ? json::value(nullptr) : json::value(m.modified);
        line["language"] = m.language.empty() ? json::value(nullptr) : json::value(m.language);
        line["verdict"] = to_string(article.verdict.kind);
        if (format == "json") line["article"] = parsers::to_json(article, false);
        line["text"] = format == "markdown" ? render_markdown(article, md) : plain_text(article, md);
        line["ms"] = ms;
        if (explain) {
          line["region"] = article.region;
          json::array trace;
          for (const auto& t : article.trace)
            trace.push_back(json::object{{"kept", t.kept}, {"reason", t.kept ? "" : to_string(t.reason)},
                                         {"chars", t.chars}, {"ld", t.link_density}, {"path", t.path},
                                         {"text", t.text}});
          line["trace"] = std::move(trace);
        }
      } catch (const std::exception& e) {
        line["error"] = e.what();
        ++failures;
      }
      std::lock_guard lock(mutex);
      ready.emplace(i, json::serialize(line));
      while (!ready.empty() && ready.begin()->first == next_to_print) {
        std::fwrite(ready.begin()->second.data(), 1, ready.begin()->second.size(), stdout);
        std::fputc('\n', stdout);
        ready.erase(ready.begin());
        ++next_to_print;
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::min<std::size_t>(jobs, files.size()); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  std::fflush(stdout);
  if (failures) std::fprintf(stderr, "winnow extract: %d of %zu pages failed\n", failures.load(), files.size());
  if (!failures) return kExitOk;
  return std::size_t(failures) == files.size() ? kExitNothingDone : kExitSomeFailed;
}

}  // namespace

int run_extract(std::span<char* const> argv) {
  const Command command = extract_command();
  Args args(argv, command);
  if (print_help_if_asked(args, command)) return kExitOk;
  const std::string format = args.choice("format", "text", {"text", "markdown", "json"});
  if (args.has("input-dir")) {
    if (!args.positionals().empty()) throw UsageError("--input-dir and FILE: give one of them");
    return run_directory(args, format);
  }
  std::string source = args.positionals().empty() ? "-" : args.positionals()[0];
  std::string bytes;
  try {
    bytes = source == "-" ? read_stdin() : read_file(source);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "winnow extract: %s\n", e.what());
    return 1;
  }
  if (std::string problem = check_input(bytes); !problem.empty()) {
    std::fprintf(stderr, "winnow extract: %s: %s\n", source.c_str(), problem.c_str());
    return 1;
  }
  parsers::ExtractOptions options;
  options.url = args.get_or("url", "");
  options.content_type = args.get_or("content-type", "");
  options.explain = args.has("explain");
  options.keep_removed = args.has("removed");
  options.tuning = tuning_from(args);
  Article article = parsers::extract(bytes, options);
  if (options.explain) {
    print_explain(article);
    return exit_status(article.verdict.kind);
  }
  std::string out = render(article, format, options.keep_removed, markdown_switches(args));
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fputc('\n', stdout);
  if (article.blocks.empty()) std::fprintf(stderr, "winnow extract: %s: no article text found\n", source.c_str());
  if (article.verdict.kind != parsers::PageKind::article)
    std::fprintf(stderr, "winnow extract: %s: not an article: %s (%s)\n", source.c_str(),
                 std::string(to_string(article.verdict.kind)).c_str(), article.verdict.reason.c_str());
  if (article.truncated) std::fprintf(stderr, "winnow extract: %s: page cut at the size or node limit\n", source.c_str());
  return exit_status(article.verdict.kind);
}

}  // namespace winnow::cli
