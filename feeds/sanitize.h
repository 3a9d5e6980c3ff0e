#pragma once
// HTML from a feed made safe to serve again as HTML, the way feedparser sanitizes it: an
// allow-list of elements, attributes, URL schemes and CSS declarations; whatever is not on
// it goes. Pure; any thread.
#include <string>
#include <string_view>

namespace winnow::feeds {

// `html` parsed with Gumbo (as a browser would) and written out again keeping only:
// - allowed elements (p, a, img, table, ...); <script>, <style> and <applet> go with their
//   content, any other element (iframe, object, embed, form, svg, ...) goes but its text stays;
// - allowed attributes (no on* handlers), names lowercase and sorted, rel and type values
//   lowercase; a style attribute keeps only allowed CSS declarations (no url(), no
//   expression());
// - URL attributes whose scheme is allowed (http, https, mailto, ...): javascript:, data:,
//   vbscript: and other schemes leave the attribute empty, except an <img src> holding a
//   PNG, GIF, JPEG or WebP data: URL. Relative URLs of links, images,
//   media and citations resolve against `base_url` when it is absolute.
// Comments and processing instructions go; void elements are written `<br />`; the result is
// trimmed. Text holding no '<' has no markup to clean and comes back as it was.
std::string sanitize_html(std::string_view html, std::string_view base_url);

}  // namespace winnow::feeds
