#pragma once
// Page metadata from, in order of trust: JSON-LD, OpenGraph/Twitter <meta>, other <meta>,
// <time>, microdata, and the DOM (<title>, <html lang>, <link rel=canonical>). Pure; any thread.
#include <string_view>

#include "parsers/extract/article.h"
#include "parsers/html/document.h"

namespace winnow::parsers {

// `url` is the page's own URL (may be empty), to resolve relative canonical and image URLs.
Metadata read_metadata(const HtmlDocument& doc, std::string_view url);

}  // namespace winnow::parsers
