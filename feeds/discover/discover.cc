#include "feeds/discover/discover.h"


#include <algorithm>

#include "base/ascii.h"
#include "base/url.h"
#include "feeds/text.h"
#include "parsers/html/document.h"

namespace winnow::feeds {
namespace {

using parsers::attribute;
using parsers::is_element;

bool has_token(std::string_view list, std::string_view token) {
  const std::string l = base::to_lower(list);
  std::size_t pos = 0;
  while (pos < l.size()) {
    while (pos < l.size() && (l[pos] == ' ' || l[pos] == '\t' || l[pos] == '\n' || l[pos] == '\r')) ++pos;
    std::size_t end = pos;
    while (end < l.size() && l[end] != ' ' && l[end] != '\t' && l[end] != '\n' && l[end] != '\r') ++end;
    if (std::string_view(l).substr(pos, end - pos) == token) return true;
    pos = end;
  }
  return false;
}

std::string mime_type(std::string_view type) {
  std::string t = base::to_lower(base::trim_ascii_space(type));
  if (auto semi = t.find(';'); semi != std::string::npos)
    t = std::string(base::trim_ascii_space(std::string_view(t).substr(0, semi)));
  return t;
}

bool is_feed_type(std::string_view type) {
  return type == "application/rss+xml" || type == "application/atom+xml" || type == "application/rdf+xml" ||
         type == "application/feed+json" || type == "application/json" || type == "text/xml" ||
         type == "application/xml" || type == "application/x-rss+xml" || type == "application/x.atom+xml" ||
         type == "application/x-atom+xml" || type == "text/rss+xml" || type == "text/atom+xml";
}

// The type a feed URL suggests by its last path segment; empty when it does not look like one.
std::string feed_type_from_url(std::string_view url) {
  auto parsed = base::parse_uri_reference(url);
  if (!parsed) return {};
  std::string path = base::to_lower(parsed->encoded_path());
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const std::string last = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  if (last.ends_with(".rss") || last == "rss" || last == "rss.xml" || last == "rss2" || last.ends_with(".rss.xml"))
    return "application/rss+xml";
  if (last.ends_with(".atom") || last == "atom" || last == "atom.xml" || last.ends_with(".atom.xml"))
    return "application/atom+xml";
  if (last.ends_with(".rdf")) return "application/rdf+xml";
  if (last == "feed.json") return "application/feed+json";
  if (last == "feed" || last == "feeds" || last == "feed.xml" || last == "index.xml" || last == "rss.php" ||
      last == "feed.php")
    return "application/rss+xml";
  return {};
}

std::string element_text(const GumboNode& node) {
  std::string out;
  std::vector<const GumboNode*> stack{&node};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE || n->type == GUMBO_NODE_CDATA) {
      out += n->v.text.text;
    } else if (n->type == GUMBO_NODE_ELEMENT) {
      for (unsigned i = n->v.element.children.length; i > 0; --i)
        stack.push_back(static_cast<const GumboNode*>(n->v.element.children.data[i - 1]));
    }
  }
  return collapse_whitespace(out);
}

void add(std::vector<FeedLink>& out, FeedLink link) {
  if (link.url.empty()) return;
  if (std::any_of(out.begin(), out.end(), [&](const FeedLink& l) { return l.url == link.url; })) return;
  out.push_back(std::move(link));
}

}  // namespace

std::string_view to_string(LinkSource source) {
  switch (source) {
    case LinkSource::link_alternate: return "link";
    case LinkSource::anchor: return "anchor";
    case LinkSource::well_known: return "guess";
  }
  return "link";
}

std::vector<FeedLink> discover_feeds(std::string_view html, std::string_view page_url) {
  auto doc = parsers::HtmlDocument::parse(std::string(html));
  std::vector<const GumboNode*> elements;
  std::vector<const GumboNode*> stack{&doc.document()};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    const GumboVector* children = nullptr;
    if (n->type == GUMBO_NODE_DOCUMENT) children = &n->v.document.children;
    if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) {
      elements.push_back(n);
      children = &n->v.element.children;
    }
    if (children == nullptr) continue;
    for (unsigned i = children->length; i > 0; --i) stack.push_back(static_cast<const GumboNode*>(children->data[i - 1]));
  }

  std::string base_url(base::trim_ascii_space(page_url));
  for (const GumboNode* e : elements) {
    if (is_element(*e, GUMBO_TAG_BASE) && !attribute(*e, "href").empty()) {
      base_url = base::resolve_url(base_url, attribute(*e, "href"));
      break;
    }
  }

  std::vector<FeedLink> links;
  for (const GumboNode* e : elements) {
    if (!is_element(*e, GUMBO_TAG_LINK)) continue;
    const std::string_view rel = attribute(*e, "rel");
    const std::string type = mime_type(attribute(*e, "type"));
    const bool alternate = has_token(rel, "alternate") && is_feed_type(type);
    const bool feed_rel = has_token(rel, "feed") && (type.empty() || is_feed_type(type));
    if (!alternate && !feed_rel) continue;
    if (has_token(rel, "stylesheet")) continue;
    add(links, {base::resolve_url(base_url, attribute(*e, "href")), type, collapse_whitespace(attribute(*e, "title")),
                LinkSource::link_alternate});
  }
  if (!links.empty()) return links;

  for (const GumboNode* e : elements) {
    if (!is_element(*e, GUMBO_TAG_A)) continue;
    const std::string url = base::resolve_url(base_url, attribute(*e, "href"));
    if (!url.starts_with("http://") && !url.starts_with("https://") && !url.starts_with("/")) continue;
    std::string type = feed_type_from_url(url);
    if (type.empty()) continue;
    add(links, {url, type, element_text(*e), LinkSource::anchor});
  }
  if (!links.empty()) return links;

  auto page = base::parse_uri(base_url);
  if (!page || !page->has_authority() || (page->scheme() != "http" && page->scheme() != "https")) return links;
  const std::string origin = std::string(page->scheme()) + "://" + std::string(page->encoded_authority());
  static constexpr std::string_view kWellKnown[] = {"/feed", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml",
                                                    "/rss"};
  for (auto path : kWellKnown)
    add(links, {origin + std::string(path), feed_type_from_url(path), "", LinkSource::well_known});
  return links;
}

}  // namespace winnow::feeds
