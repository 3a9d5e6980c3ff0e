// libFuzzer target: the pure half of fetching (daemon/fetch/http_headers.h). Input: a base
// URL, '\n', then response header lines as curl passes them. Beyond the sanitizers' checks:
// a request header line never carries a CR, LF or NUL from its value, a delay is never
// negative, and a followed Location is "" or an absolute URL without a fragment.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/url.h"
#include "daemon/fetch/http_headers.h"
#include "tests/fuzz/input.h"

namespace {

// 2024-02-29T12:00:00Z: a fixed clock, so that a finding replays.
constexpr winnow::base::UnixSeconds kNow = 1709208000;

void check_location(std::string_view base, std::string_view location) {
  using namespace winnow::fetch;
  const std::string target = resolve_location(base, location);
  if (!target.empty()) {
    auto u = winnow::base::parse_uri(target);
    if (!u || u->has_fragment()) {
      std::fprintf(stderr, "Location resolved to no absolute URL without fragment: %s\n", target.c_str());
      std::abort();
    }
  }
  (void)scheme_of(target);
  const std::string key = loop_key(target);
  if (loop_key(key) != key) {
    std::fprintf(stderr, "loop_key is not stable: %s -> %s\n", key.c_str(), loop_key(key).c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace winnow::fetch;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view base = winnow::fuzzing::take_line(input);
  ResponseHeaders h;
  for (std::string_view rest = input; !rest.empty();) {
    std::string_view line = winnow::fuzzing::take_line(rest);
    read_header_line(line, kNow, h);
    if ((h.retry_after_s && *h.retry_after_s < 0) || (h.max_age_s && *h.max_age_s < 0)) std::abort();
  }
  check_location(base, h.location);
  check_location("https://example.com/a/b?c", input);
  if (auto delay = parse_retry_after(input, kNow); delay && *delay < 0) std::abort();
  const std::string line = header_line("X-Fuzz", input);
  if (line.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) std::abort();
  return 0;
}
