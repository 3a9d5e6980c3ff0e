#include "feeds/sanitize.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "base/ascii.h"
#include "base/url.h"
#include "parsers/html/document.h"

namespace winnow::feeds {
namespace {

// The lists are feedparser's (sanitizer.py and urls.py, 6.0), kept sorted for binary search.
// SVG and MathML are not on them: their elements go and their text stays.
constexpr std::string_view kElements[] = {
    "a",       "abbr",       "acronym",  "address",  "area",   "article",  "aside",    "audio",    "b",
    "big",     "blockquote", "br",       "button",   "canvas", "caption",  "center",   "cite",     "code",
    "col",     "colgroup",   "command",  "datagrid", "datalist", "dd",     "del",      "details",  "dfn",
    "dialog",  "dir",        "div",      "dl",       "dt",     "em",       "event-source", "fieldset", "figcaption",
    "figure",  "font",       "footer",   "h1",     "h2",       "h3",       "h4",       "h5",
    "h6",      "header",     "hr",       "i",        "img",    "input",    "ins",      "kbd",      "keygen",
    "label",   "legend",     "li",       "m",        "map",    "menu",     "meter",    "multicol", "nav",
    "nextid",  "noscript",   "ol",       "optgroup", "option", "output",   "p",        "pre",      "progress",
    "q",       "rp",         "rt",       "ruby",     "s",      "samp",     "section",  "select",   "small",
    "sound",   "source",     "spacer",   "span",     "strike", "strong",   "sub",      "sup",      "table",
    "tbody",   "td",         "textarea", "tfoot",    "th",     "thead",    "time",     "tr",       "tt",
    "u",       "ul",         "var",      "video",
};

constexpr std::string_view kAttributes[] = {
    "abbr",         "accept",      "accept-charset", "accesskey",    "action",        "align",
    "alt",          "autocomplete", "autofocus",     "axis",         "background",    "balance",
    "bgcolor",      "bgproperties", "border",        "bordercolor",  "bordercolordark", "bordercolorlight",
    "bottompadding", "cellpadding", "cellspacing",   "ch",           "challenge",     "char",
    "charoff",      "charset",     "checked",        "choff",        "cite",          "class",
    "clear",        "color",       "cols",           "colspan",      "compact",       "contenteditable",
    "controls",     "coords",      "data",           "datafld",      "datapagesize",  "datasrc",
    "datetime",     "default",     "delay",          "dir",          "disabled",      "draggable",
    "dynsrc",       "enctype",     "end",            "face",         "for",           "form",
    "frame",        "galleryimg",  "gutter",         "headers",      "height",        "hidden",
    "hidefocus",    "high",        "href",           "hreflang",     "hspace",        "icon",
    "id",           "inputmode",   "ismap",          "keytype",      "label",         "lang",
    "leftspacing",  "list",        "longdesc",       "loop",         "loopcount",     "loopend",
    "loopstart",    "low",         "lowsrc",         "max",          "maxlength",     "media",
    "method",       "min",         "multiple",       "name",         "nohref",        "noshade",
    "nowrap",       "open",        "optimum",        "pattern",      "ping",          "point-size",
    "poster",       "pqg",         "preload",        "prompt",       "radiogroup",    "readonly",
    "rel",          "repeat-max",  "repeat-min",     "replace",      "required",      "rev",
    "rightspacing", "rows",        "rowspan",        "rules",        "scope",         "selected",
    "shape",        "size",        "span",           "src",          "start",         "step",
    "style",        "summary",     "suppress",       "tabindex",     "target",        "template",
    "title",        "toppadding",  "type",           "unselectable", "urn",           "usemap",
    "valign",       "value",       "variable",       "volume",       "vrml",          "vspace",
    "width",        "wrap",        "xml:lang",
};

// Attributes that hold a URL, whatever the element: their scheme must be on kSchemes.
constexpr std::string_view kUrlAttributes[] = {
    "action", "background", "cite", "data", "dynsrc", "href", "icon", "longdesc", "lowsrc", "poster", "src", "usemap",
};

// The (element, attribute) pairs whose relative URL resolves against the base.
constexpr std::pair<std::string_view, std::string_view> kRelativeUrls[] = {
    {"a", "href"}, {"area", "href"}, {"audio", "src"}, {"blockquote", "cite"}, {"del", "cite"}, {"form", "action"},
    {"img", "longdesc"}, {"img", "src"}, {"img", "usemap"}, {"input", "src"}, {"input", "usemap"}, {"ins", "cite"},
    {"q", "cite"}, {"source", "src"}, {"video", "poster"}, {"video", "src"},
};

constexpr std::string_view kSchemes[] = {
    "aim",   "callto", "cvs",   "facetime", "feed",    "file",  "ftp",   "git",   "gopher", "gtalk", "h323",
    "hdl",   "http",   "https", "imap",     "irc",     "irc6",  "ircs",  "itms",  "magnet", "mailto", "mms",
    "msnim", "news",   "nntp",  "prospero", "rsync",   "rtsp",  "rtspu", "sftp",  "shttp",  "sip",   "sips",
    "skype", "smb",    "snews", "ssh",      "svn",     "svn+ssh", "telnet", "wais", "ymsg",
};

constexpr std::string_view kCssProperties[] = {
    "azimuth",     "background-color", "border-bottom-color", "border-collapse", "border-color",
    "border-left-color", "border-right-color", "border-top-color", "clear", "color",
    "cursor",      "direction",   "display",     "elevation",   "float",        "font",
    "font-family", "font-size",   "font-style",  "font-variant", "font-weight", "height",
    "letter-spacing", "line-height", "overflow", "pause",       "pause-after",  "pause-before",
    "pitch",       "pitch-range", "richness",    "speak",       "speak-header", "speak-numeral",
    "speak-punctuation", "speech-rate", "stress", "text-align",  "text-decoration", "text-indent",
    "unicode-bidi", "vertical-align", "voice-family", "volume",  "white-space",  "width",
};

// Keywords allowed in background-*, border-*, margin-* and padding-* values.
constexpr std::string_view kCssKeywords[] = {
    "!important", "aqua",  "auto",   "black",  "block",  "blue",   "bold",   "both",        "bottom", "brown",
    "center",     "collapse", "dashed", "dotted", "fuchsia", "gray", "green", "italic",     "left",   "lime",
    "maroon",     "medium", "navy",  "none",   "normal", "nowrap", "olive",  "pointer",     "purple", "red",
    "right",      "silver", "solid", "teal",   "top",    "transparent", "underline", "white", "yellow",
};

template <std::size_t N>
constexpr bool sorted(const std::string_view (&list)[N]) {
  return std::is_sorted(std::begin(list), std::end(list));
}
static_assert(sorted(kElements) && sorted(kAttributes) && sorted(kUrlAttributes) && sorted(kSchemes) &&
              sorted(kCssProperties) && sorted(kCssKeywords));

template <std::size_t N>
bool listed(const std::string_view (&list)[N], std::string_view s) {
  return std::binary_search(std::begin(list), std::end(list), s);
}

bool is_void(std::string_view tag) {
  return tag == "br" || tag == "img" || tag == "hr" || tag == "input" || tag == "area" || tag == "col" ||
         tag == "source" || tag == "command" || tag == "keygen";
}

// Elements that go together with everything inside them.
bool goes_with_content(const GumboNode& node) {
  return parsers::is_element(node, GUMBO_TAG_SCRIPT) || parsers::is_element(node, GUMBO_TAG_STYLE) ||
         parsers::is_element(node, GUMBO_TAG_APPLET);
}

// --- URLs ---

// The scheme a browser would see in `url` (tabs and newlines inside are ignored, leading
// controls and spaces too), lowercase; empty for a relative reference.
std::string scheme_of(std::string_view url) {
  std::string scheme;
  bool started = false;
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (!started && u <= 0x20) continue;
    started = true;
    if (c == ':') return scheme;
    const bool ok = base::is_ascii_alpha(c) || (!scheme.empty() && (base::is_ascii_digit(c) || c == '+' || c == '-' || c == '.'));
    if (!ok) return {};
    scheme += base::to_lower(c);
  }
  return {};
}

// An inline raster image: harmless where an image is shown (no script runs in one), and
// common in feeds that embed small pictures. SVG is not one: it can carry script.
bool is_inline_image(std::string_view tag, std::string_view name, std::string_view value) {
  if (tag != "img" || name != "src") return false;
  const std::string v = base::to_lower(base::trim_ascii_space(value).substr(0, 32));
  for (std::string_view type : {"data:image/png", "data:image/gif", "data:image/jpeg", "data:image/webp"})
    if (v.starts_with(type) && v.size() > type.size() && (v[type.size()] == ';' || v[type.size()] == ','))
      return true;
  return false;
}

std::string safe_url(std::string_view tag, std::string_view name, std::string_view value, std::string_view base_url) {
  const std::string scheme = scheme_of(value);
  if (scheme == "data" && is_inline_image(tag, name, value)) return std::string(base::trim_ascii_space(value));
  if (!scheme.empty()) return listed(kSchemes, scheme) ? std::string(base::trim_ascii_space(value)) : std::string();
  const bool resolves = std::find(std::begin(kRelativeUrls), std::end(kRelativeUrls), std::pair(tag, name)) != std::end(kRelativeUrls);
  if (!resolves || base_url.empty()) return std::string(base::trim_ascii_space(value));
  std::string resolved = base::resolve_url(base_url, value);
  return listed(kSchemes, scheme_of(resolved)) ? resolved : std::string();
}

// --- CSS ---

bool is_word(char c) {
  return base::is_ascii_alpha(c) || base::is_ascii_digit(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_space(char c) { return base::is_html_space(c) || c == '\v'; }

// Drops url(...) (a platypus attack fetches through it).
std::string without_urls(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s.substr(i, 3) == "url") {
      std::size_t j = i + 3;
      while (j < s.size() && is_space(s[j])) ++j;
      if (j < s.size() && s[j] == '(') {
        ++j;
        while (j < s.size() && is_space(s[j])) ++j;
        const std::size_t start = j;
        while (j < s.size() && !is_space(s[j]) && s[j] != ')') ++j;
        const bool has_ref = j > start;
        while (j < s.size() && is_space(s[j])) ++j;
        if (has_ref && j < s.size() && s[j] == ')') {
          ++j;
          while (j < s.size() && is_space(s[j])) ++j;
          out += ' ';
          i = j;
          continue;
        }
      }
    }
    out += s[i++];
  }
  return out;
}

// Only these characters get through: letters, digits, spaces and ":,;#%.!", a '-' between
// word characters, quoted words and parenthesized numbers. Anything else (expression(),
// escapes, comments) fails the whole attribute.
bool passes_gauntlet(std::string_view s) {
  const std::string_view plain = ":,;#%.!";
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (base::is_ascii_alpha(c) || base::is_ascii_digit(c) || is_space(c) || plain.find(c) != std::string_view::npos) {
      ++i;
    } else if (c == '-' && i > 0 && i + 1 < s.size() && is_word(s[i - 1]) && is_word(s[i + 1])) {
      ++i;
    } else if (is_word(c) && ((i + 2 < s.size() && s[i + 1] == '-' && is_word(s[i + 2])) ||
                              (i >= 2 && s[i - 1] == '-' && is_word(s[i - 2])))) {
      ++i;  // '_' or a non-ASCII byte around a hyphen
    } else if (c == '\'' || c == '"' || c == '(') {
      const char close = c == '(' ? ')' : c;
      std::size_t j = i + 1;
      while (j < s.size() && (c == '(' ? base::is_ascii_digit(s[j]) || s[j] == ',' || is_space(s[j])
                                       : is_word(s[j]) || is_space(s[j])))
        ++j;
      if (j == i + 1 || j >= s.size() || s[j] != close) return false;
      i = j + 1;
    } else {
      return false;
    }
  }
  return true;
}

// A CSS value keyword feedparser lets through in box properties: a colour, a small length.
bool is_valid_css_value(std::string_view v) {
  if (v.starts_with('#')) {
    return v.size() > 1 && std::all_of(v.begin() + 1, v.end(), [](char c) {
             return base::is_ascii_digit(c) || (c >= 'a' && c <= 'f');
           });
  }
  std::size_t i = 0;
  auto digits = [&](std::size_t max) {
    std::size_t n = 0;
    while (i < v.size() && n < max && base::is_ascii_digit(v[i])) ++i, ++n;
    return n;
  };
  auto accept = [&](char c) {
    if (i < v.size() && v[i] == c) return ++i, true;
    return false;
  };
  if (v.starts_with("rgb(")) {
    i = 4;
    if (digits(v.size()) == 0) return false;
    accept('%');
    if (!accept(',')) return false;
    digits(v.size());
    accept('%');
    accept(',');
    digits(v.size());
    accept('%');
    accept(')');
    return i == v.size();
  }
  digits(2);
  accept('.');
  digits(2);
  const std::string_view rest = v.substr(i);
  return rest.empty() || rest == "cm" || rest == "em" || rest == "ex" || rest == "in" || rest == "mm" || rest == "pc" ||
         rest == "pt" || rest == "px" || rest == "%" || rest == "," || rest == ")";
}

std::string sanitize_style(std::string_view style) {
  const std::string s = without_urls(style);
  if (!passes_gauntlet(s)) return {};
  // Nothing but "property: value;" declarations.
  std::vector<std::pair<std::string_view, std::string_view>> declarations;
  const std::string_view sv(s);
  std::size_t i = 0;
  while (true) {
    while (i < sv.size() && is_space(sv[i])) ++i;
    if (i == sv.size()) break;
    const std::size_t name_start = i;
    while (i < sv.size() && (is_word(sv[i]) || sv[i] == '-')) ++i;
    if (i == name_start) return {};
    const std::string_view name = sv.substr(name_start, i - name_start);
    while (i < sv.size() && is_space(sv[i])) ++i;
    if (i == sv.size() || sv[i] != ':') return {};
    ++i;
    while (i < sv.size() && is_space(sv[i])) ++i;
    const std::size_t value_start = i;
    while (i < sv.size() && sv[i] != ':' && sv[i] != ';') ++i;
    declarations.emplace_back(name, sv.substr(value_start, i - value_start));
    if (i < sv.size() && sv[i] == ';') ++i;
  }
  std::string clean;
  for (const auto& [name, value] : declarations) {
    if (value.empty()) continue;
    const std::string property = base::to_lower(name);
    bool keep = listed(kCssProperties, property);
    if (!keep) {
      const std::string_view family = std::string_view(property).substr(0, property.find('-'));
      if (family == "background" || family == "border" || family == "margin" || family == "padding") {
        keep = true;
        std::size_t k = 0;
        while (keep && k < value.size()) {
          while (k < value.size() && is_space(value[k])) ++k;
          const std::size_t start = k;
          while (k < value.size() && !is_space(value[k])) ++k;
          const std::string_view keyword = value.substr(start, k - start);
          if (!keyword.empty() && !listed(kCssKeywords, keyword) && !is_valid_css_value(keyword)) keep = false;
        }
      }
    }
    if (!keep) continue;
    if (!clean.empty()) clean += ' ';
    clean.append(name).append(": ").append(value).append(";");
  }
  return clean;
}

// --- the tree ---

std::string lowercase_tag(const GumboNode& element) { return base::to_lower(parsers::tag_name(element)); }

void write_start_tag(const GumboNode& element, const std::string& tag, std::string_view base_url, std::string& out) {
  std::vector<std::pair<std::string, std::string>> attributes;
  const GumboVector& attrs = element.v.element.attributes;
  for (unsigned i = 0; i < attrs.length; ++i) {
    const auto* a = static_cast<const GumboAttribute*>(attrs.data[i]);
    std::string name = base::to_lower(a->name);
    if (!listed(kAttributes, name)) continue;
    if (std::any_of(attributes.begin(), attributes.end(), [&](const auto& kv) { return kv.first == name; })) continue;
    std::string value = a->value;
    if (name == "style") {
      value = sanitize_style(value);
      if (value.empty()) continue;
    } else if (listed(kUrlAttributes, name)) {
      value = safe_url(tag, name, value, base_url);
    } else if (name == "rel" || name == "type") {
      value = base::to_lower(value);
    }
    attributes.emplace_back(std::move(name), std::move(value));
  }
  std::sort(attributes.begin(), attributes.end());
  out += '<';
  out += tag;
  for (const auto& [name, value] : attributes) {
    out += ' ';
    out += name;
    out += "=\"";
    base::append_html_escaped(value, out, true);
    out += '"';
  }
  out += is_void(tag) ? " />" : ">";
}

struct Step {
  const GumboNode* node;
  std::string closing;  // non-empty: write this end tag
};

// Writes what is allowed under `root`, iteratively: Gumbo trees can be deep.
void write_clean(const GumboNode& root, std::string_view base_url, std::string& out) {
  std::vector<Step> stack;
  auto push_children = [&stack](const GumboNode& node) {
    const GumboVector& children =
        node.type == GUMBO_NODE_DOCUMENT ? node.v.document.children : node.v.element.children;
    for (unsigned i = children.length; i > 0; --i) stack.push_back({static_cast<const GumboNode*>(children.data[i - 1]), {}});
  };
  push_children(root);
  while (!stack.empty()) {
    Step step = std::move(stack.back());
    stack.pop_back();
    if (!step.closing.empty()) {
      out += "</";
      out += step.closing;
      out += '>';
      continue;
    }
    const GumboNode& node = *step.node;
    switch (node.type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        base::append_html_escaped(node.v.text.text, out, false);
        break;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        if (goes_with_content(node)) break;
        std::string tag = lowercase_tag(node);
        // Only HTML's own elements: an <a> or <title> inside <svg> is SVG's.
        if (node.v.element.tag_namespace == GUMBO_NAMESPACE_HTML && listed(kElements, tag)) {
          write_start_tag(node, tag, base_url, out);
          if (is_void(tag)) break;
          stack.push_back({nullptr, std::move(tag)});
        }
        push_children(node);
        break;
      }
      default:  // comments, the document
        break;
    }
  }
}

}  // namespace

std::string sanitize_html(std::string_view html, std::string_view base_url) {
  if (html.find('<') == std::string_view::npos) return std::string(html);
  const auto doc = parsers::HtmlDocument::parse(std::string(html));
  std::string out;
  out.reserve(html.size());
  write_clean(doc.document(), base_url, out);
  return std::string(base::trim_ascii_space(out));
}

}  // namespace winnow::feeds
