#include "parsers/metadata/metadata.h"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/ascii.h"
#include "base/time.h"
#include "base/url.h"

namespace winnow::parsers {
namespace {

namespace json = boost::json;

// Everything metadata-like the page says, gathered in one walk over the tree.
struct Gathered {
  std::multimap<std::string, std::string> meta;      // lowercased name/property -> content
  std::multimap<std::string, std::string> itemprop;  // microdata property -> value
  std::vector<std::string> json_ld;
  std::string title;
  std::string lang;
  std::string canonical;
  std::string first_time;  // first <time datetime>
  std::string first_h1;
  std::vector<std::string> rel_authors;
};

Gathered gather(const HtmlDocument& doc) {
  Gathered g;
  std::vector<const GumboNode*> stack{&doc.root()};
  std::size_t visited = 0;
  while (!stack.empty() && ++visited < 500'000) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type != GUMBO_NODE_ELEMENT) continue;
    const GumboElement& e = n->v.element;
    switch (e.tag) {
      case GUMBO_TAG_HTML:
        g.lang = std::string(attribute(*n, "lang"));
        if (g.lang.empty()) g.lang = std::string(attribute(*n, "xml:lang"));
        break;
      case GUMBO_TAG_TITLE:
        if (g.title.empty()) g.title = text_of(*n);
        break;
      case GUMBO_TAG_META: {
        std::string_view content = attribute(*n, "content");
        for (const char* key : {"name", "property", "http-equiv"}) {
          std::string_view name = attribute(*n, key);
          if (!name.empty() && !content.empty()) g.meta.emplace(base::to_lower(name), base::collapse_whitespace(content, base::kHtmlSpace));
        }
        break;
      }
      case GUMBO_TAG_LINK: {
        std::string rel = base::to_lower(attribute(*n, "rel"));
        if (rel == "canonical" && g.canonical.empty()) g.canonical = std::string(attribute(*n, "href"));
        break;
      }
      case GUMBO_TAG_SCRIPT:
        if (base::to_lower(attribute(*n, "type")).find("ld+json") != std::string::npos && e.children.length > 0) {
          const auto* text = static_cast<const GumboNode*>(e.children.data[0]);
          if (text->type == GUMBO_NODE_TEXT || text->type == GUMBO_NODE_CDATA) g.json_ld.emplace_back(text->v.text.text);
        }
        continue;  // no children worth walking
      case GUMBO_TAG_H1:
        if (g.first_h1.empty()) g.first_h1 = text_of(*n);
        break;
      case GUMBO_TAG_TIME:
        if (g.first_time.empty()) g.first_time = std::string(attribute(*n, "datetime"));
        break;
      case GUMBO_TAG_A:
        if (base::to_lower(attribute(*n, "rel")) == "author") g.rel_authors.push_back(text_of(*n));
        break;
      default:
        break;
    }
    if (std::string_view prop = attribute(*n, "itemprop"); !prop.empty() && g.itemprop.size() < 200) {
      std::string_view value = attribute(*n, "content");
      if (value.empty()) value = attribute(*n, "datetime");
      std::string v = value.empty() ? std::string() : base::collapse_whitespace(value, base::kHtmlSpace);
      if (v.empty() && prop != "articleBody" && e.tag != GUMBO_TAG_DIV && e.tag != GUMBO_TAG_ARTICLE) v = text_of(*n);
      if (!v.empty() && v.size() < 1000) g.itemprop.emplace(std::string(prop), v);
    }
    for (unsigned i = e.children.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(e.children.data[i]));
  }
  return g;
}

std::string first_meta(const Gathered& g, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto it = g.meta.find(name);
    if (it != g.meta.end() && !it->second.empty()) return it->second;
  }
  return {};
}

std::string first_itemprop(const Gathered& g, const char* name) {
  auto it = g.itemprop.find(name);
  return it == g.itemprop.end() ? std::string() : it->second;
}

bool is_article_type(const json::value& type) {
  auto matches = [](std::string_view t) {
    return t.ends_with("Article") || t == "BlogPosting" || t == "Report" || t == "NewsArticle" ||
           t == "LiveBlogPosting" || t == "SocialMediaPosting" || t == "Review";
  };
  if (type.is_string()) return matches(type.get_string());
  if (type.is_array())
    return std::any_of(type.get_array().begin(), type.get_array().end(),
                       [&](const json::value& v) { return v.is_string() && matches(v.get_string()); });
  return false;
}

// Types that say "this page is a page of links or a site, not one piece": section fronts,
// listings, search results, profiles.
bool is_page_type(const json::value& type) {
  auto matches = [](std::string_view t) {
    return t == "WebPage" || t == "CollectionPage" || t == "ItemList" || t == "SearchResultsPage" ||
           t == "ProfilePage" || t == "WebSite" || t == "AboutPage" || t == "ContactPage" || t == "FAQPage" ||
           t == "QAPage" || t == "Product" || t == "VideoObject";
  };
  if (type.is_string()) return matches(type.get_string());
  if (type.is_array())
    return std::any_of(type.get_array().begin(), type.get_array().end(),
                       [&](const json::value& v) { return v.is_string() && matches(v.get_string()); });
  return false;
}

// Every JSON object in the value, breadth-first, bounded.
void collect_objects(const json::value& v, std::vector<const json::object*>& out) {
  std::vector<const json::value*> queue{&v};
  for (std::size_t i = 0; i < queue.size() && queue.size() < 2000; ++i) {
    const json::value& cur = *queue[i];
    if (cur.is_array()) {
      for (const auto& item : cur.get_array()) queue.push_back(&item);
    } else if (cur.is_object()) {
      out.push_back(&cur.get_object());
      if (const auto* graph = cur.get_object().if_contains("@graph")) queue.push_back(graph);
      if (const auto* main = cur.get_object().if_contains("mainEntity")) queue.push_back(main);
    }
  }
}

std::string as_text(const json::value* v) {
  if (!v) return {};
  if (v->is_string()) return base::collapse_whitespace(std::string_view(v->get_string()), base::kHtmlSpace);
  if (v->is_object()) {
    for (const char* key : {"name", "url", "@id"})
      if (const auto* inner = v->get_object().if_contains(key); inner && inner->is_string())
        return base::collapse_whitespace(std::string_view(inner->get_string()), base::kHtmlSpace);
  }
  if (v->is_array() && !v->get_array().empty()) return as_text(&v->get_array().front());
  return {};
}

std::vector<std::string> as_list(const json::value* v) {
  std::vector<std::string> out;
  if (!v) return out;
  if (v->is_array()) {
    for (const auto& item : v->get_array())
      if (auto s = as_text(&item); !s.empty()) out.push_back(s);
  } else if (auto s = as_text(v); !s.empty()) {
    out.push_back(s);
  }
  return out;
}

std::string normalize_date(std::string_view text) {
  if (text.empty()) return {};
  auto t = base::parse_date(text);
  return t ? base::format_rfc3339(*t) : std::string();
}

void add_unique(std::vector<std::string>& list, std::string value) {
  value = base::collapse_whitespace(value, base::kHtmlSpace);
  if (value.empty() || value.starts_with("http://") || value.starts_with("https://")) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

std::vector<std::string> split_keywords(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    add_unique(out, std::string(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

// "Headline | Site" -> "Headline" when the site name is known or the suffix is short.
std::string strip_site_suffix(std::string title, std::string_view site) {
  for (std::string_view sep : {" | ", " - ", " \xe2\x80\x94 ", " \xe2\x80\x93 ", " :: ", " \xc2\xbb "}) {
    std::size_t pos = title.rfind(sep);
    if (pos == std::string::npos || pos == 0) continue;
    std::string_view tail = std::string_view(title).substr(pos + sep.size());
    if ((!site.empty() && base::to_lower(tail) == base::to_lower(site)) || tail.size() * 3 < pos) {
      title.resize(pos);
      return title;
    }
  }
  return title;
}

}  // namespace

Metadata read_metadata(const HtmlDocument& doc, std::string_view url) {
  Gathered g = gather(doc);
  Metadata m;

  // 1. JSON-LD: the first article-like object; failing one, the first page-like type.
  const json::object* ld = nullptr;
  std::string other_type;
  std::vector<std::unique_ptr<json::value>> parsed;
  for (const std::string& text : g.json_ld) {
    boost::system::error_code ec;
    auto v = std::make_unique<json::value>(json::parse(text, ec));
    if (ec) continue;
    std::vector<const json::object*> objects;
    collect_objects(*v, objects);
    parsed.push_back(std::move(v));
    for (const json::object* o : objects) {
      const json::value* type = o->if_contains("@type");
      if (type && is_article_type(*type)) {
        ld = o;
        break;
      }
      if (type && other_type.empty() && is_page_type(*type)) other_type = as_text(type);
    }
    if (ld) break;
  }
  m.page_type = ld ? as_text(ld->if_contains("@type")) : other_type;
  if (ld) {
    // schema.org's paywall markup, which search engines ask publishers for.
    if (const json::value* free = ld->if_contains("isAccessibleForFree")) {
      if (free->is_bool()) m.accessible_for_free = free->get_bool();
      else if (free->is_string()) m.accessible_for_free = base::to_lower(free->get_string()) != "false";
    }
    m.title = as_text(ld->if_contains("headline"));
    for (auto& a : as_list(ld->if_contains("author"))) add_unique(m.authors, a);
    m.published = normalize_date(as_text(ld->if_contains("datePublished")));
    m.modified = normalize_date(as_text(ld->if_contains("dateModified")));
    if (const auto* pub = ld->if_contains("publisher")) m.site_name = as_text(pub);
    m.description = as_text(ld->if_contains("description"));
    m.image = as_text(ld->if_contains("image"));
    m.language = as_text(ld->if_contains("inLanguage"));
    if (const auto* kw = ld->if_contains("keywords")) {
      if (kw->is_string()) m.tags = split_keywords(std::string_view(kw->get_string()));
      else
        for (auto& k : as_list(kw)) add_unique(m.tags, k);
    }
    m.canonical_url = as_text(ld->if_contains("url"));
  }

  // 2. OpenGraph / Twitter / article:*, then 3. other <meta>, 4. microdata and <time>.
  auto fill = [](std::string& field, std::string value) {
    if (field.empty()) field = std::move(value);
  };
  fill(m.page_type, first_meta(g, {"og:type"}));
  fill(m.title, first_meta(g, {"og:title", "twitter:title", "dc.title", "title"}));
  fill(m.title, first_itemprop(g, "headline"));
  fill(m.site_name, first_meta(g, {"og:site_name", "application-name", "twitter:site"}));
  fill(m.description, first_meta(g, {"og:description", "twitter:description", "description", "dc.description"}));
  fill(m.image, first_meta(g, {"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"}));
  fill(m.canonical_url, g.canonical);
  fill(m.canonical_url, first_meta(g, {"og:url"}));
  fill(m.language, g.lang);
  fill(m.language, first_meta(g, {"content-language", "og:locale", "dc.language", "language"}));
  fill(m.published, normalize_date(first_meta(g, {"article:published_time", "og:published_time", "published_time",
                                                  "datepublished", "pubdate", "publishdate", "publish-date",
                                                  "publish_date", "date", "dc.date", "dc.date.issued",
                                                  "dcterms.created", "dcterms.date", "sailthru.date",
                                                  "parsely-pub-date", "article.published", "citation_publication_date",
                                                  "citation_date", "original-publish-date"})));
  fill(m.published, normalize_date(first_itemprop(g, "datePublished")));
  fill(m.published, normalize_date(g.first_time));
  fill(m.modified, normalize_date(first_meta(g, {"article:modified_time", "og:updated_time", "modified_time",
                                                 "datemodified", "last-modified", "dcterms.modified",
                                                 "article.updated"})));
  fill(m.modified, normalize_date(first_itemprop(g, "dateModified")));
  if (m.authors.empty()) {
    for (auto [it, end] = g.meta.equal_range("author"); it != end; ++it) add_unique(m.authors, it->second);
    for (auto [it, end] = g.meta.equal_range("article:author"); it != end; ++it) add_unique(m.authors, it->second);
    for (auto [it, end] = g.meta.equal_range("dc.creator"); it != end; ++it) add_unique(m.authors, it->second);
    for (auto [it, end] = g.meta.equal_range("sailthru.author"); it != end; ++it) add_unique(m.authors, it->second);
  }
  if (m.authors.empty())
    for (auto [it, end] = g.itemprop.equal_range("author"); it != end; ++it) add_unique(m.authors, it->second);
  if (m.authors.empty())
    for (auto& a : g.rel_authors) add_unique(m.authors, a);
  if (m.tags.empty()) {
    for (auto [it, end] = g.meta.equal_range("article:tag"); it != end; ++it) add_unique(m.tags, it->second);
    if (m.tags.empty()) m.tags = split_keywords(first_meta(g, {"keywords", "news_keywords"}));
  }
  if (m.title.empty()) {
    // <title> often carries the site's name; the page's own <h1> is the headline when the
    // <title> begins with it.
    if (!g.first_h1.empty() && g.title.starts_with(g.first_h1))
      m.title = g.first_h1;
    else
      m.title = strip_site_suffix(g.title, m.site_name);
  }

  if (!url.empty()) {
    if (!m.canonical_url.empty()) m.canonical_url = base::resolve_url(url, m.canonical_url);
    if (!m.image.empty()) m.image = base::resolve_url(url, m.image);
  }
  return m;
}

}  // namespace winnow::parsers
