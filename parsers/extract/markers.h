#pragma once
// The markup signs of a page that stands where an article should be: a bot check, a consent
// wall, a paywall. Read from the whole Gumbo tree, since the extractor's flat DOM leaves out
// what carries them (scripts, iframes, forms, <noscript>, hidden elements). Generic words of
// class and id values and the generic paths of bot-check services only; no site's names.
// Pure; any thread.
#include <cstdint>
#include <string>

namespace winnow::parsers {

class HtmlDocument;

struct PageMarkers {
  // Bot-check markup: elements whose class/id words say challenge or captcha, scripts and
  // iframes of captcha and bot-check services, forms posting a challenge's answer.
  std::int32_t challenge = 0;
  // Elements whose class/id words say paywall, metered, subscriber-only, premium, locked.
  std::int32_t paywall = 0;
  // Consent-management frames, forms and dialogs (class/id words consent, gdpr, cookie wall,
  // the CMPs' own names; iframes and forms of consent services).
  std::int32_t consent = 0;
  std::int32_t article_elements = 0;  // <article> elements (listings have many)
  bool meta_refresh = false;          // <meta http-equiv=refresh>
  bool noscript_javascript = false;   // a <noscript> asks for JavaScript
  bool noscript_cookies = false;      // ... and for cookies ("Enable JavaScript and cookies")
  std::string title;                  // the <title> text, collapsed
  std::string first_h1;               // the first <h1> text, collapsed
};

// Walks the whole tree once (the text of <title>, the first <h1> and the first few
// <noscript>s is read on the way). Bounded by the document's size.
PageMarkers scan_markers(const HtmlDocument& doc);

}  // namespace winnow::parsers
