// libFuzzer target, differential: Gumbo must build the same tree from a page with its script,
// style and comment text elided (parsers/html/elide.h) as from the page itself, apart from
// that text. Aborts with both outlines on the first difference. Pages on which Gumbo itself
// fails an assertion are skipped (HtmlDocument turns those into empty documents).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "parsers/html/elide.h"
#include "tests/parsers/gumbo_outline.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string page(reinterpret_cast<const char*>(data), size);
  std::string elided = page;
  winnow::parsers::elide_unread_text(elided);
  std::string expected = winnow::testing::gumbo_outline(page);
  // Gumbo gave up on the page itself: HtmlDocument's guard, not the elision, is what matters.
  if (expected == winnow::testing::kGumboFailed) return 0;
  std::string actual = winnow::testing::gumbo_outline(elided);
  if (expected != actual) {
    std::fprintf(stderr, "elided page:\n%s\n--- tree of the page:\n%s\n--- tree of the elided page:\n%s\n",
                 elided.c_str(), expected.c_str(), actual.c_str());
    std::abort();
  }
  return 0;
}
