// Feeds every input to the feed parser and to feed discovery (OPML has opml_fuzz). Beyond
// the sanitizers' checks: whatever comes out must serialize to valid UTF-8.
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/utf8.h"
#include "feeds/discover/discover.h"
#include "feeds/formats/parse.h"
#include "feeds/to_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace winnow::feeds;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ParseOptions options;
  options.base_url = "http://example.com/dir/feed.xml";
  // The last byte picks an HTTP charset, so the encoding paths are fuzzed too.
  if (size > 0) {
    static constexpr const char* kTypes[] = {"", "text/xml; charset=windows-1252", "application/rss+xml; charset=utf-8",
                                             "application/xml; charset=iso-8859-1", "text/xml; charset=utf-16",
                                             "application/atom+xml; charset=shift_jis", "", ""};
    options.content_type = kTypes[data[size - 1] % 8];
  }
  options.max_entity_bytes = 1u << 20;
  if (auto feed = parse_feed(bytes, options)) {
    const std::string out = boost::json::serialize(to_json(*feed, JsonDetail::extended));
    if (!winnow::base::is_valid_utf8(out)) std::abort();
  }
  for (const auto& link : discover_feeds(bytes, "https://example.com/page")) {
    if (link.url.empty()) std::abort();
  }
  return 0;
}
