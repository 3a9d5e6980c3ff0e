#pragma once
// The links and images of kept blocks, read from the page and resolved against its URL.
// Pure; any thread.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gumbo.h>

#include "parsers/extract/article.h"
#include "parsers/extract/dom.h"
#include "parsers/extract/segment.h"

namespace winnow::parsers {

// Longer URLs are dropped: nothing a reader follows is that long, and a hostile page's
// megabyte href would otherwise be stored with every copy of the article.
inline constexpr std::size_t kMaxInlineUrlBytes = 4096;

// `ref` resolved against `page_url`, or "" when it is no web address: another scheme
// (javascript:, data:, mailto:), not a URL at all, or longer than kMaxInlineUrlBytes. When
// `page_url` is not absolute, a relative `ref` is kept as it is (repaired).
std::string web_url(std::string_view page_url, std::string_view ref);

// The links of `b` with their URLs; links with no web URL are left out.
std::vector<InlineLink> block_links(const FlatDom& dom, const TextBlock& b, std::string_view page_url);

// The image of <img> `img` (`at` left 0): the lazy loaders' data-src, data-lazy-src or
// data-original, else src, else srcset's first candidate (data: placeholders skipped).
// Nothing for an image with no web URL or a tracking pixel (width or height under 8).
std::optional<InlineImage> read_image(const GumboNode& img, std::string_view page_url);

}  // namespace winnow::parsers
