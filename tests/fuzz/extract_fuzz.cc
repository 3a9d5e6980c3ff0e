// libFuzzer target: any bytes, with any Content-Type, through decoding, parsing, extraction
// and every output format. Must never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/extract/extract.h"
#include "parsers/render/render.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  winnow::parsers::ExtractOptions options;
  // The first byte picks a declared charset, so label handling is fuzzed too.
  static constexpr std::string_view kTypes[] = {"", "text/html; charset=utf-8", "text/html; charset=windows-1252",
                                                "text/html; charset=shift_jis", "text/html; charset=utf-16le",
                                                "text/html; charset=gb18030", "text/html; charset=bogus"};
  if (!bytes.empty()) {
    options.content_type = kTypes[static_cast<unsigned char>(bytes[0]) % std::size(kTypes)];
    bytes.remove_prefix(1);
  }
  options.url = "https://example.com/a/b.html";
  options.keep_removed = true;
  options.explain = true;
  options.max_nodes = 20'000;
  auto article = winnow::parsers::extract(bytes, options);
  auto text = winnow::parsers::to_plain_text(article);
  auto markdown = winnow::parsers::to_markdown(article);
  auto json = winnow::parsers::to_json(article, true);
  return text.size() + markdown.size() + json.size() > 0 ? 0 : 0;
}
