#pragma once
// An HTML document parsed by Gumbo. Move-only; any thread may use a document it owns.
#include <gumbo.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace winnow::parsers {

class HtmlDocument {
 public:
  // Elements nested deeper than this are flattened before parsing (see nesting.h).
  // 512: ten times the deepest page of the dev set.
  static constexpr int kMaxDepth = 512;

  // Parses UTF-8 `html` (the document keeps it: Gumbo's tree points into it).
  // Never fails: HTML parsing recovers from any input. The text of <script> (but JSON-LD),
  // <style> and comments is left out before parsing (see elide.h): those elements are empty.
  static HtmlDocument parse(std::string html);

  // True when the page nested deeper than kMaxDepth and was flattened.
  bool depth_limited() const { return depth_limited_; }

  // The document node; its children include the <html> element.
  const GumboNode& document() const { return *output_->document; }
  // The <html> element.
  const GumboNode& root() const { return *output_->root; }
  std::string_view source() const { return *bytes_; }

 HtmlDocument(HtmlDocument&&) noexcept;
  HtmlDocument& operator=(HtmlDocument&&) noexcept;
  ~HtmlDocument();

 private:
  // Every allocation Gumbo makes for one parse, freed at once with the document (see .cc).
  class Arena;
  static void* allocate(void* arena, std::size_t bytes);

  HtmlDocument();

  // Declared before the tree, which points into both and must go first.
  std::unique_ptr<const std::string> bytes_;
  std::unique_ptr<Arena> arena_;
  GumboOutput* output_ = nullptr;  // lives in *arena_
  bool depth_limited_ = false;
};

// Helpers over Gumbo nodes. `name` is lowercase ASCII.
std::string_view attribute(const GumboNode& element, const char* name);
bool is_element(const GumboNode& node, GumboTag tag);
// The tag name, also for elements Gumbo does not know (custom elements).
std::string_view tag_name(const GumboNode& element);

}  // namespace winnow::parsers
