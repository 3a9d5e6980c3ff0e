#include "feeds/xml/document.h"

#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstring>
#include <mutex>
#include <utility>

#include "base/ascii.h"
#include "base/utf8.h"
#include "parsers/charset/decode.h"

namespace winnow::feeds::xml {
namespace {

constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";
// Entities nested deeper than this are not expanded (libxml2 already stops loops).
constexpr int kMaxEntityNesting = 16;

std::string_view sv(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

// What the error callback saw during one parse.
struct ParseState {
  std::string first_error;
  bool not_utf8 = false;
  bool unsupported_encoding = false;
  std::string html_entity;  // the first undeclared entity we read as an HTML one
};

void on_error(void* user, xmlErrorPtr err) {
  if (err == nullptr || err->level < XML_ERR_ERROR) return;  // warnings are not bozo
  auto* ctxt = static_cast<xmlParserCtxtPtr>(user);
  auto* state = static_cast<ParseState*>(ctxt->_private);
  if (state == nullptr) return;
  std::string_view message = err->message ? std::string_view(err->message) : std::string_view("error");
  if (err->code == XML_ERR_INVALID_CHAR && message.find("not proper UTF-8") != std::string_view::npos)
    state->not_utf8 = true;
  if (err->code == XML_ERR_UNSUPPORTED_ENCODING) state->unsupported_encoding = true;
  if (state->first_error.empty()) {
    message = base::trim_right(message, "\n ");
    // libxml2 appends the offending bytes on a second line; the first says it all.
    if (auto nl = message.find('\n'); nl != std::string_view::npos) message = message.substr(0, nl);
    state->first_error = std::string(message) + " (line " + std::to_string(err->line) + ")";
  }
}

// Messages libxml2 raises without a parser context (encoding conversion) would go to the
// thread's generic handler, stderr by default; feeds/ never logs, so they are dropped while
// we parse and the handlers are put back after.
void drop_generic(void*, const char*, ...) {}
void drop_structured(void*, xmlErrorPtr) {}

class QuietErrors {
 public:
  QuietErrors()
      : generic_(xmlGenericError),
        generic_ctx_(xmlGenericErrorContext),
        structured_(xmlStructuredError),
        structured_ctx_(xmlStructuredErrorContext) {
    xmlSetGenericErrorFunc(nullptr, drop_generic);
    xmlSetStructuredErrorFunc(nullptr, drop_structured);
  }
  ~QuietErrors() {
    xmlSetGenericErrorFunc(generic_ctx_, generic_);
    xmlSetStructuredErrorFunc(structured_ctx_, structured_);
  }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  xmlGenericErrorFunc generic_;
  void* generic_ctx_;
  xmlStructuredErrorFunc structured_;
  void* structured_ctx_;
};

// HTML's named entities (&nbsp;, &eacute;, ...) are undeclared in XML, yet feeds are full of
// them. We hand libxml2 a predefined entity for each, so they read as their characters.
struct HtmlEntity {
  xmlEntity entity{};
  std::array<xmlChar, 8> utf8{};
};

const xmlEntity* html_entity(const xmlChar* name) {
  const htmlEntityDesc* desc = htmlEntityLookup(name);
  if (desc == nullptr) return nullptr;
  // One entity per HTML 4 entity, made on first use and kept for the process (libxml2 keeps
  // &lt; and friends as statics too).
  static std::mutex mutex;
  static std::vector<std::pair<const htmlEntityDesc*, std::unique_ptr<HtmlEntity>>> made;
  std::lock_guard lock(mutex);
  for (auto& [d, e] : made)
    if (d == desc) return &e->entity;
  auto e = std::make_unique<HtmlEntity>();
  std::string bytes;
  base::append_utf8(bytes, desc->value);
  auto& b = e->utf8;
  std::copy(bytes.begin(), bytes.end(), b.begin());
  const int n = static_cast<int>(bytes.size());
  xmlEntity& ent = e->entity;
  ent.type = XML_ENTITY_DECL;
  ent.name = reinterpret_cast<const xmlChar*>(desc->name);
  ent.orig = b.data();
  ent.content = b.data();
  ent.length = n;
  ent.etype = XML_INTERNAL_PREDEFINED_ENTITY;
  ent.checked = 1;
  made.emplace_back(desc, std::move(e));
  return &made.back().second->entity;
}

xmlEntityPtr get_entity(void* user, const xmlChar* name) {
  xmlEntityPtr ent = xmlSAX2GetEntity(user, name);
  if (ent != nullptr) return ent;
  auto* ctxt = static_cast<xmlParserCtxtPtr>(user);
  const xmlEntity* html = html_entity(name);
  if (html == nullptr) return nullptr;
  auto* state = static_cast<ParseState*>(ctxt->_private);
  if (state != nullptr && state->html_entity.empty()) state->html_entity = std::string(sv(name));
  // libxml2 only reads predefined entities; the cast is its API's, not a write.
  return const_cast<xmlEntityPtr>(html);
}

// External entities and DTDs are never fetched, whatever the document asks for.
xmlParserInputPtr deny_external(void*, const xmlChar*, const xmlChar*) { return nullptr; }

bool starts_with_bom(std::string_view b) {
  return b.starts_with("\xEF\xBB\xBF") || b.starts_with("\xFF\xFE") || b.starts_with("\xFE\xFF");
}

struct CtxtFree {
  void operator()(xmlParserCtxt* c) const noexcept { xmlFreeParserCtxt(c); }
};

struct Attempt {
  xmlDocPtr doc = nullptr;
  ParseState state;
};

// Feeds often carry a bare '&' ("Q&A", "?a=1&b=2"), which XML forbids and libxml2 recovers
// from by dropping text. Escapes each '&' that starts no entity or character reference,
// outside CDATA sections, comments and processing instructions. Only for ASCII-compatible
// bytes (no UTF-16): in the legacy multi-byte encodings feeds use, 0x26 is never a trail
// byte. Returns nullopt when nothing needed escaping.
std::optional<std::string> escape_bare_ampersands(std::string_view b) {
  if (b.starts_with("\xFF\xFE") || b.starts_with("\xFE\xFF") || b.substr(0, 4).find('\0') != std::string_view::npos)
    return std::nullopt;
  auto is_name_start = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
  };
  auto is_name_char = [&](unsigned char c) {
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
  };
  auto is_reference = [&](std::size_t i) {  // b[i] == '&'
    std::size_t j = i + 1;
    if (j < b.size() && b[j] == '#') {
      ++j;
      const bool hex = j < b.size() && (b[j] == 'x' || b[j] == 'X');
      if (hex) ++j;
      const std::size_t start = j;
      while (j < b.size() && j - start < 10 &&
             (std::isdigit(static_cast<unsigned char>(b[j])) || (hex && std::isxdigit(static_cast<unsigned char>(b[j])))))
        ++j;
      return j > start && j < b.size() && b[j] == ';';
    }
    if (j >= b.size() || !is_name_start(static_cast<unsigned char>(b[j]))) return false;
    const std::size_t start = j;
    while (j < b.size() && j - start < 64 && is_name_char(static_cast<unsigned char>(b[j]))) ++j;
    return j < b.size() && b[j] == ';';
  };
  std::string out;
  bool changed = false;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (b[i] == '<') {
      std::string_view close;
      if (b.substr(i, 9) == "<![CDATA[") close = "]]>";
      else if (b.substr(i, 4) == "<!--") close = "-->";
      else if (b.substr(i, 2) == "<?") close = "?>";
      if (close.empty()) continue;
      const std::size_t end = b.find(close, i + 2);
      if (end == std::string_view::npos) break;
      i = end + close.size() - 1;
      continue;
    }
    if (b[i] != '&' || is_reference(i)) continue;
    if (!changed) out.reserve(b.size() + 64);
    changed = true;
    out.append(b.substr(copied, i + 1 - copied));
    out += "amp;";
    copied = i + 1;
  }
  if (!changed) return std::nullopt;
  out.append(b.substr(copied));
  return out;
}

Attempt parse_once(std::string_view bytes, const char* encoding, bool ignore_declared_encoding = false) {
  Attempt attempt;
  std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(xmlNewParserCtxt());
  if (!ctxt) return attempt;
  ctxt->_private = &attempt.state;
  ctxt->sax->serror = on_error;
  ctxt->sax->getEntity = get_entity;
  ctxt->sax->resolveEntity = deny_external;
  ctxt->sax->externalSubset = nullptr;
  // No XML_PARSE_NOENT (no substitution), DTDLOAD, DTDATTR or HUGE: libxml2 keeps its
  // depth (256) and entity amplification limits.
  const int options = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
                      XML_PARSE_NOWARNING | (ignore_declared_encoding ? XML_PARSE_IGNORE_ENC : 0);
  QuietErrors quiet;
  attempt.doc = xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), nullptr, encoding,
                                  options);
  ctxt->_private = nullptr;
  return attempt;
}

// The encoding an XML declaration at the very start names ("<?xml version="1.0"
// encoding="ISO-8859-1"?>"), as written; empty when none.
std::string declared_encoding(std::string_view b) {
  if (!b.starts_with("<?xml")) return {};
  b = b.substr(0, b.find("?>"));
  const std::size_t at = b.find("encoding");
  if (at == std::string_view::npos) return {};
  std::size_t i = b.find_first_not_of(" \t\r\n", at + 8);
  if (i == std::string_view::npos || b[i] != '=') return {};
  i = b.find_first_not_of(" \t\r\n", i + 1);
  if (i == std::string_view::npos || (b[i] != '"' && b[i] != '\'')) return {};
  const std::size_t end = b.find(b[i], i + 1);
  if (end == std::string_view::npos) return {};
  return std::string(b.substr(i + 1, end - i - 1));
}

// The lowercase WHATWG name of the encoding `label` names ("latin1" -> "windows-1252");
// empty when `label` is empty or names none we convert.
std::string charset_named(std::string_view label) {
  if (label.empty()) return {};
  const auto probe = parsers::convert_to_utf8({}, label);
  return probe ? probe->charset : std::string();
}

std::string sequences(std::size_t n) { return std::to_string(n) + (n == 1 ? " sequence" : " sequences"); }

void free_doc(xmlDocPtr doc) {
  if (doc) xmlFreeDoc(doc);
}

}  // namespace

void Document::DocFree::operator()(_xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }

Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

Document Document::parse(std::string_view bytes, std::string_view encoding, std::size_t entity_budget_bytes) {
  Document out;
  out.entity_budget_ = entity_budget_bytes;
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    out.error_ = "document too large";
    return out;
  }
  std::string label(encoding);
  if (starts_with_bom(bytes)) label.clear();
  std::vector<std::string> notes;
  bool escaped_ampersands = false;
  // Each attempt escapes bare ampersands in the bytes it is given.
  auto attempt_on = [&](std::string_view b, const char* forced, bool ignore_declared) {
    const std::optional<std::string> escaped = escape_bare_ampersands(b);
    if (escaped) escaped_ampersands = true;
    return parse_once(escaped ? std::string_view(*escaped) : b, forced, ignore_declared);
  };
  // Legacy encodings are decoded here (ICU, each bad sequence becoming U+FFFD), never by
  // libxml2's iconv: it stops at the first byte its table leaves undefined (0x81 in
  // windows-1252) and the rest of the feed, entries included, is lost.
  std::optional<std::string> transcoded;
  const bool bom = starts_with_bom(bytes);
  const std::string declared = bom ? std::string() : declared_encoding(bytes);
  const std::string charset = charset_named(!label.empty() ? label : declared);
  // Read as UTF-8 but not all UTF-8 (stray bytes, truncated or overlong sequences,
  // surrogates): repaired the way parsers::decode_html reads a page declared UTF-8. A
  // damaged UTF-8 document loses one character per bad sequence when kept as UTF-8; a legacy
  // one read as UTF-8 would lose every non-ASCII character: the reading that loses less wins.
  auto repair_utf8 = [&] {
    auto page = parsers::decode_html(bytes, "text/xml; charset=utf-8");
    if (page.charset == "utf-8") notes.push_back("not valid UTF-8: " + sequences(page.replaced) + " read as U+FFFD");
    else notes.push_back("not valid UTF-8; read as " + page.charset);
    transcoded = std::move(page.utf8);
  };
  if (!bom && (charset.empty() || charset == "utf-8") && !base::is_valid_utf8(bytes)) {
    repair_utf8();
  } else if (!charset.empty() && charset != "utf-8" && !charset.starts_with("utf-16")) {
    // Legacy encodings are decoded here (ICU, each bad sequence becoming U+FFFD), never by
    // libxml2's iconv: it stops at the first byte its table leaves undefined (0x81 in
    // windows-1252) and the rest of the feed, entries included, is lost.
    if (auto page = parsers::convert_to_utf8(bytes, charset)) {
      if (!declared.empty() && charset_named(declared).empty())
        notes.push_back("unsupported encoding " + declared + "; read as " + page->charset);
      if (page->replaced > 0) notes.push_back("not valid " + page->charset + ": " + sequences(page->replaced) + " read as U+FFFD");
      transcoded = std::move(page->utf8);
    }
  }
  const char* forced = transcoded ? "UTF-8" : label.empty() ? nullptr : label.c_str();
  const std::string_view input = transcoded ? std::string_view(*transcoded) : bytes;
  Attempt attempt = attempt_on(input, forced, transcoded.has_value());
  if (attempt.doc == nullptr && attempt.state.unsupported_encoding) {
    notes.push_back(attempt.state.first_error + "; read as " + (label.empty() ? std::string("UTF-8") : label));
    attempt = attempt_on(input, forced, true);
  }
  if (attempt.state.not_utf8 && !transcoded) {  // a label libxml2 read as UTF-8 that we do not know
    repair_utf8();
    free_doc(attempt.doc);
    attempt = attempt_on(*transcoded, "UTF-8", true);
  }
  out.doc_.reset(attempt.doc);
  if (escaped_ampersands) notes.insert(notes.begin(), "unescaped & read as &amp;");
  if (!attempt.state.first_error.empty()) notes.push_back(attempt.state.first_error);
  if (!attempt.state.html_entity.empty())
    notes.push_back("undeclared entity &" + attempt.state.html_entity + "; read as HTML");
  for (const auto& note : notes) {
    if (!out.error_.empty()) out.error_ += "; ";
    out.error_ += note;
  }
  return out;
}

std::optional<Element> Document::root() const {
  if (!doc_) return std::nullopt;
  const xmlNode* root = xmlDocGetRootElement(doc_.get());
  if (root == nullptr) return std::nullopt;
  return Element(root, this);
}

bool Document::spend(std::size_t n) const {
  if (n > entity_budget_) {
    entity_budget_ = 0;
    budget_hit_ = true;
    return false;
  }
  entity_budget_ -= n;
  return true;
}

namespace {

// The internal general entity a reference node stands for, or null (external, unknown).
const xmlEntity* referenced_entity(const xmlNode* ref) {
  const xmlNode* decl = ref->children;
  if (decl == nullptr || decl->type != XML_ENTITY_DECL) return nullptr;
  const auto* ent = reinterpret_cast<const xmlEntity*>(decl);
  if (ent->etype != XML_INTERNAL_GENERAL_ENTITY && ent->etype != XML_INTERNAL_PREDEFINED_ENTITY) return nullptr;
  return ent;
}

}  // namespace

std::string_view Element::local_name() const { return sv(node_->name); }

std::string_view Element::ns() const { return node_->ns ? sv(node_->ns->href) : std::string_view(); }

bool Element::is(std::string_view ns_uri, std::string_view name) const {
  return local_name() == name && ns() == ns_uri;
}

std::optional<Element> Element::parent() const {
  const xmlNode* p = node_->parent;
  if (p == nullptr || p->type != XML_ELEMENT_NODE) return std::nullopt;
  return Element(p, doc_);
}

std::vector<Element> Element::children() const {
  std::vector<Element> out;
  for (const xmlNode* c = node_->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE) out.push_back(Element(c, doc_));
  return out;
}

std::optional<Element> Element::child(std::string_view ns_uri, std::string_view name) const {
  for (const xmlNode* c = node_->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    Element e(c, doc_);
    if (e.is(ns_uri, name)) return e;
  }
  return std::nullopt;
}

bool Element::has_element_children() const {
  for (const xmlNode* c = node_->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return true;
  return false;
}

namespace {

struct Frame {
  const xmlNode* node;
  int entity_depth;
};

// Appends the character data of a sibling list and everything below it, iteratively;
// `spend` is asked before each entity expansion.
template <class Spend>
void append_character_data(const xmlNode* first, std::string& out, const Spend& spend) {
  std::vector<Frame> stack;
  for (const xmlNode* n = first; n != nullptr; n = n->next) stack.push_back({n, 0});
  std::reverse(stack.begin(), stack.end());
  while (!stack.empty()) {
    const Frame frame = stack.back();
    stack.pop_back();
    const xmlNode* n = frame.node;
    switch (n->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        out += sv(n->content);
        break;
      case XML_ELEMENT_NODE: {
        const std::size_t mark = stack.size();
        for (const xmlNode* c = n->children; c != nullptr; c = c->next) stack.push_back({c, frame.entity_depth});
        std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(mark), stack.end());
        break;
      }
      case XML_ENTITY_REF_NODE: {
        const xmlEntity* ent = referenced_entity(n);
        if (ent == nullptr || frame.entity_depth >= kMaxEntityNesting) break;
        if (!spend(static_cast<std::size_t>(ent->length > 0 ? ent->length : 0))) break;
        if (ent->children == nullptr) {
          out += sv(ent->content);
          break;
        }
        const std::size_t mark = stack.size();
        for (const xmlNode* c = ent->children; c != nullptr; c = c->next) stack.push_back({c, frame.entity_depth + 1});
        std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(mark), stack.end());
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace

std::optional<std::string> Element::attribute(std::string_view name, std::string_view ns_uri) const {
  for (const xmlAttr* a = node_->properties; a != nullptr; a = a->next) {
    if (sv(a->name) != name) continue;
    if ((a->ns ? sv(a->ns->href) : std::string_view()) != ns_uri) continue;
    std::string value;
    append_character_data(a->children, value, [this](std::size_t n) { return doc_->spend(n); });
    return value;
  }
  return std::nullopt;
}

std::string Element::attribute_or_empty(std::string_view name, std::string_view ns_uri) const {
  return attribute(name, ns_uri).value_or(std::string());
}

std::string Element::text() const {
  std::string out;
  append_character_data(node_->children, out, [this](std::size_t n) { return doc_->spend(n); });
  return out;
}

namespace {

bool is_void_element(std::string_view name) {
  static constexpr std::string_view kVoid[] = {"area", "base", "br", "col", "embed", "hr", "img",
                                               "input", "link", "meta", "source", "track", "wbr"};
  for (auto v : kVoid)
    if (v == name) return true;
  return false;
}

// Serializes a sibling list as HTML. Recursion depth is bounded by libxml2's depth limit
// (256) plus kMaxEntityNesting.
template <class Spend>
void append_markup(const xmlNode* first, std::string& out, const Spend& spend, int entity_depth) {
  for (const xmlNode* n = first; n != nullptr; n = n->next) {
    switch (n->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        base::append_html_escaped(sv(n->content), out, false);
        break;
      case XML_ELEMENT_NODE: {
        const std::string_view name = sv(n->name);
        out += '<';
        out += name;
        for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
          std::string value;
          append_character_data(a->children, value, spend);
          out += ' ';
          if (a->ns && a->ns->prefix && sv(a->ns->href) == kXmlNs) out += "xml:";
          out += sv(a->name);
          out += "=\"";
          base::append_html_escaped(value, out, true);
          out += '"';
        }
        out += '>';
        if (n->children == nullptr && is_void_element(name)) break;
        append_markup(n->children, out, spend, entity_depth);
        out += "</";
        out += name;
        out += '>';
        break;
      }
      case XML_ENTITY_REF_NODE: {
        const xmlEntity* ent = referenced_entity(n);
        if (ent == nullptr || entity_depth >= kMaxEntityNesting) break;
        if (!spend(static_cast<std::size_t>(ent->length > 0 ? ent->length : 0))) break;
        if (ent->children == nullptr) {
          base::append_html_escaped(sv(ent->content), out, false);
        } else {
          append_markup(ent->children, out, spend, entity_depth + 1);
        }
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace

std::string Element::inner_markup() const {
  std::string out;
  append_markup(node_->children, out, [this](std::size_t n) { return doc_->spend(n); }, 0);
  return out;
}

}  // namespace winnow::feeds::xml
