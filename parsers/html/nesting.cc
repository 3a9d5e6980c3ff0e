#include "parsers/html/nesting.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "base/ascii.h"
#include "parsers/html/tag_scan.h"

namespace winnow::parsers {
namespace {

// A tag shorter than this cannot hold more attributes than any bound we set.
constexpr std::size_t kLongTagBytes = 512;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == ':';
}

bool in(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Elements that never hold children, or whose end tag is optional: they don't deepen a page.
bool is_flat(std::string_view name) {
  return in(name, {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead",
                   "tfoot", "colgroup", "rp", "rt", "html", "head", "body", "keygen", "basefont", "bgsound", "frame",
                   "image", "menuitem"});
}

// The formatting elements of the HTML tree builder: it re-opens those still open in every
// new block (the "reconstruct the active formatting elements" step).
bool is_formatting(std::string_view name) {
  return in(name, {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"});
}

bool is_raw_text(std::string_view name) {
  return in(name, {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
                   "plaintext"});
}

// Index just past the '>' that ends the tag starting at `i` (quotes respected), or size().
std::size_t tag_end(std::string_view html, std::size_t i) {
  char quote = 0;
  for (; i < html.size(); ++i) {
    char c = html[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return html.size();
}

// Index of the "</name" that closes a raw-text element, or size().
std::size_t raw_text_end(std::string_view html, std::size_t from, std::string_view name) {
  for (std::size_t i = html.find("</", from); i != std::string_view::npos; i = html.find("</", i + 2)) {
    std::string_view rest = html.substr(i + 2, name.size());
    if (rest.size() == name.size() && base::to_lower(rest) == name) return i;
  }
  return html.size();
}

}  // namespace

std::optional<std::string> bound_nesting(std::string_view html, NestingBounds bounds) {
  std::optional<std::string> out;  // made only once a bound is crossed
  std::size_t copied = 0;          // html[0, copied) is already in `out`
  int depth = 0;
  int foreign = 0;                 // open <svg> and <math>, where "/>" closes an element
  int formatting = 0;              // formatting elements left open
  int root_tags[2] = {0, 0};       // <html> and <body> start tags seen
  std::unordered_map<std::string, int> dropped;  // open start tags left out, by name
  std::unordered_map<std::string, int> open_formatting;  // by name
  std::size_t i = 0;
  auto skip = [&](std::size_t from, std::size_t to) {  // leave html[from, to) out
    if (!out) {
      out.emplace();
      out->reserve(html.size());
    }
    out->append(html.substr(copied, from - copied));
    copied = to;
  };
  while ((i = html.find('<', i)) != std::string_view::npos) {
    if (html.compare(i, 4, "<!--") == 0) {
      std::size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    bool closing = i + 1 < html.size() && html[i + 1] == '/';
    std::size_t name_start = i + (closing ? 2 : 1);
    std::size_t name_end = name_start;
    while (name_end < html.size() && is_name_char(html[name_end])) ++name_end;
    if (name_end == name_start) {
      ++i;
      continue;
    }
    std::string name = base::to_lower(html.substr(name_start, name_end - name_start));
    std::size_t end = tag_end(html, name_end);
    if (closing) {
      if (!is_flat(name)) {
        if (auto it = dropped.find(name); it != dropped.end() && it->second > 0) {
          --it->second;
          skip(i, end);
        } else {
          if (depth > 0) --depth;
          if (foreign > 0 && (name == "svg" || name == "math")) --foreign;
          if (auto f = open_formatting.find(name); f != open_formatting.end() && f->second > 0) {
            --f->second;
            --formatting;
          }
        }
      }
      i = end;
      continue;
    }
    if (name == "html" || name == "body") {
      if (++root_tags[name == "body"] > bounds.max_repeated_root_tags) {
        skip(i, end);
        i = end;
        continue;
      }
    }
    // Only a long tag can hold many attributes: read those as the tokenizer does, and there
    // the tokenizer's end of the tag holds.
    // Attributes html[cut_from, cut_to) are left out, unless the whole tag is.
    std::size_t cut_from = 0, cut_to = 0;
    if (end - name_end > kLongTagBytes) {
      TagAttributes attributes(html, name_end);
      TagAttribute attribute;
      std::size_t last_kept = 0;
      for (int count = 0; attributes.next(attribute);) {
        if (++count == bounds.max_attributes) last_kept = attributes.position();
        if (count > bounds.max_attributes) cut_from = last_kept;
      }
      end = attributes.end();
      if (cut_from) cut_to = attributes.closed() ? end - 1 : end;  // the '>' stays
    }
    auto cut_attributes = [&] {
      if (cut_from) skip(cut_from, cut_to);
    };
    bool self_closing = (foreign > 0 || name == "svg" || name == "math") && end >= 2 && html[end - 2] == '/';
    if (is_raw_text(name)) {
      cut_attributes();
      i = raw_text_end(html, end, name);
      continue;
    }
    if (!is_flat(name) && !self_closing) {
      // A second <a> (or <nobr>) closes the open one: it never piles up.
      bool piles_up = is_formatting(name) && !((name == "a" || name == "nobr") && open_formatting[name] > 0);
      if (depth >= bounds.max_depth || (piles_up && formatting >= bounds.max_open_formatting)) {
        ++dropped[name];
        skip(i, end);
        i = end;
        continue;
      }
      ++depth;
      if (name == "svg" || name == "math") ++foreign;
      if (piles_up) {
        ++open_formatting[name];
        ++formatting;
      }
    }
    cut_attributes();
    i = end;
  }
  if (out) out->append(html.substr(copied));
  return out;
}

}  // namespace winnow::parsers
