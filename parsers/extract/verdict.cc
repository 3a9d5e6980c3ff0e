#include "parsers/extract/verdict.h"

#include <vector>

#include "parsers/html/document.h"

namespace winnow::parsers {

PageMarkers scan_markers(const HtmlDocument& doc) {
  PageMarkers markers;
  std::vector<const GumboNode*> stack{&doc.root()};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type != GUMBO_NODE_ELEMENT) continue;
    const GumboElement& e = n->v.element;
    if (e.tag == GUMBO_TAG_ARTICLE) ++markers.article_elements;
    for (unsigned i = e.children.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(e.children.data[i]));
  }
  return markers;
}

PageVerdict judge_page(const PageEvidence& evidence) {
  PageVerdict verdict;
  if (evidence.kept_chars == 0) {
    verdict.kind = PageKind::empty;
    verdict.reason = "no article text";
  }
  return verdict;
}

}  // namespace winnow::parsers
