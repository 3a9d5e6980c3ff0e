#include "parsers/html/elide.h"

#include <cstring>
#include <string_view>
#include <vector>

#include "base/ascii.h"
#include "parsers/html/tag_scan.h"

namespace winnow::parsers {
namespace {

constexpr std::size_t npos = std::string_view::npos;

// True when s[i..] is "name" (any case) followed by whitespace, '/' or '>': an appropriate
// end tag for `name` once "</" has been seen.
bool ends_element(std::string_view s, std::size_t i, std::string_view name) {
  return i + name.size() < s.size() && base::iequals(s.substr(i, name.size()), name) &&
         (base::is_html_space(s[i + name.size()]) || s[i + name.size()] == '/' || s[i + name.size()] == '>');
}

struct Tag {
  std::size_t end = 0;          // just past the closing '>', or s.size() if the input ends first
  std::string_view name;        // as written
  bool self_closing = false;
  std::string_view type;        // value of the first `type` attribute that has one
  bool type_has_reference = false;  // the type value holds '&', which Gumbo would decode
};

// Scans a start or end tag whose name begins at `i` (just after "<" or "</"), following the
// tokenizer's tag name state, then its attribute states (tag_scan.h).
Tag scan_tag(std::string_view s, std::size_t i) {
  Tag tag;
  const std::size_t start = i;
  while (i < s.size() && !base::is_html_space(s[i]) && s[i] != '/' && s[i] != '>') ++i;
  tag.name = s.substr(start, i - start);
  TagAttributes attributes(s, i);
  bool seen_type = false;
  for (TagAttribute attribute; attributes.next(attribute);) {
    // Gumbo keeps the first of duplicates. It would count a bare `type` too, which the scan
    // passes over: at worst that keeps the text of a script.
    if (!seen_type && attribute.has_value && base::iequals(attribute.name, "type")) {
      seen_type = true;
      tag.type = attribute.value;
      tag.type_has_reference = tag.type.find('&') != npos;
    }
  }
  tag.end = attributes.end();
  tag.self_closing = attributes.self_closing();
  return tag;
}

// Index of the "</" that ends a raw-text or RCDATA element `name` whose text starts at
// `from`, or s.size().
std::size_t raw_text_end(std::string_view s, std::size_t from, std::string_view name) {
  for (std::size_t i = s.find("</", from); i != npos; i = s.find("</", i + 2))
    if (ends_element(s, i + 2, name)) return i;
  return s.size();
}

// Index of the "</" that ends script data starting at `from`, or s.size(). Follows the
// tokenizer's script data states, including the escaped states entered by "<!--", in which
// an inner "<script>" hides the next "</script>".
std::size_t script_data_end(std::string_view s, std::size_t from) {
  enum State { data, escaped, escaped_dash, escaped_dash_dash, double_escaped, double_dash, double_dash_dash };
  const std::size_t n = s.size();
  State state = data;
  std::size_t i = from;
  // Reads an ASCII word at `i` and reports whether it is "script" followed by a delimiter;
  // leaves `i` on the first character after the word.
  auto script_word = [&]() {
    std::size_t start = i;
    while (i < n && base::is_ascii_alpha(s[i])) ++i;
    return i < n && (base::is_html_space(s[i]) || s[i] == '/' || s[i] == '>') && base::iequals(s.substr(start, i - start), "script");
  };
  while (i < n) {
    if (state == data) {
      const void* lt = std::memchr(s.data() + i, '<', n - i);
      if (!lt) return n;
      i = std::size_t(static_cast<const char*>(lt) - s.data());
      if (i + 1 < n && s[i + 1] == '/' && ends_element(s, i + 2, "script")) return i;
      if (s.compare(i, 4, "<!--") == 0) {
        state = escaped_dash_dash;
        i += 4;
      } else {
        ++i;
      }
      continue;
    }
    char c = s[i];
    bool in_double = state >= double_escaped;
    if (c == '<') {
      if (!in_double) {
        if (i + 1 < n && s[i + 1] == '/') {
          if (ends_element(s, i + 2, "script")) return i;
          i += 2;
          state = escaped;
        } else if (i + 1 < n && base::is_ascii_alpha(s[i + 1])) {
          ++i;
          bool is_script = script_word();
          if (is_script) ++i;  // the delimiter is consumed
          state = is_script ? double_escaped : escaped;
        } else {
          ++i;
          state = escaped;
        }
      } else {
        if (i + 1 < n && s[i + 1] == '/') {
          i += 2;
          bool is_script = script_word();
          if (is_script) ++i;
          state = is_script ? escaped : double_escaped;
        } else {
          ++i;
          state = double_escaped;
        }
      }
      continue;
    }
    ++i;
    if (c == '-') {
      if (state == escaped) state = escaped_dash;
      else if (state == escaped_dash) state = escaped_dash_dash;
      else if (state == double_escaped) state = double_dash;
      else if (state == double_dash) state = double_dash_dash;
    } else if (c == '>' && (state == escaped_dash_dash || state == double_dash_dash)) {
      state = data;
    } else {
      state = in_double ? double_escaped : escaped;
    }
  }
  return n;
}

// Index just past the comment that starts with "<!--" at `i`, and the index where its
// terminator starts (both s.size() when the input ends inside it).
std::pair<std::size_t, std::size_t> comment_end(std::string_view s, std::size_t i) {
  if (s.compare(i + 4, 1, ">") == 0) return {i + 5, i + 4};       // "<!-->"
  if (s.compare(i + 4, 2, "->") == 0) return {i + 6, i + 4};      // "<!--->"
  std::size_t dashes = s.find("--", i + 4);
  while (dashes != npos) {
    std::size_t j = dashes + 2;
    while (j < s.size() && s[j] == '-') ++j;  // "--->" ends too
    if (j < s.size() && s[j] == '>') return {j + 1, j - 2};
    if (j + 1 < s.size() && s[j] == '!' && s[j + 1] == '>') return {j + 2, j - 2};
    dashes = s.find("--", j);
  }
  return {s.size(), s.size()};
}

bool is_json_ld(const Tag& tag) {
  return tag.type_has_reference || base::ifind(tag.type, "ld+json") != npos;
}

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view candidate : names)
    if (base::iequals(name, candidate)) return true;
  return false;
}

// Elements whose text the tree builder may make raw text or RCDATA (in HTML content).
bool is_raw_text_element(std::string_view name) {
  return is_one_of(name, {"script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes"});
}

// Start tags that end foreign content: Gumbo pops every svg/math element and handles the tag
// as HTML. (<font> only with certain attributes; the scan gives up on it.)
bool breaks_out_of_foreign(std::string_view name) {
  return is_one_of(name, {"b",  "big", "blockquote", "body", "br",     "center", "code",  "dd",     "div",
                          "dl", "dt",  "em",         "embed", "h1",    "h2",     "h3",    "h4",     "h5",
                          "h6", "head", "hr",        "i",     "img",   "li",     "listing", "menu", "meta",
                          "nobr", "ol", "p",         "pre",   "ruby",  "s",      "small", "span",   "strong",
                          "strike", "sub", "sup",    "table", "tt",    "u",      "ul",    "var"});
}

// Elements inside <svg> or <math> whose content the tree builder handles as HTML.
bool is_integration_point(std::string_view name) {
  return is_one_of(name, {"foreignobject", "desc", "title", "mi", "mo", "mn", "ms", "mtext", "annotation-xml"});
}

}  // namespace

// The scan keeps its own idea of where the tokenizer is. Inside <svg>/<math> and <select> the
// tree builder decides whether an element's text is raw, and following it fully would mean
// rebuilding Gumbo's tree; so there the scan elides nothing and, at an element whose text
// could be read either way, goes on only when both readings agree (its text holds no '<'
// before its own end tag). Otherwise it stops and keeps the rest of the page as it is: less
// saved, never a different tree.
std::size_t elide_unread_text(std::string& html) {
  const std::string_view s = html;
  const std::size_t n = s.size();
  std::size_t read = 0;   // s[read, ...) is still to be scanned
  std::size_t write = 0;  // html[0, write) is the output so far
  auto keep = [&](std::size_t to) {
    if (write != read) std::memmove(html.data() + write, html.data() + read, to - read);
    write += to - read;
    read = to;
  };
  auto drop = [&](std::size_t to) { read = to; };
  // Where the text of element `name` (starting at `from`) ends if both readings agree: raw
  // text, or markup holding nothing but text; npos if they may differ.
  auto agreed_text_end = [&](std::size_t from, std::string_view name) {
    std::size_t lt = s.find('<', from);
    if (lt == npos) return n;
    return s.compare(lt, 2, "</") == 0 && ends_element(s, lt + 2, name) ? lt : npos;
  };

  std::vector<bool> foreign;  // open <svg> (true) and <math> (false) elements, innermost last
  bool in_select = false;
  while (read < n) {
    std::size_t i = s.find('<', read);
    if (i == npos) break;
    keep(i);
    char c1 = i + 1 < n ? s[i + 1] : '\0';
    if (c1 == '!') {
      if (s.compare(i, 4, "<!--") == 0) {
        auto [end, terminator] = comment_end(s, i);
        keep(i + 4);
        drop(std::max(terminator, i + 4));
        keep(end);
      } else if (!foreign.empty() && s.compare(i, 9, "<![CDATA[") == 0) {
        // CDATA in foreign content, a bogus comment up to the first '>' in HTML content.
        std::size_t end = s.find("]]>", i + 9);
        if (end == npos || s.find('>', i + 9) != end + 2) break;
        keep(end + 3);
      } else {
        std::size_t end = s.find('>', i + 2);
        keep(end == npos ? n : end + 1);
      }
      continue;
    }
    if (c1 == '?' || (c1 == '/' && !(i + 2 < n && base::is_ascii_alpha(s[i + 2])))) {
      // A bogus comment ("<?...>", "</ ...>") or "</>": up to the next '>'.
      std::size_t end = s.find('>', i + 2);
      keep(end == npos ? n : end + 1);
      continue;
    }
    // Tag names and attribute values are views into `html`: read them before keep() moves
    // the tag's bytes.
    if (c1 == '/') {
      Tag tag = scan_tag(s, i + 2);
      if (!foreign.empty()) {
        if (is_one_of(tag.name, {"p", "br"})) break;  // break out of foreign content in newer parsers only
        bool svg = base::iequals(tag.name, "svg");
        // Gumbo pops up to the innermost open element of that name. The scan pops only when
        // that element is the innermost of its own list: between the two, Gumbo may have
        // closed elements the scan does not see (in Gumbo 0.10.1 the end tag of one unknown
        // element closes any unknown element, "<t><svg></e>" closes the <svg>), and popping
        // too much would take the scan out of foreign content while Gumbo is still in it
        // (found by elide_fuzz). Staying in too long only elides less. In foreign content
        // Gumbo also takes the name from the whole tag, so "</svg >" closes nothing.
        bool bare = tag.end == i + 2 + tag.name.size() + 1;
        if ((svg || base::iequals(tag.name, "math")) && bare && foreign.back() == svg) foreign.pop_back();
      } else if (base::iequals(tag.name, "select")) {
        in_select = false;
      }
      keep(tag.end);
      continue;
    }
    if (!base::is_ascii_alpha(c1)) {
      keep(i + 1);  // a '<' that is text
      continue;
    }
    Tag tag = scan_tag(s, i + 1);
    const std::string_view name = tag.name;
    if (tag.end >= n || base::iequals(name, "plaintext") || base::iequals(name, "frameset")) break;
    // Being "in select" only makes the scan more careful, so any <select> sets it, even where
    // the scan believes it is in foreign content: Gumbo may have left it already (an end tag
    // of an unknown element closes any unknown element in Gumbo 0.10.1, <svg> included).
    // A <select> inside a select closes it in fact.
    if (base::iequals(name, "select")) in_select = true;
    if (!foreign.empty() && breaks_out_of_foreign(name)) foreign.clear();
    std::size_t text_end = tag.end;  // where the element's text ends, when it is skipped
    bool drop_text = false;
    if (base::iequals(name, "svg") || base::iequals(name, "math")) {
      if (!tag.self_closing) foreign.push_back(base::iequals(name, "svg"));
    } else if (!foreign.empty()) {
      if (base::iequals(name, "font")) break;
      if (is_raw_text_element(name) || (is_integration_point(name) && !tag.self_closing)) {
        text_end = agreed_text_end(tag.end, name);
        if (text_end == npos) break;
      }
    } else if (base::iequals(name, "script")) {
      // Script data even inside a select.
      text_end = script_data_end(s, tag.end);
      drop_text = !is_json_ld(tag);
    } else if (base::iequals(name, "textarea")) {
      text_end = raw_text_end(s, tag.end, name);  // RCDATA; it closes a select first
      in_select = false;
    } else if (is_raw_text_element(name)) {
      // Inside a select these start tags are ignored and their text is markup.
      text_end = in_select ? agreed_text_end(tag.end, name) : raw_text_end(s, tag.end, name);
      if (text_end == npos) break;
      drop_text = !in_select && base::iequals(name, "style");
    } else if (base::iequals(name, "input") || base::iequals(name, "keygen")) {
      in_select = false;
    }
    keep(tag.end);
    if (drop_text) drop(text_end);
    else keep(text_end);
  }
  keep(n);
  std::size_t removed = n - write;
  html.resize(write);
  return removed;
}

}  // namespace winnow::parsers
