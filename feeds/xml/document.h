#pragma once
// An XML document parsed by libxml2, safely: no network, no DTD loading, no external
// entities, no entity substitution by the parser (internal entities are expanded by us,
// within a byte budget), libxml2's depth and amplification limits on (no XML_PARSE_HUGE).
// Recover mode: a broken document still yields the tree that could be built, with the
// first error kept. Move-only; an Element is a view that must not outlive its Document.
// Any thread may use a document it owns.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct _xmlDoc;
struct _xmlNode;

namespace winnow::feeds::xml {

class Document;

// An element of a Document. Cheap to copy.
class Element {
 public:
  std::string_view local_name() const;
  // The namespace URI, empty when none.
  std::string_view ns() const;
  bool is(std::string_view ns, std::string_view local_name) const;
  std::optional<Element> parent() const;
  std::vector<Element> children() const;
  // The first child element with this namespace and name.
  std::optional<Element> child(std::string_view ns, std::string_view local_name) const;
  bool has_element_children() const;
  // The value of the attribute `name` in namespace `ns` (empty ns: an unqualified
  // attribute), internal entities expanded; nullopt when absent.
  std::optional<std::string> attribute(std::string_view name, std::string_view ns = {}) const;
  std::string attribute_or_empty(std::string_view name, std::string_view ns = {}) const;
  // All character data below this element, internal entities expanded (within budget).
  std::string text() const;
  // The children serialized as HTML markup: text escaped, elements by their local names,
  // comments and processing instructions dropped. For inline XHTML and raw markup in RSS.
  std::string inner_markup() const;

 private:
  friend class Document;
  Element(const _xmlNode* node, const Document* doc) : node_(node), doc_(doc) {}
  const _xmlNode* node_;
  const Document* doc_;
};

class Document {
 public:
  // Parses `bytes`. `encoding` (from an HTTP Content-Type, may be empty) overrides the XML
  // declaration unless the bytes start with a byte order mark. Legacy encodings (any but
  // UTF-8 and UTF-16) are decoded to UTF-8 here, each bad sequence becoming U+FFFD, so that
  // no byte stops the parse. Input read as UTF-8 that is not all UTF-8 is read again the way
  // parsers::decode_html reads a page declared UTF-8: as UTF-8 with each bad sequence
  // replaced by U+FFFD when its well-formed multi-byte characters are at least as many as
  // the bad sequences, else in the encoding detected (windows-1252 mostly). Any such repair
  // is noted as an error.
  // `entity_budget_bytes` caps the bytes that entity expansion may add over the whole
  // document. Never fails: a hopeless input gives a Document without root().
  static Document parse(std::string_view bytes, std::string_view encoding, std::size_t entity_budget_bytes);

  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  std::optional<Element> root() const;
  // False when libxml2 reported any error (recovered or not).
  bool well_formed() const { return error_.empty(); }
  // The first error, e.g. "Premature end of data in tag title (line 1)"; empty when none.
  const std::string& error() const { return error_; }
  // True once entity expansion hit the budget: some text was cut short.
  bool entity_budget_exceeded() const { return entity_budget_ == 0 && budget_hit_; }

 private:
  friend class Element;
  struct DocFree {
    void operator()(_xmlDoc* doc) const noexcept;
  };
  Document() = default;
  // Takes `n` bytes of entity expansion from the budget; false when it is spent.
  bool spend(std::size_t n) const;

  std::unique_ptr<_xmlDoc, DocFree> doc_;
  std::string error_;
  mutable std::size_t entity_budget_ = 0;
  mutable bool budget_hit_ = false;
};

}  // namespace winnow::feeds::xml
