// libFuzzer target: robots.txt parsing and matching (daemon/fetch/robots.h). Input: a URL path,
// '\n', the robots.txt body. Beyond the sanitizers' checks: /robots.txt itself is always
// allowed, and a crawl delay is a finite number of seconds, never negative.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "daemon/fetch/robots.h"
#include "tests/fuzz/input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using winnow::fetch::RobotsRules;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view path = winnow::fuzzing::take_line(input);
  // Our own product token, and one that the fuzzer's "User-agent:" lines can name too.
  for (std::string_view agent : {"winnow", "a"}) {
    const RobotsRules rules = RobotsRules::parse(input, agent);
    (void)rules.allowed(path);
    (void)rules.allowed("/");
    if (!rules.allowed("/robots.txt")) std::abort();
    if (auto delay = rules.crawl_delay_s(); delay && !(std::isfinite(*delay) && *delay >= 0)) std::abort();
  }
  return 0;
}
