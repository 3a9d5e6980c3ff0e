// libFuzzer target: page decoding (parsers/charset/decode.h) on any bytes with any
// Content-Type. Input: the Content-Type value, '\n', the page. Beyond the sanitizers' checks:
// the UTF-8 out is valid and holds no NUL, and the encoding used has a lowercase name.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "base/utf8.h"
#include "parsers/charset/decode.h"
#include "tests/fuzz/input.h"

namespace {

void check(const winnow::parsers::DecodedPage& page, const char* what) {
  bool ok = winnow::base::is_valid_utf8(page.utf8) && page.utf8.find('\0') == std::string::npos &&
            !page.charset.empty();
  for (char c : page.charset) ok = ok && !(c >= 'A' && c <= 'Z');
  if (ok) return;
  std::fprintf(stderr, "%s gave charset \"%s\" and %zu bytes of bad UTF-8\n", what, page.charset.c_str(),
               page.utf8.size());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace winnow::parsers;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string_view content_type = winnow::fuzzing::take_line(bytes);
  check(decode_html(bytes, content_type), "decode_html");
  if (auto page = convert_to_utf8(bytes, charset_from_content_type(content_type))) check(*page, "convert_to_utf8");
  return 0;
}
