// libFuzzer target: URL resolution (base/url.h) and normalization for deduplication
// (parsers/url/normalize.h). Input: a base URL, '\n', a reference. Beyond the sanitizers'
// checks: a reference resolved against an absolute base is "" or an absolute URL, and
// normalizing twice changes nothing (two URLs of one article must meet on the first pass).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/ascii.h"
#include "base/url.h"
#include "parsers/url/normalize.h"
#include "tests/fuzz/input.h"

namespace {

void check_normalize(std::string_view url) {
  using winnow::parsers::normalize_url;
  const std::string once = normalize_url(url);
  const std::string twice = normalize_url(once);
  if (once != twice) {
    std::fprintf(stderr, "normalize_url is not idempotent:\n  %.*s\n  %s\n  %s\n", int(url.size()), url.data(),
                 once.c_str(), twice.c_str());
    std::abort();
  }
  (void)winnow::parsers::url_host(url);
}

void check_resolve(std::string_view base, std::string_view ref) {
  const std::string resolved = winnow::base::resolve_url(base, ref);
  if (!resolved.empty() && winnow::base::parse_uri(winnow::base::trim_ascii_space(base)) &&
      !winnow::base::parse_uri(resolved)) {
    std::fprintf(stderr, "resolved against an absolute base, not absolute:\n  %s\n", resolved.c_str());
    std::abort();
  }
  check_normalize(resolved);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view whole = input;
  const std::string_view base = winnow::fuzzing::take_line(input);
  check_resolve(base, input);
  check_resolve("https://example.com/a/b/c.html?q=1#top", whole);
  check_normalize(whole);
  return 0;
}
