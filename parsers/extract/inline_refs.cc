#include "parsers/extract/inline_refs.h"

#include <boost/url/url_view.hpp>

#include <charconv>

#include "base/ascii.h"
#include "base/url.h"
#include "parsers/html/document.h"

namespace winnow::parsers {
namespace {

// 300 bytes: a sentence or two; longer alt texts are page text pasted in.
constexpr std::size_t kMaxAltBytes = 300;

bool is_tiny(std::string_view size) {
  int value = 0;
  size = base::trim_ascii_space(size);
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), value);
  return ec == std::errc() && end != size.data() && value < 8;
}

// `s` cut to at most `bytes` bytes, at a character boundary.
std::string_view cut_utf8(std::string_view s, std::size_t bytes) {
  if (s.size() <= bytes) return s;
  while (bytes > 0 && (static_cast<unsigned char>(s[bytes]) & 0xC0) == 0x80) --bytes;
  return s.substr(0, bytes);
}

}  // namespace

std::string web_url(std::string_view page_url, std::string_view ref) {
  ref = base::trim_ascii_space(ref);
  if (ref.empty() || ref.size() > kMaxInlineUrlBytes) return {};
  std::string url = base::resolve_url(page_url, ref);
  if (url.empty() || url.size() > kMaxInlineUrlBytes) return {};
  auto parsed = base::parse_uri_reference(url);
  if (!parsed) return {};
  if (parsed->has_scheme()) {
    std::string_view scheme = parsed->scheme();
    if (!base::iequals(scheme, "http") && !base::iequals(scheme, "https")) return {};
  }
  return url;
}

std::vector<InlineLink> block_links(const FlatDom& dom, const TextBlock& b, std::string_view page_url) {
  std::vector<InlineLink> out;
  for (const TextLink& link : b.links) {
    std::string url = web_url(page_url, attribute(*dom.nodes[link.anchor].node, "href"));
    if (url.empty()) continue;
    out.push_back({std::size_t(link.begin), std::size_t(link.end), std::move(url)});
  }
  return out;
}

std::optional<InlineImage> read_image(const GumboNode& img, std::string_view page_url) {
  if (is_tiny(attribute(img, "width")) || is_tiny(attribute(img, "height"))) return std::nullopt;
  std::string src;
  auto usable = [](std::string_view s) {
    s = base::trim_ascii_space(s);
    return !s.empty() && !base::istarts_with(s, "data:");
  };
  // Lazy loaders keep the real image in data-* and a placeholder (a blur, a "missing" icon)
  // in src, so data-* comes first.
  for (const char* name : {"data-src", "data-lazy-src", "data-original", "src"}) {
    std::string_view value = attribute(img, name);
    if (usable(value)) {
      src = web_url(page_url, value);
      break;
    }
  }
  if (src.empty()) {
    std::string_view set = base::trim_ascii_space(attribute(img, "srcset"));
    if (set.empty()) set = base::trim_ascii_space(attribute(img, "data-srcset"));
    std::string_view first = set.substr(0, set.find_first_of(" \t\n\r\f,"));
    if (usable(first)) src = web_url(page_url, first);
  }
  if (src.empty()) return std::nullopt;
  std::string alt = base::collapse_whitespace(cut_utf8(attribute(img, "alt"), kMaxAltBytes));
  return InlineImage{0, std::move(src), std::move(alt)};
}

}  // namespace winnow::parsers
