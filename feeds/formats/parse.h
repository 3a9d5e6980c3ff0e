#pragma once
// Feed bytes -> Feed: RSS 0.90/0.91/0.92/2.0, RSS 1.0 (RDF), Atom 0.3/1.0, JSON Feed 1.0/1.1,
// CDF.
// Pure; any thread.
#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "feeds/errors.h"
#include "feeds/model.h"

namespace winnow::feeds {

struct ParseOptions {
  // The URL the feed was fetched from: relative links resolve against it (after xml:base).
  std::string base_url;
  // The HTTP Content-Type; its charset overrides the XML declaration (RFC 7303), a BOM
  // overrides both.
  std::string content_type;
  // Larger documents are refused with FeedErrc::too_large before any parsing.
  std::size_t max_bytes = 32u << 20;
  // Bytes that internal entity expansion may add over the whole document; past it the
  // parse fails with FeedErrc::entity_limit.
  std::size_t max_entity_bytes = 4u << 20;
};

// Detects the format and reads it. A document that is broken but still has a feed root
// (recover mode) is a success with `bozo` set and `bozo_reason` saying what was wrong.
// Errors: empty_input, too_large, not_a_feed (another XML or JSON document, HTML, text),
// malformed (no root element or JSON value at all), entity_limit.
boost::system::result<Feed> parse_feed(std::string_view bytes, const ParseOptions& options);

}  // namespace winnow::feeds
