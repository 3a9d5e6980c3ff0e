// libFuzzer target: OPML import and export (feeds/opml/opml.h). Beyond the sanitizers' checks:
// what is imported exports and imports again as the same list, and from then on the
// export no longer changes it (folder paths and titles are normalized once).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "feeds/opml/opml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace winnow::feeds;
  auto subs = parse_opml(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!subs) return 0;
  const std::string first = write_opml(*subs, "fuzz");
  auto again = parse_opml(first);
  if (!again || again->size() != subs->size()) {
    std::fprintf(stderr, "%zu subscriptions, exported and imported: %zu\n%s\n", subs->size(),
                 again ? again->size() : 0, first.c_str());
    std::abort();
  }
  const std::string second = write_opml(*again, "fuzz");
  if (second != first) {
    std::fprintf(stderr, "the export changed on a second round:\n%s\n---\n%s\n", first.c_str(), second.c_str());
    std::abort();
  }
  return 0;
}
