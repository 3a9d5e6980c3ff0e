#include "parsers/html/document.h"

#include "parsers/html/elide.h"
#include "parsers/html/nesting.h"

namespace winnow::parsers {

void HtmlDocument::OutputFree::operator()(GumboOutput* output) const noexcept {
  gumbo_destroy_output(&kGumboDefaultOptions, output);
}

HtmlDocument HtmlDocument::parse(std::string html) {
  elide_unread_text(html);
  bool depth_limited = false;
  if (auto bounded = bound_nesting(html, kMaxDepth)) {
    html = std::move(*bounded);
    depth_limited = true;
  }
  auto bytes = std::make_unique<const std::string>(std::move(html));
  GumboOptions options = kGumboDefaultOptions;
  // Parse errors are recorded one allocation each; we never read them.
  options.max_errors = 0;
  std::unique_ptr<GumboOutput, OutputFree> output(
      gumbo_parse_with_options(&options, bytes->data(), bytes->size()));
  HtmlDocument doc(std::move(bytes), std::move(output));
  doc.depth_limited_ = depth_limited;
  return doc;
}

std::string_view attribute(const GumboNode& element, const char* name) {
  if (element.type != GUMBO_NODE_ELEMENT && element.type != GUMBO_NODE_TEMPLATE) return {};
  const GumboAttribute* attr = gumbo_get_attribute(&element.v.element.attributes, name);
  return attr ? std::string_view(attr->value) : std::string_view();
}

bool is_element(const GumboNode& node, GumboTag tag) {
  return (node.type == GUMBO_NODE_ELEMENT || node.type == GUMBO_NODE_TEMPLATE) && node.v.element.tag == tag;
}

std::string_view tag_name(const GumboNode& element) {
  const GumboElement& e = element.v.element;
  if (e.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(e.tag);
  GumboStringPiece piece = e.original_tag;
  gumbo_tag_from_original_text(&piece);
  return {piece.data, piece.length};
}

}  // namespace winnow::parsers
